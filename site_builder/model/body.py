"""Controlled-document bodies: Markdown written by the document controller, made safe.

Bodies may use Markdown (headings, lists, tables, code) but no raw HTML.  Guessing which
parts Python-Markdown will treat as code, and leaving those raw, failed under fuzzing (an
unclosed fence, a lazy paragraph line indented by four spaces, an unbalanced backtick run:
each made the guess and the engine disagree, and raw HTML got through).  So nothing of the
author's text is ever left raw: every `<` becomes `&lt;`, and the code blocks and code spans
we recognise are turned into `<pre><code>` / `<code>` elements we write ourselves, with their
content escaped.  A wrong guess now only changes how code looks, never what is safe.  Links
and images whose address is not http(s), mailto or relative are disarmed.  This holds for any
engine that renders the generated pages; the post-build verifier checks the HTML again.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`<\n]*)$")
_CODE_SPAN = re.compile(r"(?<![\\`])(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_DESTINATION = re.compile(r"\]([ \t]*)\(([^)]*)\)")
_REFERENCE_DEF = re.compile(r"^([ ]{0,3}\[[^\]\n]+\]:)(\s*)(\S+)", re.M)
_HTML_TAG = re.compile(r"<[A-Za-z!/?]")
_SAFE_SCHEMES = ("http:", "https:", "mailto:")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
#: Markdown punctuation inside our own code elements, written as character references so that
#: no Markdown rule (emphasis, links, tables, escapes) can act on it.
_CODE_ENTITIES = {ord(c): f"&#{ord(c)};" for c in "&<>\"'*_`[]()\\|{}#!~:+-=^$"}
_CODE_ENTITIES[ord("\n")] = "&#10;"


def safe_body(markdown: str, rewrite: Callable[[str], str | None] | None = None) -> str:
    """Safe Markdown; `rewrite` maps a link target (such as another document's source file) to the page to link to."""
    out: list[str] = []
    for kind, indent, lines in _segments(markdown.split("\n")):
        if kind == "code":
            out.append(f"{indent}<pre><code>{_code_text(chr(10).join(lines))}</code></pre>")
        else:
            out.append(_safe_text("\n".join(_with_code_spans(line) for line in lines), rewrite))
    return "\n".join(out)


def local_page_links(markdown: str) -> list[tuple[int, int, str]]:
    """(line index from 0, column from 1, target) of every relative link to a `.md` file, anchors dropped."""
    found = []
    index = 0
    for kind, _indent, lines in _segments(markdown.split("\n")):
        if kind == "text":
            text = "\n".join(_CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line) for line in lines)
            for match in _DESTINATION.finditer(text):
                target = link_target(match.group(2))
                if target.endswith(".md") and not _SCHEME.match(target) and not target.startswith("/"):
                    found.append(_at(text, _link_start(text, match.start()), index, target))
            index += len(lines)
        else:
            index += len(lines) + 2
    return found


def linked_document(document, target: str, by_path: dict):
    """The document (from `by_path`, keyed by source path) that a relative link in `document`'s body points at."""
    return by_path.get(posixpath.normpath(posixpath.join(posixpath.dirname(document.path), target)))


def link_target(destination: str) -> str:
    """The address of a Markdown link destination, without its title, angle brackets or #anchor."""
    destination = destination.strip()
    if destination.startswith("<"):
        address = destination[1:].split(">", 1)[0]
    else:
        address = destination.split(None, 1)[0] if destination else ""
    return address.split("#", 1)[0]


def is_safe_url(url: str) -> bool:
    cleaned = _CONTROL.sub("", html.unescape(url)).lower()
    if cleaned.startswith("<"):
        cleaned = cleaned[1:]
    if cleaned.startswith("//"):
        return False
    return not _SCHEME.match(cleaned) or cleaned.startswith(_SAFE_SCHEMES)


def body_problems(markdown: str) -> list[tuple[int, int, str]]:
    """(line index from 0, column from 1, problem) for unsafe links and raw HTML outside code."""
    found = []
    for index, blanked in _prose(markdown):
        text = "\n".join(blanked)
        for match in _DESTINATION.finditer(text):
            if not is_safe_url(match.group(2)):
                found.append(_at(text, _link_start(text, match.start()), index,
                                 f"link to forbidden address {match.group(2).strip()!r}"))
        for match in _REFERENCE_DEF.finditer(text):
            if not is_safe_url(match.group(3)):
                found.append(_at(text, match.start(), index, f"link definition to forbidden address {match.group(3)!r}"))
        without_links = _DESTINATION.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
        for offset, line in enumerate(without_links.split("\n")):
            tag = _HTML_TAG.search(line)
            if tag:
                found.append((index + offset, tag.start() + 1, "raw HTML"))
    return sorted(found)


