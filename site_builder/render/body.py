"""Controlled-document bodies: Markdown written by the document controller, made safe.

Bodies may use Markdown (headings, lists, tables, code blocks) but no raw HTML: every
`<` outside code is shown as text, and links or images whose address is not http(s),
mailto or relative are disarmed.  This happens on the Markdown itself, so it holds for
any engine that renders the generated pages (MkDocs, ProperDocs, Zensical); the
post-build verifier checks the resulting HTML again.
"""

from __future__ import annotations

import html
import re

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_LINK = re.compile(r"(!?)\[([^\]]*)\]\(\s*<?([^)\s>]*)[^)]*\)")
_HTML_TAG = re.compile(r"<[A-Za-z!/?]")
_REFERENCE_DEF = re.compile(r"^(\s{0,3}\[[^\]]+\]:\s*<?)(\S+)", re.M)
_SAFE_SCHEMES = ("http:", "https:", "mailto:")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def safe_body(markdown: str) -> str:
    out: list[str] = []
    fence: str | None = None
    for line in markdown.split("\n"):
        match = _FENCE.match(line)
        if fence is not None:
            out.append(line)
            if match and match.group("fence")[0] == fence[0] and len(match.group("fence")) >= len(fence):
                fence = None
            continue
        if match:
            fence = match.group("fence")
            out.append(line)
            continue
        out.append(_safe_line(line))
    return "\n".join(out)


def is_safe_url(url: str) -> bool:
    cleaned = _CONTROL.sub("", html.unescape(url)).lower()
    if cleaned.startswith("//"):
        return False
    return not _SCHEME.match(cleaned) or cleaned.startswith(_SAFE_SCHEMES)


def _safe_line(line: str) -> str:
    if line.startswith("    ") or line.startswith("\t"):
        return line  # indented code block: shown literally by Markdown
    parts = []
    last = 0
    for match in _CODE_SPAN.finditer(line):
        parts.append(_safe_text(line[last:match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(_safe_text(line[last:]))
    return "".join(parts)


def _safe_text(text: str) -> str:
    text = text.replace("<", "&lt;")
    text = text.replace("{:", "{&#58;")  # attr_list syntax, in case the extension is enabled
    text = text.replace("--8<--", "&#45;-8&lt;--")  # snippets syntax
    text = _LINK.sub(lambda m: m.group(0) if is_safe_url(m.group(3)) else m.group(2), text)
    return _REFERENCE_DEF.sub(lambda m: m.group(0) if is_safe_url(m.group(2)) else "", text)


def body_problems(markdown: str) -> list[tuple[int, int, str]]:
    """(line index from 0, column from 1, problem) for unsafe links and raw HTML outside code."""
    found = []
    fence = None
    for index, line in enumerate(markdown.split("\n")):
        match = _FENCE.match(line)
        if fence is not None:
            if match and match.group("fence")[0] == fence[0] and len(match.group("fence")) >= len(fence):
                fence = None
            continue
        if match:
            fence = match.group("fence")
            continue
        if line.startswith(("    ", "\t")):
            continue
        text = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
        for link in _LINK.finditer(text):
            if not is_safe_url(link.group(3)):
                found.append((index, link.start() + 1, f"link to forbidden address {link.group(3)!r}"))
        for ref in _REFERENCE_DEF.finditer(text):
            if not is_safe_url(ref.group(2)):
                found.append((index, ref.start() + 1, f"link definition to forbidden address {ref.group(2)!r}"))
        tag = _HTML_TAG.search(text)
        if tag:
            found.append((index, tag.start() + 1, "raw HTML"))
    return found
