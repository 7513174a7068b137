"""Split a page into the few pieces the HTML verifier has to look at, when the page is plain enough.

A built site is 80 MB of HTML at the large size, but only its links, scripts and a handful of
other tags can hold a problem.  `verifiable_chunks` reads a page with one strict grammar, in
which html.parser (whatever its version) reads every token the same way:

* text without `<`; `<!doctype html>`; comments with no `--` inside and none of the openings
  (`<!-->`, `<!--->`) that parsers close differently; simple end tags (`</td>`);
* start tags whose attributes are separated by ASCII white space, with quoted values or
  unquoted values free of white space, quotes, `=`, `<`, `>` and backquotes;
* `<script>`/`<style>` elements with quoted attributes and a content with no `</`, `<!` or
  `<s` (so no parser can end it early or late), and the other raw-text elements (`<title>`,
  `<textarea>`, ...) with a content free of `<`.

Start tags whose name and attribute names the verifier ignores are skipped by the grammar
itself; every other start tag, and every raw-text element whole, is returned with its offset,
for the verifier to check with html.parser exactly as it would have in the page.  A page that
does not fit (`a < b`, `<![CDATA[`, an unterminated tag, `<script/>`, odd white space, ...)
returns None, and the verifier parses the whole page with html.parser as before.

Replaces: html.parser over the whole page (HtmlVerifier(chunks=False), what `--plain` runs).
Proved equal by tests/unit/test_html_chunks.py (hypothesis: chunks against a whole parse) and
tests/unit/test_verify_html.py.
"""

from __future__ import annotations

import re

_WS = r"[ \t\n\r\f]"
_NAME = r"[a-zA-Z_:][-a-zA-Z0-9_:.]*"
_QUOTED = r"""(?:"[^"]*"|'[^']*')"""
_UNQUOTED = r"""[^\s"'=<>`]+"""
_ATTRIBUTE = rf"{_WS}+{_NAME}(?:{_WS}*={_WS}*(?:{_QUOTED}|{_UNQUOTED}))?"
_QUOTED_ATTRIBUTE = rf"{_WS}+{_NAME}(?:{_WS}*={_WS}*{_QUOTED})?"
_END = r"(?![-a-zA-Z0-9_:.])"

#: elements whose content some html.parser versions read as raw text
RAW_TEXT = ("script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext")


def _alternatives(names) -> str:
    return "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))


def _grammar(watched_elements, watched_attributes) -> tuple[re.Pattern, re.Pattern]:
    """(run of tokens with no effect, one token that may have one) for the verifier's watch lists."""
    raw = _alternatives(RAW_TEXT)
    ignored_name = rf"(?!(?i:on|(?:{_alternatives(watched_attributes)}){_END})){_NAME}"
    ignored_start = (rf"<(?!(?i:{raw}|{_alternatives(watched_elements)}){_END})[a-zA-Z][a-zA-Z0-9-]*"
                     rf"(?:{_WS}+{ignored_name}(?:{_WS}*={_WS}*(?:{_QUOTED}|{_UNQUOTED}))?)*{_WS}*/?>")
    comment = r"<!--(?![->])(?:[^-]|-(?!-))*-->"
    quiet = re.compile(rf"(?:[^<]+|{ignored_start}|</[a-zA-Z][a-zA-Z0-9]*>|{comment}|(?i:<!doctype html>))*+")
    watched = re.compile(
        rf"<(?P<code>script|style)(?:{_QUOTED_ATTRIBUTE})*{_WS}*>(?:[^<]|<(?![/!sS]))*</(?P=code)>"
        rf"|<(?P<text>title|textarea|xmp|iframe|noembed|noframes|noscript)(?:{_QUOTED_ATTRIBUTE})*{_WS}*>[^<]*</(?P=text)>"
        rf"|<(?!(?i:{raw}){_END})[a-zA-Z][a-zA-Z0-9-]*(?:{_ATTRIBUTE})*{_WS}*/?>")
    return quiet, watched


class ChunkReader:
    """`verifiable_chunks` for one verifier's lists of elements and attribute names it looks at."""

    def __init__(self, watched_elements, watched_attributes) -> None:
        self._quiet, self._watched = _grammar(watched_elements, watched_attributes)

    def verifiable_chunks(self, text: str) -> list[tuple[int, str]] | None:
        """(offset, text) of every piece of `text` the verifier must check, in order; None when the
        page does not fit the strict grammar."""
        chunks, position, end = [], 0, len(text)
        quiet, watched = self._quiet.match, self._watched.match
        while True:
            position = quiet(text, position).end()
            if position == end:
                return chunks
            found = watched(text, position)
            if found is None:
                return None
            chunks.append((position, found.group()))
            position = found.end()
