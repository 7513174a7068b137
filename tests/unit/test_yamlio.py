"""The strict YAML loader (site_builder.load.yamlio, site_builder.load.files): strings-only scalars,
positions, and the Y (YAML) and E (encoding) groups of shared/reference/bad-inputs.md.

Expected lines and columns are worked out by hand from the input shown next to them
(1-based; columns count characters, not bytes).
"""

from __future__ import annotations

import os

import pytest

from site_builder.load.files import load_source
from site_builder.load.sources import SourceFile
from site_builder.load.yamlio import LoadError, PlainStr, decode, load_yaml, locate, split_front_matter


def load_file(tmp_path, content: bytes | str, kind: str = "form", name: str | None = None):
    """load_source on a real file; returns (data, [(code, severity, line, col, message)])."""
    name = name or ("doc.md" if kind == "document" else "file.yaml")
    raw = content.encode("utf-8") if isinstance(content, str) else content
    path = tmp_path / name
    path.write_bytes(raw)
    loaded = load_source(SourceFile(kind, name, path))
    return loaded.data, [(d.code, d.severity, d.line, d.col, d.message) for d in loaded.diagnostics]


def only_error(diagnostics) -> tuple[str, int, int, str]:
    assert len(diagnostics) == 1, diagnostics
    code, severity, line, col, message = diagnostics[0]
    assert severity == "error"
    return code, line, col, message


def yaml_error(text: str, max_depth: int = 32) -> LoadError:
    with pytest.raises(LoadError) as caught:
        load_yaml(text, max_depth)
    return caught.value


# --- Y12: every scalar keeps its text -------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["0012", "2.10", "1.0", "NO", "no", "yes", "Yes", "on", "OFF", "true", "false", "1:20", ".nan", ".inf", "-.inf",
     "0x1F", "0o17", "1e309", "1.5e3", "-0", "+12", "2024-01-05", "2024-02-30", "0000-00-00", "2024-01-05T10:00:00",
     "A0", "=", "<<x"],
)
def test_plain_scalars_stay_text_as_written(written):
    data = load_yaml(f"value: {written}\n")
    assert data == {"value": written}
    assert type(data["value"]) is PlainStr


@pytest.mark.parametrize("quoted, text", [("'0012'", "0012"), ('"2.10"', "2.10"), ("'NO'", "NO"), ('"yes"', "yes"),
                                          ("'~'", "~"), ('""', ""), ("'null'", "null"), ('"2024-02-30"', "2024-02-30")])
def test_quoted_scalars_are_plain_str_not_plainstr(quoted, text):
    data = load_yaml(f"value: {quoted}\n")
    assert data == {"value": text}
    assert type(data["value"]) is str  # only unquoted scalars may later become numbers or booleans


@pytest.mark.parametrize("block", ["|\n  two\n  lines\n", ">\n  two\n  lines\n"])
def test_block_scalars_are_quoted_text(block):
    value = load_yaml("value: " + block)["value"]
    assert type(value) is str
    assert value.startswith("two")


@pytest.mark.parametrize("written", ["", "~", "null", "Null", "NULL"])
def test_plain_null_spellings_load_as_none(written):
    # The loader's one non-text value: an empty or null scalar is "no value", which the schema then rejects
    # wherever a value is required (never a silent empty string).
    assert load_yaml(f"value: {written}\n") == {"value": None}


def test_keys_are_str_and_integer_looking_keys_stay_text():
    data = load_yaml("1: a\n'2': b\nyes: c\n")
    assert data == {"1": "a", "2": "b", "yes": "c"}
    assert all(type(key) is str for key in data)


def test_nested_structures_and_order():
    data = load_yaml("b: [1, '2', {c: 3}]\na:\n  - x\n  - y: 0012\n")
    assert list(data) == ["b", "a"]
    assert data == {"b": ["1", "2", {"c": "3"}], "a": ["x", {"y": "0012"}]}


# --- locate: positions of values ---------------------------------------------------------------

