"""Markdown pages that share most of their text, converted one distinct segment at a time.

Replaces: each page's Markdown converted whole, one page after the other (as MkDocs converts the
archive pages on the plain path, `--plain`).  tests/unit/test_segments.py proves the two give the
same HTML and table of contents, for generated pages of every kind of block.

The auditor's snapshots of a document's obsolete versions repeat most of the body from one
version to the next (a revision changes a few paragraphs), so archive.py converts each
paragraph once per document instead of once per version.

A page is cut into segments at single blank lines followed by a line that starts a new block
on its own: not indented, no list marker, no `>`, so that nothing before the cut can continue
after it.  Python-Markdown then reads the segments as it reads the page: each block processor
looks only at its own block and, for the continuation lines excluded here, at the element
before it.  The segments not seen before, of one page or of all of a document's pages, are
converted as one batch, each followed by a marker paragraph, and the HTML is cut at the markers.

Heading ids are made unique across a page by a suffix `_N`, so a heading's HTML is reused only
when its id has no suffix (it is then the heading's own) and no id repeats on the page; the
page's table of contents is rebuilt from its segments' entries.  A page whose new heading took
a suffix in a batch of several pages is converted again on its own; a page where an id repeats
is converted whole.

A page is converted whole (`split` gives None) when a rule could reach across segments:
reference or footnote definitions (`]:`), fenced code, raw HTML other than our one-line blocks
(raw_blocks.py), HTML comments, the table-of-contents marker, or a converter with extensions
other than the ones whose rules are described above (`MEMO_SAFE`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape as _unescape

from markdown import Markdown
from markdown.extensions.toc import IDCOUNT_RE, nest_toc_tokens

from site_builder.fast import raw_blocks
from site_builder.fast.raw_blocks import own_block

MARKER = "qmssegment8c2e"
#: one-line blocks a memo remembers (a page's are mostly those of the version before)
OWN_BLOCKS_LIMIT = 16_384
_MARKER_HTML = f"<p>{MARKER}</p>\n"
#: processors (registry name -> class names) whose rules the cutting above respects
MEMO_SAFE = {
    "preprocessors": {"normalize_whitespace": "NormalizeWhitespace", "fenced_code_block": "SuperFencesBlockPreprocessor",
                      raw_blocks.NAME: "_StashOwnBlocks", "html_block": "HtmlBlockPreprocessor"},
    "blockprocessors": {"admonition": "AdmonitionProcessor", "empty": "EmptyBlockProcessor",
                        "indent": "ListIndentProcessor", "code": "SuperFencesCodeBlockProcessor", "table": "TableProcessor",
                        "hashheader": "HashHeaderProcessor", "setextheader": "SetextHeaderProcessor", "hr": "HRProcessor",
                        "olist": "OListProcessor", "ulist": "UListProcessor", "quote": "BlockQuoteProcessor",
                        "reference": "ReferenceProcessor", "paragraph": "ParagraphProcessor"},
    "treeprocessors": {"inline": "InlineProcessor QuickInlineProcessor", "prettify": "PrettifyTreeprocessor", "toc": "TocTreeprocessor",
                       "unescape": "UnescapeTreeprocessor", "relpath": "_RelativePathTreeprocessor"},
    "inlinePatterns": {"backtick": "BacktickInlineProcessor", "escape": "EscapeInlineProcessor",
                       "reference": "ReferenceInlineProcessor", "link": "LinkInlineProcessor",
                       "image_link": "ImageInlineProcessor", "image_reference": "ImageReferenceInlineProcessor",
                       "short_reference": "ShortReferenceInlineProcessor",
                       "short_image_ref": "ShortImageReferenceInlineProcessor", "autolink": "AutolinkInlineProcessor",
                       "automail": "AutomailInlineProcessor", "linebreak": "SubstituteTagInlineProcessor",
                       "html": "HtmlInlineProcessor", "entity": "HtmlInlineProcessor", "em_strong": "DelimiterProcessor"},
    "postprocessors": {"raw_html": "RawHtmlPostprocessor", "amp_substitute": "AndSubstitutePostprocessor"},
}
_CONTINUES = re.compile(r"[ \t>]|(?:[*+-]|\d+[.)])(?:[ \t]|$)")  # (indented, quoted, or a list item)
_HEADING_ID = re.compile(r'<h[1-6]\s[^>]*?(?<=\s)id="([^"]*)"')  # (Python-Markdown writes attributes in double quotes)
_WHOLE = re.compile(r"\]:|```|~~~|<!|<\?|[\r\x02\x03]")


def memo_safe(md: Markdown) -> bool:
    """Do `md`'s extensions keep to the rules `split` relies on?"""
    registries = {"preprocessors": md.preprocessors, "blockprocessors": md.parser.blockprocessors,
                  "treeprocessors": md.treeprocessors, "inlinePatterns": md.inlinePatterns,
                  "postprocessors": md.postprocessors}
    return all(type(registry[name]).__name__ in MEMO_SAFE[kind].get(name, "").split()
               for kind, registry in registries.items() for name in _names(registry))


