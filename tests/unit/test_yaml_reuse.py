"""yaml_reuse: YAML read one top-level entry at a time gives what yamlio.load_yaml gives, errors included."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.fast import yaml_pieces as yaml_reuse
from site_builder.load.yamlio import LoadError, load_yaml

KEY = st.sampled_from(["id", "version", "title", "revisions", "distribution", "? id", '"a:b"', "<<", "- x", "related"])
VALUE = st.sampled_from(["", " QP-01", " A1", " 2020-01-01", " [QR-01, QR-02]", " {name: 林秀琴, date: 2020-06-29}",
                         ' "多行\n引号"', " &a 1", " *a", " !!str 1", " |\n  文本\n    \n  二", " >-\n  折叠", " [1,\n]", " # 注",
                         " 多行\n  续行", " 'x''y'"])
ITEM = st.sampled_from(["- {version: A0, date: 2020-01-01}", "- A1", "-", "- - 嵌套", "- a: 1\n  b: 2", "- |\n  块\n   \n  尾",
                        "- x\n# 注释", "-\tx", "- [1,\n  2]", "- {a: 1}\n- {a: 1}", "- 同\n 缩进不足", "- &r 1", "  - 更深"])
INDENT = st.sampled_from(["  ", "  ", "    ", " ", ""])


@st.composite
def entries(draw):
    key = draw(KEY)
    if draw(st.booleans()):
        indent = draw(INDENT)
        items = draw(st.lists(ITEM, min_size=1, max_size=4))
        body = "\n".join("\n".join(indent + line if line else line for line in item.split("\n")) for item in items)
        return f"{key}:{draw(st.sampled_from(['', ' ', ' # 注']))}\n{body}"
    return f"{key}:{draw(VALUE)}"


@st.composite
def documents(draw):
    parts = draw(st.lists(entries(), min_size=1, max_size=6))
    extra = draw(st.sampled_from(["", "", "# 开头注释\n", "---\n", "  缩进开头\n", "\n"]))
    return extra + "\n".join(parts) + draw(st.sampled_from(["\n", "", "\n\n", "\n...\n"]))


def _outcome(load, text):
    try:
        return "ok", load(text)
    except LoadError as exc:
        return "error", (exc.code, exc.message, exc.line, exc.col)


@settings(max_examples=1500, deadline=None)
@given(st.lists(documents(), min_size=1, max_size=3))
def test_same_data_and_errors_as_reading_the_whole_text(texts):
    pieces: dict = {}
    for text in texts + texts:  # (the second time, every piece is remembered)
        assert _outcome(lambda t: yaml_reuse.load_yaml_reusing(t, pieces=pieces), text) == _outcome(load_yaml, text), text


def test_an_entry_read_before_is_not_read_again(monkeypatch):
    pieces: dict = {}  # (the caller's memo: a history's, kept by the build)
    front = "id: QP-01\nversion: A{n}\nrevisions:\n  - {{version: A0}}\n  - {{version: A1, 修订: 第{n}次}}\n"
    yaml_reuse.load_yaml_reusing(front.format(n=1), pieces=pieces)
    read: list[str] = []
    monkeypatch.setattr(yaml_reuse, "load_yaml", lambda text, depth: read.append(text) or load_yaml(text, depth))
    assert yaml_reuse.load_yaml_reusing(front.format(n=2), pieces=pieces) == load_yaml(front.format(n=2))
    assert read == ["version: A2\n", "- {version: A1, 修订: 第2次}\n"]
    read.clear()
    yaml_reuse.load_yaml_reusing(front.format(n=2))  # (without the memo: every piece read again, nothing kept)
    assert "id: QP-01\n" in read and "version: A2\n" in read


def test_a_repeated_key_is_the_whole_reader_s_error():
    text = "id: QP-01\ntitle: 甲\nid: QP-02\n"
    assert _outcome(yaml_reuse.load_yaml_reusing, text) == _outcome(load_yaml, text)
    assert _outcome(load_yaml, text)[1][0] == "SB106"


def test_nesting_depth_counts_from_the_top_of_the_whole_text():
    text = "a:\n  - [[[1]]]\n"
    for depth in range(1, 7):
        assert _outcome(lambda t, d=depth: yaml_reuse.load_yaml_reusing(t, d), text) == _outcome(
            lambda t, d=depth: load_yaml(t, d), text), depth
