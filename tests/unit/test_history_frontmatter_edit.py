"""The line-based front-matter editor used by revise / approve / make-effective (issue 6)."""

from __future__ import annotations

import pytest

from site_builder.edit.frontmatter import EditError, FrontMatterEditor, scalar
from site_builder.load.yamlio import load_yaml, split_front_matter

ENTRY = {"version": "A2", "date": "2026-01-05", "sections": "5.2, 5.4", "change": "明确: 边界 #1", "approved_by": "林秀琴"}


def data(text: str) -> dict:
    return load_yaml(split_front_matter(text.replace("\r\n", "\n"))[0])


def test_flow_items_keep_comments_quotes_and_crlf():
    text = ("---\r\nid: QP-90  # number\r\nversion: 'A1'   # current\r\nstatus: effective\r\nrevisions:\r\n"
            "  - {version: A0, date: 2023-01-01, sections: 全文, change: \"首次发布, it's\", approved_by: 林秀琴}\r\n"
            "  - {version: A1, date: 2024-01-01, sections: \"5\", change: x, approved_by: 林秀琴}  # last\r\n"
            "# a comment after the list\r\nrelated_documents: []\r\n---\r\nbody\r\n")
    editor = FrontMatterEditor(text)
    editor.set_scalar("version", "A2")
    editor.append_item("revisions", ENTRY)
    result = editor.text()
    assert "version: 'A2'   # current\r\n" in result
    assert result.count("\r\n") == text.count("\r\n") + 1 and "\n" not in result.replace("\r\n", "")
    assert "# a comment after the list\r\n" in result and "# last\r\n" in result
    assert data(result)["revisions"][-1] == ENTRY


def test_block_items():
    text = ("---\nversion: A1\nrevisions:\n- version: A0\n  date: 2023-01-01\n  approved_by: 甲\n- version: A1\n"
            "  date: 2024-01-01\n  approved_by: 乙 # note\nrelated_documents: []\n---\n")
    editor = FrontMatterEditor(text)
    editor.append_item("revisions", ENTRY)
    editor.set_last_item_field("revisions", "approved_by", "周启航")
    revisions = data(editor.text())["revisions"]
    assert revisions[1]["approved_by"] == "乙" and revisions[2] == {**ENTRY, "approved_by": "周启航"}
    assert "- version: A2\n  date: 2026-01-05\n" in editor.text()


@pytest.mark.parametrize("sequence", [
    "revisions: [{version: A0, date: 2023-01-01, sections: 全文, change: a, approved_by: 甲}]\n",
    "revisions: [\n  {version: A0, date: 2023-01-01, sections: 全文, change: a, approved_by: 甲}  # c\n]\n",
    "revisions: [\n  {version: A0, date: 2023-01-01, sections: 全文, change: a, approved_by: 甲},\n]\n",
])
def test_flow_sequences(sequence):
    text = f"---\nversion: A0\n{sequence}related_documents: []\n---\nbody\n"
    editor = FrontMatterEditor(text)
    editor.append_item("revisions", ENTRY)
    editor.set_last_item_field("revisions", "approved_by", "周启航")
    result = data(editor.text())
    assert [r["version"] for r in result["revisions"]] == ["A0", "A2"]
    assert result["revisions"][0]["approved_by"] == "甲" and result["revisions"][1]["approved_by"] == "周启航"
    assert result["related_documents"] == []


def test_mappings_flow_block_missing_and_removal():
    text = ("---\nprepared_by: {name: \"甲\", date: 2024-01-01}  # who\nreviewed_by:\n  name: 乙\n  date: 2024-01-02\n"
            "status: effective\n---\n")
    editor = FrontMatterEditor(text)
    editor.set_mapping("prepared_by", {"name": "丙", "date": "2025-01-01"})
    editor.set_mapping("reviewed_by", {"name": "丁", "date": "2025-01-02"})
    editor.set_mapping("approved_by", {"name": "戊", "date": "2025-01-03"}, after=("reviewed_by",))
    result = editor.text()
    assert 'prepared_by: {name: "丙", date: 2025-01-01}  # who\n' in result
    assert "reviewed_by:\n  name: 丁\n  date: 2025-01-02\napproved_by: {name: 戊, date: 2025-01-03}\nstatus" in result
    editor.remove("reviewed_by")
    assert "reviewed_by" not in editor.text() and data(editor.text())["approved_by"]["name"] == "戊"


def test_scalars_are_quoted_only_when_needed():
    assert scalar("明确75分边界归属B级") == "明确75分边界归属B级"
    assert scalar("5.2, 5.4") == '"5.2, 5.4"'
    assert scalar("a: b") == '"a: b"' and scalar("null") == '"null"' and scalar("#x") == '"#x"'
    assert scalar("it's", "'") == "'it''s'"
    for value in ("[x]", "{y}", "- z", "a #b", "引号\"内", "~"):
        assert load_yaml(f"k: {scalar(value)}\n")["k"] == value


def test_unsupported_shapes_are_refused():
    with pytest.raises(EditError):
        FrontMatterEditor("no front matter\n")
    with pytest.raises(EditError):
        FrontMatterEditor("---\nversion: A0\n").set_scalar("version", "A1")
    editor = FrontMatterEditor("---\nchange: |\n  multi\n  line\n---\n")
    with pytest.raises(EditError):
        editor.set_scalar("change", "x")
    with pytest.raises(EditError):
        editor.set_scalar("missing", "x")
