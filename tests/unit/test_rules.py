"""`check` on mutations of the minimal manual: every diagnostic code the foundation emits
(SB1xx loading, SB2xx schemas, SB300-SB313 identity and references, SB400-SB409 versions,
dates and approval, SB500 and SB502 records and forms), with the S (schema) and R
(referential integrity) groups of shared/reference/bad-inputs.md.

Each failing case asserts code, path, line and column of the diagnostic and the exit code
(1 with an error; 0 when there are only warnings).  Positions are located in the mutated file
by searching for the text the diagnostic must point at: the start of a scalar value, the key of
a mapping or list value, the enclosing mapping for a missing key.  Passing cases mutate the
manual up to the edge of the rule (leap day, same-day dates, due today ...) and expect no error.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
from datetime import date
from pathlib import Path

import pytest

from site_builder import diagnostics as dg
from site_builder.check import run as pipeline
from site_builder.load.schema_errors import schema_diagnostics
from site_builder.load.schemas import load_schemas

DOC1 = "procedures/QP-01-document-control.md"
DOC2 = "procedures/QP-02-complaint-handling.md"
WI1 = "procedures/WI-01-phone-intake.md"
FORM1 = "forms/QR-02-01.yaml"
FORM2 = "forms/QR-02-02.yaml"
REC1 = "records/QR-02-01/CPL-2025-001.yaml"
REC2 = "records/QR-02-01/CPL-2026-001.yaml"
CAR = "records/QR-02-02/CAR-2026-001.yaml"
NEW_REC = "records/QR-02-01/CPL-2026-002.yaml"

#: Codes the tests in this module make `check` report (kept complete by test_every_emitted_code_is_covered).
COVERED: set[str] = set()


def lines(diagnostics) -> str:
    return "\n".join(f"{d['path']}:{d['line']}:{d['col']}: {d['severity']} {d['code']} {d['message']}" for d in diagnostics)


def expect(diagnostics, code, path, at, severity="error") -> dict:
    """The diagnostic `code` at `path`:line:col; fails with the whole report otherwise."""
    COVERED.add(code)
    found = [d for d in diagnostics if d["code"] == code and d["path"] == path and (d["line"], d["col"]) == tuple(at)]
    assert found, f"expected {severity} {code} at {path}:{at[0]}:{at[1]}; check reported:\n{lines(diagnostics)}"
    assert found[0]["severity"] == severity
    return found[0]


def errors(diagnostics) -> list[tuple[str, str, int, int]]:
    return sorted((d["code"], d["path"], d["line"], d["col"]) for d in diagnostics if d["severity"] == "error")


def codes(diagnostics, severity: str | None = None) -> set[str]:
    return {d["code"] for d in diagnostics if severity is None or d["severity"] == severity}


def new_record(record_id: str = "CPL-2026-002", day: str = "2026-04-01", extra: str = "") -> str:
    return (f"id: {record_id}\nform: QR-02-01\ndate: {day}\ncustomer: 测试客户\nreceived: {day}\n"
            f"category: 服务\n{extra}")


OBSOLETE_QP03 = """---
id: QP-03
title: 旧版投诉处理规定
level: 2
version: A0
status: obsolete
owner: 质量部
prepared_by: {name: 唐振宇, date: 2023-01-02}
approved_by: {name: 林秀琴, date: 2023-01-10}
effective: 2023-02-01
obsoleted: 2025-07-01
review_period_months: 12
distribution:
  - {department: 质量部, copies: 1, copy_numbers: ["01"]}
revisions:
  - {version: A0, date: 2023-01-10, sections: 全文, change: 首次发布, approved_by: 林秀琴}
related_documents: []
related_forms: []
---
已作废。
"""


# --- the minimal manual ------------------------------------------------------------------------


def test_minimal_manual_passes_with_zero_errors(repo, run_check):
    code, diagnostics = run_check(repo)
    assert code == 0, lines(diagnostics)
    assert errors(diagnostics) == []
    # a temporary folder is not a git repository: the only finding is the change-control warning
    assert [(d["code"], d["severity"], d["path"]) for d in diagnostics] == [("SB413", "warning", ".")]


def test_minimal_manual_model(repo):
    result = pipeline.check(repo, date(2026, 11, 23))
    manual = result.manual
    assert manual is not None
    assert [d.id for d in manual.documents] == ["QP-01", "QP-02", "WI-01"]
    assert [f.id for f in manual.forms] == ["QR-02-01", "QR-02-02"]
    assert sorted(r.id for r in manual.records) == ["CAR-2026-001", "CPL-2025-001", "CPL-2026-001"]
    record = next(r for r in manual.records if r.id == "CPL-2025-001")
    # schema-guided typing: integer, number and boolean fields become numbers and booleans, text stays text
    assert record.values["quantity"] == 12 and type(record.values["quantity"]) is int
    assert record.values["amount"] == 350.5
    assert record.values["urgent"] is False
    assert record.values["customer"] == "华东分公司"
    assert record.date == date(2025, 9, 15)
    doc = manual.document("QP-01")
    assert doc.level == 2 and doc.version == "A1" and doc.effective == date(2026, 1, 1)
    assert doc.body_line == 24  # the body starts after the closing '---' on line 23


def test_diagnostics_are_sorted_and_paths_relative(repo, edit, run_check):
    edit.replace(repo, DOC2, "owner: 客户服务部", "owner: 不存在部")
    edit.replace(repo, REC1, "date: 2025-09-15", "date: 2025-09-31")
    code, diagnostics = run_check(repo)
    assert code == 1
    keys = [(d["path"], d["line"], d["col"], d["code"]) for d in diagnostics]
    assert keys == sorted(keys)
    for d in diagnostics:
        assert not Path(d["path"]).is_absolute() and "\\" not in d["path"] and str(repo) not in d["path"]
        assert set(d) == {"path", "line", "col", "severity", "code", "message"}
        assert d["line"] >= 1 and d["col"] >= 1


# --- SB1xx: loading ----------------------------------------------------------------------------


def test_sb100_symlink_in_content_folder(repo, run_check):
    link = repo / "records/QR-02-01/CPL-2026-009.yaml"
    link.symlink_to(repo / REC2)
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB100", "records/QR-02-01/CPL-2026-009.yaml", (1, 1))


@pytest.mark.parametrize("folder", ["procedures", "forms", "records/QR-02-01", "schemas"])
def test_sb100_symlinked_folder_in_content_folder(repo, run_check, tmp_path, folder):
    """F03: a link to a folder was skipped silently; now it is refused like a linked file."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "QP-77-elsewhere.md").write_text("---\nid: QP-77\n---\n", encoding="utf-8")
    (repo / folder / "linked").symlink_to(outside)
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB100", f"{folder}/linked", (1, 1))
    assert "symbolic links to folders" in found["message"]
    assert not [d for d in diagnostics if "QP-77" in d["path"] + d["message"]]  # never followed


def test_sb100_content_folder_itself_a_symlink(repo, run_check, tmp_path):
    shutil.move(repo / "forms", tmp_path / "forms")
    (repo / "forms").symlink_to(tmp_path / "forms")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB100", "forms", (1, 1))


def test_sb100_missing_settings_file(repo, edit, run_check):
    edit.remove(repo, "qms.yaml")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB100", "qms.yaml", (1, 1))


def test_sb101_legacy_encoding(repo, edit, run_check):
    at = edit.pos(repo, REC1, "华东分公司")  # everything before it is ASCII; its first GBK byte is no UTF-8 lead byte
    edit.write(repo, REC1, edit.read(repo, REC1).encode("gbk"))
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB101", REC1, at)
    assert errors(diagnostics) == [("SB101", REC1, *at)]


def test_sb102_bom_is_a_warning_only(repo, edit, run_check):
    edit.write(repo, REC1, b"\xef\xbb\xbf" + (repo / REC1).read_bytes())
    code, diagnostics = run_check(repo)
    assert code == 0, lines(diagnostics)
    expect(diagnostics, "SB102", REC1, (1, 1), severity="warning")


def test_sb103_nul_in_a_document_body(repo, edit, run_check):
    edit.replace(repo, DOC1, "质量部负责", "质量部\x00负责")
    at = edit.pos(repo, DOC1, "\x00")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB103", DOC1, at)