LOCATE_TEXT = (
    "id: QP-01\n"                                          # 1
    "title: x\n"                                           # 2
    "prepared_by: {name: 唐振宇, date: 2025-12-01}\n"       # 3
    "revisions:\n"                                         # 4
    "  - {version: A0, date: 2024-03-01}\n"                # 5
    "  - version: A1\n"                                    # 6
    "    date: 2025-12-10\n"                               # 7
    "list:\n"                                              # 8
    "- a\n"                                                # 9
    "- b\n"                                                # 10
)


@pytest.mark.parametrize("path, expected", [
    ((), (1, 1)),                                   # the root mapping
    (("id",), (1, 5)),                              # a scalar value: where the value starts
    (("prepared_by",), (3, 1)),                     # a mapping value: its key
    (("prepared_by", "date"), (3, 32)),             # 'prepared_by: {' 14 + 'name: 唐振宇, ' 11 + 'date: ' 6 chars
    (("revisions",), (4, 1)),
    (("revisions", 0), (5, 5)),                     # flow mapping as a list item: its '{'
    (("revisions", 1), (6, 5)),                     # block mapping as a list item: its first key
    (("revisions", 1, "date"), (7, 11)),
    (("list", 1), (10, 3)),
    (("revisions", 5, "date"), (4, 1)),             # missing item: deepest existing ancestor
    (("missing",), (1, 1)),
])
def test_locate(path, expected):
    assert locate(LOCATE_TEXT, path) == expected


@pytest.mark.parametrize("path, expected", [
    (("id",), (1, 1)),                              # a scalar value: its key
    (("prepared_by",), (3, 1)),                     # a mapping value: its key, as without at_key
    (("prepared_by", "date"), (3, 26)),             # 'prepared_by: {' 14 + 'name: 唐振宇, ' 11 chars
    (("revisions", 1, "date"), (7, 5)),
    (("revisions", 1), (6, 5)),                     # a list item has no key: the item itself
    (("missing",), (1, 1)),
])
def test_locate_at_key(path, expected):
    """S06: an unknown key is shown at the key whether its value is a scalar or a collection."""
    assert locate(LOCATE_TEXT, path, at_key=True) == expected


def test_locate_never_raises_on_broken_text():
    assert locate("a: [\n", ("a",)) == (1, 1)
    assert locate("[" * 500 + "]" * 500, (0, 0, 0)) >= (1, 1)


@pytest.mark.parametrize("text, path, expected", [
    ("{}:", (0,), (1, 1)),                       # found by hypothesis: used to raise IndexError
    ("[a, b]: 1\nc: [x, y]\n", ("c", 1), (2, 8)),  # a collection key is skipped, later paths still resolve
    ("{k: [1]}: 1\nc: 2\n", ("c",), (2, 4)),
])
def test_locate_skips_collections_used_as_keys(text, path, expected):
    assert locate(text, path) == expected


def test_only_the_plain_merge_key_is_refused():
    assert load_yaml("'<<': a\n") == {"<<": "a"}  # a quoted '<<' is an ordinary key (what yaml.safe_dump writes)
    assert yaml_error("'<<': a\n\"<<\": b\n").code == "SB106"
    assert yaml_error("<<: a\n").code == "SB107"


def test_split_front_matter_offsets():
    yaml_text, body, body_line = split_front_matter("---\nid: QP-01\ntitle: x\n---\n## 1 目的\n正文\n")
    assert yaml_text == "id: QP-01\ntitle: x\n"
    assert body == "## 1 目的\n正文\n"
    assert body_line == 5  # file line of '## 1 目的'


def test_document_loads_with_front_matter_offset(tmp_path):
    path = tmp_path / "QP-01-x.md"
    path.write_text("---\nid: QP-01\ntitle: x\n---\n正文第一行\n", encoding="utf-8")
    loaded = load_source(SourceFile("document", "procedures/QP-01-x.md", path))
    assert loaded.diagnostics == []
    assert loaded.data == {"id": "QP-01", "title": "x"}
    assert loaded.line_offset == 1  # YAML line n is file line n + 1
    assert loaded.body == "正文第一行\n"
    assert loaded.body_line == 5


