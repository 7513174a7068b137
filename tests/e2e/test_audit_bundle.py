"""`python -m site_builder audit-bundle --out FILE.zip` end to end (issue #11), on the small scripted
git repository of the history tests: the archive holds the auditor site (links work from disk),
the requirements map, the build stamp and the results of the last test run, in a fixed order."""

from __future__ import annotations

import json
import re
import sys
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from history_support import two_versions  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
RESULTS = {"finished_at": "2026-11-23T09:00:00Z", "exit_status": 1, "tests": {
    "tests/unit/test_rules.py::test_sb201_required_key_missing_top_level": "passed",
    "tests/unit/test_rules.py::test_sb405_s11_approver_is_the_preparer": "failed"}}


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """The scripted repository with a recorded test run, and its bundle."""
    repo = two_versions(tmp_path_factory.mktemp("audit") / "repo")
    (repo.path / ".qms").mkdir()
    (repo.path / ".qms" / "test-results.json").write_text(json.dumps(RESULTS), encoding="utf-8")
    out = repo.path.parent / "bundle.zip"
    done = repo.qms("audit-bundle", "--out", str(out), today="2025-06-01")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and f"wrote {out}" in done.stderr
    return repo, out


def test_bundle_has_the_expected_members(bundled):
    repo, out = bundled
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {"README.txt", "build.json", "requirements.yaml", "test-results.txt", "test-results.json",
                "site/index.html", "site/compliance/index.html", "site/api/compliance.json",
                "site/api/build.json", "site/history/index.html"} <= set(names)
        stamp = json.loads(archive.read("build.json"))
        assert stamp == json.loads(archive.read("site/api/build.json"))
        assert stamp["audience"] == "auditor" and stamp["commit"] == repo.git("rev-parse", "HEAD")
        day = stamp["built_at"][:10]
        assert archive.comment.decode("utf-8") == (f"qms-site audit bundle, auditor site built {stamp['built_at']} "
                                                   f"from commit {stamp['commit']}")
        assert all(f"{info.date_time[0]:04}-{info.date_time[1]:02}-{info.date_time[2]:02}" == day for info in archive.infolist())
        assert archive.read("requirements.yaml") == (ROOT / "compliance" / "requirements.yaml").read_bytes()
        assert json.loads(archive.read("test-results.json")) == RESULTS
        report = archive.read("test-results.txt").decode("utf-8")
        assert "passed     tests/unit/test_rules.py::test_sb201_required_key_missing_top_level" in report
        assert "failed     tests/unit/test_rules.py::test_sb405_s11_approver_is_the_preparer" in report
        assert "not run    tests/e2e/test_audit_bundle.py::test_bundle_has_the_expected_members" in report
        checklist = json.loads(archive.read("site/api/compliance.json"))
        assert checklist["items"] and checklist["build"]["commit"] == stamp["commit"]
        page = archive.read("site/compliance/index.html").decode("utf-8")
        assert "文件控制合规检查表" in page and 'data-status="ok"' in page
        assert stamp["commit"][:12] in page and day in archive.read("README.txt").decode("utf-8")


def test_bundle_site_opens_from_disk(bundled, tmp_path):
    """Every relative link and asset of every page points at a file in the archive (no folder URLs)."""
    _repo, out = bundled
    with zipfile.ZipFile(out) as archive:
        archive.extractall(tmp_path)
    site = tmp_path / "site"
    checked, broken = 0, []
    for page in site.rglob("*.html"):
        for url in re.findall(r'(?:href|src)="([^"]*)"', page.read_text(encoding="utf-8")):
            if not url or url.startswith(("#", "/")) or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url):
                continue
            path = unquote(url.split("#")[0].split("?")[0])
            checked += 1
            if not (page.parent / path).is_file():
                broken.append(f"{page.relative_to(site)}: {url}")
    assert checked > 100 and broken == []
    assert 'href="../history/index.html"' in (site / "compliance" / "index.html").read_text(encoding="utf-8")


def test_without_test_results_the_bundle_says_so(tmp_path):
    repo = two_versions(tmp_path / "repo")
    out = tmp_path / "out"
    out.mkdir()
    done = repo.qms("audit-bundle", "--out", str(out), today="2025-06-01")
    assert done.returncode == 0, done.stderr
    [archive_path] = list(out.glob("qms-audit-*.zip"))
    assert re.fullmatch(r"qms-audit-\d{4}-\d{2}-\d{2}\.zip", archive_path.name)
    with zipfile.ZipFile(archive_path) as archive:
        assert "test-results.json" not in archive.namelist()
        assert "no test results recorded" in archive.read("test-results.txt").decode("utf-8")


def test_errors_are_clear_and_write_nothing(tmp_path):
    repo = two_versions(tmp_path / "repo")
    missing = repo.qms("audit-bundle", "--out", str(tmp_path / "no" / "such" / "bundle.zip"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr
    wrong = repo.qms("audit-bundle", "--out", str(tmp_path / "bundle.tar"))
    assert wrong.returncode == 2 and "must end in .zip" in wrong.stderr
    repo.write("procedures/QP-90-survey.md", repo.path.joinpath("procedures/QP-90-survey.md").read_text(encoding="utf-8")
               .replace("status: effective", "status: effectiv"))
    invalid = repo.qms("audit-bundle", "--out", str(tmp_path / "bundle.zip"))
    assert invalid.returncode == 1 and "Traceback" not in invalid.stderr
    assert "no archive written" in invalid.stderr and "procedures/QP-90-survey.md" in invalid.stdout
    assert not list(tmp_path.glob("*.zip")) and not list(tmp_path.glob(".bundle.zip*"))


def test_same_commit_gives_the_same_archive(bundled):
    repo, out = bundled
    again = out.with_name("again.zip")
    done = repo.qms("audit-bundle", "--out", str(again), today="2025-06-01")
    assert done.returncode == 0, done.stderr
    assert again.read_bytes() == out.read_bytes()
