"""Markdown extension: hand our generated one-line HTML blocks to Python-Markdown's stash directly.

Every raw HTML block in a generated page is ours (render/body.py turns each `<` of an author's
text into `&lt;`), and we write each on one line: tables, banners, download links, print
styles.  Python-Markdown would find them by running an HTML parser over the whole page, and
MkDocs runs a second one for anchor ids; on a large manual those two parsers were about half
of MkDocs' time (tables of 1,000 records a page).  This preprocessor stores such a line in the
stash exactly as the html_block preprocessor would (same text, same trailing newline, the
same placeholder paragraph), so the HTML is byte for byte the same, and records the line's
`id`s so that MkDocs still validates links to anchors inside it (`present_anchor_ids`).

A line qualifies only when it stands alone between blank lines, starts at column 0 with one of
our block tags and ends with that tag's matching end tag; anything else is left to Markdown.

Replaces: Python-Markdown's html_block preprocessor and MkDocs' anchor scan over our blocks (what
`--plain` runs: the extension is not added).  Proved equal by tests/unit/test_raw_blocks.py and
tests/e2e/test_plain_builds.py.
"""

from __future__ import annotations

import html
import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

#: Block-level tags we emit on one line (tables, banners and charts, download links, print footer, code).
TAGS = ("table", "div", "p", "style", "pre")
_CANDIDATE = re.compile(r"<(" + "|".join(TAGS) + r")[\s>]")
_START_TAG = {tag: re.compile(rf"<{tag}[\s>]") for tag in TAGS}
_END_TAG = {tag: re.compile(f"</{tag}>") for tag in TAGS}
_TAG_WITH_ANCHOR = re.compile(r"""<([a-zA-Z][^\s/>]*)((?:"[^"]*"|'[^']*'|[^>"'])*?\s(?:id|name)\s*=(?:"[^"]*"|'[^']*'|[^>"'])*)>""", re.I)
_ANCHOR_ATTRIBUTE = re.compile(r"""\s(id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
#: Runs after fenced code (priority 25) and before MkDocs' anchor scan (21) and html_block (20).
NAME, PRIORITY = "qms_raw_blocks", 22


class RawBlockExtension(Extension):
    """One instance per build; `anchor_ids` holds the ids of the blocks of the page converted last."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.anchor_ids: set[str] = set()

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.preprocessors.register(_StashOwnBlocks(md, self), NAME, PRIORITY)


class _StashOwnBlocks(Preprocessor):
    def __init__(self, md: Markdown, extension: RawBlockExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        ids: set[str] = set()
        self.extension.anchor_ids = ids
        last = len(lines) - 1
        for index, line in enumerate(lines):
            if not line.startswith("<") or not self.md.is_block_level(own_block(line)):
                continue
            if (index > 0 and lines[index - 1].strip()) or (index < last and lines[index + 1].strip()):
                continue
            ids |= anchor_ids(line)
            # html_block keeps the newline that ends the block when a blank line follows it
            lines[index] = self.md.htmlStash.store(line + "\n" if index < last else line)
        return lines


def own_block(line: str) -> str | None:
    """The tag of `line` if it is one element of our block tags, from its start tag to its matching end tag."""
    match = _CANDIDATE.match(line)
    if match is None:
        return None
    tag = match.group(1)
    if not line.endswith(f"</{tag}>"):
        return None
    opened = _START_TAG[tag]
    depth, position = 0, 0
    for end_tag in _END_TAG[tag].finditer(line):
        depth += len(opened.findall(line, position, end_tag.start())) - 1
        position = end_tag.end()
        if depth == 0:
            return tag if position == len(line) else None
        if depth < 0:
            return None
    return None


def anchor_ids(block: str) -> set[str]:
    """The ids MkDocs' raw-HTML scan would record: `id` of any element, `name` of an `<a>`."""
    found = set()
    for tag in _TAG_WITH_ANCHOR.finditer(block):
        for name, *quoted in _ANCHOR_ATTRIBUTE.findall(tag.group(2)):
            if name.lower() == "id" or tag.group(1).lower() == "a":
                found.add(html.unescape("".join(quoted)))
    return found