@pytest.mark.parametrize("text, code, line, col", [
    # the error is on file line 3 (YAML line 2): the opening '---' shifts every position by one
    ("---\nid: QP-01\n\tlevel: 2\n---\nbody\n", "SB105", 3, 1),
    ("---\nid: QP-01\nx: !!python/name:os.system\n---\n", "SB108", 3, 4),
    ("---\nid: QP-01\nx: &a 1\n---\n", "SB107", 3, 4),
    ("---\nid: QP-01\nid: QP-02\n---\n", "SB106", 3, 1),
    ("---\n- a\n---\n", "SB111", 2, 1),
    ("---\n---\nbody\n", "SB110", 2, 1),
    ("---\nid: QP-01\nx: \x00\n---\n", "SB103", 3, 4),        # found on the whole file, no offset to add
    ("id: QP-01\n", "SB114", 1, 1),
    ("---\nid: QP-01\n", "SB114", 1, 1),
    ("", "SB114", 1, 1),
])
def test_front_matter_positions_are_file_positions(tmp_path, text, code, line, col):
    data, diagnostics = load_file(tmp_path, text, kind="document")
    assert data is None
    assert only_error(diagnostics)[:3] == (code, line, col)


# --- Y group -------------------------------------------------------------------------------


def test_y01_tab_indentation():
    error = yaml_error("a:\n\tb: 1\n")
    assert (error.code, error.line, error.col) == ("SB105", 2, 1)


def test_y01_tab_after_spaces(tmp_path):
    _, diagnostics = load_file(tmp_path, "a:\n  b: 1\n\tc: 2\n")
    assert only_error(diagnostics)[:3] == ("SB105", 3, 1)


def test_y02_unclosed_quote_shows_end_of_file_and_opening_line():
    error = yaml_error('id: QP-01\ntitle: "abc\nlevel: 2\n')
    assert (error.code, error.line, error.col) == ("SB105", 4, 1)  # end of the stream
    assert "line 2" in error.message  # where the quote was opened


def test_y03_duplicate_key_names_the_first_line():
    error = yaml_error("doc_no: QM-001\nx: a\ndoc_no: QM-002\n")
    assert (error.code, error.line, error.col) == ("SB106", 3, 1)
    assert "doc_no" in error.message and "line 1" in error.message


def test_y03_duplicate_key_in_a_nested_mapping():
    error = yaml_error("a:\n  b: 1\n  c: 2\n  b: 3\n")
    assert (error.code, error.line, error.col) == ("SB106", 4, 3)
    assert "line 2" in error.message


def test_y04_duplicate_key_in_front_matter_position(tmp_path):
    _, diagnostics = load_file(tmp_path, "---\nid: QP-01\ntitle: a\nid: QP-02\n---\nbody\n", kind="document")
    assert only_error(diagnostics)[:3] == ("SB106", 4, 1)


def test_y04_duplicate_key_in_front_matter_names_the_first_file_line(tmp_path):
    _, diagnostics = load_file(tmp_path, "---\nid: QP-01\ntitle: a\nid: QP-02\n---\nbody\n", kind="document")
    assert "first defined at line 2" in only_error(diagnostics)[3]


def test_y05_unclosed_quote_in_front_matter_names_the_opening_file_line(tmp_path):
    text = '---\nid: QP-01\ntitle: "unclosed\nlevel: 2\n---\nbody\n'
    _, diagnostics = load_file(tmp_path, text, kind="document")
    code, line, col, message = only_error(diagnostics)
    assert (code, line, col) == ("SB105", 5, 1)
    assert "line 3" in message


def test_y05_malformed_front_matter_is_an_error_not_body_text(tmp_path):
    data, diagnostics = load_file(tmp_path, '---\ntitle: "unclosed\n---\nbody\n', kind="document")
    assert data is None
    assert only_error(diagnostics)[:3] == ("SB105", 3, 1)


BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))


def test_y06_billion_laughs_refused_at_the_first_anchor():
    assert len(BILLION_LAUGHS) < 1000
    error = yaml_error(BILLION_LAUGHS)
    assert (error.code, error.line, error.col) == ("SB107", 1, 4)


def test_y06_alias_refused():
    error = yaml_error("a: x\nb: *a\n")
    assert (error.code, error.line, error.col) == ("SB107", 2, 4)
    assert "alias" in error.message


def test_y07_python_tag_refused_and_never_executed(monkeypatch):
    def forbidden(*args):
        raise AssertionError("os.system called")

    monkeypatch.setattr(os, "system", forbidden)
    error = yaml_error("x: !!python/object/apply:os.system ['id']\n")
    assert (error.code, error.line, error.col) == ("SB108", 1, 4)


@pytest.mark.parametrize("value", ["!!python/name:os.system", "!include ../../etc/passwd", "!custom x", "! x",
                                   "!!binary aGVsbG8=", "!!set {a, b}", "!!timestamp 2024-01-01", "!!float 1",
                                   "!!str x", "!<tag:yaml.org,2002:str> x"])
def test_y08_y09_every_explicit_tag_refused(value):
    error = yaml_error(f"x: {value}\n")
    assert (error.code, error.line, error.col) == ("SB108", 1, 4)


def test_y08_tag_on_a_key_refused():
    error = yaml_error("a: 1\n!!str b: 2\n")
    assert (error.code, error.line, error.col) == ("SB108", 2, 1)


@pytest.mark.parametrize("text, line", [("a: 1\n---\nb: 2\n", 2), ("---\na: 1\n...\n---\nb: 2\n", 4)])
def test_y10_second_document_refused(text, line):
    error = yaml_error(text)
    assert (error.code, error.line, error.col) == ("SB109", line, 1)


def test_y10_explicit_single_document_is_fine():
    assert load_yaml("---\na: 1\n...\n") == {"a": "1"}


def test_y11_merge_key_refused():
    error = yaml_error("base: {a: 1}\nx:\n  <<: {a: 2}\n")
    assert (error.code, error.line, error.col) == ("SB107", 3, 3)
    assert "<<" in error.message


@pytest.mark.parametrize("text", ["", "\n\n", "~\n", "null\n", "# only a comment\n", "---\n...\n"])
def test_y13_empty_file(tmp_path, text):
    data, diagnostics = load_file(tmp_path, text)
    assert data is None
    assert only_error(diagnostics)[:3] == ("SB110", 1, 1)


@pytest.mark.parametrize("text, found", [("- a\n- b\n", "list"), ("hello\n", "text value"), ("'0012'\n", "text value")])
def test_y14_top_level_must_be_a_mapping(tmp_path, text, found):
    data, diagnostics = load_file(tmp_path, text)
    assert data is None
    code, line, col, message = only_error(diagnostics)
    assert (code, line, col) == ("SB111", 1, 1)
    assert found in message


def test_y15_integer_and_string_key_collide():
    error = yaml_error("1: a\n'1': b\n")
    assert (error.code, error.line, error.col) == ("SB106", 2, 1)


@pytest.mark.parametrize("text, line, col", [
    ("[Aer]: x\n", 1, 1),
    ("? {a: 1}\n: x\n", 1, 3),
    ("a: 1\n? [b]\n: x\n", 2, 3),
    ("null: x\n", 1, 1),
    ("~: x\n", 1, 1),
])
def test_y16_keys_must_be_plain_strings(text, line, col):
    error = yaml_error(text)
    assert (error.code, error.line, error.col) == ("SB112", line, col)


def test_y17_deep_flow_nesting_is_refused_not_a_recursion_error():
    text = "[" * 500 + "]" * 500
    assert len(text) == 1000
    error = yaml_error(text, max_depth=32)
    assert (error.code, error.line, error.col) == ("SB113", 1, 33)  # the 33rd '[' opens level 33


