"""Markdown extension: Python-Markdown's inline processor, leaving at once a text no inline pattern matches.

For every text of a page (each paragraph, heading, list item and table cell) Python-Markdown
tries each inline pattern in turn, at a cost of some microseconds of bookkeeping per pattern,
even when none can match: most Chinese prose holds none of the characters they look for.  The
auditor's site converts the text of every obsolete version (tens of thousands of pages), where
this was about a fifth of the conversion.

Here the text is first searched with each pattern's own compiled expression, as the processor
itself would search it (`search` for processors, `match` for old-style patterns, from the
pattern the processor would start with).  When none matches, the processor would return the
text unchanged, so it is returned at once; otherwise the processor runs as before.  The output
is therefore the same byte for byte (tests/unit/test_quick_inline.py compares the two).

Replaces: Python-Markdown's own inline processor for every text (what `--plain` runs: the
extension is not added).  Proved equal by tests/unit/test_quick_inline.py (property test against
Python-Markdown) and tests/e2e/test_plain_builds.py.
"""

from __future__ import annotations

from markdown import Extension, Markdown, inlinepatterns, util
from markdown.treeprocessors import InlineProcessor

#: Python-Markdown's own name and priority for the inline processor
NAME, PRIORITY = "inline", 20


class QuickInlineExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # (another extension may have replaced the processor: then it is left as it is)
        if NAME in md.treeprocessors and type(md.treeprocessors[NAME]) is InlineProcessor:
            md.treeprocessors.register(QuickInlineProcessor(md), NAME, PRIORITY)


class QuickInlineProcessor(InlineProcessor):
    def run(self, tree, ancestors=None):
        # (read here, not at registration: extensions listed later may still add patterns)
        self._tests = [pattern.getCompiledRegExp().search if isinstance(pattern, inlinepatterns.InlineProcessor)
                       else pattern.getCompiledRegExp().match for pattern in self.inlinePatterns]
        return super().run(tree, ancestors)

    # (the name InlineProcessor's own methods call its private __handleInline by)
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        if not isinstance(data, util.AtomicString):
            for test in self._tests[patternIndex:]:
                if test(data):
                    break
            else:
                return data
        return super()._InlineProcessor__handleInline(data, patternIndex)