def test_sb104_file_over_the_size_limit(repo, edit, run_check):
    edit.replace(repo, "qms.yaml", "max_file_bytes: 65536", "max_file_bytes: 2048")  # every fixture file is smaller
    edit.write(repo, NEW_REC, new_record(extra="description: " + "很长" * 400 + "\n"))  # 2,400 bytes of text alone
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB104", NEW_REC, (1, 1))
    assert errors(diagnostics) == [("SB104", NEW_REC, 1, 1)]


def test_sb105_syntax_error(repo, edit, run_check):
    edit.replace(repo, REC1, "handled_by: 孙悦\n", "handled_by: 孙悦\n\tnote: x\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB105", REC1, edit.pos(repo, REC1, "\tnote"))


def test_sb106_duplicate_key_in_front_matter(repo, edit, run_check):
    edit.replace(repo, DOC2, "owner: 客户服务部\n", "owner: 客户服务部\ntitle: 另一个标题\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB106", DOC2, edit.pos(repo, DOC2, "title: 另一个标题"))
    assert "'title'" in found["message"]


def test_sb107_anchor(repo, edit, run_check):
    edit.replace(repo, REC1, "customer: 华东分公司", "customer: &c 华东分公司\ncontact_copy: *c")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB107", REC1, edit.pos(repo, REC1, "&c"))


def test_sb108_explicit_tag(repo, edit, run_check):
    edit.replace(repo, REC1, "quantity: 12", "quantity: !!int 12")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB108", REC1, edit.pos(repo, REC1, "!!int"))


def test_sb109_second_document(repo, edit, run_check):
    edit.append(repo, REC2, "---\nid: CPL-2026-003\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB109", REC2, edit.pos(repo, REC2, "---\n"))


def test_sb110_empty_file(repo, edit, run_check):
    edit.write(repo, NEW_REC, "# nothing yet\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB110", NEW_REC, (1, 1))


def test_sb111_top_level_list(repo, edit, run_check):
    edit.write(repo, NEW_REC, "- id: CPL-2026-002\n- form: QR-02-01\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB111", NEW_REC, (1, 1))


def test_sb112_collection_key(repo, edit, run_check):
    edit.append(repo, REC2, "[handled_by]: 孙悦\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB112", REC2, edit.pos(repo, REC2, "[handled_by]"))