def _names(registry) -> list[str]:
    return [item.name for item in registry._priority]  # (Registry has no public list of its names)


def split(text: str, toc_marker: str = "", own_block: Callable[[str], str | None] = own_block) -> list[str] | None:
    """The segments of `text` (it is they, joined by blank lines), or None when it must be converted whole.
    `own_block`: raw_blocks.own_block, or a memo of it."""
    if MARKER in text or _WHOLE.search(text) or (toc_marker and toc_marker in text):
        return None
    lines = text.split("\n")
    if lines[0] and not lines[0].strip(" \t"):
        # Python-Markdown empties a line of spaces only after a line break: the page's first line stays,
        # and a setext heading under it is a paragraph; in a batch it would follow one (tests/unit/test_segments.py)
        return None
    blank = [not line.strip(" \t") for line in lines]  # (what Python-Markdown reads as an empty line)
    last = len(lines) - 1
    for index, line in enumerate(lines):
        if "<" in line and line.lstrip(" \t").startswith("<") and not (
                own_block(line) and (index == 0 or blank[index - 1]) and (index == last or blank[index + 1])):
            return None
    segments, start = [], 0
    for index in range(1, last):
        if (blank[index] and not blank[index - 1] and not blank[index + 1]
                and index - 1 >= start and not _CONTINUES.match(lines[index + 1])):
            segments.append("\n".join(lines[start:index]))
            start = index + 1
    segments.append("\n".join(lines[start:]))
    return segments


