"""raw_blocks: our one-line HTML blocks go to Markdown's stash directly, with the same HTML out
and the same anchor ids MkDocs would have found."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import markdown
import pytest
from mkdocs.structure.pages import _RawHTMLPreprocessor

from site_builder.build import render_manual
from site_builder.check import run as pipeline
from site_builder.fast.raw_blocks import RawBlockExtension, anchor_ids, own_block

ROOT = Path(__file__).resolve().parents[2]
EXTENSIONS = ["tables", "admonition", "pymdownx.superfences", "toc"]


def convert(text: str, with_extension: bool) -> tuple[str, set[str]]:
    """HTML and anchor ids (MkDocs' raw-HTML scan plus ours) of `text`."""
    extension = RawBlockExtension()
    md = markdown.Markdown(extensions=[*EXTENSIONS, extension] if with_extension else EXTENSIONS)
    scan = _RawHTMLPreprocessor()
    scan._register(md)
    html = md.convert(text)
    return html, scan.present_anchor_ids | extension.anchor_ids


@pytest.fixture(scope="module")
def shipped_pages() -> dict[str, str]:
    result = pipeline.check(ROOT, date(2026, 11, 23), use_cache=False)
    pages = dict(render_manual(result.manual, "staff", result=result).pages)
    pages.update({f"auditor:{k}": v for k, v in render_manual(result.manual, "auditor", result=result).pages.items()})
    return {name: text.split("\n---\n", 1)[-1] for name, text in pages.items() if name.endswith(".md")}


def test_every_shipped_page_converts_to_the_same_html_and_anchor_ids(shipped_pages):
    stashed_blocks = 0
    for name, text in shipped_pages.items():
        assert convert(text, True) == convert(text, False), name
        stashed_blocks += sum(1 for line in text.split("\n") if own_block(line))
    assert len(shipped_pages) > 50
    assert stashed_blocks > 100  # the shortcut is taken, not just harmless


@pytest.mark.parametrize("text", [
    "intro\n<table><tr><td>a</td></tr></table>\n\nafter",          # no blank line before: a paragraph's lazy line
    "<table><tr><td>a</td></tr></table>\nafter",                    # text right after
    "<div>a</div> <div>b</div>",                                    # two elements on one line
    "<div>a</div>tail",                                             # text after the end tag
    "<div><div>a</div>",                                            # unbalanced
    "<table><tr><td>a</td></tr></table></table>",                   # one end tag too many
    "  <table><tr><td>a</td></tr></table>",                         # indented
    "<span>a</span>",                                               # not one of our block tags
    "- item\n\n    <div>in a list</div>\n\nend",                    # indented in a list item
    "```\n<table><tr><td>code</td></tr></table>\n```",              # inside a fence
    "<div id=\"a&amp;b\"><a name=\"n\">x</a><p id='single'>y</p></div>",  # entity in id, name on <a>, single quotes
    "text\n\n<style data-qms=\"x\">@media print { a { b: c } }</style>\n\n<pre><code>x &lt; y</code></pre>",
    "<div class=\"o\"><div id=\"inner\">x</div></div>\n\n<p id=\"last\">end</p>",
])
def test_output_is_unchanged_whether_or_not_a_line_qualifies(text):
    assert convert(text, True) == convert(text, False)


def test_own_block_accepts_only_a_whole_balanced_element():
    assert own_block('<div class="a"><div>b</div></div>') == "div"
    assert own_block("<table><tbody></tbody></table>") == "table"
    assert own_block("<div>a</div><div>b</div>") is None
    assert own_block("<div><div>a</div>") is None
    assert own_block("<divider>a</divider>") is None
    assert own_block("<pre><code>x</code></pre>") == "pre"
    assert own_block("<p>a</p>") == "p"


def test_anchor_ids_match_what_a_html_parser_records():
    block = '<table><tr id="CSS-1"><td data-id="no">a</td></tr><tr id="x&lt;y"></tr></table><a name="top"></a><span name="not"></span>'
    block += "<p ID=upper>u</p><div title='id=\"no\"' id='yes'></div>"
    assert anchor_ids(block) == {"CSS-1", "x<y", "top", "upper", "yes"}
