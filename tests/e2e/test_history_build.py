"""Auditor build with version history, and the git edge cases, end to end (issue 6).

Every repository is built by scripted commits with fixed dates (tests/history_support.py)
and built with `python -m site_builder build` like a user would.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from history_support import BODY_A1, a1_document, two_versions  # noqa: E402

PATH = "procedures/QP-90-survey.md"
RESTRICTED = "受限：仅限审核与质量部门"


def build(repo, out: Path, audience: str = "auditor"):
    return repo.qms("build", "--audience", audience, "--out", str(out), "--quiet")


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """The issue's 'Done when' repository and its auditor site."""
    repo = two_versions(tmp_path_factory.mktemp("history") / "repo")
    site = repo.path.parent / "auditor-site"
    done = build(repo, site)
    assert done.returncode == 0, done.stdout + done.stderr
    return repo, site


def test_as_of_names_the_version_in_force(scenario):
    repo, _site = scenario
    done = repo.qms("as-of", "2024-06-30", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [{"id": "QP-90", "version": "A0"}]
    assert json.loads(repo.qms("as-of", "2025-03-01", "--format", "json").stdout) == [{"id": "QP-90", "version": "A1"}]
    assert json.loads(repo.qms("as-of", "2023-01-01", "--format", "json").stdout) == []
    text = repo.qms("as-of", "2024-06-30")
    assert "QP-90\tA0\t2024-01-01 至 2025-03-01" in text.stdout
    assert repo.qms("as-of", "30.06.2024").returncode == 2


def test_auditor_site_shows_the_obsolete_text_with_banner_and_watermark(scenario):
    _repo, site = scenario
    html = page(site, "history/QP-90/A0")
    assert "作废 / 已被 A1 版取代" in html
    assert 'class="qms-watermark"' in html
    assert "本程序适用于本公司的全部客户。" in html and "每季度" in html  # the A0 text
    assert "QP-90 · 版本 A0 · 打印件为非受控文件" in html


def test_auditor_site_shows_the_diff_to_the_next_version(scenario):
    _repo, site = scenario
    html = page(site, "history/QP-90/diff-A0-A1")
    assert "<del>全部</del><ins>新、老</ins>客户<ins>及代理商</ins>" in html
    assert "每<del>季度</del><ins>半年</ins>" in html
    assert "扩大适用范围" in html


def test_history_page_lists_versions_commits_and_basis(scenario):
    repo, site = scenario
    html = page(site, "history/QP-90")
    head, first = repo.git("rev-parse", "HEAD"), repo.git("rev-list", "--max-parents=0", "HEAD")
    assert head[:10] in html and first[:10] in html
    assert "已核实（git 提交）" in html and "2025-03-01" in html
    assert 'href="A0/"' in html and 'href="diff-A0-A1/"' in html


def test_history_json(scenario):
    repo, site = scenario
    history = json.loads((site / "api/history.json").read_text(encoding="utf-8"))
    assert [d["id"] for d in history] == ["QP-90"]
    a0, a1 = history[0]["versions"]
    assert {k: a0[k] for k in ("version", "effective_from", "effective_to", "verified", "change")} == {
        "version": "A0", "effective_from": "2024-01-01", "effective_to": "2025-03-01", "verified": True,
        "change": "首次发布"}
    assert a1["commit"] == repo.git("rev-parse", "HEAD") and a1["effective_to"] is None


def test_as_of_pages_and_change_log(scenario):
    _repo, site = scenario
    picker = page(site, "history/as-of")
    assert 'href="2024/"' in picker and 'href="2025/"' in picker and "2025-03-01" in picker
    year_2024 = page(site, "history/as-of/2024")
    assert "QP-90" in year_2024 and 'href="../../QP-90/A0/"' in year_2024 and "2024-01-01 至 2025-02-28" in year_2024
    assert 'href="../../QP-90/A1/"' not in year_2024 and 'data-qms-from="2025-03-01"' not in year_2024
    year_2025 = page(site, "history/as-of/2025")
    assert 'href="../../QP-90/A0/"' in year_2025 and 'data-qms-from="2025-03-01"' in year_2025
    changes = page(site, "history/changes")
    assert changes.index("扩大适用范围") < changes.index("首次发布")  # newest first


def test_every_page_is_marked_restricted_and_stamped(scenario):
    repo, site = scenario
    head = repo.git("rev-parse", "HEAD")
    for url in ("", "documents/QP-90", "history", "history/QP-90/A0", "history/changes"):
        html = page(site, url)
        assert RESTRICTED in html, url
        assert f"构建自提交 {head[:12]}" in html, url
    build_info = json.loads((site / "api/build.json").read_text(encoding="utf-8"))
    assert build_info["commit"] == head and build_info["dirty"] is False and build_info["audience"] == "auditor"
    assert "审核：版本历史" in page(site, "")


def test_editing_the_effective_text_without_revise_fails_check(scenario, tmp_path):
    repo, _site = scenario
    copy = type(repo).__new__(type(repo))
    copy.path = tmp_path / "repo"
    shutil.copytree(repo.path, copy.path)
    copy.write(PATH, a1_document(body=BODY_A1.replace("每半年", "每月")))
    done = copy.qms("check")
    assert done.returncode == 1
    assert "error SB410 QP-90 is effective at version A1" in done.stdout


def test_staff_build_has_no_history(scenario):
    repo, _site = scenario
    site = repo.path.parent / "staff-site"
    assert build(repo, site, "staff").returncode == 0
    assert not (site / "history").exists() and not (site / "api/history.json").exists()
    assert RESTRICTED not in page(site, "")


def test_shallow_clone_auditor_refuses_staff_warns(scenario, tmp_path):
    repo, _site = scenario
    clone = type(repo).__new__(type(repo))
    clone.path = tmp_path / "shallow"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone.path))
    checked = clone.qms("check")
    assert checked.returncode == 0 and "warning SB413 shallow clone" in checked.stdout
    out = tmp_path / "auditor"
    refused = build(clone, out)
    assert refused.returncode == 1 and "refuses a shallow clone" in refused.stderr and "unshallow" in refused.stderr
    assert not out.exists()
    staff = build(clone, tmp_path / "staff", "staff")
    assert staff.returncode == 0 and "SB413" in staff.stdout


