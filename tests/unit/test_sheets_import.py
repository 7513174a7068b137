"""Spreadsheet import (issue 22): cells as people fill them, and a bad-workbook corpus with one case
per hazard and its diagnostic at the cell.  Every import is planned against the shipped manual and
never written (plan_import writes nothing)."""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sheets_support import DAY, ROOT, codes, column_of, filled, plan_of, survey_row  # noqa: E402

from site_builder.check.run import check  # noqa: E402
from site_builder.sheets import reader  # noqa: E402
from site_builder.sheets.layout import cell_name  # noqa: E402


@pytest.fixture(scope="module")
def shipped():
    result = check(ROOT, DAY)
    assert result.manual is not None
    return result


@pytest.fixture(scope="module")
def survey(shipped):
    return shipped.manual.form("QR-06-01")


def _save(book, tmp_path, name="filled.xlsx") -> Path:
    path = tmp_path / name
    book.save(path)
    return path


def _new(plan) -> list[dict]:
    return [row.data for row in plan.rows if row.kind == "new"]


def test_five_valid_rows_become_five_new_records(shipped, survey, tmp_path):
    plan = plan_of(shipped, survey, _save(filled(survey, [survey_row(n) for n in range(5)]), tmp_path))
    assert plan.errors == 0, plan.diagnostics
    assert plan.count("new") == 5
    assert [row.data["id"] for row in plan.rows] == [f"CSS-2026-{n:03d}" for n in range(31, 36)]
    assert all(text.startswith("# yaml-language-server: $schema=../../schemas/records/QR-06-01.schema.json\nid: CSS-2026-")
               for text in plan.files.values())


def test_rating_not_a_level_stops_the_import_at_its_cell(shipped, survey, tmp_path):
    book = filled(survey, [survey_row(0), survey_row(1, **{"ratings.性能": "还行"})])
    plan = plan_of(shipped, survey, _save(book, tmp_path))
    cell = cell_name(4, column_of(book, "ratings.性能"))
    assert codes(plan) == [("SB200", cell)]
    assert "'还行' is not one of" in plan.diagnostics[0].message
    assert plan.files == {}
    assert plan.diagnostics[0].format_text().startswith(f"{tmp_path / 'filled.xlsx'}:{cell}: error SB200 满意度评价/性能")


def test_every_problem_of_the_file_in_one_run_and_no_personal_value(shipped, survey, tmp_path):
    rows = [survey_row(0, survey_round="夏季调查", contact="王小明" * 200), survey_row(1, date="2026-02-30"),
            survey_row(2, customer="CUS-2099-999"), survey_row(3, **{"ratings.外观": None})]
    plan = plan_of(shipped, survey, _save(filled(survey, rows), tmp_path))
    found = {(d.code, d.cell) for d in plan.diagnostics}
    book = filled(survey, [])
    assert ("SB200", cell_name(3, column_of(book, "survey_round"))) in found
    assert ("SB200", cell_name(3, column_of(book, "contact"))) in found
    assert ("SB203", cell_name(4, column_of(book, "date"))) in found
    assert ("SB305", cell_name(5, column_of(book, "customer"))) in found
    assert ("SB201", cell_name(6, column_of(book, "ratings.外观"))) in found
    text = "\n".join(d.format_text() for d in plan.diagnostics)
    assert "王小明" not in text and plan.files == {}


# --- cells as people fill them ---------------------------------------------------------------

@pytest.mark.parametrize(("typed", "expected"), [
    (datetime(2026, 4, 18), "2026-04-18"),  # a date cell
    (46130, "2026-04-18"),  # an Excel date serial in a cell without a date format
    ("2026-04-18", "2026-04-18"), ("2026/4/18", "2026-04-18"), ("2026年4月18日", "2026-04-18"),
    ("２０２６年４月１８日", "2026-04-18"), (" 2026.4.18\u00a0", "2026-04-18"),
])
def test_dates_as_people_type_them(shipped, survey, tmp_path, typed, expected):
    plan = plan_of(shipped, survey, _save(filled(survey, [survey_row(0, date=typed)]), tmp_path))
    assert plan.errors == 0, plan.diagnostics
    assert _new(plan)[0]["date"] == expected


def test_numbers_stored_as_text_and_text_stored_as_numbers(shipped, tmp_path):
    form = shipped.manual.form("QR-04-01")
    row = {"date": "2026-10-09", "branch": "华东分公司", "quarter": "2026Q4", "filled_by": "莫婷杰"}
    row |= {f"scores.{item}": value for item, value in zip(form.field("scores").items, ["95", "８８", " 90 ", 77, 80.0, "1,00", 85, 86])}
    plan = plan_of(shipped, form, _save(filled(form, [row]), tmp_path))
    assert plan.errors == 0, plan.diagnostics
    assert list(_new(plan)[0]["scores"].values()) == [95, 88, 90, 77, 80.0, 100, 85, 86]
    survey = shipped.manual.form("QR-06-01")
    plan = plan_of(shipped, survey, _save(filled(survey, [survey_row(0, phone=13812345678)]), tmp_path, "p.xlsx"))
    assert _new(plan)[0]["phone"] == "13812345678"
    assert '\nphone: "13812345678"\n' in next(iter(plan.files.values()))


