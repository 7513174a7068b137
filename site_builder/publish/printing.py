"""Printable copies: the rendered page of a document printed to PDF with headless Chromium.

The site's own print CSS (assets/qms.css) hides the navigation and puts "第 x 页 / 共 y 页" in the
bottom-right page margin.  At print time we inject, into the page only:

* a stamp at the top of the document: 「受控副本 第NN号」 (or 「非受控文件」) with the document number,
  version and verification code;
* CSS page-margin boxes that repeat the same marking on every page (top left: copy status, top
  right: document number and version, bottom left: verification code).  Page-margin boxes sit in
  the margin, so unlike a `position: fixed` element they never cover body text and they appear on
  every page, the last one included;
* nothing else: the page's own footer (a `<style data-qms="qms-print-footer">` margin box saying
  「打印件为非受控文件」) is removed, since the marking replaces it.

Chromium runs with the options an intranet machine needs (no sandbox, no network chatter) and loads
the page from a throw-away http.server bound to 127.0.0.1.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from site_builder.derive.distribution import verification_code
from site_builder.model.manual import Document

CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
INSTALL_HINT = "install Debian's chromium (as root: apt-get install chromium fonts-noto-cjk)"
#: Playwright is an optional dependency (pyproject.toml: the `print` extra); every other command works without it.
PRINT_EXTRA_HINT = "printing needs the print extra: pip install 'qms-site[print]' (and Debian's chromium)"
FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", sans-serif'
PAGE_TIMEOUT_MS = 60_000


class PrintError(Exception):
    """The request cannot be printed (unknown document, copy number not distributed...): exit 1."""


class ChromiumMissing(Exception):
    """No usable Chromium (or Playwright): exit 2."""


@dataclass(frozen=True)
class Marking:
    """What every printed page says."""

    status: str  # 受控副本 第03号 | 非受控文件
    document: str  # QP-01 · 版本 B0
    code: str  # 核对码 QP-01-B0-3fa2c1
    controlled: bool


def find_chromium() -> str | None:
    return shutil.which("chromium")


def playwright_missing() -> bool:
    """True when the Python package playwright (the `print` extra) cannot be imported."""
    try:
        import playwright.sync_api  # noqa: F401 (the module print_pdf uses)
    except ImportError:
        return True
    return False


def resolve_copy(document: Document, copy: str | None) -> str | None:
    """The copy number as written on the distribution list (3 -> "03"), or PrintError."""
    if copy is None:
        return None
    listed = [(entry.department, number) for entry in document.distribution for number in entry.copy_numbers]
    wanted = copy.strip()
    for _, number in listed:
        if number == wanted:
            return number
    if wanted.isdigit():
        same = [number for _, number in listed if number.isdigit() and int(number) == int(wanted)]
        if len(same) == 1:
            return same[0]
    numbers = "、".join(f"{n}（{d}）" for d, n in listed) or "none"
    raise PrintError(f"copy number {copy!r} is not on the distribution list of {document.id} {document.version}; "
                     f"listed: {numbers}")


def marking_for(document: Document, copy: str | None) -> Marking:
    status = f"受控副本 第{copy}号" if copy else "非受控文件"
    return Marking(status, f"{document.id} · 版本 {document.version}", f"核对码 {verification_code(document)}", bool(copy))


def default_output(document: Document, copy: str | None) -> str:
    return f"{document.id}-{document.version}" + (f"-copy{copy}" if copy else "") + ".pdf"


def css_string(text: str) -> str:
    """A CSS string literal; everything but letters, digits, CJK and spaces is escaped."""
    out = []
    for char in text:
        if char.isalnum() or char == " " or ord(char) > 0x2E7F:
            out.append(char)
        else:
            out.append(f"\\{ord(char):06x}")
    return '"' + "".join(out) + '"'


def print_css(marking: Marking) -> str:
    colour = "#b71c1c" if marking.controlled else "#555"
    box = f"font-family: {FONT}; font-size: 9pt; color: #333;"
    return f"""
@page {{
  @top-left {{ content: {css_string(marking.status)}; {box} color: {colour}; font-weight: 700; font-size: 10.5pt; }}
  @top-right {{ content: {css_string(marking.document)}; {box} }}
  @bottom-left {{ content: {css_string(marking.code)}; {box} }}
}}
.qms-copy-stamp {{ display: none; margin: 0 0 4mm; padding: 2mm 3mm; border: 1.5pt solid {colour}; color: {colour};
  font-family: {FONT}; font-size: 11pt; font-weight: 700; }}
@media print {{
  .qms-copy-stamp {{ display: block; }}
}}
"""


STAMP_SCRIPT = """(m) => {
  document.querySelectorAll('style[data-qms="qms-print-footer"]').forEach((style) => style.remove());
  const stamp = document.createElement("div");
  stamp.className = "qms-copy-stamp";
  stamp.setAttribute("role", "note");
  stamp.textContent = m.status + "　" + m.document + "　" + m.code;
  const article = document.querySelector("article.md-content__inner") || document.querySelector("article") || document.body;
  article.insertBefore(stamp, article.firstChild);
}"""


def print_pdf(site_dir: Path, page: str, out: Path, marking: Marking, chromium: str | None = None) -> int:
    """Print `page` (a site-relative URL such as documents/QP-01/) of the built site to `out`; return the page count."""
    chromium = chromium or find_chromium()
    if not chromium:
        raise ChromiumMissing(f"Chromium is not installed: {INSTALL_HINT}")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ChromiumMissing(PRINT_EXTRA_HINT) from None
    out = Path(out)
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(handle)
    try:
        with _serve(site_dir) as base, sync_playwright() as playwright:
            try:
                browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
            except PlaywrightError as exc:
                raise ChromiumMissing(f"Chromium ({chromium}) did not start: {_first_line(exc)}; {INSTALL_HINT}") from None
            try:
                tab = browser.new_page()
                response = tab.goto(base + page, wait_until="load", timeout=PAGE_TIMEOUT_MS)
                if response is None or response.status != 200:
                    raise PrintError(f"the built site has no page {page} (HTTP {response.status if response else '?'})")
                tab.add_style_tag(content=print_css(marking))
                tab.evaluate(STAMP_SCRIPT, {"status": marking.status, "document": marking.document, "code": marking.code})
                tab.evaluate("() => document.fonts.ready.then(() => true)")
                tab.emulate_media(media="print")
                tab.pdf(path=temporary, prefer_css_page_size=True, print_background=True)
            finally:
                browser.close()
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, out)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return count_pages(out.read_bytes())


def count_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@contextmanager
def _serve(site_dir: Path):
    """http://127.0.0.1:<free port>/ serving `site_dir`, for as long as the block runs."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="qms-print-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's signature
        return None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
