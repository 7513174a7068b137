"""SB315 (bad-inputs E06): bidirectional controls and zero-width characters in free text, found in
the per-file stage with the character's own line and column (columns count characters)."""

from __future__ import annotations

from pathlib import Path

from site_builder.check.files import FileChecker
from site_builder.check.invisible import MAX_PER_FILE, free_text_warnings, invisible_characters
from site_builder.load.files import load_source
from site_builder.load.schemas import load_schemas
from site_builder.load.sources import SourceFile

DOCUMENT = ("---\n"                                   # 1
            "id: WI-02\n"                             # 2
            "title: 退货\u202e接收\u200b作业指导书\n"  # 3: 'title: ' is 7 characters, 退货 8-9, U+202E 10, U+200B 13
            'summary: "检查\\u2067记录"\n'             # 4: 'summary: "' is 10 characters, 检查 11-12, the escape 13
            "---\n"                                   # 5
            "正文\ufeff与 \\u202e 字样\n")             # 6: U+FEFF at column 3; '\u202e' in the body is text


def load(tmp_path, text: str, kind: str = "document", name: str = "WI-02-returns.md"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return load_source(SourceFile(kind, f"procedures/{name}", path))


def positions(diagnostics) -> list[tuple[str, str, int, int]]:
    return [(d.code, d.severity, d.line, d.col) for d in diagnostics]


def test_each_character_is_a_warning_at_its_own_position(tmp_path):
    found = free_text_warnings(load(tmp_path, DOCUMENT))
    assert positions(found) == [("SB315", "warning", 3, 10), ("SB315", "warning", 3, 13), ("SB315", "warning", 4, 13),
                                ("SB315", "warning", 6, 3)]
    assert [d.message.split(" in the text")[0] for d in found] == [
        "bidirectional control character U+202E RIGHT-TO-LEFT OVERRIDE", "zero-width character U+200B ZERO WIDTH SPACE",
        "bidirectional control character U+2067 RIGHT-TO-LEFT ISOLATE", "zero-width character U+FEFF ZERO WIDTH NO-BREAK SPACE"]
    assert "escape \\u2067" in found[2].message


def test_the_per_file_stage_reports_them(tmp_path):
    schemas, _ = load_schemas(Path(__file__).resolve().parents[2] / "schemas")
    path = tmp_path / "WI-02-returns.md"
    path.write_bytes(DOCUMENT.encode("utf-8"))
    result = FileChecker(schemas, 65536, 32).check(SourceFile("document", "procedures/WI-02-returns.md", path))
    assert [(d.line, d.col) for d in result.loaded.diagnostics if d.code == "SB315"] == [(3, 10), (3, 13), (4, 13), (6, 3)]


def test_a_leading_bom_is_sb102_not_sb315(tmp_path):
    loaded = load(tmp_path, "\ufeffid: QR-01-01\ntitle: 表\n", "form", "QR-01-01.yaml")
    assert positions(loaded.diagnostics) == [("SB102", "warning", 1, 1)]
    assert free_text_warnings(loaded) == []


def test_an_identifier_is_left_to_sb301_and_emoji_joiners_are_fine(tmp_path):
    loaded = load(tmp_path, "---\nid: \"WI-\\u202e02\"\ntitle: 家庭 👨\u200d👩\u200d👧\n---\n")
    assert free_text_warnings(loaded) == []


def test_many_characters_are_summarised():
    found = invisible_characters("forms/x.yaml", "a: " + "\u200b" * (MAX_PER_FILE + 5) + "\n", range(1, 3))
    assert len(found) == MAX_PER_FILE + 1
    assert found[-1].message.startswith("5 more invisible characters") and (found[-1].line, found[-1].col) == (1, 14)
