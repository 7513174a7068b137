"""Reading a filled sheet: an XLSX workbook (openpyxl) or a CSV file, as a grid of raw cell values.

Takes the file's path (and, for a CSV file, an encoding or None to detect it); gives a `Grid`: every
row of the records sheet that has a value, by row number, which rows are hidden, the form and version
the workbook says it is for, and the problems of the file itself, each at its cell: merged cells
(SB703), formulas without a cached value (SB704), hidden rows (SB705, a warning), and a file that
cannot be read at all (SB700: encrypted, corrupt, too large, not XLSX, unknown encoding), the last
as one diagnostic and no traceback.

openpyxl reads the workbook with `data_only=True`: a formula cell gives the value Excel or
LibreOffice saved with it.  A formula saved without one (written by a program that does not
calculate) reads as empty; the sheet's XML is searched for formulas only when it has any, and then
read a second time to find them.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass, field

from site_builder import diagnostics as dg
from site_builder.sheets.layout import (
    AUDIENCE_PROPERTY,
    FIRST_ROW,
    FORM_PROPERTY,
    HELP_SHEET,
    RECORDS_SHEET,
    VERSION_PROPERTY,
    cell_name,
)

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
MAX_ROWS = 200_000
_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")
#: the labels of the instruction sheet's cells that name the form and the version
HELP_FORM_LABEL, HELP_TITLE_LABEL, HELP_VERSION_LABEL = "表单编号", "表单名称", "版本"


@dataclass
class Grid:
    path: str  # as given on the command line
    workbook: bool  # XLSX (cells as 记录!C12) or CSV (line:column)
    rows: dict[int, list] = field(default_factory=dict)  # row number -> values, column 1 first
    hidden: set[int] = field(default_factory=set)
    #: what the workbook says it is for: form number, version and audience (None when it does not say)
    form: str | None = None
    version: str | None = None
    audience: str | None = None
    diagnostics: list[dg.Diagnostic] = field(default_factory=list)
    readable: bool = True

    def problem(self, code: str, row: int, col: int, message: str, *, hint: str = "", severity: str = dg.ERROR) -> None:
        self.diagnostics.append(self.diagnostic(code, row, col, message, hint=hint, severity=severity))

    def diagnostic(self, code: str, row: int, col: int, message: str, *, hint: str = "",
                   severity: str = dg.ERROR) -> dg.Diagnostic:
        make = dg.error if severity == dg.ERROR else dg.warning
        found = make(code, self.path, message, line=row, col=col, hint=hint)
        return dg.Diagnostic(found.code, found.severity, found.message, found.path, found.line, found.col, found.hint,
                             cell=cell_name(row, col) if self.workbook else "")

    def unreadable(self, message: str) -> Grid:
        self.readable = False
        self.diagnostics.append(dg.error("SB700", self.path, message, line=1, col=1))
        return self


def read(path: str, encoding: str | None = None) -> Grid:
    """The grid of the file at `path` (.xlsx, or .csv read with `encoding` or the detected one)."""
    workbook = path.lower().endswith((".xlsx", ".xlsm"))
    grid = Grid(path, workbook)
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        return grid.unreadable(f"cannot read the file: {exc.strerror}")
    if size > MAX_FILE_BYTES:
        return grid.unreadable(f"the file is {_size(size)}, more than the limit of {_size(MAX_FILE_BYTES)}; "
                               "import it in parts")
    if workbook:
        return _read_xlsx(grid)
    return _read_csv(grid, encoding)


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):.1f} MB" if count >= 1024 * 1024 else f"{count} bytes"


def _read_xlsx(grid: Grid) -> Grid:
    import openpyxl  # (only the import command needs it)

    with open(grid.path, "rb") as stream:
        head = stream.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return grid.unreadable("the workbook is encrypted (password-protected) or an old .xls file; remove the "
                               "password (or save it as .xlsx) and import it again")
    if not head.startswith(b"PK"):
        return grid.unreadable("not an XLSX workbook (the file is not a zip archive); save it from Excel, WPS or "
                               "LibreOffice as .xlsx")
    try:
        with zipfile.ZipFile(grid.path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
            if unpacked > MAX_UNPACKED_BYTES:
                return grid.unreadable(f"the workbook unpacks to {_size(unpacked)}, more than the limit of "
                                       f"{_size(MAX_UNPACKED_BYTES)}; import it in parts")
            formulas = any(_FORMULA.search(archive.read(member)) for member in archive.namelist()
                           if member.startswith("xl/worksheets/") and member.endswith(".xml"))
        book = openpyxl.load_workbook(grid.path, data_only=True)
    except Exception as exc:  # a damaged archive or XML: zipfile, lxml/ElementTree, openpyxl and KeyError
        return grid.unreadable(f"the workbook is damaged and cannot be read ({type(exc).__name__}); open it in "
                               "Excel, WPS or LibreOffice and save it again as .xlsx")
    _identity(grid, book)
    if RECORDS_SHEET not in book.sheetnames:
        return grid.unreadable(f"the workbook has no sheet {RECORDS_SHEET} (its sheets: {', '.join(book.sheetnames)}); "
                               "make the workbook with `python -m site_builder template`")
    sheet = book[RECORDS_SHEET]
    # every cell the file holds, without walking up to a formatted cell far below the data
    cells = sheet._cells  # (openpyxl keeps the cells it read here; iter_rows would visit every empty row too)
    for (row, col), cell in cells.items():
        value = cell.value
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if row > MAX_ROWS:
            return grid.unreadable(f"the sheet {RECORDS_SHEET} has more than {MAX_ROWS} rows; import it in parts")
        values = grid.rows.setdefault(row, [])
        if len(values) < col:
            values.extend([None] * (col - len(values)))
        values[col - 1] = value
    for merged in sheet.merged_cells.ranges:
        grid.problem("SB703", merged.min_row, merged.min_col, f"cells {merged.coord} are merged; each cell holds the "
                     "value of one field of one record", hint="unmerge the cells and fill each one")
    for row, dimension in sheet.row_dimensions.items():
        if dimension.hidden and row >= FIRST_ROW and row in grid.rows:
            grid.hidden.add(row)
    if formulas:
        _formulas_without_value(grid, openpyxl)
    book.close()
    return grid


def _identity(grid: Grid, book) -> None:
    """The form, version and audience from the document properties, else from the instruction sheet."""
    properties = {p.name: str(p.value) for p in getattr(book, "custom_doc_props", ()) or () if p.value is not None}
    grid.form, grid.version = properties.get(FORM_PROPERTY), properties.get(VERSION_PROPERTY)
    grid.audience = properties.get(AUDIENCE_PROPERTY)
    if HELP_SHEET in book.sheetnames and grid.form is None:
        for row in book[HELP_SHEET].iter_rows(min_row=1, max_row=12, max_col=2, values_only=True):
            label, value = (row + (None, None))[:2]
            if label == HELP_FORM_LABEL and value:
                grid.form = str(value).strip()
            elif label == HELP_VERSION_LABEL and value:
                grid.version = str(value).strip()


def _formulas_without_value(grid: Grid, openpyxl) -> None:
    book = openpyxl.load_workbook(grid.path, read_only=True, data_only=False)
    try:
        for row in book[RECORDS_SHEET].iter_rows():
            for cell in row:
                if getattr(cell, "data_type", None) == "f" and _value_at(grid, cell.row, cell.column) is None:
                    grid.problem("SB704", cell.row, cell.column, "the cell holds a formula without a saved value",
                                 hint="open the workbook in Excel, WPS or LibreOffice and save it (that calculates the "
                                 "formula), or type the value")
    finally:
        book.close()


def _value_at(grid: Grid, row: int, col: int):
    values = grid.rows.get(row, [])
    return values[col - 1] if col <= len(values) else None


def _read_csv(grid: Grid, encoding: str | None) -> Grid:
    with open(grid.path, "rb") as stream:
        raw = stream.read()
    text = _decode(grid, raw, encoding)
    if text is None:
        return grid
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    try:
        for values in reader:
            if any(v.strip() for v in values):
                if len(grid.rows) >= MAX_ROWS:
                    return grid.unreadable(f"the file has more than {MAX_ROWS} rows; import it in parts")
                grid.rows[line] = list(values)
            line = reader.line_num + 1
    except csv.Error as exc:
        return grid.unreadable(f"line {reader.line_num}: not a readable CSV file ({exc})")
    return grid


def _decode(grid: Grid, raw: bytes, encoding: str | None) -> str | None:
    if encoding:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            grid.unreadable(f"the file is not in {encoding} (byte {exc.start}); give its encoding with --encoding")
            return None
        return text[1:] if text.startswith("\ufeff") else text
    if raw.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for candidate in candidates:
        try:
            return raw.decode(candidate)
        except UnicodeDecodeError:
            continue
    grid.unreadable("the file is neither UTF-8 nor GB18030 text; give its encoding with --encoding")
    return None
