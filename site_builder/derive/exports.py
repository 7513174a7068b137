"""Downloads of summaries: CSV (UTF-8 with BOM, so Excel on Chinese Windows opens it) and XLSX.

XLSX files are reproducible: xlsxwriter stamps every zip member with a fixed date and the
caller passes the document's created date (the "as of" date of the data).  Dates are real
date cells; text cells are always written as text, never as formulas; CSV text that a spreadsheet would read as a
formula gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, datetime
from functools import partial
from typing import NamedTuple

import xlsxwriter

from site_builder.fast.forked import Children

BOM = "\ufeff"
EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's 1900 date system (serial 61 = 1900-03-01)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A memo (`memo` below, owned by the caller: the build, while serving) remembers workbooks by a digest of
#: their exact input (values with their types), so a rebuild after a procedure edit does not re-encode
#: every unchanged summary (most of a rebuild).  It is emptied when it would hold more than this many.
MEMO_LIMIT = 512


class Workbook(NamedTuple):
    """An XLSX download still to be encoded (renderers leave it in `site.files`; emit encodes it)."""

    sheets: list
    created: datetime
    title: str


def cell_text(value) -> str:
    """A cell as text for tables and CSV: booleans as 是/否, dates ISO, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def csv_text(headers: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_safe(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_safe(cell_text(c)) if not _is_number(c) else cell_text(c) for c in row])
    return BOM + buffer.getvalue()


def xlsx_bytes(sheets: list[tuple[str, list[str], list[list]]], created: datetime, title: str = "",
               memo: dict[bytes, bytes] | None = None) -> bytes:
    """One workbook, encoded in this process (or taken from `memo`)."""
    return xlsx_many([(sheets, created, title)], Children(1), memo)[0]


def xlsx_many(jobs: list[tuple[list, datetime, str]], children: Children,
              memo: dict[bytes, bytes] | None = None) -> list[bytes]:
    """The workbooks of `jobs` ((sheets, created, title) each), those not in `memo` encoded by `children`."""
    keys, results = recalled(jobs, memo)
    missing = [index for index, data in enumerate(results) if data is None]
    for index, data in zip(missing, children.run_all([partial(_workbook, *jobs[index]) for index in missing]), strict=True):
        results[index] = data
    remember(memo, [keys[index] for index in missing], [results[index] for index in missing])
    return results


def recalled(jobs: list[tuple[list, datetime, str]], memo: dict[bytes, bytes] | None
             ) -> tuple[list[bytes | None], list[bytes | None]]:
    """(the keys of `jobs` in `memo`, the workbook each has there or None); without a memo, no keys and no workbooks."""
    if memo is None:
        return [None] * len(jobs), [None] * len(jobs)
    keys = [_key(job) for job in jobs]
    return keys, [memo.get(key) for key in keys]


def remember(memo: dict[bytes, bytes] | None, keys: list, workbooks: list[bytes]) -> None:
    """Put newly encoded `workbooks` (under their `keys` from `recalled`) into `memo` (if any)."""
    if memo is None:
        return
    if len(memo) + len(keys) > MEMO_LIMIT:
        memo.clear()
    memo.update(zip(keys, workbooks, strict=True))


def _key(job: tuple) -> bytes:
    # repr keeps the types apart (1 vs '1', a date vs its text), which the cells depend on
    return hashlib.blake2b(repr(job).encode("utf-8", "surrogatepass")).digest()


def _workbook(sheets: list[tuple[str, list[str], list[list]]], created: datetime, title: str) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    workbook.set_properties({"title": title, "created": created, "author": "qms-site"})
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    used: set[str] = set()
    for name, headers, rows in sheets:
        sheet = workbook.add_worksheet(_sheet_name(name, used))
        for col, header in enumerate(headers):
            sheet.write_string(0, col, header, bold)
            sheet.set_column(col, col, max(10, min(40, 2 * len(header) + 2)))
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if value is None or value == "":
                    continue
                if _is_number(value):
                    sheet.write_number(r, col, value)
                elif isinstance(value, date):
                    sheet.write_number(r, col, (value - EXCEL_EPOCH).days, day)  # a real date cell
                else:
                    sheet.write_string(r, col, cell_text(value))
        sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def _sheet_name(name: str, used: set[str]) -> str:
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name)[:31] or "Sheet"
    candidate, n = cleaned, 2
    while candidate.lower() in used:
        suffix = f"({n})"
        candidate, n = cleaned[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def _csv_safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
