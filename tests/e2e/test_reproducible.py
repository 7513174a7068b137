"""Two builds of the same input give the same bytes (bad-inputs B07).

The minimal fixture manual is built twice into different folders at different wall-clock times:
* committed in git, SOURCE_DATE_EPOCH unset: the stamp date is the commit date, so every file
  (pages, sitemap.xml(.gz), search index, XLSX downloads, api/build.json) is byte-identical,
  for the staff and for the auditor site (history pages from git);
* outside git with SOURCE_DATE_EPOCH set: byte-identical, dated SOURCE_DATE_EPOCH;
* outside git without it: identical apart from the allowlisted build date (buildinfo.mask_stamp).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest_build import ROOT, build, tree_hashes  # noqa: E402

from site_builder.history.stamp import mask_stamp  # noqa: E402

COMMIT_DATE = "2026-01-05T09:30:00+08:00"
COMMIT_EPOCH = 1767576600
FIXED_EPOCH = 1760000000  # 2025-10-09T08:53:20Z


@pytest.fixture
def manual(repo_factory, monkeypatch) -> Path:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = repo_factory()
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    # The fixture links QP-01 to the *source file* of QP-02, which the body renderer leaves as it is and
    # MkDocs' strict mode refuses (reported); the link is not what this test is about.
    source = root / "procedures" / "QP-01-document-control.md"
    text = source.read_text(encoding="utf-8")
    assert text.count("[投诉处理程序](QP-02-complaint-handling.md)") == 1
    source.write_text(text.replace("[投诉处理程序](QP-02-complaint-handling.md)", "投诉处理程序"), encoding="utf-8")
    return root


def commit_all(root: Path) -> str:
    env = {**os.environ, "LC_ALL": "C", "GIT_AUTHOR_DATE": COMMIT_DATE, "GIT_COMMITTER_DATE": COMMIT_DATE}
    for args in (("init", "-q", "-b", "main"), ("config", "user.name", "qms-test"), ("config", "user.email", "t@example.invalid"),
                 ("config", "commit.gpgsign", "false"), ("add", "-A"), ("commit", "-q", "-m", "fixture")):
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)
    return subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()


def build_twice(root: Path, base: Path, *options: str) -> tuple[Path, Path]:
    sites = []
    for name in ("first", "second"):
        out = base / name / "site"
        done = build(root, out, "--quiet", *options)
        assert done.returncode == 0, done.stdout + done.stderr
        sites.append(out)
        time.sleep(1.1)  # the second build starts at least one second later (the stamp has 1 s resolution)
    return sites[0], sites[1]


def gzip_mtime(site: Path) -> int:
    return int.from_bytes((site / "sitemap.xml.gz").read_bytes()[4:8], "little")


def differences(a: Path, b: Path) -> list[str]:
    left, right = tree_hashes(a), tree_hashes(b)
    return sorted(p for p in left.keys() | right.keys() if left.get(p) != right.get(p))


@pytest.mark.parametrize("audience", ["staff", "auditor"])
def test_same_commit_twice_is_byte_identical(audience, manual, tmp_path):
    head = commit_all(manual)
    first, second = build_twice(manual, tmp_path, "--audience", audience)
    assert differences(first, second) == []
    info = json.loads((first / "api" / "build.json").read_text(encoding="utf-8"))
    assert info["commit"] == head and info["dirty"] is False and info["audience"] == audience
    assert (first / "history").is_dir() == (audience == "auditor")
    assert info["source_date_epoch"] == COMMIT_EPOCH and info["built_at"] == "2026-01-05T01:30:00Z"
    assert "<lastmod>2026-01-05</lastmod>" in (first / "sitemap.xml").read_text(encoding="utf-8")
    assert gzip_mtime(first) == COMMIT_EPOCH - COMMIT_EPOCH % 86400  # MkDocs stamps the day of the build date
    assert list(first.rglob("*.xlsx")), "the fixture has record downloads, so XLSX reproducibility is covered"


def test_source_date_epoch_is_honoured(manual, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(FIXED_EPOCH))
    first, second = build_twice(manual, tmp_path)
    assert differences(first, second) == []
    assert json.loads((first / "api" / "build.json").read_text(encoding="utf-8"))["built_at"] == "2025-10-09T08:53:20Z"
    assert "构建时间 2025-10-09T08:53:20Z" in (first / "index.html").read_text(encoding="utf-8")
    assert gzip_mtime(first) == FIXED_EPOCH - FIXED_EPOCH % 86400


def test_without_git_or_source_date_only_the_stamp_differs(manual, tmp_path):
    first, second = build_twice(manual, tmp_path)
    changed = differences(first, second)
    assert "api/build.json" in changed and "index.html" in changed, "the wall-clock stamp differs"
    for relative in changed:
        a, b = (first / relative).read_bytes(), (second / relative).read_bytes()
        if relative.endswith(".gz"):  # its header holds the build time; the content must match
            a, b = gzip.decompress(a), gzip.decompress(b)
        assert mask_stamp(a) == mask_stamp(b), relative
