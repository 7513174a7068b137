"""The auditor site's restricted-distribution banner on every page."""

from __future__ import annotations

RESTRICTED_BANNER = '<div class="qms-banner qms-banner-restricted">受限：仅限审核与质量部门</div>\n\n'


def add_restricted_banner(pages: dict[str, str]) -> None:
    """Put the banner at the top of every Markdown page."""
    for path, text in pages.items():
        if path.endswith(".md"):
            pages[path] = restricted(text)


def restricted(text: str) -> str:
    """A Markdown page with the banner at its top (once)."""
    if RESTRICTED_BANNER in text:
        return text
    end = text.find("\n---\n", 3) + len("\n---\n") if text.startswith("---\n") else 0
    head, rest = text[:end], text[end:].lstrip("\n")
    return head + ("\n" if head else "") + RESTRICTED_BANNER + rest