def test_detached_head_builds_the_history_up_to_that_commit(scenario, tmp_path):
    repo, _site = scenario
    copy = type(repo).__new__(type(repo))
    copy.path = tmp_path / "detached"
    shutil.copytree(repo.path, copy.path)
    first = copy.git("rev-list", "--max-parents=0", "HEAD")
    copy.git("checkout", "-q", "--detach", first)
    site = tmp_path / "site"
    done = build(copy, site)
    assert done.returncode == 0, done.stderr
    assert json.loads((site / "api/build.json").read_text(encoding="utf-8"))["commit"] == first
    versions = json.loads((site / "api/history.json").read_text(encoding="utf-8"))[0]["versions"]
    assert [v["version"] for v in versions] == ["A0"]


def test_renamed_non_ascii_path_keeps_its_history(scenario, tmp_path):
    repo, _site = scenario
    copy = type(repo).__new__(type(repo))
    copy.path = tmp_path / "renamed"
    shutil.copytree(repo.path, copy.path)
    (copy.path / "procedures/客户服务").mkdir()
    copy.git("mv", PATH, "procedures/客户服务/QP-90-满意度调查.md")
    copy.commit("移动到客户服务目录", "2025-04-01T10:00:00+08:00")
    site = tmp_path / "site"
    assert build(copy, site).returncode == 0
    html = page(site, "history/QP-90")
    assert "procedures/客户服务/QP-90-满意度调查.md" in html and PATH in html
    assert "作废 / 已被 A1 版取代" in page(site, "history/QP-90/A0")


def test_uncommitted_changes_are_stamped_dirty(scenario, tmp_path):
    repo, _site = scenario
    copy = type(repo).__new__(type(repo))
    copy.path = tmp_path / "dirty"
    shutil.copytree(repo.path, copy.path)
    copy.write(PATH, a1_document().replace('copy_numbers: ["01"]}', 'copy_numbers: ["01"]}\n'
                                           '  - {department: 文控中心, copies: 1, copy_numbers: ["02"]}'))
    site = tmp_path / "site"
    done = build(copy, site, "staff")
    assert done.returncode == 0, done.stdout + done.stderr  # a distribution-only edit needs no revision
    assert json.loads((site / "api/build.json").read_text(encoding="utf-8"))["dirty"] is True
    assert "工作区有未提交的修改" in page(site, "")


def test_a_build_changes_nothing_in_the_repository(tmp_path):
    """The build lock and the check cache live in .qms-cache/, which ignores itself: `git status` stays clean
    (the published site/ is the user's to ignore, as the shipped .gitignore does)."""
    repo = two_versions(tmp_path / "repo")
    repo.write(".gitignore", "/site/\n")
    repo.commit("ignore the published site", "2025-03-02T10:00:00+08:00")
    done = repo.qms("build", "--quiet")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (repo.path / "site" / "index.html").exists()
    assert repo.git("status", "--porcelain", "--ignored=no") == ""
    assert not list(repo.path.glob(".*.lock"))
