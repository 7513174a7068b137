"""Page paths and the URLs between them (MkDocs `use_directory_urls: true` layout)."""

from __future__ import annotations

import posixpath
import re

from site_builder.render.escape import url_segment


def document_page(doc_id: str) -> str:
    return f"documents/{url_segment(doc_id)}.md"


def form_page(form_id: str) -> str:
    return f"forms/{url_segment(form_id)}.md"


def department_page(code: str) -> str:
    return f"departments/{url_segment(code)}.md"


def page_url(page: str) -> str:
    """Site-relative URL of a generated Markdown page."""
    if page.endswith("index.md"):
        return page[: -len("index.md")]
    return page[: -len(".md")] + "/" if page.endswith(".md") else page


def relative(from_page: str, to_page: str) -> str:
    """URL from one page to another (or to a file), usable in raw HTML."""
    base = page_url(from_page)
    target = page_url(to_page)
    result = _relpath(target or ".", base.rstrip("/") or ".")
    if target.endswith("/") and not result.endswith("/"):
        result += "/"
    return "./" if result in (".", "./") else result


def _relpath(path: str, start: str) -> str:
    """posixpath.relpath for plain relative paths (no ".", "..", "//"), without its abspath calls
    (a large auditor site computes 100,000 of them); anything else goes to posixpath.relpath."""
    if _PLAIN.match(path) is None or _PLAIN.match(start) is None:
        return posixpath.relpath(path, start)
    to, at = path.rstrip("/").split("/"), start.rstrip("/").split("/")
    if to == ["."]:
        to = []
    if at == ["."]:
        at = []
    common = 0
    for a, b in zip(to, at):
        if a != b:
            break
        common += 1
    parts = [".."] * (len(at) - common) + to[common:]
    return "/".join(parts) if parts else "."


_PLAIN = re.compile(r"^(?:\.|(?!\.\.?(?:/|$))[^/]+(?:/(?!\.\.?(?:/|$))[^/]+)*)/?$")


def md_link(from_page: str, to_page: str) -> str:
    """Link target for a Markdown link: the relative path of the source page (MkDocs resolves it)."""
    return posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")


EXTERNAL_INDEX = "external/index.md"


def external_page(external_id: str) -> str:
    return f"external/{url_segment(external_id)}.md"