def test_y17_deep_block_nesting_is_refused():
    text = "a:\n" + "".join("  " * level + f"k{level}:\n" for level in range(1, 40)) + "  " * 40 + "v\n"
    error = yaml_error(text, max_depth=8)
    # level 1 is the root mapping; the mapping under k7 (file line 9, indented 16) would be level 9
    assert (error.code, error.line, error.col) == ("SB113", 9, 17)


def test_y17_nesting_at_the_limit_is_accepted():
    assert load_yaml("a: " + "[" * 31 + "]" * 31 + "\n", max_depth=32) is not None


@pytest.mark.parametrize("raw, line, col, codepoint", [
    (b"a: 1\nb: x\x00y\n", 2, 5, "U+0000"),
    (b"a: \x1b[31m\n", 1, 4, "U+001B"),
    (b"a: 1\nb: 2\x7f\n", 2, 5, "U+007F"),
    ("a: x\u0085y\n".encode(), 1, 5, "U+0085"),
    (b"\x07a: 1\n", 1, 1, "U+0007"),
])
def test_y18_control_characters_with_line_and_col(tmp_path, raw, line, col, codepoint):
    data, diagnostics = load_file(tmp_path, raw)
    code, got_line, got_col, message = only_error(diagnostics)
    assert (code, got_line, got_col) == ("SB103", line, col)
    assert codepoint in message


def test_tab_inside_a_quoted_value_is_allowed():
    assert load_yaml('a: "x\ty"\n') == {"a": "x\ty"}


# --- E group: encodings and line endings ------------------------------------------------------


@pytest.mark.parametrize("raw, line, col", [
    (b"a: 1\nb: caf\xe9\n", 2, 7),                    # Latin-1 e-acute
    (b"a: \x93quoted\x94\n", 1, 4),                   # cp1252 curly quotes
    ("a: 1\nb: 中文".encode() + b"\xff\n", 2, 6),      # column counts characters: 'b: 中文' is 5
    (b"a: \xe4\xb8", 1, 4),                           # truncated sequence at the end of the file
    (b"a: \xc0\xaf\n", 1, 4),                         # overlong encoding of '/'
    (b"\xef\xbb\xbfa: 1\nb: \xe9\n", 2, 4),           # after a BOM: still the file's line and column
])
def test_e01_invalid_utf8_at_the_first_bad_byte(tmp_path, raw, line, col):
    data, diagnostics = load_file(tmp_path, raw)
    assert data is None
    errors = [d for d in diagnostics if d[1] == "error"]
    assert [(d[0], d[2], d[3]) for d in errors] == [("SB101", line, col)]


def test_e01_invalid_utf8_in_a_document_body(tmp_path):
    data, diagnostics = load_file(tmp_path, b"---\nid: QP-01\n---\n## 1\nbody \xb0C\n", kind="document")
    assert only_error(diagnostics)[:3] == ("SB101", 5, 6)


def test_e02_bom_is_stripped_with_a_warning(tmp_path):
    data, diagnostics = load_file(tmp_path, b"\xef\xbb\xbfid: QR-01-01\n")
    assert data == {"id": "QR-01-01"}
    assert [(d[0], d[1], d[2], d[3]) for d in diagnostics] == [("SB102", "warning", 1, 1)]


def test_e02_bom_before_front_matter(tmp_path):
    data, diagnostics = load_file(tmp_path, b"\xef\xbb\xbf---\nid: QP-01\n---\nbody\n", kind="document")
    assert data == {"id": "QP-01"}
    assert [(d[0], d[1]) for d in diagnostics] == [("SB102", "warning")]


def test_e02_decode_reports_the_bom():
    assert decode(b"\xef\xbb\xbfa: 1\n") == ("a: 1\n", True)
    assert decode(b"a: 1\n") == ("a: 1\n", False)


