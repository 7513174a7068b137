"""The shipped manual in real headless Chromium (issue 3): home page, navigation, Chinese search,
search by document number, the master list's sorting and filtering, and no request leaving
127.0.0.1 (checked for every test by the `browse` fixture, and once more over a tour)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

MASTER_ROWS = "#qms-master tbody tr"

def _preferred(documents: dict[str, dict], wanted: str) -> str:
    return wanted if wanted in documents else sorted(documents)[0]


def _column(page, index: int, visible_only: bool = True) -> list[str]:
    return page.evaluate(
        "([selector, index, visibleOnly]) => Array.from(document.querySelectorAll(selector))"
        ".filter(r => !visibleOnly || !r.hidden).map(r => (r.cells[index] || {}).textContent.trim())",
        [MASTER_ROWS, index, visible_only])


def _header_index(page, label: str) -> int:
    headers = [h.strip() for h in page.locator("#qms-master thead th").all_inner_texts()]
    return next(i for i, h in enumerate(headers) if h.startswith(label))


def test_home_page(browse, site_name):
    browse.goto("")
    page = browse.page
    assert "质量手册" in page.title() or site_name in page.title()
    heading = page.locator("article h1").first.inner_text()
    assert site_name in heading
    text = page.locator("article").inner_text()
    assert "近期修订的文件" in text
    assert page.locator("html").get_attribute("lang").startswith("zh")


def test_navigate_to_procedure_via_navigation(browse, shipped_documents):
    doc_id = _preferred(shipped_documents, "QP-06")
    title = shipped_documents[doc_id]["title"]
    browse.goto("")
    page = browse.page
    page.locator(".md-tabs a", has_text="质量文件").first.click()
    page.wait_for_url(re.compile(r"/documents/$"))
    page.locator(".md-sidebar--primary a.md-nav__link", has_text=f"{doc_id} {title}").first.click()
    page.wait_for_url(re.compile(rf"/documents/{doc_id}/$"))
    assert doc_id in page.locator("article h1").inner_text()
    header = page.locator('table[data-qms="qms-control-header"]').inner_text()
    assert "文件编号" in header and doc_id in header and shipped_documents[doc_id]["version"] in header


def test_navigate_to_procedure_via_master_list(browse, shipped_documents):
    doc_id = _preferred(shipped_documents, "QP-04")
    other = next(d for d in sorted(shipped_documents) if d != doc_id)
    browse.goto(f"documents/{other}/")
    page = browse.page
    page.locator(".md-sidebar--primary a.md-nav__link", has_text="受控文件清单").first.click()
    page.wait_for_url(re.compile(r"/documents/$"))
    assert page.locator("article h1").inner_text().startswith("受控文件清单")
    page.locator("#qms-master a", has_text=doc_id).first.click()
    page.wait_for_url(re.compile(rf"/documents/{doc_id}/$"))
    text = page.locator("article").inner_text()
    for label in ("文件编号", "版本", "生效日期", "制定部门", "修订履历", "分发清单"):
        assert label in text, label


def test_search_in_chinese_finds_customer_satisfaction(browse):
    browse.goto("")
    titles = browse.search("满意度")
    assert any("客户满意度" in title for title in titles), titles


def test_search_by_document_number(browse, shipped_documents):
    doc_id = _preferred(shipped_documents, "QP-06")
    browse.goto("")
    titles = browse.search(doc_id)
    assert titles and titles[0].startswith(doc_id), titles[:5]
    browse.page.locator(".md-search-result__item > .md-search-result__link").first.click()
    browse.page.wait_for_url(re.compile(rf"/documents/{doc_id}/"))


def test_search_by_issuer_number_finds_the_register_entry(browse):
    """Issue 23: searching an issuer's number (GB 5749) finds the register entry of its current edition."""
    browse.goto("")
    titles = browse.search("GB 5749")
    assert any(title.startswith("EXT-") and "GB 5749-2022" in title for title in titles), titles[:8]
    browse.page.locator(".md-search-result__item > .md-search-result__link", has_text="GB 5749-2022").first.click()
    browse.page.wait_for_url(re.compile(r"/external/EXT-[0-9-]+/"))
    assert "生活饮用水卫生标准" in browse.page.locator("h1").inner_text()


def test_master_list_sorts_by_clicked_header(browse, shipped_documents):
    browse.goto("documents/")
    page = browse.page
    page.wait_for_selector("#qms-master[data-qms-ready]", state="attached", timeout=3000)
    column = _header_index(page, "生效日期")
    ids = _header_index(page, "文件编号")
    before = _column(page, ids)
    assert sorted(before) == sorted(shipped_documents)
    header = page.locator("#qms-master thead th").nth(column)
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    ascending = _column(page, column)
    assert ascending == sorted(ascending)
    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    descending = _column(page, column)
    assert descending == sorted(descending, reverse=True)
    assert sorted(_column(page, ids)) == sorted(before), "sorting keeps every row"
    if len(set(ascending)) > 1:
        assert ascending != descending


def test_master_list_filters_by_department(browse, shipped_documents):
    owners: dict[str, int] = {}
    for item in shipped_documents.values():
        owners[item["owner"]] = owners.get(item["owner"], 0) + 1
    owner = "业务部" if "业务部" in owners else sorted(owners)[0]
    browse.goto("documents/")
    page = browse.page
    page.wait_for_selector("div[data-qms-table][data-qms-ready]", state="attached", timeout=3000)
    column = _header_index(page, "制定部门")
    select = page.locator(".qms-filters label", has_text="制定部门").locator("select")
    options = [o.strip() for o in select.locator("option").all_inner_texts()]
    assert set(owners) <= set(options)
    select.select_option(label=owner)
    shown = _column(page, column)
    assert shown == [owner] * owners[owner]
    select.select_option(value="")
    assert len(_column(page, column)) == len(shipped_documents)


def test_tour_makes_no_request_outside_127_0_0_1(browse, shipped_documents):
    """Every kind of page plus a search; the fixture also checks each test on its own."""
    doc_id = sorted(shipped_documents)[0]
    for relative in ("404.html", "forms/", "departments/", "records/", f"documents/{doc_id}/", "documents/", ""):
        browse.goto(relative)
        browse.page.wait_for_load_state("networkidle")
    browse.search("程序")
    browse.page.wait_for_load_state("networkidle")
    assert browse.outside_requests() == []
    assert any(url.endswith("search/search_index.json") for url in browse.requests), "the search index was loaded"
    assert any(url.endswith("assets/qms.js") for url in browse.requests)


def test_pages_run_without_script_errors(browse, shipped_documents):
    doc_id = sorted(shipped_documents)[0]
    for relative in ("", "documents/", f"documents/{doc_id}/"):
        browse.goto(relative)
        browse.page.wait_for_load_state("networkidle")
    assert browse.errors == []