class SegmentMemo:
    """The HTML of segments already converted, for pages of one scope (links are relative to the page's folder).

    `raw_blocks`: the converter stashes our one-line HTML blocks (raw_blocks.py), whose HTML is then
    the line itself followed by a blank line (unless it holds a tab, which Python-Markdown expands)."""

    def __init__(self, raw_blocks: bool) -> None:
        self._raw_blocks = raw_blocks
        self._scope: str | None = None
        self._known: dict[str, _Converted] = {}
        self._own_blocks: dict[str, str | None] = {}  # line -> raw_blocks.own_block(line)

    def convert(self, text: str, scope: str, convert: Callable[[str], tuple[str, list, bool]],
                toc_marker: str = "") -> tuple[str, list]:
        """(HTML, table-of-contents tokens) of `text`, as `convert` gives them for the whole text.

        `convert(text)` gives (HTML, tokens, clean); HTML of a conversion that was not clean (MkDocs
        warned, say of a broken link) is not kept, so that every page repeats the warning."""
        return self.convert_all([text], scope, lambda _page, text: convert(text), toc_marker)[0]

    def convert_all(self, texts: list[str], scope: str, convert: Callable[[int, str], tuple[str, list, bool]],
                    toc_marker: str = "", retract: Callable[[], None] = lambda: None) -> list[tuple[str, list]]:
        """`convert` for each of `texts`, pages of one scope, with their new segments converted in one batch.

        `convert(page, text)` converts `text` as the page at that index (the batch as page 0).  A page
        where a new heading's id has a suffix is converted again on its own (in the batch the suffix may
        be due to another page).  When the batch was not clean, `retract()` drops what its conversion
        reported (it named one page for all) and every page is converted on its own."""
        if scope != self._scope:
            self._scope, self._known = scope, {}
        known = self._known

        def alone(page: int, text: str) -> tuple[str, list]:
            return self.convert_all([text], scope, lambda _page, text: convert(page, text), toc_marker)[0]

        plans = [self._plan(text, toc_marker) for text in texts]
        new = {segment: None for plan in plans if plan for segment, piece in zip(*plan) if piece is None}
        if new:
            html, tokens, clean = convert(0, "\n\n".join(f"{segment}\n\n{MARKER}" for segment in new))
            if len(texts) > 1 and not clean:
                retract()
                return [alone(page, text) for page, text in enumerate(texts)]
            if not _fill(new, html, tokens):  # (never expected: the markers did not come out as their own paragraphs)
                plans = [None] * len(texts)
            elif clean:
                known.update((segment, piece) for segment, piece in new.items() if piece.reusable)
        results = []
        for page, (text, plan) in enumerate(zip(texts, plans)):
            if plan is None:
                results.append(convert(page, text)[:2])
                continue
            segments, pieces = plan
            if len(texts) > 1 and not all(new[segment].reusable for segment, piece in zip(segments, pieces) if piece is None):
                results.append(alone(page, text))
                continue
            converted = [piece or new[segment] for segment, piece in zip(segments, pieces)]
            ids = [id for piece in converted for id in piece.ids]
            if len(set(ids)) < len(ids):  # (ids made unique across the page: a heading's id depends on the others)
                results.append(convert(page, text)[:2])
                continue
            results.append(("".join(piece.html for piece in converted).strip(), nest_toc_tokens(
                [dict(token) for piece in converted for token in piece.tokens])))
        return results

    def _plan(self, text: str, toc_marker: str) -> tuple[list[str], list[_Converted | None]] | None:
        """The segments of `text` and the HTML of those known (None for the others), or None: convert it whole."""
        segments = split(text, toc_marker, self._own_block)
        if segments is None:
            return None
        known, pieces = self._known, []
        for segment in segments:
            piece = known.get(segment)
            if piece is None and self._raw(segment):
                piece = known[segment] = _Converted(segment + "\n\n")
            pieces.append(piece)
        return segments, pieces

    def _raw(self, segment: str) -> bool:
        return self._raw_blocks and "\n" not in segment and "\t" not in segment and self._own_block(segment) is not None

    def _own_block(self, line: str) -> str | None:
        """raw_blocks.own_block(line), remembered (for up to OWN_BLOCKS_LIMIT lines at a time)."""
        try:
            return self._own_blocks[line]
        except KeyError:
            pass
        if len(self._own_blocks) >= OWN_BLOCKS_LIMIT:
            self._own_blocks.clear()
        found = self._own_blocks[line] = own_block(line)
        return found


@dataclass
class _Converted:
    """A segment's HTML, the ids of its headings and their table-of-contents entries (without children).

    Python-Markdown makes a heading's id unique on its page by a suffix `_N`; an id without one is
    the heading's own, the same on any page where no other element has it (`reusable`)."""

    html: str
    ids: tuple[str, ...] = ()
    tokens: list[dict] = field(default_factory=list)

    @classmethod
    def of(cls, html: str) -> _Converted:
        return cls(html, tuple(_unescape(id) for id in _HEADING_ID.findall(html)))

    @property
    def reusable(self) -> bool:
        return not any(IDCOUNT_RE.match(id) for id in self.ids)


def _fill(new: dict[str, _Converted | None], html: str, tokens: list[dict]) -> bool:
    """Cut the batch's HTML at the markers into the pieces of the segments `new`; False when it does not fit."""
    pieces = (html + "\n").split(_MARKER_HTML)
    if len(pieces) != len(new) + 1 or pieces[-1]:
        return False
    for segment, piece in zip(new, pieces):
        new[segment] = _Converted.of(piece)
    return _share_out(new.values(), _flat(tokens))


def _share_out(pieces, tokens: list[dict]) -> bool:
    """Give each piece the entries of its headings, which come in the order of the pieces; False when
    an entry's id is in no piece."""
    tokens.reverse()
    for piece in pieces:
        for id in piece.ids:
            if tokens and tokens[-1]["id"] == id:
                piece.tokens.append(tokens.pop())
    return not tokens


def _flat(tokens: list[dict]) -> list[dict]:
    flat = []
    for token in tokens:
        flat.append({key: value for key, value in token.items() if key != "children"})
        flat += _flat(token.get("children", []))
    return flat
