"""The audit bundle opens offline from disk in a real headless Chromium (issue #11).

`python -m site_builder audit-bundle` is run on the small scripted git repository of the history
tests, the zip is extracted into a temporary folder and `site/compliance/index.html`
(「文件控制合规检查表」) is opened with a file:// URL: the checklist shows one row per item of the
bundle's own `site/api/compliance.json`, nothing is fetched from anywhere but the extracted files,
nothing fails or logs an error, Material's stylesheet applies, and an evidence link to the history
pages opens that page from the bundle.
"""

from __future__ import annotations

import html
import json
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from history_support import two_versions  # noqa: E402

CHECKLIST = 'table[data-qms="qms-compliance"]'
ROWS = f"{CHECKLIST} > tbody > tr"


@pytest.fixture(scope="module")
def bundle_site(chromium_path, tmp_path_factory) -> Path:
    """The audit bundle of the scripted repository, extracted; returns the extracted `site/` folder."""
    repo = two_versions(tmp_path_factory.mktemp("bundle") / "repo")
    archive = repo.path.parent / "bundle.zip"
    done = repo.qms("audit-bundle", "--out", str(archive), today="2025-06-01")
    assert done.returncode == 0, done.stdout + done.stderr
    extracted = repo.path.parent / "extracted"
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(extracted)
    site = extracted / "site"
    assert (site / "compliance" / "index.html").is_file()
    return site


@pytest.fixture(scope="module")
def checklist_items(bundle_site) -> list[dict]:
    items = json.loads((bundle_site / "api" / "compliance.json").read_text(encoding="utf-8"))["items"]
    assert items, "the bundle's api/compliance.json has no items"
    return items


@dataclass
class Offline:
    page: object
    site: Path
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def open(self, relative: str):
        response = self.page.goto((self.site / relative).as_uri())
        # file:// navigations have no HTTP status; Playwright answers with a response or None.
        assert response is None or response.ok, f"{relative}: {response.status}"
        self.page.wait_for_load_state("load")

    def not_file(self) -> list[str]:
        return [url for url in self.requests if not url.startswith("file://")]

    def _files(self) -> list[tuple[str, Path]]:
        return [(url, Path(unquote(urlsplit(url).path)).resolve()) for url in self.requests if url.startswith("file://")]

    def outside_bundle(self) -> list[str]:
        return [url for url, path in self._files() if not path.is_relative_to(self.site.resolve())]

    def missing(self) -> list[str]:
        """file:// requests for files the bundle does not hold."""
        return sorted({url for url, path in self._files() if not path.is_file()})


@pytest.fixture
def offline(browser, bundle_site):
    # No network at all for this context: a request to anything but file:// would fail loudly as well.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", offline=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    session = Offline(page=page, site=bundle_site)
    # context-level: also catches requests of workers and popups the page might start
    context.on("request", lambda request: session.requests.append(request.url))
    context.on("requestfailed", lambda request: session.failed.append(f"{request.url}: {request.failure}"))
    page.on("console", lambda msg: session.console_errors.append(f"{msg.text} @ {msg.location}")
            if msg.type == "error" else None)
    page.on("pageerror", lambda error: session.page_errors.append(str(error)))
    try:
        yield session
    finally:
        context.close()


def _assert_clean(session: Offline) -> None:
    assert session.requests, "no request was recorded"
    assert session.not_file() == [], f"requests that are not file://: {session.not_file()}"
    assert session.outside_bundle() == [], f"file:// requests outside the extracted bundle: {session.outside_bundle()}"
    assert session.missing() == [], f"requests for files the bundle does not hold: {session.missing()}"
    assert session.failed == [], f"failed requests: {session.failed}"
    assert session.console_errors == [], f"console errors: {session.console_errors}"
    assert session.page_errors == [], f"page errors: {session.page_errors}"


