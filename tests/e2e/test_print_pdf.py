"""End to end: `python -m site_builder print` makes a PDF of a document of a small fixture manual with headless
Chromium; pdftotext finds the copy marking, the document number, the version and 第 N 页 / 共 M 页 on every page."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2026-01-15"
DOC_ID = "QP-95"
VERSION = "A1"

pytestmark = [
    pytest.mark.skipif(shutil.which("chromium") is None,
                       reason="Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk); "
                              "the print command needs it"),
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed (apt-get install poppler-utils)"),
]

PARAGRAPH = ("受控副本由文控中心打印、加盖受控印章并标注分发号，登记在文件发放与回收记录上。新版本生效后，持有旧版本受控副本的"
             "部门须在十四天内将旧副本交回文控中心，文控中心登记回收日期并同时发放新版本。")


def fixture_manual(root: Path) -> Path:
    """A manual with one procedure long enough for several printed pages."""
    shutil.copytree(ROOT / "schemas", root / "schemas", ignore=shutil.ignore_patterns("records"))
    (root / "schemas" / "records").mkdir()
    for name in ("qms.yaml", "organisation.yaml", "mkdocs.yml"):
        shutil.copy(ROOT / name, root / name)
    for folder in ("procedures", "forms", "records"):
        (root / folder).mkdir()
    sections = []
    for number in range(1, 9):
        sections.append(f"## {number} 第{number}章 受控副本的管理\n")
        sections += [f"{number}.{item} {PARAGRAPH}\n" for item in range(1, 6)]
    body = "\n".join(sections)
    (root / "procedures" / f"{DOC_ID}-print-test.md").write_text(f"""---
id: {DOC_ID}
title: 受控副本打印测试程序
level: 2
version: {VERSION}
status: effective
owner: 文控中心
summary: 用于打印测试的程序文件。
prepared_by: {{name: 何雨桐, date: 2025-11-20}}
reviewed_by: {{name: 林秀琴, date: 2025-11-25}}
approved_by: {{name: 周启航, date: 2025-11-28}}
effective: 2025-12-01
review_period_months: 24
distribution:
  - {{department: 文控中心, copies: 1, copy_numbers: ["01"]}}
  - {{department: 质量部, copies: 2, copy_numbers: ["02", "03"]}}
revisions:
  - {{version: A0, date: 2024-06-03, sections: 全文, change: 首次发布, approved_by: 周启航}}
  - {{version: A1, date: 2025-11-28, sections: "3, 5", change: 增加受控副本打印要求, approved_by: 周启航}}
related_documents: []
related_forms: []
---
{body}""", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def manual_root(tmp_path_factory) -> Path:
    return fixture_manual(tmp_path_factory.mktemp("print") / "manual")


def run_print(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "site_builder", "print", *args, "--root", str(root), "--today", TODAY],
                          capture_output=True, text=True, timeout=300, cwd=root, env=env or os.environ.copy())


def page_texts(pdf: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout \
        if shutil.which("pdfinfo") else ""
    pages = int(next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "0"))
    if not pages:  # no pdfinfo: pdftotext separates pages with form feeds
        whole = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        return [t for t in whole.split("\f") if t.strip()]
    return [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout for n in range(1, pages + 1)]


def compact(text: str) -> str:
    """pdftotext drops or keeps the spaces between CJK glyphs depending on their placement; compare without them."""
    return "".join(text.split())


def test_controlled_copy_has_its_number_and_the_footer_on_every_page(manual_root, tmp_path):
    out = tmp_path / "copy03.pdf"
    done = run_print(manual_root, DOC_ID, "--copy", "03", "--out", str(out))
    assert done.returncode == 0, done.stderr + done.stdout
    assert out.read_bytes().startswith(b"%PDF")
    pages = [compact(t) for t in page_texts(out)]
    assert len(pages) >= 2, "the fixture document should need several pages"
    for number, text in enumerate(pages, start=1):
        assert "受控副本第03号" in text, f"page {number}: {text[:200]}"
        assert DOC_ID in text and f"版本{VERSION}" in text, f"page {number}"
        assert f"第{number}页/共{len(pages)}页" in text, f"page {number}: {text[-200:]}"
        assert "非受控文件" not in text, f"page {number}"
    assert "第1章受控副本的管理" in pages[0]  # Chinese body text came through as text (fonts-noto-cjk)


def test_without_copy_every_page_says_uncontrolled(manual_root, tmp_path):
    done = run_print(manual_root, DOC_ID, "--out", str(tmp_path / "plain.pdf"))
    assert done.returncode == 0, done.stderr + done.stdout
    pages = [compact(t) for t in page_texts(tmp_path / "plain.pdf")]
    for number, text in enumerate(pages, start=1):
        assert "非受控文件" in text and "受控副本第" not in text, f"page {number}"
        assert DOC_ID in text and f"第{number}页/共{len(pages)}页" in text, f"page {number}"


def test_default_output_name_is_in_the_current_folder(manual_root):
    done = run_print(manual_root, DOC_ID, "--copy", "2")
    assert done.returncode == 0, done.stderr + done.stdout
    out = manual_root / f"{DOC_ID}-{VERSION}-copy02.pdf"
    try:
        assert out.is_file()
        assert "受控副本第02号" in compact(page_texts(out)[0])
    finally:
        out.unlink(missing_ok=True)


def test_unknown_document_and_unlisted_copy_number_exit_1(manual_root, tmp_path):
    unknown = run_print(manual_root, "QP-99", "--copy", "01", "--out", str(tmp_path / "x.pdf"))
    assert unknown.returncode == 1 and "unknown document 'QP-99'" in unknown.stderr
    unlisted = run_print(manual_root, DOC_ID, "--copy", "07", "--out", str(tmp_path / "x.pdf"))
    assert unlisted.returncode == 1 and "not on the distribution list of QP-95 A1" in unlisted.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_missing_chromium_exits_2_with_the_install_hint(manual_root, tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # no chromium on this PATH
    done = run_print(manual_root, DOC_ID, "--copy", "03", "--out", str(tmp_path / "x.pdf"), env=env)
    assert done.returncode == 2
    assert "chromium" in done.stderr.lower() and "apt-get install chromium" in done.stderr
