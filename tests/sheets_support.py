"""Helpers for the spreadsheet tests (issue 22): a template of a shipped form filled with rows by
openpyxl, as a person fills it in Excel, and the import planned against the shipped manual."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl

from site_builder.sheets import reader
from site_builder.sheets.plan import plan_import
from site_builder.sheets.template import workbook_bytes

ROOT = Path(__file__).resolve().parents[1]
DAY = date(2026, 12, 6)
ITEMS = ["外观", "尺寸", "包装", "性能", "使用寿命", "改善结果", "及时交付", "运输方式", "产品价格", "日常服务"]


def survey_row(n: int = 0, **changes) -> dict:
    """A valid row of 客户满意度调查表 (QR-06-01): column key -> cell value."""
    row = {"date": f"2026-10-{8 + n % 20:02d}", "customer": "CUS-2025-001", "contact": "测试员甲", "phone": "13800000000",
           "survey_round": "十月集中调查", "surveyed_by": "赵振东"}
    row |= {f"ratings.{item}": "非常满意" if (n + i) % 2 else "满意" for i, item in enumerate(ITEMS)}
    return row | changes


def filled(form, rows: list[dict], day: date = DAY):
    """An openpyxl workbook: the template of `form` with `rows` from row 3."""
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(form, day)))
    sheet = book["记录"]
    keys = [c.value for c in sheet[2]]
    for index, row in enumerate(rows):
        for key, value in row.items():
            sheet.cell(row=3 + index, column=keys.index(key) + 1, value=value)
    return book


def column_of(book, key: str) -> int:
    return [c.value for c in book["记录"][2]].index(key) + 1


def plan_of(result, form, path: Path, update: bool = False, encoding: str | None = None, root: Path | None = None):
    return plan_import(root or ROOT, result, form, reader.read(str(path), encoding), update)


def codes(plan) -> list[tuple[str, str]]:
    """(code, cell or line:col) of each diagnostic."""
    return [(d.code, d.cell or f"{d.line}:{d.col}") for d in plan.diagnostics]