def citations(markdown: str, patterns) -> list[tuple[int, int, str]]:
    """(line index from 0, column from 1, number) for every document number written in the text
    (《客户服务运作手册》（WI-02）, a table cell QP-06), outside code blocks and code spans.
    `patterns`: the numbering regular expressions of the documents (qms.yaml), anchored or not."""
    bodies = [p.removeprefix("^").removesuffix("$") for p in patterns]
    if not bodies:
        return []
    number = re.compile(r"(?<![A-Za-z0-9_-])(?:" + "|".join(f"(?:{b})" for b in bodies) + r")(?![A-Za-z0-9_-])")
    found = []
    for index, blanked in _prose(markdown):
        for offset, line in enumerate(blanked):
            found += [(index + offset, m.start() + 1, m.group(0)) for m in number.finditer(line)]
    return found


def _prose(markdown: str):
    """(line index from 0 of the first line, lines) of each run of text outside fenced code, with the
    code spans blanked out (same columns)."""
    index = 0
    for kind, _indent, lines in _segments(markdown.split("\n")):
        if kind == "code":
            index += len(lines) + 2
            continue
        yield index, [_CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line) for line in lines]
        index += len(lines)


def _segments(lines: list[str]):
    """("code", indent, content lines) for fenced blocks that are closed, ("text", "", lines) otherwise.

    A fence counts only when its closing line exists; the fence lines themselves are not content."""
    text: list[str] = []
    i = 0
    while i < len(lines):
        opened = _FENCE_OPEN.match(lines[i])
        close = _closing_fence(lines, i, opened.group("fence")) if opened else None
        if close is None:
            text.append(lines[i])
            i += 1
            continue
        if text:
            yield "text", "", text
            text = []
        yield "code", opened.group("indent"), _dedent(lines[i + 1:close], opened.group("indent"))
        i = close + 1
    if text:
        yield "text", "", text


def _closing_fence(lines: list[str], start: int, fence: str) -> int | None:
    closing = re.compile(r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
    for j in range(start + 1, len(lines)):
        if closing.match(lines[j]):
            return j
    return None


def _dedent(lines: list[str], indent: str) -> list[str]:
    return [line[len(indent):] if line.startswith(indent) else line.lstrip(" \t") for line in lines]


def _code_text(text: str) -> str:
    return text.translate(_CODE_ENTITIES)


def _with_code_spans(line: str) -> str:
    """Escape the line, turning each `code span` into a <code> element of our own."""
    parts = []
    last = 0
    for match in _CODE_SPAN.finditer(line):
        parts.append(line[last:match.start()].replace("<", "&lt;"))
        parts.append(f"<code>{_code_text(match.group(2).strip(' ') or match.group(2))}</code>")
        last = match.end()
    parts.append(line[last:].replace("<", "&lt;"))
    return "".join(parts)


def _safe_text(text: str, rewrite) -> str:
    text = text.replace("{:", "{&#58;")  # attr_list syntax, in case the extension is enabled
    text = text.replace("--8&lt;--", "&#45;-8&lt;--")  # snippets syntax (its "<" is already escaped)

    def destination(m: re.Match) -> str:
        if not is_safe_url(m.group(2)):
            return f"]{m.group(1)}&#40;{m.group(2)})"
        page = rewrite(m.group(2)) if rewrite else None
        return f"]({page})" if page else m.group(0)

    text = _DESTINATION.sub(destination, text)
    return _REFERENCE_DEF.sub(lambda m: m.group(0) if is_safe_url(m.group(3)) else f"&#91;{m.group(1)[1:]}{m.group(2)}{m.group(3)}", text)


def _link_start(text: str, close: int) -> int:
    """Offset of the `[` (or `![`) that the `]` at `close` closes; `close` itself when unbalanced."""
    depth = 0
    for i in range(close, -1, -1):
        if text[i] == "]":
            depth += 1
        elif text[i] == "[":
            depth -= 1
            if depth == 0:
                return i - 1 if i and text[i - 1] == "!" else i
        elif text[i] == "\n" and depth == 1 and i < close and text[i - 1:i] == "\n":
            break  # a blank line ends the paragraph the link text lives in
    return close


def _at(text: str, offset: int, first_line: int, problem: str) -> tuple[int, int, str]:
    before = text[:offset]
    line = before.count("\n")
    col = offset - (before.rfind("\n") + 1) + 1
    return first_line + line, col, problem