def test_full_width_characters_blanks_and_non_breaking_spaces(shipped, survey, tmp_path):
    row = survey_row(0, customer="ＣＵＳ－２０２５－００１", survey_round="\u3000十月集中调查 ", surveyed_by="\u00a0赵振东\t",
                     **{"ratings.外观": " 满意\u00a0"})
    plan = plan_of(shipped, survey, _save(filled(survey, [row]), tmp_path))
    assert plan.errors == 0, plan.diagnostics
    data = _new(plan)[0]
    assert (data["customer"], data["survey_round"], data["surveyed_by"], data["ratings"]["外观"]) == \
        ("CUS-2025-001", "十月集中调查", "赵振东", "满意")


def test_empty_rows_are_skipped(shipped, survey, tmp_path):
    book = filled(survey, [survey_row(0)])
    sheet = book["记录"]
    for col in range(1, 20):
        sheet.cell(row=7, column=col, value="")  # emptied cells
    sheet.cell(row=5, column=3, value="   ")  # blanks only
    _fill_row(book, 8, survey_row(2))
    plan = plan_of(shipped, survey, _save(book, tmp_path))
    assert plan.errors == 0 and [row.number for row in plan.rows] == [3, 8]


def _fill_row(book, number: int, row: dict) -> None:
    for key, value in row.items():
        book["记录"].cell(row=number, column=column_of(book, key), value=value)


def test_hidden_rows_are_read_and_reported(shipped, survey, tmp_path):
    book = filled(survey, [survey_row(0), survey_row(1)])
    book["记录"].row_dimensions[4].hidden = True
    plan = plan_of(shipped, survey, _save(book, tmp_path))
    assert codes(plan) == [("SB705", "记录!A4")]
    assert plan.diagnostics[0].severity == "warning" and plan.count("new") == 2


def test_merged_cells_are_an_error_at_the_cell(shipped, survey, tmp_path):
    book = filled(survey, [survey_row(0), survey_row(1)])
    col = column_of(book, "survey_round")
    book["记录"].merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    plan = plan_of(shipped, survey, _save(book, tmp_path))
    assert ("SB703", cell_name(3, col)) in codes(plan) and plan.files == {}


def test_formula_with_a_cached_value_is_read(shipped, survey, tmp_path):
    path = _save(filled(survey, [survey_row(0, surveyed_by="=B3")]), tmp_path)
    _set_cached_value(path, "赵振东")
    plan = plan_of(shipped, survey, path)
    assert plan.errors == 0, plan.diagnostics
    assert _new(plan)[0]["surveyed_by"] == "赵振东"


def test_formula_without_a_cached_value_is_an_error_at_the_cell(shipped, survey, tmp_path):
    book = filled(survey, [survey_row(0, surveyed_by="=CONCAT(\"赵\",\"振东\")")])
    plan = plan_of(shipped, survey, _save(book, tmp_path))
    assert ("SB704", cell_name(3, column_of(book, "surveyed_by"))) in codes(plan) and plan.files == {}


