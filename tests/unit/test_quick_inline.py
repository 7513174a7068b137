"""quick_inline: the same HTML as Python-Markdown's own inline processor, for any text."""

from __future__ import annotations

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.treeprocessors import InlineProcessor

from site_builder.fast.quick_inline import QuickInlineExtension, QuickInlineProcessor

EXTENSIONS = ["tables", "admonition", "pymdownx.superfences", "toc", "attr_list", "footnotes", "abbr", "md_in_html",
              "def_list", "pymdownx.tilde", "pymdownx.mark", "pymdownx.caret", "pymdownx.keys", "pymdownx.emoji"]
PIECES = ["文控中心负责受控文件的登记", "text", " ", "\n", "\n\n", "*", "**", "_", "__", "`", "``", "[", "]", "(", ")",
          "![", "<", ">", "&", "&amp;", "&#45;", "\\", "\\*", "  \n", "#", "## ", "- ", "1. ", "> ", "|", "---",
          "~~", "==", "^^", "++ctrl+alt++", ":smile:", "<span>", "</span>", "<https://example.org>", "[a](b.md)",
          "[ref]", "[ref]: https://example.org", "[^1]", "[^1]: note", "*[HTML]: Hyper", "HTML", "{: #x }", "!!! note\n    ",
          "```\ncode\n```", "<div markdown=\"1\">", "</div>", "\t", "    ", "x_y_z", "a*b*c", "<!-- c -->", "$", "'", '"']


def _converter(quick: bool) -> markdown.Markdown:
    extensions = [*EXTENSIONS, QuickInlineExtension()] if quick else list(EXTENSIONS)
    return markdown.Markdown(extensions=extensions)


PLAIN, QUICK = _converter(False), _converter(True)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_same_html_as_python_markdown(pieces):
    text = "".join(pieces)
    PLAIN.reset()
    QUICK.reset()
    assert QUICK.convert(text) == PLAIN.convert(text)
    assert QUICK.toc_tokens == PLAIN.toc_tokens


def test_replaces_the_inline_processor_and_skips_texts_no_pattern_matches(monkeypatch):
    assert type(QUICK.treeprocessors["inline"]) is QuickInlineProcessor
    assert type(PLAIN.treeprocessors["inline"]) is InlineProcessor
    handled = []
    slow = InlineProcessor._InlineProcessor__handleInline

    def counted(self, data, patternIndex=0):  # noqa: N803
        handled.append(data)
        return slow(self, data, patternIndex)

    monkeypatch.setattr(InlineProcessor, "_InlineProcessor__handleInline", counted)
    QUICK.reset()
    html = QUICK.convert("# 文件控制\n\n文控中心负责受控文件的登记。\n\n带 *强调* 的段落。")
    assert html.count("<p>") == 2 and "<em>强调</em>" in html
    assert handled == ["带 *强调* 的段落。"]  # only the text a pattern matches goes the long way


def test_leaves_a_replaced_inline_processor_alone():
    class Own(InlineProcessor):
        pass

    class Replaces(markdown.Extension):
        def extendMarkdown(self, md):  # noqa: N802
            md.treeprocessors.register(Own(md), "inline", 20)

    md = markdown.Markdown(extensions=[Replaces(), QuickInlineExtension()])
    assert type(md.treeprocessors["inline"]) is Own
