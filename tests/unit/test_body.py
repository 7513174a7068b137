"""render/body.py: author Markdown is never left raw, code keeps its text, links are checked whole."""

from __future__ import annotations

import markdown
import pytest

from site_builder.model.body import body_problems, local_page_links, safe_body

EXTENSIONS = ["tables", "admonition", "pymdownx.superfences"]


def html(text: str, rewrite=None) -> str:
    return markdown.markdown(safe_body(text, rewrite), extensions=EXTENSIONS)


@pytest.mark.parametrize("text", [
    "```\n<script>alert(1)</script>",  # fence never closed
    "```<script>alert(1)",  # markup in the info string
    "text\n    <script>alert(1)</script>",  # lazy continuation, not indented code
    "`<script>```",  # unbalanced backtick runs
    "`x\n<script>`",  # a span that would have to cross lines
    "- item\n\n    <img src=x onerror=alert(1)>",
])
def test_no_raw_html_survives(text):
    out = html(text)
    assert "<script" not in out and "<img" not in out, out


def test_fenced_code_keeps_its_text_literally():
    out = html("前言\n\n```text\n  ┌─┐ *强调* <b>粗</b> | a |\n```\n\n后记")
    assert "<pre><code>" in out and "<b>" not in out and "<em>" not in out
    plain = out.replace("&#42;", "*").replace("&#60;", "<").replace("&#62;", ">").replace("&#124;", "|")
    assert "  ┌─┐ *强调* <b>粗</b> | a |" in plain


def test_code_span_keeps_its_text_and_is_not_markdown():
    out = html("比较 `a<b *c*` 与 <i>斜体</i>")
    assert "<code>a&#60;b &#42;c&#42;</code>" in out
    assert "&lt;i&gt;斜体&lt;/i&gt;" in out


@pytest.mark.parametrize("link", ["[x](java\tscript:alert(1))", "[a [b] c](javascript:alert(1))", "![i](data:image/png;base64,AA)",
                                  "[x](JaVaScRiPt&#58;alert(1))", "[x](<javascript:alert(1)>)"])
def test_forbidden_links_are_shown_as_text_and_reported(link):
    out = html(link)
    assert "href" not in out and "src=" not in out, out
    problems = body_problems(link)
    assert [p[:2] for p in problems] == [(0, 1)] and "forbidden address" in problems[0][2]


def test_safe_links_stay_links():
    out = html('[站外](https://example.com "标题") [同页](#anchor) [邮件](mailto:a@example.com)')
    assert out.count("<a ") == 3


def test_reference_definition_to_a_script_url_is_disarmed():
    out = html("[r]: javascript:alert(1)\n\n见[r]")
    assert "href" not in out
    assert body_problems("[r]: javascript:alert(1)")[0][:2] == (0, 1)


def test_links_to_source_files_are_rewritten_by_the_caller():
    text = "见[投诉处理程序](QP-02-complaint-handling.md#3-职责)和[外部](https://example.com)"
    out = safe_body(text, lambda dest: "../QP-02/#3-职责" if dest.startswith("QP-02") else None)
    assert "](../QP-02/#3-职责)" in out and "](https://example.com)" in out


def test_local_page_links_report_position_and_target_without_anchor():
    text = "第一行\n\n```\n[x](in-code.md)\n```\n见 [投诉](../QP-02.md#a) 和 `[y](span.md)`"
    assert local_page_links(text) == [(5, 3, "../QP-02.md")]


def test_raw_html_is_reported_with_its_line_after_a_code_block():
    assert body_problems("```\n<b>\n```\n\n正文 <b>粗</b>") == [(4, 4, "raw HTML")]
