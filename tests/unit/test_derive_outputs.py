"""Summaries count every record and show no personal data; charts and downloads are safe and reproducible."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

from site_builder.derive import charts, exports, periods
from site_builder.derive.summaries import FormRecords, summarise
from site_builder.fast.forked import Children
from site_builder.model.manual import Form, FormField, Record

CANARY = "Canary Testperson 測試員甲"


def make_form() -> Form:
    return Form(id="QR-95-01", title="来访记录", version="A0", status="effective", procedure="QP-95", owner="业务部",
                effective=date(2025, 1, 1), retention_years=3, retention_note="", description="", record_prefix="VIS",
                revisions=(), fields=(FormField(key="purpose", label="来访目的", type="choice", choices=("参观", "<b>审核</b>")),
                                      FormField(key="visitor", label="来访人员", type="choice", choices=(CANARY,), personal_data=True),
                                      FormField(key="ok", label="是否关闭", type="boolean")),
                rules={})


def records() -> list[Record]:
    values = [{"purpose": "参观", "visitor": CANARY, "ok": True}, {"purpose": "<b>审核</b>", "ok": False}, {}]
    days = [date(2025, 1, 31), date(2025, 3, 1), date(2025, 3, 2)]
    return [Record(id=f"VIS-2025-00{i + 1}", form="QR-95-01", date=d, form_version=None, values=v)
            for i, (d, v) in enumerate(zip(days, values))]


def test_every_record_is_counted_and_months_without_records_show_zero():
    data = FormRecords(form=make_form(), records=records())
    summary = summarise(data, {"VIS-2025-002": ["某项问题"]})
    by_month = next(t for t in summary.tables if t.key == "by-month")
    assert by_month.rows == [["2025-01", 1], ["2025-02", 0], ["2025-03", 2]]
    assert sum(r[1] for r in next(t for t in summary.tables if t.key == "by-quarter").rows) == 3
    purpose = next(t for t in summary.tables if t.key == "field-purpose")
    assert purpose.rows == [["参观", 1], ["<b>审核</b>", 1], ["（未填写）", 1]]
    assert summary.record_rows[1][-1] == "某项问题"


def test_personal_fields_appear_nowhere_in_a_summary():
    summary = summarise(FormRecords(form=make_form(), records=records()), {})
    assert not any(t.key == "field-visitor" for t in summary.tables)
    text = repr([(t.title, t.headers, t.rows) for t in summary.tables]) + repr(summary.record_rows)
    assert CANARY not in text


def test_chart_escapes_labels_and_makes_no_outside_requests():
    svg = charts.bar_chart("标题<script>", ["<b>x</b>", "{{ y }}"], [3, 0], reference=2, reference_label="目标")
    assert svg.startswith("<svg") and svg.endswith("</svg>") and "\n" not in svg
    assert "<script>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg and "{{ y }}" in svg
    assert "href" not in svg and "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    line = charts.line_chart("趋势", ["2025Q1", "2025Q2", "2025Q3"], [80.5, None, 90])
    assert line.count("<circle") == 2


def test_nice_axis_maximum():
    assert [charts.nice_max(v) for v in (0, 3, 36, 75, 100, 101)] == [1, 4, 40, 80, 100, 200]
    assert [charts.nice_max(v, integers=True) for v in (0, 1, 3, 5, 14, 36)] == [4, 4, 4, 8, 20, 40]


def test_csv_has_a_bom_and_neutralises_formulas():
    text = exports.csv_text(["编号", "值"], [["=HYPERLINK(\"x\")", -3], ["+1", True], [None, date(2025, 1, 2)]])
    assert text.startswith(exports.BOM)
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows == [["编号", "值"], ["'=HYPERLINK(\"x\")", "-3"], ["'+1", "是"], ["", "2025-01-02"]]


def test_xlsx_is_reproducible_and_writes_text_as_text():
    sheets = [("汇总[1]", ["编号", "数"], [["=1+1", 2], ["<b>x</b>", None], ["日期", date(2025, 1, 2)]])]
    created = datetime(2025, 6, 1)
    first, second = exports.xlsx_bytes(sheets, created), exports.xlsx_bytes(sheets, created)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as book:
        names = book.namelist()
        core = book.read("docProps/core.xml").decode()
        shared = book.read("xl/sharedStrings.xml").decode()
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "xl/workbook.xml" in names and "2025-06-01T00:00:00Z" in core
    assert "=1+1" in shared and "<f>" not in sheet
    assert "<v>45659</v>" in sheet  # 2025-01-02 as an Excel date serial


def test_period_keys():
    day = date(2025, 7, 1)
    assert (periods.month(day), periods.quarter(day), periods.half(day), periods.year(day)) == ("2025-07", "2025Q3", "2025H2", "2025")
    assert periods.half(date(2025, 6, 30)) == "2025H1"
    assert periods.keys_between("quarter", date(2025, 11, 1), date(2026, 2, 1)) == ["2025Q4", "2026Q1"]
    assert periods.end("half_year", date(2025, 2, 1)) == date(2025, 6, 30)


def test_record_cells_copied_from_a_personal_field_stay_empty():
    from site_builder.derive import followups

    rule = {"trigger_field": "trigger", "event_field": "event", "done_field": "visited", "windows": {"维修": 10}, "targets": {}}
    form = Form(id="QR-96-01", title="回访", version="A0", status="effective", procedure="WI-96", owner="客户服务部",
                effective=date(2025, 1, 1), retention_years=2, retention_note="", description="", record_prefix="FUV",
                revisions=(), fields=(FormField(key="trigger", label="类别", type="choice", choices=("维修",)),
                                      FormField(key="event", label="事件日期", type="date"),
                                      FormField(key="visited", label="回访日期", type="date", personal_data=True)),
                rules={"follow_up": rule})
    record = Record(id="FUV-2025-001", form="QR-96-01", date=date(2025, 5, 1), form_version=None,
                    values={"trigger": "维修", "event": "2025-05-01", "visited": "2025-05-03"})
    data = FormRecords(form=form, records=[record], followups={record.id: followups.evaluate(record, rule, date(2025, 6, 1))})
    headers, rows = summarise(data, {}).record_headers, summarise(data, {}).record_rows
    assert rows[0][headers.index("回访日期")] is None and rows[0][headers.index("事件日期")] == date(2025, 5, 1)
    assert rows[0][headers.index("回访情况")] == "按时回访"


def test_remembered_workbooks_follow_every_change_of_value_or_type(monkeypatch):
    """While serving, an unchanged table reuses its workbook; any change of a value or of its type does not."""
    calls = []
    real = exports._workbook
    monkeypatch.setattr(exports, "_workbook", lambda *args: calls.append(args) or real(*args))
    created = datetime(2025, 6, 1)
    sheets = [("汇总", ["编号", "数"], [["A", 1], ["B", date(2025, 1, 2)]])]
    memo: dict = {}  # (the build's, while serving)
    first = exports.xlsx_bytes(sheets, created, memo=memo)
    assert exports.xlsx_bytes([("汇总", ["编号", "数"], [["A", 1], ["B", date(2025, 1, 2)]])], created, memo=memo) == first
    assert len(calls) == 1
    as_text = exports.xlsx_bytes([("汇总", ["编号", "数"], [["A", "1"], ["B", date(2025, 1, 2)]])], created, memo=memo)
    later = exports.xlsx_bytes(sheets, datetime(2025, 6, 2), memo=memo)
    assert len(calls) == 3 and as_text != first and later != first
    assert len(memo) == 3
    assert exports.xlsx_bytes(sheets, created) == first
    assert len(calls) == 4  # a one-shot build remembers nothing


def test_many_workbooks_reuse_the_remembered_ones_and_encode_only_the_rest(monkeypatch):
    created = datetime(2025, 6, 1)
    jobs = [([(f"表{i}", ["编号"], [[f"R{i}"]])], created, f"T{i}") for i in range(3)]
    expected = [exports._workbook(*job) for job in jobs]
    memo: dict = {}
    assert exports.xlsx_many(jobs[:2], Children(2), memo) == expected[:2]
    encoded = []
    real = exports._workbook
    monkeypatch.setattr(exports, "_workbook", lambda *job: encoded.append(job[2]) or real(*job))
    assert exports.xlsx_many(jobs, Children(1), memo) == expected  # (the plain path: encoded here, counted)
    assert encoded == ["T2"]
    assert exports.xlsx_many(jobs, Children(2)) == expected  # (no memo: all encoded again, in workers)


def test_a_full_memo_starts_again(monkeypatch):
    monkeypatch.setattr(exports, "MEMO_LIMIT", 2)
    created = datetime(2025, 6, 1)
    jobs = [([(f"表{i}", ["编号"], [[f"R{i}"]])], created, f"T{i}") for i in range(3)]
    memo: dict = {}
    exports.xlsx_many(jobs[:2], Children(1), memo)
    assert len(memo) == 2
    exports.xlsx_many(jobs, Children(1), memo)
    assert len(memo) == 1  # (emptied, then the new one)


def test_workbooks_encoded_in_the_background_are_those_encoded_here(tmp_path):
    """emit.workbooks: the pending workbooks of a site, encoded in a child (EncodingWorkbooks) or in place
    (encode_workbooks), on the plain path or not, with or without a memo, are the same files."""
    from types import SimpleNamespace

    from site_builder.emit.workbooks import EncodingWorkbooks, encode_workbooks

    created = datetime(2025, 6, 1)
    books = {f"dl/T{i}.xlsx": exports.Workbook([(f"表{i}", ["编号"], [[f"R{i}", i]])], created, f"T{i}") for i in range(4)}
    expected = {path: exports._workbook(*book) for path, book in books.items()}

    def site():
        return SimpleNamespace(files={"dl/a.csv": "x", **books})

    for children in (Children(1), Children(2)):
        memo: dict = {}
        here = site()
        encode_workbooks(here, children, memo)
        assert here.files == {"dl/a.csv": "x", **expected} and len(memo) == 4
        memo.pop(next(iter(memo)))  # (one forgotten: encoded again in the background)
        background = EncodingWorkbooks(site(), children, memo)
        out = tmp_path / f"site-{children.processes}"
        background.write_into(out)
        assert {path: (out / path).read_bytes() for path in books} == expected
        assert len(memo) == 4
        EncodingWorkbooks(site(), children).write_into(tmp_path / "again")
        assert {path: (tmp_path / "again" / path).read_bytes() for path in books} == expected
