"""The record template read back with openpyxl (issue 22): sheets, key row, validations, marks,
document properties; and the YAML writer, which lays out every shipped record exactly as it is."""

from __future__ import annotations

import io
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sheets_support import DAY, ROOT  # noqa: E402

from site_builder.check.run import check  # noqa: E402
from site_builder.sheets.layout import columns, default_name  # noqa: E402
from site_builder.sheets.template import workbook_bytes  # noqa: E402
from site_builder.sheets.yaml_out import record_text  # noqa: E402


@pytest.fixture(scope="module")
def manual():
    return check(ROOT, DAY).manual


def _book(form, **kwargs):
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes(form, DAY, **kwargs)))


def _validations(sheet) -> dict[str, object]:
    """column letter -> its data validation."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cells in validation.sqref.ranges:
            assert cells.min_row == 3 and cells.max_row == 1_048_576
            found[cells.coord.split(":")[0].rstrip("0123456789")] = validation
    return found


def test_survey_template_sheets_key_row_and_properties(manual):
    form = manual.form("QR-06-01")
    assert default_name(form) == f"QR-06-01-{form.version}-模板.xlsx"
    book = _book(form)
    assert book.sheetnames[:2] == ["填写说明", "记录"]
    sheet = book["记录"]
    labels = [c.value for c in sheet[1]]
    keys = [c.value for c in sheet[2]]
    assert keys[:4] == ["id", "date", "customer", "contact"]
    assert "ratings.性能" in keys and labels[keys.index("ratings.性能")] == "满意度评价/性能"
    assert keys == [c.key for c in columns(form)]
    assert sheet.row_dimensions[2].hidden
    props = {p.name: p.value for p in book.custom_doc_props}
    assert props == {"qms_form": "QR-06-01", "qms_form_version": form.version}
    help_rows = [tuple(c.value for c in row[:2]) for row in book["填写说明"].iter_rows(max_row=4)]
    assert ("表单编号", "QR-06-01") in help_rows and ("版本", form.version) in help_rows and ("表单名称", "客户满意度调查表") in help_rows


def test_survey_template_validations_and_marks(manual):
    form = manual.form("QR-06-01")
    sheet = _book(form)["记录"]
    keys = [c.value for c in sheet[2]]
    letter = {key: openpyxl.utils.get_column_letter(index + 1) for index, key in enumerate(keys)}
    found = _validations(sheet)
    rating = found[letter["ratings.性能"]]
    assert rating.type == "list" and rating.formula1 == '"非常满意,满意,无所谓,不满意,反对"'
    assert found[letter["survey_round"]].formula1 == '"四月集中调查,十月集中调查,滚动调查"'
    assert found[letter["date"]].type == "date"
    assert letter["contact"] not in found  # free text: no validation
    required, personal = sheet[f"{letter['customer']}1"], sheet[f"{letter['phone']}1"]
    assert required.font.color.rgb.endswith("C00000") and "必填" in required.comment.text
    assert personal.fill.fgColor.rgb.endswith("FFF2CC") and "个人数据" in personal.comment.text
    assert sheet[f"{letter['surveyed_by']}1"].comment.text.startswith("类型")


def test_numbers_scores_and_booleans_are_validated(manual):
    scores = _validations(_book(manual.form("QR-04-01"))["记录"])
    # (between is the default operator, which the file leaves out)
    assert {(v.type, v.operator or "between", v.formula1, v.formula2) for v in scores.values() if v.type == "decimal"} == \
        {("decimal", "between", "0", "100")}
    sheet = _book(manual.form("QR-21-01"))["记录"]
    keys = [c.value for c in sheet[2]]
    score = _validations(sheet)[openpyxl.utils.get_column_letter(keys.index("score") + 1)]
    assert (score.type, score.formula1, score.formula2) == ("whole", "0", "5")
    sheet = _book(manual.form("QR-03-01"))["记录"]
    keys = [c.value for c in sheet[2]]
    effective = _validations(sheet)[openpyxl.utils.get_column_letter(keys.index("effective") + 1)]
    assert effective.formula1 == '"是,否"'


def test_export_writes_text_as_text_and_dates_as_dates(manual):
    from site_builder.sheets.export import export_rows
    form = manual.form("QR-05-01")
    rows = export_rows(manual, form, date(2025, 1, 1), date(2025, 1, 31), "auditor")
    rows[0]["handler"] = "=HYPERLINK(\"http://x\")"
    sheet = _book(form, rows=rows, audience="auditor")["记录"]
    keys = [c.value for c in sheet[2]]
    handler = sheet.cell(row=3, column=keys.index("handler") + 1)
    assert handler.data_type == "s" and handler.value.startswith("=HYPERLINK")
    assert sheet.cell(row=3, column=2).is_date
    assert sheet.cell(row=3, column=keys.index("customer_phone") + 1).value == "18835760087"


def test_staff_export_masks_personal_data(manual):
    from site_builder.sheets.export import export_rows
    form = manual.form("QR-06-01")
    staff = export_rows(manual, form, None, None, "staff")
    auditor = export_rows(manual, form, None, None, "auditor")
    assert len(staff) == len(auditor) == 53
    assert auditor[0]["contact"] == "莫婷杰" and staff[0]["contact"] == "莫**"
    assert staff[0]["comments"] is None and auditor[0]["comments"]


def test_the_writer_lays_out_every_shipped_record_as_it_is(manual):
    for record in manual.records:
        data = {"id": record.id, "form": record.form, "date": record.date.isoformat(), **record.values}
        text, lines = record_text(data, f"../../schemas/records/{record.form}.schema.json")
        assert text == (ROOT / record.path).read_text(encoding="utf-8"), record.path
        assert lines[2] == "id"


def test_export_from_to_selects_by_record_date(manual):
    from site_builder.sheets.export import export_rows
    form = manual.form("QR-06-01")
    rows = export_rows(manual, form, date(2025, 4, 1), date(2025, 4, 30), "auditor")
    assert rows and all("2025-04-01" <= row["date"] <= "2025-04-30" for row in rows)
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)
