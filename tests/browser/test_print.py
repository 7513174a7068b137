"""Printing a document page of the shipped manual (issue 3): Chromium's print-to-PDF of the page
in print media keeps the control header, and every printed page carries the document number,
its version, 打印件为非受控文件 and 第 N 页 / 共 M 页 (read back with pdftotext)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which("pdftotext") is None,
                       reason="the print test reads the PDF with pdftotext (apt-get install poppler-utils)"),
]

UNCONTROLLED = "打印件为非受控文件"
PAGE_X_OF_Y = re.compile(r"第\s*(\d+)\s*页\s*/\s*共\s*(\d+)\s*页")
LINE = re.compile(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>', re.S)
WORD = re.compile(r"<word [^>]*>([^<]*)</word>")
OVERLAP_TOLERANCE = 2.0  # points


@pytest.fixture(scope="module")
def printed(browser, shipped_url, shipped_site, shipped_documents, tmp_path_factory):
    """(document id, version, PDF path) of the longest document page, printed once for this module."""
    doc_id = "QP-06" if "QP-06" in shipped_documents else max(
        shipped_documents, key=lambda d: (shipped_site / "documents" / d / "index.html").stat().st_size)
    context = browser.new_context(locale="zh-CN")
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    try:
        page = context.new_page()
        response = page.goto(f"{shipped_url}documents/{doc_id}/")
        assert response is not None and response.ok
        page.emulate_media(media="print")
        path = tmp_path_factory.mktemp("print") / f"{doc_id}.pdf"
        page.pdf(path=str(path), prefer_css_page_size=True, print_background=True)
    finally:
        context.close()
    outside = [u for u in requests if not u.startswith(shipped_url) and not u.startswith(("data:", "blob:"))]
    assert outside == [], outside
    return doc_id, shipped_documents[doc_id]["version"], path


def _pages(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
                          timeout=120).stdout
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return pages


def test_every_printed_page_has_the_uncontrolled_copy_footer(printed):
    doc_id, version, pdf = printed
    pages = _pages(pdf)
    assert len(pages) >= 2, "the longest document should need several A4 pages"
    assert "文件编号" in pages[0] and "版本" in pages[0], "the control header is printed on the first page"
    for number, text in enumerate(pages, 1):
        flat = re.sub(r"\s+", " ", text)
        assert doc_id in flat, f"page {number}: no document number"
        assert re.search(rf"版本\s*{re.escape(version)}", flat), f"page {number}: no version {version}"
        assert UNCONTROLLED in flat.replace(" ", ""), f"page {number}: no {UNCONTROLLED}"
        found = PAGE_X_OF_Y.findall(text)
        assert found, f"page {number}: no '第 N 页 / 共 M 页' (Chromium @page margin box missing?)"
        assert (int(found[-1][0]), int(found[-1][1])) == (number, len(pages)), f"page {number}: {found}"


def test_print_hides_the_site_chrome(printed):
    doc_id, _, pdf = printed
    text = "".join(_pages(pdf))
    for chrome in ("回到页面顶部", "搜索", "构建自提交"):
        assert chrome not in text, chrome


def test_print_footer_does_not_cover_body_text(printed):
    _, _, pdf = printed
    layout = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
                            timeout=120).stdout
    covered = []
    for number, page in enumerate(layout.split("<page ")[1:], 1):
        lines = [(float(m.group(2)), float(m.group(4)), "".join(html.unescape(w) for w in WORD.findall(m.group(5))))
                 for m in LINE.finditer(page)]
        footers = [line for line in lines if UNCONTROLLED in line[2]]
        for top, bottom, _ in footers:
            for other_top, other_bottom, words in lines:
                if UNCONTROLLED in words or PAGE_X_OF_Y.search(words):
                    continue
                if min(bottom, other_bottom) - max(top, other_top) > OVERLAP_TOLERANCE:
                    covered.append((number, words))
    assert covered == [], f"body text under the printed footer: {covered}"
