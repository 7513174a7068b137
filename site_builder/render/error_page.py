"""serve after a failed rebuild: the preview's pages replaced by the list of what is wrong.

A browser waiting on a page of the preview must learn why it is not updated, in the browser, not
only in the terminal.  Every page of the last preview (so that whatever page is open reloads to it)
becomes this page: the diagnostics as `check` prints them (file:line:col, code, message, hint).
The next rebuild after the fix brings the pages back, and the live reload shows them.
"""

from __future__ import annotations

from site_builder import diagnostics as dg
from site_builder.render.escape import html_text
from site_builder.render.frontmatter import page_header

TITLE = "内容有错误，预览未更新"


def error_page(diagnostics: list[dg.Diagnostic]) -> str:
    errors = [d for d in diagnostics if d.severity == dg.ERROR]
    listing = html_text(dg.format_text(errors)).replace("\n", "&#10;")  # (one line: one HTML block)
    return "\n".join([
        page_header(TITLE, qms_page="errors", search={"exclude": True}),
        f"# {TITLE}\n",
        f'<div class="qms-banner">发现 {len(errors)} 处错误。请按下列位置修改文件并保存，预览会自动刷新。</div>\n',
        f'<pre class="qms-errors">{listing}</pre>\n',
    ])


def error_pages(diagnostics: list[dg.Diagnostic], paths) -> dict[str, str]:
    """Page path -> the error page, for every Markdown page in `paths` (and the home page)."""
    text = error_page(diagnostics)
    return {path: text for path in {*paths, "index.md"} if path.endswith(".md")}