def test_sb113_nesting_deeper_than_the_configured_limit(repo, edit, run_check):
    # qms.yaml limits.max_depth is 16: the record's mapping is level 1, so the 16th '[' would open level 17
    edit.append(repo, REC2, "extra: " + "[" * 20 + "]" * 20 + "\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    line, col = edit.pos(repo, REC2, "extra: ")
    expect(diagnostics, "SB113", REC2, (line, col + len("extra: ") + 15))


def test_sb113_limit_comes_from_qms_yaml(repo, edit, run_check):
    edit.append(repo, REC2, "extra: " + "[" * 20 + "]" * 20 + "\n")
    edit.replace(repo, "qms.yaml", "max_depth: 16", "max_depth: 32")
    code, diagnostics = run_check(repo)
    assert "SB113" not in codes(diagnostics)
    # still an error: the record schema has no key 'extra' (SB202), but the file was read
    assert codes(diagnostics, "error") == {"SB202"}


def test_sb114_front_matter_missing(repo, edit, run_check):
    edit.write(repo, "procedures/QP-03-notes.md", "# 备忘\n\n没有文件头。\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB114", "procedures/QP-03-notes.md", (1, 1))


def test_sb114_front_matter_not_closed(repo, edit, run_check):
    text = edit.read(repo, WI1).replace("---\n## 1 受理", "## 1 受理")
    edit.write(repo, WI1, text)
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB114", WI1, (1, 1))


@pytest.mark.parametrize("stray", ["forms/QR-02-01.yaml~", "procedures/notes.txt", "records/QR-02-01/.DS_Store",
                                   "forms/QR-02-03.json"])
def test_sb115_unexpected_file_is_a_warning(repo, edit, run_check, stray):
    edit.write(repo, stray, "x\n")
    code, diagnostics = run_check(repo)
    assert code == 0, lines(diagnostics)
    expect(diagnostics, "SB115", stray, (1, 1), severity="warning")


def test_sb115_readme_and_gitkeep_are_not_reported(repo, edit, run_check):
    edit.write(repo, "records/QR-02-01/README.md", "# 说明\n")
    edit.write(repo, "forms/.gitkeep", "")
    code, diagnostics = run_check(repo)
    assert code == 0 and "SB115" not in codes(diagnostics)


# --- SB2xx: schemas (S group) ------------------------------------------------------------------


@pytest.mark.parametrize("path, old, new, at", [
    # `at`: the part of `new` the diagnostic points at (a scalar's value; the key of a list or mapping)
    (DOC1, "level: 2", 'level: "2"', '"2"'),                                   # S01 quoted number
    (DOC1, "level: 2", "level: 02", "02"),                                     # leading zero: no integer
    (DOC1, "review_period_months: 24", "review_period_months: 1.5", "1.5"),
    (DOC1, "title: 文件控制程序", "title: [文件, 控制]", "title"),              # S01 list for a string
    (DOC1, "prepared_by: {name: 唐振宇, date: 2025-12-01}", "prepared_by: 唐振宇", "唐振宇"),  # text for an object
    (DOC1, "status: effective", "status: Effective", "Effective"),            # S04 never case-folded
    (DOC1, "status: effective", "status: 'effective '", "'effective '"),       # S04 trailing space
    (FORM1, "required: true}\n  contact", "required: yes}\n  contact", "yes"),  # YAML 1.2: yes is text
    (REC1, "amount: 350.5", "amount: .inf", ".inf"),                           # S09
    (REC1, "amount: 350.5", "amount: .nan", ".nan"),
    (REC1, "amount: 350.5", "amount: 1e309", "1e309"),
    (REC1, "quantity: 12", "quantity: 0x1F", "0x1F"),
    (REC1, "quantity: 12", "quantity: 12.0", "12.0"),
    (REC1, "urgent: false", "urgent: no", "no"),
    (REC1, "category: 产品质量", "category: 产品 质量", "产品 质量"),               # choice outside its list
    (REC1, "quantity: 12", "quantity: -1", "-1"),                               # minimum from the form
])
def test_sb200_value_does_not_match_the_schema(repo, edit, run_check, path, old, new, at):
    edit.replace(repo, path, old, new)
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB200", path, edit.pos(repo, path, new, new.index(at)))


def test_s04_enum_error_lists_the_allowed_values(repo, edit, run_check):
    edit.replace(repo, DOC1, "status: effective", "status: Effective")
    _, diagnostics = run_check(repo)
    message = expect(diagnostics, "SB200", DOC1, edit.pos(repo, DOC1, "Effective"))["message"]
    for allowed in ("draft", "in_review", "approved", "effective", "obsolete"):
        assert allowed in message


@pytest.mark.parametrize("path, old, new", [
    (REC1, "urgent: false", "urgent: False"),      # booleans where the schema asks for one
    (REC1, "urgent: false", "urgent: TRUE"),
    (REC1, "quantity: 12", "quantity: +12"),
    (REC1, "amount: 350.5", "amount: 0"),
    (REC1, "customer: 华东分公司", "customer: 0012"),  # a number-looking value in a text field stays text
    (REC1, "customer: 华东分公司", "customer: NO"),
])
def test_sb200_passing_values(repo, edit, run_check, path, old, new):
    edit.replace(repo, path, old, new)
    code, diagnostics = run_check(repo)
    assert code == 0, lines(diagnostics)


def test_plain_text_keeps_its_spelling_in_the_model(repo, edit):
    edit.replace(repo, REC1, "customer: 华东分公司", "customer: 0012")
    edit.replace(repo, REC1, "handled_by: 孙悦", "handled_by: 2.10")
    manual = pipeline.check(repo, date(2026, 11, 23)).manual
    record = next(r for r in manual.records if r.id == "CPL-2025-001")
    assert record.values["customer"] == "0012" and record.values["handled_by"] == "2.10"


def test_sb201_required_key_missing_top_level(repo, edit, run_check):
    edit.replace(repo, DOC2, "owner: 客户服务部\n", "")
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB201", DOC2, (2, 1))  # the front-matter mapping starts on file line 2
    assert "'owner'" in found["message"]


def test_sb201_required_key_missing_nested(repo, edit, run_check):
    edit.replace(repo, DOC1, "prepared_by: {name: 唐振宇, date: 2025-12-01}", "prepared_by: {name: 唐振宇}")
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB201", DOC1, edit.pos(repo, DOC1, "prepared_by:"))
    assert "'date'" in found["message"]


def test_sb201_required_record_field_missing(repo, edit, run_check):
    edit.replace(repo, REC2, "category: 交付\n", "")
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB201", REC2, edit.pos(repo, REC2, "id: CPL-2026-001"))
    assert "'category'" in found["message"]


def test_sb201_required_key_missing_in_a_list_item(repo, edit, run_check):
    entry = "{version: A1, date: 2025-12-10, sections: \"4.2\", change: 增加电子文件的控制, approved_by: 周启航}"
    edit.replace(repo, DOC1, entry, entry.replace(" change: 增加电子文件的控制,", ""))
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB201", DOC1, edit.pos(repo, DOC1, "{version: A1"))  # the entry's '{'
    assert "revisions[1]" in found["message"] and "'change'" in found["message"]


def test_sb407_a_released_revision_entry_without_its_approver(repo, edit, run_check):
    """approved_by is not required by the schema (the open draft's entry has none yet), but every
    released version's entry needs it: SB407 at the entry."""
    entry = "{version: A1, date: 2025-12-10, sections: \"4.2\", change: 增加电子文件的控制, approved_by: 周启航}"
    edit.replace(repo, DOC1, entry, entry.replace(", approved_by: 周启航", ""))
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB407", DOC1, edit.pos(repo, DOC1, "{version: A1"))
    assert "revision entry A1 has no approved_by" in found["message"]


@pytest.mark.parametrize("typo, correct", [("staus", "status"), ("owenr", "owner")])
def test_sb202_s06_misspelled_key_with_did_you_mean(repo, edit, run_check, typo, correct):
    line = next(x for x in edit.read(repo, DOC1).splitlines() if x.startswith(correct + ":"))
    edit.replace(repo, DOC1, line + "\n", line.replace(correct, typo, 1) + "\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB202", DOC1, edit.pos(repo, DOC1, typo + ": "))  # the key, not its value
    assert f"did you mean '{correct}'" in found["message"]
    assert f"'{typo}'" in found["message"]
    expect(diagnostics, "SB201", DOC1, (2, 1))  # and the real key is missing


def test_sb202_misspelled_mapping_key_points_at_the_key(repo, edit, run_check):
    edit.replace(repo, DOC1, "approved_by: {name: 周启航", "aproved_by: {name: 周启航")
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB202", DOC1, edit.pos(repo, DOC1, "aproved_by"))
    assert "did you mean 'approved_by'" in found["message"]


def test_sb202_unknown_record_field(repo, edit, run_check):
    edit.append(repo, REC2, "handeld_by: 孙悦\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB202", REC2, edit.pos(repo, REC2, "handeld_by"))
    assert "did you mean 'handled_by'" in found["message"]


def test_sb202_unknown_keys_point_at_the_key_whatever_the_value(repo, edit, run_check):
    """S06: a scalar value and a mapping value used to be reported at the value and at the key."""
    edit.replace(repo, WI1, "status: effective\n", "status: effective\nstaus: draft\n")
    edit.replace(repo, WI1, "approved_by: {name: 郑嘉怡", "aproved_by: {name: 郑嘉怡")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB202", WI1, (7, 1))  # 'staus: draft' is the new line 7
    expect(diagnostics, "SB202", WI1, (11, 1))  # 'aproved_by: {...}' moved from line 10 to 11


@pytest.mark.parametrize("written", ["2024-02-30", "'2024-02-30'", '"2023-02-29"', "2023-02-29", "0000-00-00",
                                     "2025-13-01", "2025-04-31"])
def test_sb203_s02_s03_impossible_dates(repo, edit, run_check, written):
    edit.replace(repo, CAR, "closed: 2026-04-01", f"closed: {written}")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB203", CAR, edit.pos(repo, CAR, written))
    assert errors(diagnostics) == [("SB203", CAR, *edit.pos(repo, CAR, written))]


def test_sb203_in_front_matter(repo, edit, run_check):
    edit.replace(repo, DOC1, "effective: 2026-01-01", "effective: 2026-02-30")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB203", DOC1, edit.pos(repo, DOC1, "2026-02-30"))


@pytest.mark.parametrize("written", ["2024-02-29", "'2024-02-29'", "2000-02-29"])
def test_sb203_leap_days_pass(repo, edit, run_check, written):
    edit.replace(repo, CAR, "closed: 2026-04-01", f"closed: {written}")
    code, diagnostics = run_check(repo)
    assert code == 0, lines(diagnostics)


@pytest.mark.parametrize("written", ["2024-02-29T25:00", "2024-2-9", "29.02.2024", "20240229"])
def test_dates_in_other_shapes_are_refused(repo, edit, run_check, written):
    edit.replace(repo, CAR, "closed: 2026-04-01", f"closed: '{written}'")
    code, diagnostics = run_check(repo)
    assert code == 1
    assert codes(diagnostics, "error") & {"SB200", "SB203"}
    assert all(d["line"] == edit.pos(repo, CAR, written)[0] for d in diagnostics if d["severity"] == "error")


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.parametrize("ref", ["https://json-schema.org/draft/2020-12/schema", "https://example.com/x.json#/a",
                                 "file:///etc/passwd", "../outside.schema.json", "//example.com/x.json"])
def test_sb204_s07_remote_ref_refused_without_network(repo, edit, run_check, no_network, ref):
    edit.write(repo, "schemas/extra.schema.json", json.dumps({"$defs": {"x": {"$ref": ref}}}) + "\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB204", "schemas/extra.schema.json", (1, 1))
    assert ref in found["message"]


def test_sb204_s07_validator_never_fetches(repo, no_network):
    schemas, problems = load_schemas(repo / "schemas")
    assert problems == [] and schemas is not None
    validator = schemas.validator({"$ref": "https://example.com/remote.schema.json"})
    found = schema_diagnostics("forms/x.yaml", {"a": "1"}, validator)
    assert [(d.code, d.path) for d in found] == [("SB204", "forms/x.yaml")]


def test_sb204_local_refs_resolve(repo, no_network):
    schemas, _ = load_schemas(repo / "schemas")
    validator = schemas.validator({"$ref": "common.schema.json#/$defs/date"})
    assert [d.code for d in schema_diagnostics("x.yaml", "2024-02-30", validator)] == ["SB203"]
    assert schema_diagnostics("x.yaml", "2024-02-29", validator) == []


@pytest.mark.parametrize("content", ['{"type": 12}\n', "{not json\n", '{"properties": {"a": {"minLength": -1}}}\n'])
def test_sb204_invalid_schema_file(repo, edit, run_check, content):
    edit.write(repo, "schemas/extra.schema.json", content)
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB204", "schemas/extra.schema.json", (1, 1))


def test_sb204_core_schema_missing(repo, edit, run_check):
    edit.remove(repo, "schemas/form.schema.json")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB204", "schemas/form.schema.json", (1, 1))


def test_sb205_stale_record_schema_is_a_warning(repo, edit, run_check):
    edit.replace(repo, FORM1, "handled_by: {label: 受理人, type: string}", "handled_by: {label: 受理人员, type: string}")
    code, diagnostics = run_check(repo)
    assert code == 0, lines(diagnostics)
    expect(diagnostics, "SB205", FORM1, (1, 1), severity="warning")
    assert "SB205" not in {d["code"] for d in diagnostics if d["path"] == FORM2}


def test_sb205_missing_record_schema(repo, edit, run_check):
    edit.remove(repo, "schemas/records/QR-02-02.schema.json")
    code, diagnostics = run_check(repo)
    assert code == 0
    expect(diagnostics, "SB205", FORM2, (1, 1), severity="warning")


def test_schema_errors_are_capped_per_file(repo, edit, run_check):
    entries = "".join(f'  - {{department: 质量部, copies: 0, copy_numbers: ["{n:02d}"]}}\n' for n in range(1, 26))
    text = edit.read(repo, DOC1)
    start, end = text.index("distribution:\n") + len("distribution:\n"), text.index("revisions:\n")
    edit.write(repo, DOC1, text[:start] + entries + text[end:])
    code, diagnostics = run_check(repo)
    assert code == 1
    mine = [d for d in diagnostics if d["path"] == DOC1 and d["code"] == "SB200"]
    assert len(mine) == 21  # 20 of the 25 'copies: 0' errors, then one line for the rest
    assert sum("5 more schema errors" in d["message"] for d in mine) == 1


# --- SB3xx: identity and references (R group) ---------------------------------------------------


def test_sb300_document_number_for_its_level(repo, edit, run_check):
    edit.replace(repo, DOC1, "level: 2", "level: 3")
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB300", DOC1, (2, 5))
    assert "^WI-[0-9]{2}$" in found["message"]


def test_sb300_record_prefix_of_its_form(repo, edit, run_check):
    edit.replace(repo, REC1, "id: CPL-2025-001", "id: CPX-2025-001")
    shutil.move(repo / REC1, repo / "records/QR-02-01/CPX-2025-001.yaml")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB300", "records/QR-02-01/CPX-2025-001.yaml", (2, 5))


def test_sb300_form_number_pattern(repo, edit, run_check):
    edit.replace(repo, FORM2, "id: QR-02-02", "id: QR-2-02")
    shutil.move(repo / FORM2, repo / "forms/QR-2-02.yaml")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB300", "forms/QR-2-02.yaml", (2, 5))


def test_sb301_record_number_with_fullwidth_digits(repo, edit, run_check):
    edit.replace(repo, REC2, "id: CPL-2026-001", "id: CPL-２０２６-001")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB301", REC2, (2, 5))


def test_sb302_r01_duplicate_document_number_names_both_files(repo, edit, run_check):
    copy = "procedures/archive/QP-01-old.md"
    edit.write(repo, copy, edit.read(repo, DOC1))
    code, diagnostics = run_check(repo)
    assert code == 1
    assert copy in expect(diagnostics, "SB302", DOC1, (2, 5))["message"]
    assert DOC1 in expect(diagnostics, "SB302", copy, (2, 5))["message"]


def test_sb302_r01_duplicate_after_nfkc(repo, edit, run_check):
    copy = "procedures/QP-01-copy.md"
    edit.write(repo, copy, edit.read(repo, DOC1).replace("id: QP-01\n", 'id: "ＱＰ－０１"\n'))
    code, diagnostics = run_check(repo)
    assert code == 1
    assert copy in expect(diagnostics, "SB302", DOC1, (2, 5))["message"]
    assert DOC1 in expect(diagnostics, "SB302", copy, (2, 5))["message"]
    expect(diagnostics, "SB301", copy, (2, 5))


def test_sb302_seeds_two_forms_with_the_same_number(repo, edit, run_check):
    """The seed documents' real problem: two different forms numbered alike must fail on both files."""
    other = "forms/archive/QR-02-02.yaml"
    edit.write(repo, other, edit.read(repo, FORM2).replace("title: 纠正预防措施报告", "title: 客户退货记录"))
    code, diagnostics = run_check(repo)
    assert code == 1
    assert other in expect(diagnostics, "SB302", FORM2, (2, 5))["message"]
    assert FORM2 in expect(diagnostics, "SB302", other, (2, 5))["message"]


def test_sb302_two_records_with_one_number(repo, edit, run_check):
    edit.replace(repo, REC2, "id: CPL-2026-001", "id: CPL-2025-001")
    code, diagnostics = run_check(repo)
    assert code == 1
    assert REC2 in expect(diagnostics, "SB302", REC1, (2, 5))["message"]  # line 1 is the $schema comment
    assert REC1 in expect(diagnostics, "SB302", REC2, (2, 5))["message"]
    expect(diagnostics, "SB309", REC2, (2, 5))


@pytest.mark.parametrize("path, old, new, needle", [
    (DOC1, "related_documents: [QP-02]", "related_documents: [QP-02, QP-99]", "QP-99"),    # R04
    (DOC1, "supersedes: []", "supersedes: [QP-98]", "QP-98"),
    (FORM2, "procedure: QP-02", "procedure: QP-97", "QP-97"),
    (CAR, "procedure: QP-02", "procedure: QP-96", "QP-96"),                               # document_ref field
])
def test_sb303_r04_reference_to_unknown_document(repo, edit, run_check, path, old, new, needle):
    edit.replace(repo, path, old, new)
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB303", path, edit.pos(repo, path, needle))
    assert needle in found["message"]
    assert errors(diagnostics) == [("SB303", path, *edit.pos(repo, path, needle))]


def test_sb304_r02_record_of_a_missing_form(repo, edit, run_check):
    orphan = "records/QR-09-09/XYZ-2026-001.yaml"
    edit.write(repo, orphan, "id: XYZ-2026-001\nform: QR-09-09\ndate: 2026-05-01\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB304", orphan, (2, 7))
    assert "QR-09-09" in found["message"]


def test_sb304_related_form_unknown(repo, edit, run_check):
    edit.replace(repo, DOC2, "related_forms: [QR-02-01, QR-02-02]", "related_forms: [QR-02-01, QR-02-09]")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB304", DOC2, edit.pos(repo, DOC2, "QR-02-09"))


def test_records_of_an_invalid_form_are_one_warning_not_an_sb304_each(repo, edit, run_check):
    edit.replace(repo, FORM2, "status: effective", "status: valid")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB200", FORM2, edit.pos(repo, FORM2, "valid"))
    expect(diagnostics, "SB116", FORM2, (1, 1), severity="warning")
    assert not [d for d in diagnostics if d["path"] == CAR]


@pytest.mark.parametrize("value", ["CPL-2026-099", "CAR-2026-001"])  # missing; a record of the wrong form
def test_sb305_record_reference(repo, edit, run_check, value):
    edit.replace(repo, CAR, "complaint: CPL-2026-001", f"complaint: {value}")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB305", CAR, edit.pos(repo, CAR, f"complaint: {value}", len("complaint: ")))


@pytest.mark.parametrize("path, old, new", [
    (DOC2, "owner: 客户服务部", "owner: 不存在部"),
    (DOC1, "{department: 客户服务部, copies: 2", "{department: 不存在部, copies: 2"),
    (FORM2, "owner: 质量部", "owner: 不存在部"),
])
def test_sb306_unknown_department(repo, edit, run_check, path, old, new):
    edit.replace(repo, path, old, new)
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB306", path, edit.pos(repo, path, "不存在部"))
    assert codes(diagnostics, "error") == {"SB306"}


@pytest.mark.parametrize("path, old, new", [
    (DOC1, "prepared_by: {name: 唐振宇", "prepared_by: {name: 张三"),
    (DOC1, "reviewed_by: {name: 郑嘉怡", "reviewed_by: {name: 张三"),
    (DOC2, "change: 首次发布, approved_by: 林秀琴}", "change: 首次发布, approved_by: 张三}"),
    (FORM2, "change: 首次发布, approved_by: 林秀琴}", "change: 首次发布, approved_by: 张三}"),
])
def test_sb307_unknown_person(repo, edit, run_check, path, old, new):
    edit.replace(repo, path, old, new)
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB307", path, edit.pos(repo, path, "张三"))


def test_sb308_r06_effective_document_refers_to_an_obsolete_one(repo, edit, run_check):
    edit.write(repo, "procedures/QP-03-old-complaints.md", OBSOLETE_QP03)
    edit.replace(repo, DOC1, "related_documents: [QP-02]", "related_documents: [QP-02, QP-03]")
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB308", DOC1, edit.pos(repo, DOC1, "QP-03"))
    assert "obsolete" in found["message"]
    assert errors(diagnostics) == [("SB308", DOC1, *edit.pos(repo, DOC1, "QP-03"))]


def test_sb308_hint_names_the_document_that_supersedes_the_one_referred_to(repo, edit, run_check):
    edit.write(repo, "procedures/QP-03-old-complaints.md", OBSOLETE_QP03)
    edit.replace(repo, DOC2, "related_documents: [QP-01]", "related_documents: [QP-01]\nsupersedes: [QP-03]")
    edit.replace(repo, DOC1, "related_documents: [QP-02]", "related_documents: [QP-02, QP-03]")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB308", DOC1, edit.pos(repo, DOC1, "QP-03"))
    [found] = [d for d in pipeline.check(repo, date(2026, 11, 23)).diagnostics if d.code == "SB308"]
    assert found.hint.startswith("refer to QP-02, which supersedes QP-03"), found.hint


def test_sb317_a_body_citation_of_an_obsolete_or_unknown_document_is_a_warning_outside_code(repo, edit, run_check):
    edit.write(repo, "procedures/QP-03-old-complaints.md", OBSOLETE_QP03)
    text = (repo / DOC1).read_text(encoding="utf-8")
    (repo / DOC1).write_text(text + "\n按《旧版投诉处理规定》（QP-03）和 QP-77 执行，代码 `QP-03` 不算。\n", encoding="utf-8")
    code, diagnostics = run_check(repo)
    assert code == 0  # warnings only (errors under build --release)
    found = expect(diagnostics, "SB317", DOC1, edit.pos(repo, DOC1, "QP-03）和"), severity="warning")
    assert "QP-03, which is obsolete" in found["message"]
    unknown = expect(diagnostics, "SB317", DOC1, edit.pos(repo, DOC1, "QP-77"), severity="warning")
    assert "QP-77, which is not a document" in unknown["message"]
    assert len([d for d in diagnostics if d["code"] == "SB317"]) == 2


def test_sb318_a_department_with_duties_must_hold_the_document(repo, edit, run_check):
    edit.replace(repo, DOC1, "质量部负责文件的登记和发放。", "质量部负责文件的登记和发放，总经理室批准。")
    code, diagnostics = run_check(repo)
    assert code == 0
    found = expect(diagnostics, "SB318", DOC1, edit.pos(repo, DOC1, "总经理室批准"), severity="warning")
    assert "总经理室" in found["message"]
    edit.replace(repo, DOC1, '  - {department: 质量部, copies: 1, copy_numbers: ["01"]}',
                 '  - {department: 质量部, copies: 1, copy_numbers: ["01"]}\n  - {department: 总经理室, copies: 1, copy_numbers: ["09"]}')
    assert "SB318" not in codes(run_check(repo)[1])


@pytest.mark.parametrize("status", ["draft", "in_review"])
def test_sb308_effective_document_refers_to_an_unreleased_one(repo, edit, run_check, status):
    edit.replace(repo, DOC2, "status: effective", f"status: {status}")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB308", DOC1, edit.pos(repo, DOC1, "related_documents: [QP-02]", len("related_documents: [")))


def test_sb308_passes_for_approved_and_for_the_superseding_document(repo, edit, run_check):
    edit.write(repo, "procedures/QP-03-old-complaints.md", OBSOLETE_QP03)
    edit.replace(repo, DOC2, "related_documents: [QP-01]", "related_documents: [QP-01]\nsupersedes: [QP-03]")
    code, diagnostics = run_check(repo)
    assert code == 0, lines(diagnostics)


def test_sb316_r07_effective_document_supersedes_a_still_effective_one(repo, edit, run_check):
    edit.replace(repo, DOC2, "related_documents: [QP-01]", "related_documents: [QP-01]\nsupersedes: [WI-01]")
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB316", DOC2, edit.pos(repo, DOC2, "supersedes: [WI-01]", len("supersedes: [")))
    assert "WI-01" in found["message"] and "still effective" in found["message"]
    assert errors(diagnostics) == [("SB316", DOC2, *edit.pos(repo, DOC2, "WI-01]"))]


@pytest.mark.parametrize("superseding, superseded", [("draft", "effective"), ("effective", "obsolete")])
def test_sb316_passes_until_both_are_effective(repo, edit, run_check, superseding, superseded):
    edit.write(repo, "procedures/QP-03-old-complaints.md", OBSOLETE_QP03.replace("status: obsolete", f"status: {superseded}")
               .replace("obsoleted: 2025-07-01\n", "obsoleted: 2025-07-01\n" if superseded == "obsolete" else ""))
    edit.replace(repo, DOC2, "related_documents: [QP-01]", "related_documents: [QP-01]\nsupersedes: [QP-03]")
    if superseding == "draft":
        edit.replace(repo, DOC2, "status: effective", "status: draft")
    code, diagnostics = run_check(repo)
    assert "SB316" not in codes(diagnostics), lines(diagnostics)


def test_sb309_file_name_does_not_match(repo, run_check):
    moved = "records/QR-02-01/CPL-2025-009.yaml"
    shutil.move(repo / REC1, repo / moved)
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB309", moved, (2, 5))
    assert "CPL-2025-001.yaml" in found["message"]


def test_sb309_document_file_name_prefix(repo, run_check):
    shutil.move(repo / WI1, repo / "procedures/WI-1-phone-intake.md")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB309", "procedures/WI-1-phone-intake.md", (2, 5))


def test_sb310_r05_supersedes_cycle_prints_the_cycle(repo, edit, run_check):
    edit.replace(repo, DOC1, "supersedes: []", "supersedes: [QP-02]")
    edit.replace(repo, DOC2, "related_forms: [QR-02-01, QR-02-02]\n",
                 "related_forms: [QR-02-01, QR-02-02]\nsupersedes: [QP-01]\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    first = expect(diagnostics, "SB310", DOC1, edit.pos(repo, DOC1, "supersedes:"))
    second = expect(diagnostics, "SB310", DOC2, edit.pos(repo, DOC2, "supersedes:"))
    assert "QP-01 -> QP-02 -> QP-01" in first["message"]
    assert "QP-02 -> QP-01 -> QP-02" in second["message"]
    assert "SB316" not in codes(diagnostics)  # both effective, but the cycle is the mistake to fix


def test_sb310_three_document_cycle(repo, edit, run_check):
    edit.replace(repo, DOC1, "supersedes: []", "supersedes: [QP-02]")
    edit.replace(repo, DOC2, "related_forms: [QR-02-01, QR-02-02]\n",
                 "related_forms: [QR-02-01, QR-02-02]\nsupersedes: [WI-01]\n")
    edit.replace(repo, WI1, "related_forms: [QR-02-01]\n", "related_forms: [QR-02-01]\nsupersedes: [QP-01]\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB310", DOC1, edit.pos(repo, DOC1, "supersedes:"))
    assert "QP-01 -> QP-02 -> WI-01 -> QP-01" in found["message"]


def test_sb310_cycle_through_a_later_supersedes_entry(repo, edit, run_check):
    edit.replace(repo, DOC1, "supersedes: []", "supersedes: [WI-01, QP-02]")
    edit.replace(repo, DOC2, "related_forms: [QR-02-01, QR-02-02]\n",
                 "related_forms: [QR-02-01, QR-02-02]\nsupersedes: [QP-01]\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB310", DOC2, edit.pos(repo, DOC2, "supersedes:"))
    assert "QP-02 -> QP-01 -> QP-02" in found["message"]
    assert "QP-01 -> QP-02 -> QP-01" in expect(diagnostics, "SB310", DOC1, edit.pos(repo, DOC1, "supersedes:"))["message"]
    assert {d["path"] for d in diagnostics if d["code"] == "SB310"} == {DOC1, DOC2}  # WI-01 is not on the cycle


def test_sb310_self_supersedes(repo, edit, run_check):
    edit.replace(repo, DOC1, "supersedes: []", "supersedes: [QP-01]")
    code, diagnostics = run_check(repo)
    assert code == 1
    assert "QP-01 -> QP-01" in expect(diagnostics, "SB310", DOC1, edit.pos(repo, DOC1, "supersedes:"))["message"]


def test_sb310_chain_without_cycle_passes(repo, edit, run_check):
    edit.write(repo, "procedures/QP-03-old-complaints.md", OBSOLETE_QP03)
    edit.replace(repo, DOC2, "related_documents: [QP-01]", "related_documents: [QP-01]\nsupersedes: [QP-03]")
    edit.replace(repo, DOC1, "supersedes: []", "supersedes: [QP-02]")
    code, diagnostics = run_check(repo)
    assert "SB310" not in codes(diagnostics)


def test_sb311_copies_and_copy_numbers_disagree(repo, edit, run_check):
    edit.replace(repo, DOC1, 'copies: 2, copy_numbers: ["02", "03"]', 'copies: 2, copy_numbers: ["02"]')
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB311", DOC1, edit.pos(repo, DOC1, 'copies: 2, copy', len("copies: ")))


def test_sb311_copy_number_issued_twice(repo, edit, run_check):
    edit.replace(repo, DOC1, 'copy_numbers: ["02", "03"]', 'copy_numbers: ["01", "03"]')
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB311", DOC1, edit.pos(repo, DOC1, 'copy_numbers: ["01", "03"]'))
    assert "01" in found["message"]


@pytest.mark.parametrize("link", ["[点我](javascript:alert(1))", "![x](data:image/svg+xml;base64,AAAA)",
                                  "[x]( JavaScript:alert(1))", "[x](vbscript:x)"])
def test_sb312_forbidden_link_in_body(repo, edit, run_check, link):
    edit.replace(repo, DOC1, "质量部负责文件的登记和发放。", f"质量部负责文件的登记和发放，{link}。")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB312", DOC1, edit.pos(repo, DOC1, link))


def test_sb312_safe_links_and_code_pass(repo, edit, run_check):
    edit.replace(repo, DOC1, "质量部负责文件的登记和发放。",
                 "见 [官网](https://example.com) 与 [邮件](mailto:qa@example.com)，代码 `[x](javascript:y)`。")
    code, diagnostics = run_check(repo)
    assert code == 0, lines(diagnostics)


def test_sb313_raw_html_is_a_warning(repo, edit, run_check):
    edit.replace(repo, DOC1, "质量部负责文件的登记和发放。", "质量部<b>负责</b>文件的登记和发放。")
    code, diagnostics = run_check(repo)
    assert code == 0, lines(diagnostics)
    expect(diagnostics, "SB313", DOC1, edit.pos(repo, DOC1, "<b>"), severity="warning")


def test_sb315_e06_invisible_characters_in_free_text_are_warnings(repo, edit, run_check):
    edit.replace(repo, WI1, "title: 电话投诉受理作业指导书", "title: 电话\u202e投诉受理\u200b作业指导书")
    edit.replace(repo, WI1, "summary: 电话受理投诉的话术和记录要求。", 'summary: "电话受理\\u2066投诉"')
    edit.append(repo, WI1, "\n记录\u200f内容。 文中的 \\u202e 只是文字。\n")
    edit.replace(repo, REC2, "customer: ", "# 备注\u2060\ncustomer: ")
    code, diagnostics = run_check(repo)
    assert code == 0, lines(diagnostics)  # warnings only
    title = edit.pos(repo, WI1, "电话\u202e")
    expect(diagnostics, "SB315", WI1, (title[0], title[1] + 2), "warning")            # U+202E after 电话
    expect(diagnostics, "SB315", WI1, (title[0], title[1] + 7), "warning")            # U+200B after 投诉受理
    found = expect(diagnostics, "SB315", WI1, edit.pos(repo, WI1, "\\u2066"), "warning")  # an escape in YAML counts
    assert "U+2066" in found["message"] and "escape" in found["message"]
    expect(diagnostics, "SB315", WI1, edit.pos(repo, WI1, "\u200f"), "warning")      # the body
    expect(diagnostics, "SB315", REC2, edit.pos(repo, REC2, "\u2060"), "warning")     # a comment of a record
    assert len([d for d in diagnostics if d["code"] == "SB315"]) == 5  # '\u202e' in a body is text, not a character


def test_sb315_emoji_sequences_and_an_identifier_already_reported(repo, edit, run_check):
    edit.append(repo, WI1, "\n家庭用户 👨\u200d👩\u200d👧 的投诉。\n")  # the joiner is how the family emoji is written
    code, diagnostics = run_check(repo)
    assert "SB315" not in codes(diagnostics), lines(diagnostics)
    edit.replace(repo, WI1, "id: WI-01", "id: WI-\u202e01")
    code, diagnostics = run_check(repo)
    assert "SB301" in codes(diagnostics) and "SB315" not in codes(diagnostics)  # the identifier error, not both


# --- SB4xx: versions, dates, approval (S05, S10, S11) ---------------------------------------------


def test_sb400_version_label_pattern(repo, edit, run_check):
    edit.replace(repo, DOC1, "{version: A0, date: 2024-03-01", "{version: A, date: 2024-03-01")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB400", DOC1, edit.pos(repo, DOC1, "version: A,", len("version: ")))
    assert codes(diagnostics, "error") == {"SB400"}


def test_sb400_float_looking_version(repo, edit, run_check):
    edit.replace(repo, WI1, "version: A0\n", "version: 1.10\n")
    edit.replace(repo, WI1, "{version: A0,", "{version: 1.10,")
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB400", WI1, edit.pos(repo, WI1, "version: 1.10\n", len("version: ")))
    assert "'1.10'" in found["message"]  # never read as the float 1.1


def test_sb401_revision_dates_go_backwards(repo, edit, run_check):
    edit.replace(repo, DOC1, "{version: A1, date: 2025-12-10", "{version: A1, date: 2024-02-10")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB401", DOC1, edit.pos(repo, DOC1, "2024-02-10"))


def test_sb401_versions_not_increasing(repo, edit, run_check):
    edit.replace(repo, DOC1, "{version: A0, date: 2024-03-01", "{version: A10, date: 2024-03-01")
    code, diagnostics = run_check(repo)
    assert code == 1
    # A1 after A10 goes backwards (compared as numbers, never as text or floats)
    expect(diagnostics, "SB401", DOC1, edit.pos(repo, DOC1, "version: A1, date: 2025", len("version: ")))


def test_sb401_a9_then_a10_passes(repo, edit, run_check):
    edit.replace(repo, DOC1, "version: A1\n", "version: A10\n")
    edit.replace(repo, DOC1, "{version: A0,", "{version: A9,")
    edit.replace(repo, DOC1, "{version: A1,", "{version: A10,")
    code, diagnostics = run_check(repo)
    assert code == 0, lines(diagnostics)


def test_sb402_version_differs_from_last_revision(repo, edit, run_check):
    edit.replace(repo, DOC1, "version: A1\n", "version: A2\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB402", DOC1, edit.pos(repo, DOC1, "version: A2", len("version: ")))
    assert codes(diagnostics, "error") == {"SB402"}


def test_sb403_s10_effective_before_approval(repo, edit, run_check):
    edit.replace(repo, DOC1, "effective: 2026-01-01", "effective: 2025-12-09")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB403", DOC1, edit.pos(repo, DOC1, "2025-12-09"))
    assert codes(diagnostics, "error") == {"SB403"}


def test_sb403_approved_before_prepared(repo, edit, run_check):
    edit.replace(repo, WI1, "prepared_by: {name: 孙悦, date: 2025-08-01}", "prepared_by: {name: 孙悦, date: 2025-08-06}")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB403", WI1, edit.pos(repo, WI1, "approved_by: {name: 郑嘉怡, date: 2025-08-05}",
                                               len("approved_by: {name: 郑嘉怡, date: ")))


def test_sb403_same_day_steps_pass(repo, edit, run_check):
    for key in ("prepared_by: {name: 唐振宇, date: 2025-12-01}", "reviewed_by: {name: 郑嘉怡, date: 2025-12-05}"):
        edit.replace(repo, DOC1, key, key[:-11] + "2025-12-10}")
    edit.replace(repo, DOC1, "effective: 2026-01-01", "effective: 2025-12-10")
    code, diagnostics = run_check(repo)
    assert code == 0, lines(diagnostics)


def test_s10_obsolete_before_effective(repo, edit, run_check):
    edit.write(repo, "procedures/QP-03-old-complaints.md", OBSOLETE_QP03.replace("obsoleted: 2025-07-01",
                                                                                "obsoleted: 2023-01-20"))
    code, diagnostics = run_check(repo)
    assert code == 1
    path = "procedures/QP-03-old-complaints.md"
    found = expect(diagnostics, "SB403", path, edit.pos(repo, path, "2023-01-20"))
    assert "2023-02-01" in found["message"]  # names the effective date it contradicts


def test_s10_obsolete_on_the_effective_day_passes(repo, edit, run_check):
    edit.write(repo, "procedures/QP-03-old-complaints.md", OBSOLETE_QP03.replace("obsoleted: 2025-07-01",
                                                                                "obsoleted: 2023-02-01"))
    code, diagnostics = run_check(repo)
    assert code == 0, lines(diagnostics)


def test_sb404_s10_approval_in_the_future(repo, edit, run_check):
    edit.replace(repo, DOC1, "approved_by: {name: 周启航, date: 2025-12-10}", "approved_by: {name: 周启航, date: 2026-12-01}")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB404", DOC1, edit.pos(repo, DOC1, "2026-12-01"))
    expect(diagnostics, "SB403", DOC1, edit.pos(repo, DOC1, "effective: 2026", len("effective: ")))


def test_sb404_last_reviewed_in_the_future(repo, edit, run_check):
    edit.replace(repo, DOC2, "last_reviewed: 2026-06-15", "last_reviewed: 2027-01-15")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB404", DOC2, edit.pos(repo, DOC2, "2027-01-15"))


def test_sb404_record_dated_in_the_future(repo, edit, run_check):
    edit.write(repo, NEW_REC, new_record(day="2027-03-02"))
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB404", NEW_REC, (3, 7))


def test_sb404_record_and_last_reviewed_dated_today_pass(repo, edit, run_check):
    edit.write(repo, NEW_REC, new_record(day="2026-11-23"))
    edit.replace(repo, DOC2, "last_reviewed: 2026-06-15", "last_reviewed: 2026-11-23")
    code, diagnostics = run_check(repo, "2026-11-23")
    assert "SB404" not in codes(diagnostics), lines(diagnostics)


def test_sb404_approval_dated_today_passes(repo, edit, run_check):
    edit.replace(repo, DOC1, "approved_by: {name: 周启航, date: 2025-12-10}", "approved_by: {name: 周启航, date: 2026-11-23}")
    edit.replace(repo, DOC1, "{version: A1, date: 2025-12-10", "{version: A1, date: 2026-11-23")
    edit.replace(repo, DOC1, "effective: 2026-01-01", "effective: 2026-11-23")
    code, diagnostics = run_check(repo, "2026-11-23")
    assert code == 0, lines(diagnostics)


def test_sb404_future_effective_with_status_effective(repo, edit, run_check):
    code, diagnostics = run_check(repo, "2025-12-20")  # QP-01 takes effect on 2026-01-01
    assert code == 1
    expect(diagnostics, "SB404", DOC1, edit.pos(repo, DOC1, "effective: 2026", len("effective: ")))


def test_sb404_future_revision_entry(repo, edit, run_check):
    edit.replace(repo, WI1, "{version: A0, date: 2025-08-05", "{version: A0, date: 2027-08-05")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB404", WI1, edit.pos(repo, WI1, "2027-08-05"))


def test_sb405_s11_approver_is_the_preparer(repo, edit, run_check):
    edit.replace(repo, DOC1, "prepared_by: {name: 唐振宇", "prepared_by: {name: 周启航")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB405", DOC1, edit.pos(repo, DOC1, "approved_by: {name: 周启航", len("approved_by: {name: ")))
    assert codes(diagnostics, "error") == {"SB405"}


def test_sb406_s11_approver_without_authority(repo, edit, run_check):
    edit.replace(repo, DOC1, "approved_by: {name: 周启航", "approved_by: {name: 郑嘉怡")
    edit.replace(repo, DOC1, "reviewed_by: {name: 郑嘉怡", "reviewed_by: {name: 林秀琴")
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB406", DOC1, edit.pos(repo, DOC1, "approved_by: {name: 郑嘉怡", len("approved_by: {name: ")))
    assert "level 2" in found["message"]
    assert codes(diagnostics, "error") == {"SB406"}


def test_sb406_revision_entry_approver_without_authority(repo, edit, run_check):
    edit.replace(repo, DOC2, "change: 首次发布, approved_by: 林秀琴}", "change: 首次发布, approved_by: 唐振宇}")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB406", DOC2, edit.pos(repo, DOC2, "唐振宇"))


def test_sb406_level_3_approver_passes(repo, run_check):
    # WI-01 (level 3) is approved by 郑嘉怡, whose approves_levels is [3]
    code, diagnostics = run_check(repo)
    assert "SB406" not in codes(diagnostics)


def test_sb407_s05_effective_document_without_approver(repo, edit, run_check):
    edit.replace(repo, DOC2, "approved_by: {name: 林秀琴, date: 2025-06-20}\n", "")
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB407", DOC2, edit.pos(repo, DOC2, "status: effective", len("status: ")))
    assert "approved_by" in found["message"]


def test_sb407_effective_document_without_effective_date(repo, edit, run_check):
    edit.replace(repo, WI1, "effective: 2025-08-11\n", "")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB407", WI1, edit.pos(repo, WI1, "status: effective", len("status: ")))


def test_sb407_draft_without_approver_passes(repo, edit, run_check):
    edit.replace(repo, WI1, "status: effective", "status: draft")
    edit.replace(repo, WI1, "approved_by: {name: 郑嘉怡, date: 2025-08-05}\n", "")
    edit.replace(repo, WI1, "effective: 2025-08-11\n", "")
    code, diagnostics = run_check(repo)
    assert code == 0, lines(diagnostics)


def test_sb408_obsolete_without_obsoleted_date(repo, edit, run_check):
    path = "procedures/QP-03-old-complaints.md"
    edit.write(repo, path, OBSOLETE_QP03.replace("obsoleted: 2025-07-01\n", ""))
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB408", path, edit.pos(repo, path, "status: obsolete", len("status: ")))


def test_sb408_obsoleted_date_on_an_effective_document(repo, edit, run_check):
    edit.replace(repo, WI1, "effective: 2025-08-11\n", "effective: 2025-08-11\nobsoleted: 2026-01-01\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB408", WI1, edit.pos(repo, WI1, "2026-01-01"))


def test_sb408_obsolete_document_passes(repo, edit, run_check):
    edit.write(repo, "procedures/QP-03-old-complaints.md", OBSOLETE_QP03)
    code, diagnostics = run_check(repo)
    assert code == 0, lines(diagnostics)


def test_sb409_review_overdue_is_a_warning(repo, edit, run_check):
    # QP-02: last reviewed 2026-06-15, every 12 months -> due 2027-06-15
    code, diagnostics = run_check(repo, "2027-06-16")
    assert code == 0, lines(diagnostics)
    found = expect(diagnostics, "SB409", DOC2, edit.pos(repo, DOC2, "review_period_months: 12", len("review_period_months: ")),
                   severity="warning")
    assert "2027-06-15" in found["message"]
    assert {d["path"] for d in diagnostics if d["code"] == "SB409"} == {DOC2}


def test_sb409_review_due_today_is_not_overdue(repo, run_check):
    code, diagnostics = run_check(repo, "2027-06-15")
    assert code == 0 and "SB409" not in codes(diagnostics)


# --- SB5xx: records and form rules ----------------------------------------------------------------


def test_sb500_r03_record_dated_before_the_form_was_in_force(repo, edit, run_check):
    edit.write(repo, NEW_REC, new_record(day="2025-05-01"))
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB500", NEW_REC, (3, 7))
    assert "2025-07-01" in found["message"]


def test_sb500_record_on_an_old_form_version(repo, edit, run_check):
    edit.write(repo, NEW_REC, new_record(day="2026-02-01", extra="form_version: A0\n"))
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB500", NEW_REC, (3, 7))
    assert "2026-01-01" in found["message"]  # A0 was replaced by A1 on that day


def test_sb500_unknown_form_version(repo, edit, run_check):
    edit.write(repo, NEW_REC, new_record(extra="form_version: A9\n"))
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB500", NEW_REC, edit.pos(repo, NEW_REC, "A9"))


@pytest.mark.parametrize("day, extra", [("2025-07-01", ""), ("2025-12-31", "form_version: A0\n"),
                                        ("2026-01-01", "form_version: A1\n")])
def test_sb500_passes_inside_the_period(repo, edit, run_check, day, extra):
    edit.write(repo, NEW_REC, new_record(day=day, extra=extra))
    code, diagnostics = run_check(repo)
    assert code == 0, lines(diagnostics)


def test_form_field_may_not_redefine_the_record_envelope(repo, edit, run_check):
    edit.replace(repo, FORM1, "  handled_by: {label: 受理人, type: string}\n",
                 "  handled_by: {label: 受理人, type: string}\n  date: {label: 日期, type: text}\n")
    edit.replace(repo, REC2, "date: 2026-03-02", "date: 三月二日")
    code, diagnostics = run_check(repo)  # run_check fails on exit 2 (internal error)
    assert code == 1
    found = expect(diagnostics, "SB200", FORM1, edit.pos(repo, FORM1, "  date:", 2))  # at the offending key
    assert "'date'" in found["message"] and "reserved" in found["message"]
    # the form is invalid, so its records are not checked loosely: one warning names the cause
    expect(diagnostics, "SB116", FORM1, (1, 1), severity="warning")
    assert "SB304" not in codes(diagnostics)


def test_form_field_key_that_is_not_snake_case_is_reported_at_the_key(repo, edit, run_check):
    edit.replace(repo, FORM1, "  handled_by: {label: 受理人, type: string}\n",
                 "  handled_by: {label: 受理人, type: string}\n  HandledAt: {label: 受理时间, type: date}\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB200", FORM1, edit.pos(repo, FORM1, "HandledAt"))
    assert "'HandledAt'" in found["message"] and "snake_case" in found["message"]


def test_invalid_numbering_pattern_is_a_content_error(repo, edit, run_check):
    edit.replace(repo, "qms.yaml", "version: '^[A-Z][0-9]{1,2}$'", "version: '^[A-Z'")
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB200", "qms.yaml", edit.pos(repo, "qms.yaml", "'^[A-Z'"))
    assert "regular expression" in found["message"]


def test_invalid_document_numbering_pattern_is_a_content_error(repo, edit, run_check):
    edit.replace(repo, "qms.yaml", "'^QP-[0-9]{2}$'", "'^QP-(?P<n[0-9]{2}$'")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB200", "qms.yaml", edit.pos(repo, "qms.yaml", "'^QP-(?P"))


def test_record_filed_under_another_form(repo, edit, run_check):
    moved = "records/QR-02-02/CPL-2026-001.yaml"
    shutil.move(repo / REC2, repo / moved)
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB309", moved, edit.pos(repo, moved, "form: QR-02-01", 6))
    assert "records/QR-02-01/CPL-2026-001.yaml" in found["message"]  # the hint names where it belongs


def test_record_directly_in_records_folder(repo, edit, run_check):
    moved = "records/CPL-2026-001.yaml"
    shutil.move(repo / REC2, repo / moved)
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB309", moved, edit.pos(repo, moved, "form: QR-02-01", 6))


def test_record_in_a_subfolder_of_its_form_folder_passes(repo, edit, run_check):
    moved = "records/QR-02-01/2026/CPL-2026-001.yaml"
    (repo / moved).parent.mkdir()
    shutil.move(repo / REC2, repo / moved)
    code, diagnostics = run_check(repo)
    assert code == 0, lines(diagnostics)


def test_sb502_form_rule_names_an_undefined_field(repo, edit, run_check):
    edit.append(repo, FORM1, "rules:\n  item_threshold: {field: scores, below: 60, followup_field: handled_by}\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    found = expect(diagnostics, "SB502", FORM1, edit.pos(repo, FORM1, "scores"))
    assert "'scores'" in found["message"]


def test_sb502_rule_naming_defined_fields_passes(repo, edit, run_check):
    edit.append(repo, FORM1, "rules:\n  reply_deadline: {received_field: received, replied_field: handled_by, "
                "closed_field: received, days: 7}\n")
    code, diagnostics = run_check(repo)
    assert "SB502" not in codes(diagnostics)



def test_sb504_rule_names_a_title_nobody_holds_a_form_that_does_not_exist_or_a_bad_pattern(repo, edit, run_check):
    edit.append(repo, FORM1, "rules:\n  allowed_signers: {field: handled_by, titles: [客服总监], when_field: customer, "
                "when_pattern: '(['}\n"
                "  periodic_list: {period: month, period_field: customer, source_form: QR-09-09, due_days: 10}\n")
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB504", FORM1, edit.pos(repo, FORM1, "客服总监"))
    expect(diagnostics, "SB504", FORM1, edit.pos(repo, FORM1, "'(['"))
    found = expect(diagnostics, "SB504", FORM1, edit.pos(repo, FORM1, "QR-09-09"))
    assert "not a form" in found["message"]


def test_records_of_a_form_that_breaks_its_schema_give_one_warning(repo, edit, run_check):
    edit.replace(repo, FORM1, "record_prefix: CPL", "record_prefix: cpl")
    code, diagnostics = run_check(repo)
    assert code == 1
    assert "SB304" not in codes(diagnostics)
    found = expect(diagnostics, "SB116", FORM1, (1, 1), severity="warning")
    assert "cannot be read or is invalid" in found["message"]

# --- all problems in one run ----------------------------------------------------------------------


def test_one_run_reports_problems_from_every_stage(repo, edit, run_check):
    edit.replace(repo, REC1, "customer: 华东分公司", "customer: &x 华东分公司")          # loading
    edit.replace(repo, CAR, "closed: 2026-04-01", "closed: 2026-04-31")             # schema
    edit.replace(repo, WI1, "owner: 客户服务部", "owner: 售后部")                       # rule
    edit.replace(repo, DOC1, "related_documents: [QP-02]", "related_documents: [QP-02, QP-42]")  # reference
    code, diagnostics = run_check(repo)
    assert code == 1
    expect(diagnostics, "SB107", REC1, edit.pos(repo, REC1, "&x"))
    expect(diagnostics, "SB203", CAR, edit.pos(repo, CAR, "2026-04-31"))
    expect(diagnostics, "SB306", WI1, edit.pos(repo, WI1, "售后部"))
    expect(diagnostics, "SB303", DOC1, edit.pos(repo, DOC1, "QP-42"))


# --- coverage of the code registry ----------------------------------------------------------------

FOUNDATION = ["load/yamlio.py", "load/files.py", "load/sources.py", "load/schemas.py", "load/schema_errors.py",
              "check/run.py", "check/invisible.py", "check/rules/documents.py", "check/rules/identity.py",
              "check/rules/records.py", "check/rules/references.py", "check/rules/duties.py"]


def test_every_emitted_code_is_registered():
    package = Path(dg.__file__).parent
    for module in package.rglob("*.py"):
        for code in re.findall(r'"(SB\d{3})"', module.read_text(encoding="utf-8")):
            assert code in dg.CODES, f"{module.name} emits {code}, which diagnostics.CODES does not list"


def test_every_emitted_code_is_covered(request):
    """Runs last in this module: each code the foundation modules emit was asserted by a test above."""
    package = Path(dg.__file__).parent
    emitted = set()
    for name in FOUNDATION:
        emitted |= set(re.findall(r'"(SB\d{3})"', (package / name).read_text(encoding="utf-8")))
    selected = {item.name.split("[")[0] for item in request.session.items if item.module is request.module}
    if len(selected) < 20:
        pytest.skip("only part of this module was selected")
    missing = emitted - COVERED
    assert not missing, f"codes emitted but never asserted: {sorted(missing)}"


@pytest.mark.parametrize("path", ["records/A/B.yaml", "a.", ".bashrc", "x/y.tar.gz", "noext", "d/.hidden.yaml", "a..b",
                                  "records/A/B..yaml", "x/a.b.", "procedures/QP-01-记录.md"])
def test_file_name_stem_is_the_path_stem(path):
    from pathlib import PurePosixPath

    from site_builder.check.rules.identity import _stem
    assert _stem(path) == PurePosixPath(path).stem
