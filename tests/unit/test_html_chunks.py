"""The HTML verifier's shortcut (html_chunks) finds exactly what html.parser finds reading the whole page:
HtmlVerifier(chunks=True) against the plain path, HtmlVerifier(chunks=False)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.site.theme import material_templates
from site_builder.verify.html import HtmlVerifier, chunk_reader

#: (one verifier for the whole module: what it remembers from earlier examples is part of what is tested)
SHORTCUT = HtmlVerifier(material_templates())
PLAIN = HtmlVerifier(material_templates(), chunks=False)

#: pieces a page is made of: what the theme writes, what content could smuggle in, and what parsers disagree on
FRAGMENTS = [
    "<!doctype html>", "<!DOCTYPE html>", "<html lang=\"zh\">", "<div class=\"md-nav\">", "</div>", "<p>", "</p>", "text 文本 ",
    "\n", "&amp;", "&lt;script&gt;", "<br>", "<br/>", "<img alt=\"x\" src=\"a.png\">", "<a href=\"../x/\">", "</a>",
    "<a href=x/>", "<a HREF='y'>", "<A Href=\"#top\">", "<a class=\"c\" href=\"javascript:alert(1)\">", "<a title=\"a>b\" href=\"z\">",
    "<p onclick=\"x()\">", "<p ONMOUSEOVER=x>", "<p one=\"1\">", "<div data-md-component=\"nav\" hidden>",
    "<div class=x\xa0onclick>", "<div\xa0onclick>", "<p class=a=b>", "<p/onclick=x>", "<p class=\"x\"onclick=\"y\">",
    "<td\tstyle='a'\n>", "<meta charset=\"utf-8\">", "<meta http-equiv=\"refresh\" content=\"0\">", "<iframe src=\"x\"></iframe>",
    "<iframe>", "<embed src=\"x\">", "<base href=\"/\">", "<object data=\"x\">", "<div srcdoc=\"x\">",
    "<script src=\"assets/qms.js\"></script>", "<script src=\"https://cdn.example/x.js\"></script>", "<script>", "</script>",
    "<script>var a = 1 < 2;</script>", "<script>evil()</script>", "<script>a</scr</script>", "<script><!--</script>",
    "<script>x<script>y</script>", "<script/>", "<script src=\"x\"/>", "<SCRIPT>evil()</SCRIPT>", "<script >b()</script >",
    "<script id=\"__config\" type=\"application/json\">{\"a\": 1}</script>",
    "<script id=\"__config\" type=\"application/json\">{bad</script>",
    "<style>p{color:red}</style>", "<style>a</style", "<title>t</title>", "<title><a href=\"x\"></title>", "<textarea>",
    "<noscript><img src=\"n\"></noscript>", "<xmp><script>x</script></xmp>", "<plaintext>", "<!-- comment -->",
    "<!---->", "<!-->", "<!--->", "<!-- a -- >", "<!-- a --!> <script>x()</script> -->", "<!--<script>-->", "<!",
    "<![CDATA[ x ]]>", "<?php x ?>", "a < b", "<", "</", "</ p>", "</p >", "<a href=\"unterminated", "<p class=\"x", "\r",
    "<svg><a xlink:href=\"javascript:x\"></a></svg>", "<img srcset=\"a.png 1x, javascript:x 2x\">", "<form action=\"data:x\">",
    "<custom-el on-x=\"y\">", "<a href=\"\u3000javascript:x\">", "<a href=&#106;avascript:x>",
]


def whole(text: str) -> tuple[list[str], list]:
    problems, links = PLAIN.parsed(text)
    checked = PLAIN.checked_page("p.html", text)
    assert (checked.problems, checked.links) == ([f"p.html:{line}: {message}" for line, message in problems], links)
    return checked.problems, checked.links


def shortcut(text: str, verifier: HtmlVerifier = SHORTCUT) -> tuple[list[str], list]:
    checked = verifier.checked_page("p.html", text)
    return checked.problems, checked.links


@settings(max_examples=3000, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12))
def test_the_shortcut_finds_what_a_whole_parse_finds(pieces):
    text = "".join(pieces)
    assert shortcut(text) == whole(text)


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_each_fragment_in_a_page(fragment):
    text = f"<!doctype html>\n<html>\n<body>\n<a href=\"a/\">a</a>\n{fragment}\n<p onclick=\"x\">tail</p>\n"
    assert shortcut(text) == whole(text)


@pytest.mark.parametrize("text", ["a < b", "<![CDATA[x]]>", "<script/>", "<div class=x\xa0onclick>", "<!-->",
                                  "<script>a</scr</script>", "<title><b></title>", "<a href=\"x", "<p/onclick=x>"])
def test_pages_outside_the_grammar_are_parsed_whole(text):
    assert chunk_reader().verifiable_chunks(text) is None
    assert SHORTCUT.checked_part("p.html", text, 1) is None


def test_ignored_tags_are_skipped_and_the_others_kept_with_their_offsets():
    text = '<div class="a"><p>x</p><a href="b/">b</a><td onclick="y">z</td></div>'
    chunks = chunk_reader().verifiable_chunks(text)
    assert chunks == [(text.index("<a "), '<a href="b/">'), (text.index("<td"), '<td onclick="y">')]


def test_lines_are_those_of_the_whole_page():
    page = "<p>\n\n<a href=\"gone/\">\n</a><p\nonclick=\"x\">\n" * 3
    checked = SHORTCUT.checked_page("p.html", page)
    assert [line for line, *_ in checked.links] == [3, 8, 13]
    assert [p.split(":")[1] for p in checked.problems] == ["4", "9", "14"]
    assert shortcut(page, HtmlVerifier(material_templates(), memo_limit=0)) == whole(page)  # (nothing remembered)


def test_the_plain_path_reads_every_page_whole_and_remembers_nothing():
    page = "<!doctype html>\n<p>\n<a href=\"x/\">x</a><p onclick=\"y\">\n" * 2
    assert PLAIN.checked_part("p.html", page, 1) is None  # (no shortcut: a caller checks the page whole)
    assert shortcut(page) == whole(page)
    assert not PLAIN._chunk_effects and not PLAIN._parsed_tags
    assert SHORTCUT._chunk_effects and SHORTCUT._parsed_tags
