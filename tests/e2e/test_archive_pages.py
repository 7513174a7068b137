"""The auditor's obsolete-version and diff pages, written outside MkDocs in the theme's shell (archive.py).

Each is compared byte for byte with the page MkDocs writes for the same Markdown when it is
told to render them itself (`build --plain`), on a scripted repository whose old versions
use tables, code, repeated headings and links to another document.  Also: they are listed in
the sitemap but not in the search index, and a committed version whose front matter is not
readable YAML still gets its snapshot (the text as committed) and its diff.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from history_support import Repo, document, entry  # noqa: E402

PATH = "procedures/QP-90-survey.md"
BODY_A0 = """## 1 目的

本程序规定客户满意度调查的方法，相关记录按[记录控制程序](QP-91-records.md#2-保存)保存。

## 2 职责

| 岗位 | 职责 |
|---|---|
| 客户服务部 | 每季度组织一次电话调查 |

```text
评分 = 满意项 / 调查项 × 100
```

## 2 职责

重复的标题应得到不同的锚点。<b>不是标签</b> & 符号。
"""
BODY_A1 = BODY_A0.replace("每季度", "每半年")
BODY_A2 = BODY_A1.replace("方法", "方法和频次") + "\n## 3 附加\n\n新增一节。\n"
OTHER = document(doc_id="QP-91", title="记录控制程序", body="## 1 目的\n\n说明。\n\n## 2 保存\n\n保存期限。\n")


def versions(path: Path, broken_a1: bool = False) -> Repo:
    repo = Repo(path)
    repo.write("procedures/QP-91-records.md", OTHER)
    repo.write(PATH, document(body=BODY_A0))
    repo.commit("A0", "2023-12-20T10:00:00+08:00")
    a1 = document(version="A1", effective="2024-06-01", approved="2024-05-20", prepared="2024-05-01", body=BODY_A1,
                  revisions=[entry("A0", "2023-12-20", "首次发布"), entry("A1", "2024-05-20", "调整频次")])
    if broken_a1:  # (the front matter no longer parses: a stray indentation in a later line)
        a1 = a1.replace("summary: 测试用程序文件。", "summary: 测试用程序文件。\n  - broken: [")
    repo.write(PATH, a1)
    repo.commit("A1", "2024-05-20T10:00:00+08:00")
    repo.write(PATH, document(version="A2", effective="2025-03-01", approved="2025-02-15", prepared="2025-02-01",
                              body=BODY_A2, revisions=[entry("A0", "2023-12-20", "首次发布"),
                                                       entry("A1", "2024-05-20", "调整频次"),
                                                       entry("A2", "2025-02-15", "增加第3节")]))
    repo.commit("A2", "2025-02-20T10:00:00+08:00")
    return repo


def build(repo: Repo, out: Path, *extra: str) -> None:
    done = repo.qms("build", "--audience", "auditor", "--out", str(out), "--quiet", *extra)
    assert done.returncode == 0, done.stdout + done.stderr


def files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def sitemap_locations(data: bytes) -> list[str]:
    return re.findall(r"<loc>([^<]*)</loc>", data.decode("utf-8"))


ARCHIVE = ("history/QP-90/A0/index.html", "history/QP-90/A1/index.html", "history/QP-90/diff-A0-A1/index.html",
           "history/QP-90/diff-A1-A2/index.html")


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    root = tmp_path_factory.mktemp("archive")
    repo = versions(root / "repo")
    fast, slow = root / "fast", root / "slow"
    build(repo, fast)
    build(repo, slow, "--plain")  # (MkDocs renders the archive pages, among every other plain path)
    return files(fast), files(slow)


def test_archive_pages_are_the_pages_mkdocs_writes(sites):
    fast, slow = sites
    assert set(ARCHIVE) <= set(fast)
    assert set(fast) == set(slow)
    different = sorted(path for path in fast if fast[path] != slow[path])
    assert different == []  # (the sitemap too: both list the archive's entries last, in URL order)
    locations = sitemap_locations(fast["sitemap.xml"])
    archive = [loc for loc in locations if "/QP-90/A" in loc or "/QP-90/diff-" in loc]
    assert archive == sorted(archive) and locations[-len(archive):] == archive
    assert gzip.decompress(fast["sitemap.xml.gz"]) == fast["sitemap.xml"]
    assert fast["sitemap.xml.gz"][4:8] == slow["sitemap.xml.gz"][4:8]  # the same time stamp (reproducible)


def test_archive_pages_carry_their_content(sites):
    fast, _ = sites
    a0 = fast["history/QP-90/A0/index.html"].decode("utf-8")
    assert "作废 / 已被 A1 版取代" in a0 and "每季度组织一次电话调查" in a0 and "<table>" in a0
    assert "&lt;b&gt;不是标签&lt;/b&gt;" in a0  # content is escaped
    assert 'href="../../../documents/QP-91/#2-保存"' in a0  # a link to another document's source leads to its page
    assert a0.count('id="2-职责"') == 1 and 'id="2-职责_1"' in a0  # headings keep MkDocs' unique anchors
    assert "<title>QP-90 A0（作废） - " in a0 and 'href="#2-职责_1"' in a0  # title and table of contents
    diff = fast["history/QP-90/diff-A1-A2/index.html"].decode("utf-8")
    assert "<ins>和频次</ins>" in diff and "增加第3节" in diff


def test_archive_pages_are_in_the_sitemap_but_not_in_the_search_index(sites):
    fast, _ = sites
    located = {loc.split("/", 3)[3] for loc in sitemap_locations(fast["sitemap.xml"])}
    assert {page[: -len("index.html")] for page in ARCHIVE} <= located
    index = json.loads(fast["search/search_index.json"])
    assert not [d["location"] for d in index["docs"] if d["location"].startswith(("history/QP-90/A", "history/QP-90/diff"))]
    assert any(d["location"].startswith("history/QP-90/") for d in index["docs"])  # (the history page is)


def test_a_version_whose_front_matter_does_not_parse_is_shown_as_committed(tmp_path):
    repo = versions(tmp_path / "repo", broken_a1=True)
    out = tmp_path / "site"
    build(repo, out)
    a1 = (out / "history/QP-90/A1/index.html").read_text(encoding="utf-8")
    assert "文件头无法按 YAML 读取" in a1 and "- broken: [" in a1 and "每半年组织一次电话调查" in a1
    diff = (out / "history/QP-90/diff-A1-A2/index.html").read_text(encoding="utf-8")
    assert "以下比较提交中的原文" in diff and "<del>" in diff
    history = (out / "history/QP-90/index.html").read_text(encoding="utf-8")
    assert 'href="A1/"' in history and 'href="diff-A1-A2/"' in history
