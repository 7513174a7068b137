"""Git preflight of `build` (bad-inputs H05-H08, H10) on temporary git repositories.

Each repository is the minimal fixture manual (tests/conftest.py `repo_factory`) committed with
fixed dates.  Warnings are checked on `preflight.git_preflight` directly; refusals, the stamp and
the published site are checked through `python -m site_builder build` like a user would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest_build import ROOT, TODAY, build, tree_hashes  # noqa: E402

from site_builder.publish.preflight import git_preflight  # noqa: E402

FIRST_DATE = "2026-01-05T09:30:00+08:00"
LINK = "[投诉处理程序](QP-02-complaint-handling.md)"


class Git:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self, *args: str, when: str = FIRST_DATE) -> str:
        env = {**os.environ, "LC_ALL": "C", "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        done = subprocess.run(["git", "-C", str(self.path), *args], capture_output=True, text=True, env=env, check=True)
        return done.stdout.strip()

    def commit(self, message: str, when: str = FIRST_DATE) -> str:
        self("add", "-A")
        self("commit", "-q", "--allow-empty", "-m", message, when=when)
        return self("rev-parse", "HEAD")


@pytest.fixture
def manual(repo_factory, monkeypatch) -> tuple[Path, Git]:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = repo_factory()
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    source = root / "procedures" / "QP-01-document-control.md"  # a link to a source file MkDocs refuses (reported)
    source.write_text(source.read_text(encoding="utf-8").replace(LINK, "投诉处理程序"), encoding="utf-8")
    git = Git(root)
    git("init", "-q", "-b", "main")
    git("config", "user.name", "qms-test")
    git("config", "user.email", "qms@example.invalid")
    git("config", "commit.gpgsign", "false")
    git.commit("fixture")
    return root, git


def preflight(root: Path, out: Path | None = None, **options):
    return git_preflight(root, out or root.parent / "no-site", date.fromisoformat(TODAY), **options)


def codes(result) -> list[tuple[str, str, str]]:
    return [(d.severity, d.code, d.path) for d in result.diagnostics]


# --- H07: dirty tree, untracked content ---------------------------------------------------------------

def test_clean_tree_has_no_findings(manual):
    root, _git = manual
    assert codes(preflight(root)) == []


def test_dirty_and_untracked_content_warn_and_release_refuses(manual):
    root, _git = manual
    with (root / "qms.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# edited\n")
    record = root / "records" / "QR-02-01" / "CPL-2026-002.yaml"
    record.write_text((root / "records" / "QR-02-01" / "CPL-2026-001.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (root / "notes.txt").write_text("not content", encoding="utf-8")  # outside the content folders: ignored
    assert codes(preflight(root)) == [("warning", "SB600", "qms.yaml"), ("warning", "SB600", "records/QR-02-01/CPL-2026-002.yaml")]
    released = preflight(root, release=True)
    assert codes(released) == [("error", "SB600", "qms.yaml"), ("error", "SB600", "records/QR-02-01/CPL-2026-002.yaml")]
    assert "untracked file" in released.diagnostics[1].message and released.diagnostics[1].hint


def test_release_build_refuses_a_dirty_tree_and_keeps_the_site(manual, tmp_path):
    root, _git = manual
    out = tmp_path / "www" / "site"
    assert build(root, out, "--quiet").returncode == 0
    before = tree_hashes(out)
    (root / "procedures" / "QP-09-new.md").write_text("---\nid: QP-09\n---\n", encoding="utf-8")
    done = build(root, out, "--release", "--quiet")
    assert done.returncode == 1
    assert "procedures/QP-09-new.md:1:1: error SB600 untracked file" in done.stdout
    assert "Traceback" not in done.stderr and "the published site" in done.stderr
    assert tree_hashes(out) == before


# --- H03/H10: implausible commit dates ---------------------------------------------------------------

def test_future_dated_commit_warns_naming_the_commit(manual):
    root, git = manual
    future = git.commit("clock wrong", when="2099-01-01T00:00:00+00:00")
    found = preflight(root).diagnostics
    assert [(d.severity, d.code) for d in found] == [("warning", "SB601")]
    assert future[:12] in found[0].message and "2099-01-01" in found[0].message and "'clock wrong'" in found[0].message


def test_child_older_than_parent_warns(manual):
    root, git = manual
    child = git.commit("backdated", when="2001-01-01T00:00:00+00:00")
    found = preflight(root).diagnostics
    assert len(found) == 1 and found[0].code == "SB601"
    assert child[:12] in found[0].message and "before its parent" in found[0].message


# --- H06: detached HEAD ------------------------------------------------------------------------------

def test_detached_head_builds_and_is_recorded(manual, tmp_path):
    root, git = manual
    first = git("rev-parse", "HEAD")
    git.commit("second", when="2026-02-01T10:00:00+08:00")
    git("tag", "release-2026-01")
    git("checkout", "-q", "--detach", first)
    out = tmp_path / "site"
    done = build(root, out, "--quiet")
    assert done.returncode == 0, done.stdout + done.stderr
    info = json.loads((out / "api" / "build.json").read_text(encoding="utf-8"))
    assert (info["commit"], info["detached"], info["branch"], info["tag"]) == (first, True, None, None)
    git("checkout", "-q", "--detach", "release-2026-01")
    assert build(root, out, "--quiet").returncode == 0
    info = json.loads((out / "api" / "build.json").read_text(encoding="utf-8"))
    assert (info["detached"], info["branch"], info["tag"]) == (True, None, "release-2026-01")


# --- H08: history rewritten since the published build ---------------------------------------------------

def test_rewritten_history_is_refused_unless_rebaselined(manual, tmp_path):
    root, git = manual
    out = tmp_path / "www" / "site"
    assert build(root, out, "--quiet").returncode == 0
    published = git("rev-parse", "HEAD")
    following = git.commit("next change", when="2026-02-01T10:00:00+08:00")
    done = build(root, out, "--quiet")
    assert done.returncode == 0, done.stdout + done.stderr  # a descendant: fine, and recorded
    info = json.loads((out / "api" / "build.json").read_text(encoding="utf-8"))
    assert (info["commit"], info["previous_commit"]) == (following, published)

    git("commit", "-q", "--amend", "--allow-empty", "-m", "rewritten", when="2026-02-02T10:00:00+08:00")
    before = tree_hashes(out)
    refused = build(root, out, "--quiet")
    assert refused.returncode == 1
    assert f"error SB602 the published site {out} was built from commit {following[:12]}, which is not an ancestor" in refused.stdout
    assert "--rebaseline" in refused.stdout and "Traceback" not in refused.stderr
    assert tree_hashes(out) == before

    accepted = build(root, out, "--quiet", "--rebaseline", "amended commit message, approved by QA (CR-17)")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "warning SB602" in accepted.stdout
    info = json.loads((out / "api" / "build.json").read_text(encoding="utf-8"))
    assert info["rebaseline"] == {"previous_commit": following, "reason": "amended commit message, approved by QA (CR-17)"}
    assert info["commit"] == git("rev-parse", "HEAD")


def test_published_commit_unknown_to_the_repository_is_refused(manual, tmp_path):
    root, _git = manual
    out = tmp_path / "site"
    (out / "api").mkdir(parents=True)
    (out / "api" / "build.json").write_text(json.dumps({"commit": "0123456789abcdef0123456789abcdef01234567"}), encoding="utf-8")
    found = preflight(root, out).diagnostics
    assert [(d.severity, d.code) for d in found] == [("error", "SB602")]
    assert "is not in this repository" in found[0].message


# --- H05: shallow clone -------------------------------------------------------------------------------

def test_shallow_clone_auditor_refuses_staff_warns(manual, tmp_path):
    root, git = manual
    git.commit("second", when="2026-02-01T10:00:00+08:00")
    clone = tmp_path / "shallow"
    git("clone", "-q", "--depth", "1", f"file://{root}", str(clone))
    refused = build(clone, tmp_path / "auditor", "--audience", "auditor", "--quiet")
    assert refused.returncode == 1 and "history is incomplete" in refused.stderr
    assert not (tmp_path / "auditor").exists()
    staff = build(clone, tmp_path / "staff", "--quiet")
    assert staff.returncode == 0, staff.stdout + staff.stderr
    assert "warning SB413" in staff.stdout
    assert json.loads((tmp_path / "staff" / "api" / "build.json").read_text(encoding="utf-8"))["shallow"] is True
