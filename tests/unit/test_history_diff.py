"""Character-level differences for Chinese text, escaped HTML (issue 6)."""

from __future__ import annotations

from site_builder.history import diff


def test_chinese_changes_are_character_level():
    html = diff.diff_html("本程序适用于本公司的全部客户。", "本程序适用于本公司的新、老客户。")
    assert "本程序适用于本公司的<del>全部</del><ins>新、老</ins>客户。" in html


def test_frequent_characters_are_not_junk():
    old = "的" * 300 + "甲" + "的" * 300
    new = "的" * 300 + "乙" + "的" * 300
    assert diff.char_segments(old, new) == [("=", "的" * 300), ("-", "甲"), ("+", "乙"), ("=", "的" * 300)]


def test_content_is_escaped_and_no_blank_line_ends_the_html_block():
    html = diff.diff_html("旧\n\n& 保留", "<script>alert(1)</script>\n\n& 保留")
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; 保留" in html
    assert "\n" not in html


def test_unchanged_runs_are_folded_and_identical_texts_say_so():
    old = "\n".join(f"第{n}行" for n in range(20))
    html = diff.diff_html(old, old.replace("第10行", "第十行"))
    assert "行未改动" in html and "第<del>10</del><ins>十</ins>行" in html
    assert "无差异" in diff.diff_html("同", "同")


def test_huge_changed_blocks_fall_back_to_removed_and_added():
    old, new = "甲" * 3000, "乙" * 3000
    assert diff.char_segments(old, new) == [("-", old), ("+", new)]


def test_changed_count():
    assert diff.changed_count("a\nb\nc", "a\nB\nc") == 1
    assert diff.changed_count("a", "a") == 0
