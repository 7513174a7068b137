"""Property (issue 22): random valid rows of the complaint form (QR-05-01: record references, dates
typed in several ways, choices, whole and decimal numbers, yes/no, free text with formula-like and
full-width characters) import without a problem, and then `check` passes with the same values."""

from __future__ import annotations

import io
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import shipped_clone  # noqa: E402
from sheets_support import DAY  # noqa: E402

from site_builder import diagnostics as dg  # noqa: E402
from site_builder.check.run import check  # noqa: E402
from site_builder.sheets import reader  # noqa: E402
from site_builder.sheets.cells import narrow  # noqa: E402
from site_builder.sheets.plan import comparable, plan_import  # noqa: E402
from site_builder.sheets.template import workbook_bytes  # noqa: E402
from site_builder.sheets.write import write_files  # noqa: E402


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return shipped_clone.clone_shipped(tmp_path_factory.mktemp("property") / "manual", "何雨桐", DAY)


@pytest.fixture(scope="module")
def before(repo):
    result = check(repo, DAY, use_cache=True)
    assert result.errors == 0
    return result


_TEXT = st.text(st.characters(categories=("L", "N", "P", "S", "Zs"), exclude_characters="\u2028\u2029"),
                min_size=1, max_size=30).map(narrow).filter(bool)
_FIRST = st.sampled_from(["=", "+", "-", "@", "'", "０", "Ａ", "", "#", "「"])
_FREE = st.builds(lambda first, rest: narrow(first + rest), _FIRST, _TEXT).filter(bool)
_DAY = st.integers(0, (date(2026, 12, 1) - date(2025, 3, 1)).days).map(lambda n: date(2025, 3, 1) + timedelta(days=n))


def _typed(day: date, how: int):
    """A date as somebody types it: a date cell, ISO text, 2025/4/18, 2025年4月18日."""
    return [datetime(day.year, day.month, day.day), day.isoformat(), f"{day.year}/{day.month}/{day.day}",
            f"{day.year}年{day.month}月{day.day}日"][how]


@st.composite
def complaint(draw, customers, capas, channels):
    received = draw(_DAY)
    values = {"customer": draw(st.sampled_from(customers)), "received": received.isoformat(),
              "channel": draw(st.sampled_from(channels)), "description": draw(_FREE), "handler": draw(_FREE)}
    optional = {
        "product_model": _FREE, "quantity": st.integers(0, 10**6), "established": st.booleans(),
        "first_analysis": _FREE, "customer_contact": _FREE, "customer_phone": st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
        "capa": st.sampled_from(capas), "replacement_amount": st.decimals(0, 10**6, places=2).map(float),
        "gm_approval": _FREE,
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            values[key] = draw(strategy)
    cells = dict(values)
    cells["received"] = _typed(received, draw(st.integers(0, 3)))
    return received, values, cells


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_valid_rows_import_and_pass_check_with_equal_values(repo, before, data, tmp_path):
    manual = before.manual
    form = manual.form("QR-05-01")
    customers = sorted(r.id for r in manual.records if r.form == "QR-05-04")
    capas = sorted(r.id for r in manual.records if r.form == "QR-03-01")
    # a row is checked against the form version in force on its date: choices every version of the range allows
    days = [date(2025, 3, 1) + timedelta(days=n) for n in range(0, (date(2026, 12, 1) - date(2025, 3, 1)).days + 1, 7)]
    channels = [c for c in form.field("channel").choices
                if all(c in manual.form_on(form, day).field("channel").choices for day in days)]
    rows = data.draw(st.lists(complaint(customers, capas, channels), min_size=1, max_size=4))
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(form, DAY)))
    sheet = book["记录"]
    keys = [c.value for c in sheet[2]]
    for index, (day, _, cells) in enumerate(rows):
        for key, value in (cells | {"date": _typed(day, index % 4)}).items():
            cell = sheet.cell(row=3 + index, column=keys.index(key) + 1, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, even when it starts with "=" (as Excel keeps a typed '=…)
    path = tmp_path / "rows.xlsx"
    book.save(path)
    plan = plan_import(repo, before, form, reader.read(str(path)), update=False)
    assert plan.errors == 0, dg.format_text(plan.diagnostics)
    assert plan.count("new") == len(rows)
    try:
        write_files(repo, plan.files)
        after = check(repo, DAY, use_cache=True)
        assert after.errors == 0, dg.format_text([d for d in after.diagnostics if d.severity == dg.ERROR])
        written = {r.id: r for r in after.manual.records}
        for row, (day, values, _) in zip(plan.rows, rows):
            record = written[row.data["id"]]
            assert comparable(record) == {"id": record.id, "form": "QR-05-01", "date": day.isoformat(), **values}
    finally:
        for relative in plan.files:
            (repo / relative).unlink(missing_ok=True)
