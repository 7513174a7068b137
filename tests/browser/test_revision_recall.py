"""Issue 10 end to end on the shipped manual: revise a procedure in a clone of the repository with the
document controller's commands (revise, approve, make-effective, each committed), then

* the 「文件发放与回收」 page lists every copy of the old version, by department and copy number,
  as awaiting recall, and after the recall period the copies are overdue and among the findings;
* `print DOC --copy NN` makes a PDF whose every page says 「受控副本 第NN号」 with the document number,
  the new version, 第 x 页 / 共 y 页 and the verification code; without --copy every page says 「非受控文件」;
* the verification code printed on the copy, typed into the site's search, leads to the document's
  page showing the same code (a copy of the old version shows a code that no longer matches).
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import sys
import threading
from datetime import date, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="the PDF is read with pdftotext (apt-get install poppler-utils)"),
    pytest.mark.skipif(shutil.which("git") is None, reason="revise/approve/make-effective need git"),
]

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import shipped_clone  # noqa: E402

ROOT = shipped_clone.ROOT
DOC_ID = "QP-06"
TODAY = date(2026, 12, 6)
CONTROLLER = "何雨桐"  # 文控专员 (organisation.yaml)
APPROVER = "林秀琴"
RECALL_DAYS = 14  # qms.yaml distribution.recall_within_days
CODE = re.compile(rf"{DOC_ID}-[A-Z][0-9]-[0-9a-f]{{6}}")
ZWSP = "\u200b"


def _run(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return shipped_clone.run(repo, *args, day=TODAY, check=check)


def _qms(repo: Path, *args: str, today: date = TODAY, check: bool = True) -> subprocess.CompletedProcess:
    return shipped_clone.qms(repo, *args, today=today, check=check)


def _commit(repo: Path, message: str) -> None:
    shipped_clone.commit(repo, message, TODAY)


@pytest.fixture(scope="module")
def revised(tmp_path_factory) -> dict:
    """A clone of the repository (full history) with the current content, then DOC_ID revised and made effective."""
    repo = shipped_clone.clone_shipped(tmp_path_factory.mktemp("revise") / "manual", CONTROLLER, TODAY)
    if _qms(repo, "check", check=False).returncode != 0:
        pytest.skip("the shipped manual does not pass check, so it cannot be revised")
    from site_builder.check import run as pipeline
    from site_builder.derive.distribution import verification_code

    document = pipeline.check(repo, TODAY).manual.document(DOC_ID)
    old_version, old_code = document.version, verification_code(document)
    copies = [(entry.department, number) for entry in document.distribution for number in entry.copy_numbers]

    _qms(repo, "revise", DOC_ID, "--change", "测试修订：明确回访时限", "--sections", "5.3")
    path = next((repo / "procedures").glob(f"{DOC_ID}-*.md"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + "\n\n本版为测试修订。\n", encoding="utf-8")  # the body change of the revision
    _commit(repo, f"{DOC_ID}: draft of the revision")
    shipped_clone.sign_as(repo, APPROVER, TODAY)  # (approvals are signed commits: qms.yaml change_control)
    _qms(repo, "approve", DOC_ID, "--by", APPROVER, "--date", TODAY.isoformat())
    _run(repo, "git", "config", "user.name", CONTROLLER)
    _commit(repo, f"{DOC_ID}: approved")
    _qms(repo, "make-effective", DOC_ID, "--date", TODAY.isoformat())
    _commit(repo, f"{DOC_ID}: effective")
    after = json.loads(_qms(repo, "as-of", TODAY.isoformat(), "--format", "json").stdout)
    new_version = next(item["version"] for item in after if item["id"] == DOC_ID)
    assert new_version != old_version
    return {"repo": repo, "old": old_version, "new": new_version, "old_code": old_code, "copies": copies}


def _build(repo: Path, out: Path, today: date = TODAY) -> Path:
    _qms(repo, "build", "--out", str(out), "--quiet", today=today)
    return out / "api"


def _recall_rows(site: Path) -> list[list[str]]:
    html = (site / "distribution" / "index.html").read_text(encoding="utf-8")
    start = html.index('data-qms="qms-recall"')
    table = html[start:html.index("</table>", start)]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        rows.append([re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)])
    return rows


def test_distribution_page_lists_every_old_copy_for_recall(revised):
    site = revised["repo"].parent / "site-revised"
    _build(revised["repo"], site)
    rows = [r for r in _recall_rows(site) if r[1] == DOC_ID]
    due = (TODAY + timedelta(days=RECALL_DAYS)).isoformat()
    assert sorted((r[0], r[3]) for r in rows) == sorted(revised["copies"])  # department, copy number
    assert len(rows) == len(revised["copies"]) >= 2
    assert all(r[2] == revised["old"] and r[5] == due and "逾期" not in r[4] for r in rows), rows
    assert all(f"{revised['new']} 版于 {TODAY.isoformat()} 生效" in r[6] for r in rows), rows


def test_copies_not_returned_in_time_become_overdue_findings(revised):
    late = TODAY + timedelta(days=RECALL_DAYS + 1)
    site = revised["repo"].parent / "site-late"
    api = _build(revised["repo"], site, today=late)
    rows = [r for r in _recall_rows(site) if r[1] == DOC_ID]
    assert rows and all("逾期 1 天" in r[4] for r in rows), rows
    findings = json.loads((api / "findings.json").read_text(encoding="utf-8"))
    overdue = [f for f in findings if f["rule"] == "distribution-recall-overdue" and f"{DOC_ID} {revised['old']}" in f["message"]]
    assert len(overdue) == len(revised["copies"])


def _pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=120).stdout
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return ["".join(page.split()) for page in pages]  # pdftotext spaces CJK text unpredictably


@pytest.fixture(scope="module")
def controlled_copy(revised, chromium_path) -> tuple[str, list[str]]:
    number = revised["copies"][-1][1]
    out = revised["repo"].parent / f"{DOC_ID}-copy{number}.pdf"
    done = _qms(revised["repo"], "print", DOC_ID, "--copy", number, "--out", str(out))
    assert f"受控副本 第{number}号" in done.stdout
    return number, _pdf_pages(out)


def test_controlled_copy_pdf_marks_every_page(revised, controlled_copy):
    number, pages = controlled_copy
    assert len(pages) >= 2
    codes = {code for page in pages for code in CODE.findall(page)}
    assert len(codes) == 1 and codes != {revised["old_code"]}, codes
    for index, page in enumerate(pages, 1):
        assert f"受控副本第{number}号" in page, f"page {index}"
        assert DOC_ID in page and f"版本{revised['new']}" in page, f"page {index}"
        assert f"第{index}页/共{len(pages)}页" in page, f"page {index}"
        assert CODE.search(page), f"page {index}: no verification code"
        assert "非受控文件" not in page, f"page {index}"


def test_uncontrolled_pdf_says_so_on_every_page(revised, chromium_path):
    out = revised["repo"].parent / f"{DOC_ID}-plain.pdf"
    _qms(revised["repo"], "print", DOC_ID, "--out", str(out))
    pages = _pdf_pages(out)
    for index, page in enumerate(pages, 1):
        assert "非受控文件" in page and "受控副本第" not in page, f"page {index}"
        assert DOC_ID in page and f"版本{revised['new']}" in page and f"第{index}页/共{len(pages)}页" in page, f"page {index}"


def _serve(site: Path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's signature
        return None


def _search_and_open_first(page, base: str, query: str) -> str:
    """Type `query` into Material's search, open the first result; return the code shown on that page."""
    page.goto(base)
    page.click("label.md-search__icon, .md-search__input")
    page.fill("input.md-search__input", query)
    page.press("input.md-search__input", "End")  # Material searches on keyup
    page.wait_for_function("() => document.querySelectorAll('.md-search-result__item').length > 0", timeout=15000)
    title = page.locator(".md-search-result__item > .md-search-result__link h1").first.inner_text().replace(ZWSP, "")
    assert title.startswith(DOC_ID), title
    page.locator(".md-search-result__item > .md-search-result__link").first.click()
    page.wait_for_url(re.compile(rf"/documents/{DOC_ID}/"))
    found = CODE.findall(page.locator("article").inner_text())
    assert found, "the document page shows no verification code"
    return found[0]


def test_printed_verification_code_resolves_through_the_site_search(revised, controlled_copy, browser):
    site = revised["repo"].parent / "site-revised"
    if not site.is_dir():
        _build(revised["repo"], site)
    printed = CODE.findall(controlled_copy[1][0])[0]
    server, thread = _serve(site)
    context = browser.new_context(locale="zh-CN")
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        page = context.new_page()
        assert _search_and_open_first(page, base, printed) == printed  # the copy in hand is current
        # A paper copy of the old version: its code leads to the document, which now shows another code.
        assert _search_and_open_first(page, base, revised["old_code"]) == printed != revised["old_code"]
    finally:
        context.close()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert [u for u in requests if not u.startswith(base) and not u.startswith(("data:", "blob:"))] == []