@pytest.mark.parametrize("raw", [
    "id: QR-01-01\n".encode("utf-16"),
    b"\xfe\xff" + "id: QR-01-01\n".encode("utf-16-be"),
    "id: QR-01-01\n".encode("utf-32"),
])
def test_e03_utf16_and_utf32_refused(tmp_path, raw):
    data, diagnostics = load_file(tmp_path, raw)
    assert data is None
    code, line, col, message = only_error(diagnostics)
    assert (code, line, col) == ("SB101", 1, 1)
    assert "UTF-8" in message


def test_e03_utf16_without_bom_is_still_an_error(tmp_path):
    data, diagnostics = load_file(tmp_path, "id: QR-01-01\n".encode("utf-16-le"))
    assert data is None
    assert only_error(diagnostics)[0] in ("SB101", "SB103")


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_e04_line_endings_keep_line_numbers(tmp_path, newline):
    text = newline.join(["a: 1", "b: 2", "\tc: 3", ""])
    _, diagnostics = load_file(tmp_path, text)
    assert only_error(diagnostics)[:3] == ("SB105", 3, 1)


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_e04_line_endings_keep_duplicate_key_lines(tmp_path, newline):
    text = newline.join(["id: QR-01-01", "title: x", "id: QR-01-02", ""])
    _, diagnostics = load_file(tmp_path, text)
    code, line, col, message = only_error(diagnostics)
    assert (code, line, col) == ("SB106", 3, 1)
    assert "line 1" in message


def test_e04_mixed_line_endings_load_equal(tmp_path):
    data, diagnostics = load_file(tmp_path, "a: 1\r\nb: 2\rc: 3\nd: |\r\n  x\r\n  y\r\n")
    assert diagnostics == []
    assert data == {"a": "1", "b": "2", "c": "3", "d": "x\ny\n"}


def test_e04_crlf_front_matter(tmp_path):
    data, diagnostics = load_file(tmp_path, "---\r\nid: QP-01\r\n---\r\nbody\r\n", kind="document")
    assert diagnostics == []
    assert data == {"id": "QP-01"}


@pytest.mark.parametrize("raw", [b"a: 1\rb: 2\rc: \x00\r", b"a: 1\rb: 2\rc: \xff\r"])
def test_e04_lone_cr_keeps_line_numbers_for_encoding_errors(tmp_path, raw):
    _, diagnostics = load_file(tmp_path, raw)
    assert only_error(diagnostics)[1:3] == (3, 4)


def test_e04_unicode_line_separator_does_not_shift_lines(tmp_path):
    # three lines as every editor and `path:line` consumer counts them; the duplicate is on line 3
    _, diagnostics = load_file(tmp_path, 'a: "x\u2028y"\nb: 2\nb: 3\n')
    code, line, col, message = only_error(diagnostics)
    assert (code, line, col) == ("SB106", 3, 1)
    assert "line 2" in message


@pytest.mark.parametrize("separator", ["\u2028", "\u2029"])
def test_e04_unicode_line_separators_stay_in_values(separator):
    # plain, quoted and block scalars and keys keep the character; nothing is split or folded at it
    text = f"a: x{separator}y\nb: 'p{separator}q'\nc: |\n  m{separator}n\nk{separator}ey: v\n"
    assert load_yaml(text) == {"a": f"x{separator}y", "b": f"p{separator}q", "c": f"m{separator}n\n", f"k{separator}ey": "v"}
    assert type(load_yaml(text)["a"]) is PlainStr


def test_e04_unicode_line_separator_keeps_later_positions():
    text = "a: x\u2028y\u2029z\nb: [1, 2]\nc: &x 3\n"
    assert locate(text, ("b", 1)) == (2, 8)
    error = yaml_error(text)
    assert (error.code, error.line, error.col) == ("SB107", 3, 4)


def test_e04_unicode_line_separator_next_to_private_use_characters():
    # the temporary stand-in for U+2028 must not collide with characters already in the file
    text = "a: \"\ue000\u2028\ue001\"\nb: \ue002\n"
    assert load_yaml(text) == {"a": "\ue000\u2028\ue001", "b": "\ue002"}