def _set_cached_value(path: Path, value: str) -> None:
    """Give every formula of the records sheet a saved value, as Excel would (openpyxl writes none)."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    for name, data in members.items():
        if name.startswith("xl/worksheets/") and b"<f>" in data:
            text = data.decode()
            start = text.index("<f>")
            cell_start = text.rfind("<c ", 0, start)
            head = text[cell_start:text.index(">", cell_start) + 1]
            members[name] = text.replace(head, head.replace("<c ", '<c t="str" ', 1), 1).replace(
                "</f><v />", f"</f><v>{value}</v>").encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_extra_and_missing_columns_are_named(shipped, survey, tmp_path):
    book = filled(survey, [survey_row(0)])
    sheet = book["记录"]
    phone = column_of(book, "phone")
    sheet.delete_cols(phone)
    sheet.cell(row=1, column=30, value="备注")
    sheet.cell(row=2, column=30, value="remarks")
    sheet.cell(row=3, column=30, value="无")
    plan = plan_of(shipped, survey, _save(book, tmp_path))
    messages = [d.message for d in plan.diagnostics]
    assert any("column AD: 'remarks' is not a field of the form" in m for m in messages)
    assert any("column 联系电话 (phone) is missing" in m for m in messages)
    assert {d.code for d in plan.diagnostics} == {"SB702"} and plan.files == {}


def test_workbook_of_another_form_or_version(shipped, survey, tmp_path):
    other = shipped.manual.form("QR-05-01")
    plan = plan_of(shipped, survey, _save(filled(other, [{"date": "2026-10-08"}]), tmp_path))
    assert codes(plan) == [("SB701", "记录!A1")]
    assert f"QR-05-01 {other.version}" in plan.diagnostics[0].message
    assert f"QR-06-01 {survey.version}" in plan.diagnostics[0].message
    old = filled(survey, [survey_row(0)])
    old.custom_doc_props["qms_form_version"].value = "A0"
    plan = plan_of(shipped, survey, _save(old, tmp_path, "old.xlsx"))
    assert codes(plan) == [("SB701", "记录!A1")] and "QR-06-01 A0" in plan.diagnostics[0].message


def _csv(tmp_path, survey, encoding: str, bom: bool = False) -> Path:
    from site_builder.sheets.layout import columns
    layout = columns(survey)
    row = survey_row(0)
    lines = [",".join(c.label for c in layout), ",".join(c.key for c in layout),
             ",".join(str(row.get(c.key, "")) for c in layout)]
    path = tmp_path / f"rows-{encoding}.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + ("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", True), ("utf-8", False), ("gb18030", False)])
def test_csv_in_utf8_with_or_without_bom_or_gb18030(shipped, survey, tmp_path, encoding, bom):
    plan = plan_of(shipped, survey, _csv(tmp_path, survey, encoding, bom))
    assert plan.errors == 0, plan.diagnostics
    assert _new(plan)[0]["ratings"]["外观"] == "满意" and _new(plan)[0]["contact"] == "测试员甲"


def test_csv_positions_are_line_and_column(shipped, survey, tmp_path):
    path = _csv(tmp_path, survey, "gb18030")
    path.write_bytes(path.read_bytes().replace("十月集中调查".encode("gb18030"), "秋季".encode("gb18030")))
    plan = plan_of(shipped, survey, path, encoding="gb18030")
    assert codes(plan) == [("SB200", "3:6")]
    assert plan.diagnostics[0].format_text().startswith(f"{path}:3:6: error SB200")


def test_encrypted_corrupt_and_oversized_files_are_one_line(shipped, survey, tmp_path, monkeypatch):
    encrypted = tmp_path / "locked.xlsx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000)  # an OLE2 container, as Excel encrypts
    corrupt = tmp_path / "broken.xlsx"
    good = io.BytesIO()
    filled(survey, [survey_row(0)]).save(good)
    corrupt.write_bytes(good.getvalue()[:3000])
    big = _save(filled(survey, [survey_row(0)]), tmp_path, "big.xlsx")
    for path, words in ((encrypted, "encrypted"), (corrupt, "damaged"), (big, "more than the limit")):
        if path is big:
            monkeypatch.setattr(reader, "MAX_FILE_BYTES", 1000)
        plan = plan_of(shipped, survey, path)
        assert codes(plan) == [("SB700", "1:1")], plan.diagnostics
        line = plan.diagnostics[0].format_text()
        assert words in line and "\n" not in line and "Traceback" not in line


def test_formula_like_text_is_stored_as_text(shipped, survey, tmp_path):
    book = filled(survey, [survey_row(0, surveyed_by="@赵振东"), survey_row(1, contact="=1+2", surveyed_by="-赵"),
                           survey_row(2, surveyed_by="+86")])
    for row in (3, 4, 5):
        for col in (column_of(book, "contact"), column_of(book, "surveyed_by")):
            book["记录"].cell(row=row, column=col).data_type = "s"
    plan = plan_of(shipped, survey, _save(book, tmp_path))
    assert plan.errors == 0, plan.diagnostics
    texts = sorted(plan.files.values())
    assert 'surveyed_by: "@赵振东"' in texts[0] and 'contact: "=1+2"' in texts[1] and 'surveyed_by: "-赵"' in texts[1]
    assert 'surveyed_by: "+86"' in texts[2]


def test_staff_export_is_refused(shipped, survey, tmp_path):
    from site_builder.sheets.export import export_rows
    from site_builder.sheets.template import workbook_bytes
    path = tmp_path / "staff.xlsx"
    path.write_bytes(workbook_bytes(survey, DAY, export_rows(shipped.manual, survey, None, None, "staff"), "staff"))
    plan = plan_of(shipped, survey, path, update=True)
    assert codes(plan) == [("SB707", "记录!A1")]


def test_existing_record_with_other_values_needs_update(shipped, survey, tmp_path):
    record = next(r for r in shipped.manual.records if r.id == "CSS-2025-001")
    row = {"id": record.id, "date": record.date.isoformat(), **{k: v for k, v in record.values.items() if k != "ratings"}}
    row |= {f"ratings.{k}": v for k, v in record.values["ratings"].items()}
    same = plan_of(shipped, survey, _save(filled(survey, [row]), tmp_path))
    assert same.errors == 0 and same.count("unchanged") == 1 and same.files == {}
    changed = _save(filled(survey, [row | {"surveyed_by": "蒋丽华"}]), tmp_path, "changed.xlsx")
    refused = plan_of(shipped, survey, changed)
    assert codes(refused) == [("SB706", "记录!A3")] and "调查人" in refused.diagnostics[0].message
    assert record.values["contact"] not in refused.diagnostics[0].format_text()
    updated = plan_of(shipped, survey, changed, update=True)
    assert updated.errors == 0 and list(updated.files) == [record.path]
    assert "surveyed_by: 蒋丽华" in updated.files[record.path]


def test_numbering_follows_the_highest_number_of_the_year(shipped, survey, tmp_path):
    rows = [survey_row(0, id="CSS-2025-090", date="2025-10-10"), survey_row(1, date="2025-10-11"), survey_row(2)]
    plan = plan_of(shipped, survey, _save(filled(survey, rows), tmp_path))
    assert plan.errors == 0, plan.diagnostics
    assert [row.data["id"] for row in plan.rows] == ["CSS-2025-090", "CSS-2025-091", "CSS-2026-031"]


def test_dates_in_cells_round_trip_through_cells_module():
    from site_builder.sheets.cells import value_of
    from site_builder.sheets.layout import Column
    column = Column("date", "记录日期", None)
    assert value_of(column, date(2025, 1, 2)) == "2025-01-02"
    assert value_of(column, "2025-1-2") == "2025-01-02"
    assert value_of(column, "  ") is None


def test_a_deleted_key_row_is_one_problem(shipped, survey, tmp_path):
    book = filled(survey, [survey_row(0)])
    book["记录"].delete_rows(2)
    plan = plan_of(shipped, survey, _save(book, tmp_path))
    assert codes(plan) == [("SB702", "记录!A2")] and "holds no field keys" in plan.diagnostics[0].message


def test_the_manual_only_check_gives_the_same_manual(shipped):
    lean = check(ROOT, DAY, manual_only=True)
    assert [r.id for r in lean.manual.records] == [r.id for r in shipped.manual.records]
    assert lean.manual.forms == shipped.manual.forms and lean.record_schemas == shipped.record_schemas
    assert lean.worktree is not None and lean.tally is None  # (the rules across files did not run)


def test_a_row_is_also_checked_against_the_form_version_in_force_on_its_date(shipped, survey, tmp_path):
    import dataclasses
    field = survey.field("survey_round")
    older = dataclasses.replace(survey, version="A0", fields=tuple(
        dataclasses.replace(f, choices=("三月集中调查", "九月集中调查")) if f is field else f for f in survey.fields))
    manual = dataclasses.replace(shipped.manual, form_versions={"QR-06-01": ((date(2024, 3, 15), older),
                                                                            (date(2025, 1, 1), survey))})
    result = dataclasses.replace(shipped, manual=manual)
    rows = [survey_row(0, date="2024-06-03", survey_round="滚动调查"), survey_row(1, date="2025-06-03", survey_round="滚动调查")]
    plan = plan_of(result, survey, _save(filled(survey, rows), tmp_path))
    book = filled(survey, [])
    assert codes(plan) == [("SB200", cell_name(3, column_of(book, "survey_round")))]
    assert "'滚动调查' is not one of ['三月集中调查', '九月集中调查']" in plan.diagnostics[0].message


def test_a_record_number_that_is_a_path_is_refused(shipped, survey, tmp_path):
    from site_builder.sheets.write import WriteFailed, write_files
    plan = plan_of(shipped, survey, _save(filled(survey, [survey_row(0, id="../../qms")]), tmp_path))
    assert plan.files == {} and {d.code for d in plan.diagnostics} >= {"SB200"}
    with pytest.raises(WriteFailed):
        write_files(tmp_path, {"records/QR-06-01/../../qms.yaml": "x"})
    assert not (tmp_path / "qms.yaml").exists()


def test_columns_in_another_order_and_a_missing_records_sheet(shipped, survey, tmp_path):
    book = filled(survey, [survey_row(0)])
    sheet = book["记录"]
    sheet.move_range("C1:C3", cols=40)  # customer moved to the far right
    plan = plan_of(shipped, survey, _save(book, tmp_path))
    assert plan.errors == 0 and _new(plan)[0]["customer"] == "CUS-2025-001"
    sheet.title = "Sheet1"
    plan = plan_of(shipped, survey, _save(book, tmp_path, "renamed.xlsx"))
    assert codes(plan) == [("SB700", "1:1")] and "has no sheet 记录" in plan.diagnostics[0].message