def test_checklist_opens_from_disk_with_every_item(offline, checklist_items):
    offline.open("compliance/index.html")
    page = offline.page
    assert page.url.startswith("file://")
    assert page.locator("h1").first.is_visible()
    assert "文件控制合规检查表" in page.locator("h1").first.inner_text()

    tables = page.locator(CHECKLIST)
    assert tables.count() > 0
    for index in range(tables.count()):
        assert tables.nth(index).is_visible(), f"checklist table {index} is not visible"
    rows = page.locator(ROWS)
    assert rows.count() > 0
    assert rows.count() == len(checklist_items)
    assert all(rows.nth(index).is_visible() for index in range(rows.count()))
    shown_ids = [text.strip() for text in page.locator(f"{ROWS} > td:first-child").all_inner_texts()]
    assert sorted(shown_ids) == sorted(item["id"] for item in checklist_items)
    _assert_clean(offline)


def test_material_stylesheet_applies_offline(offline):
    offline.open("compliance/index.html")
    page = offline.page
    stylesheets = [url for url in offline.requests if url.endswith(".css")]
    assert any("/assets/stylesheets/main." in url for url in stylesheets), stylesheets
    header = page.locator(".md-header")
    assert header.is_visible()
    style = header.evaluate("el => { const s = getComputedStyle(el);"
                            " return {position: s.position, background: s.backgroundColor}; }")
    # A bare <header> is position: static with a transparent background; only Material's CSS changes both.
    assert style["position"] in ("sticky", "fixed"), style
    assert style["background"] not in ("transparent", "rgba(0, 0, 0, 0)"), style
    # the sheet Material's rules come from is the bundle's own file, attached to the document
    sheets = page.evaluate("() => Array.from(document.styleSheets).map(s => s.href || '')")
    material = [href for href in sheets if "/assets/stylesheets/main." in href]
    assert material and all(href.startswith("file://") for href in material), sheets
    _assert_clean(offline)


def test_evidence_link_to_history_opens_a_bundle_page(offline, bundle_site):
    offline.open("compliance/index.html")
    page = offline.page
    # the evidence column, found by its header rather than by position
    hrefs = page.evaluate(
        """(selector) => {
             const out = [];
             for (const table of document.querySelectorAll(selector)) {
               const heads = Array.from(table.querySelectorAll('thead th')).map(th => th.textContent.trim());
               const col = heads.indexOf('证据');
               if (col < 0) continue;
               for (const row of table.querySelectorAll('tbody > tr')) {
                 const cell = row.children[col];
                 if (cell) for (const a of cell.querySelectorAll('a')) out.push(a.getAttribute('href'));
               }
             }
             return out;
           }""", CHECKLIST)
    assert hrefs, "the checklist has no evidence links"
    history = [href for href in hrefs if href.endswith(".html") and "/history/" in href]
    assert history, f"no evidence link points at a history page: {sorted(set(hrefs))}"
    href = history[0]
    expected = (bundle_site / "compliance" / href).resolve()
    assert expected.is_file()

    link = page.locator(f'{ROWS} a[href="{href}"]').first
    assert link.is_visible()
    with page.expect_navigation():
        link.click()
    page.wait_for_load_state("load")
    assert page.url.startswith("file://")
    assert Path(unquote(urlsplit(page.url).path)).resolve() == expected
    heading = page.locator("article h1").first
    assert heading.is_visible()
    # the heading shown is the one of that page's file in the bundle (text without the ¶ permalink)
    shown = heading.evaluate("h => { const c = h.cloneNode(true); c.querySelectorAll('a.headerlink')"
                             ".forEach(a => a.remove()); return {id: c.id, text: c.textContent.trim()}; }")
    written = re.search(r'<h1 id="([^"]*)">(.*?)<a class="headerlink"', expected.read_text(encoding="utf-8"))
    assert written, f"{expected} has no h1"
    assert shown["text"] and (shown["id"], shown["text"]) == (written.group(1), html.unescape(written.group(2)))
    _assert_clean(offline)