def test_e04_invalid_byte_after_crlf_lines(tmp_path):
    _, diagnostics = load_file(tmp_path, b"a: 1\r\nb: 2\r\nc: \xff\r\n")
    assert only_error(diagnostics)[:3] == ("SB101", 3, 4)


def test_front_matter_empty_and_top_level_list_are_reported_on_file_line_2(tmp_path):
    _, diagnostics = load_file(tmp_path, "---\n- a\n---\nbody\n", kind="document")
    assert only_error(diagnostics)[:3] == ("SB111", 2, 1)
    _, diagnostics = load_file(tmp_path, "---\nid: a\n---\n\n---\n", kind="document")
    assert diagnostics == []  # a later '---' in the body is Markdown, not a second document


# E06-E08 concern identifiers: the loader keeps the characters; check reports them (SB301).

IDENTIFIER_TRAPS = {
    "E06-zero-width-space": "QP-0\u200b1",
    "E06-bidi-override": "QP-\u202e10",
    "E06-bidi-isolate": "QP-\u206601",
    "E06-zero-width-joiner": "QP\u200d-01",
    "E06-bom-inside": "QP-\ufeff01",
    "E07-fullwidth": "ＱＰ－０１",
    "E07-cyrillic-pe": "\u041fP-01",
    "E07-cyrillic-em": "Q\u041c-01",
    "E08-trailing-space": "QP-01 ",
    "E08-leading-space": " QP-01",
    "E08-nbsp": "QP-01\u00a0",
}


@pytest.mark.parametrize("identifier", IDENTIFIER_TRAPS.values(), ids=IDENTIFIER_TRAPS.keys())
def test_e06_e08_identifier_traps_are_sb301(repo, edit, run_check, identifier):
    quoted = '"' + identifier.replace("\ufeff", "\\ufeff") + '"'
    path = "procedures/QP-01-document-control.md"
    edit.replace(repo, path, "id: QP-01\n", f"id: {quoted}\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    found = [(d["line"], d["col"]) for d in diagnostics if d["code"] == "SB301" and d["path"] == path]
    assert found == [(2, 5)]  # file line 2 ('id:' is YAML line 1), the value starts at column 5


def test_e08_nbsp_unquoted_is_kept_and_reported(repo, edit, run_check):
    path = "forms/QR-02-02.yaml"
    edit.replace(repo, path, "id: QR-02-02\n", "id: QR-02-02\u00a0\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    assert [(d["line"], d["col"]) for d in diagnostics if d["code"] == "SB301"] == [(2, 5)]
    assert "U+00A0" in next(d["message"] for d in diagnostics if d["code"] == "SB301")


def test_e05_cjk_and_emoji_in_text_are_fine(tmp_path):
    data, diagnostics = load_file(tmp_path, "title: 客户满意度 📋 עברית\n")
    assert diagnostics == []
    assert data == {"title": "客户满意度 📋 עברית"}


def test_size_limit_sb104(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * 2000 + b"\n")
    loaded = load_source(SourceFile("form", "forms/big.yaml", path), max_bytes=1024)
    assert [(d.code, d.line, d.col) for d in loaded.diagnostics] == [("SB104", 1, 1)]
    assert "2004" in loaded.diagnostics[0].message and "1024" in loaded.diagnostics[0].message


def test_symlink_and_missing_file_sb100(tmp_path):
    target = tmp_path / "real.yaml"
    target.write_text("a: 1\n", encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    loaded = load_source(SourceFile("form", "forms/link.yaml", link))
    assert (loaded.data, [d.code for d in loaded.diagnostics]) == (None, ["SB100"])
    loaded = load_source(SourceFile("form", "forms/none.yaml", tmp_path / "none.yaml"))
    assert (loaded.data, [(d.code, d.line, d.col) for d in loaded.diagnostics]) == (None, [("SB100", 1, 1)])
