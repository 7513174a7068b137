"""Planning an import: the rows of a read sheet, as record files to write, or the problems that stop it.

Takes the repository's check result (its manual in force), the form, the read grid (reader.py) and
whether existing records may be changed (`--update`); gives a `Plan`: every diagnostic of the file,
each at its cell (the sheet's own problems, the columns, and everything `check` would report for
the record files the rows become: check/incoming.py), and, when none is an error, the text of each
new or changed record file and which rows were new, unchanged or updated.  Writes nothing.

A row is unchanged when a record of the form holds exactly its values: the record its `id` names,
or, for a row without an id, any record of the form.  So importing the same file twice creates
nothing the second time.  New records are numbered `<prefix>-<year of its date>-<NNN>` after the
highest number in use.  No message names a personal-data value: a value of a personal-data field
(or a narrative field of a form holding personal data) is shown masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from site_builder import diagnostics as dg
from site_builder.check.incoming import Incoming, check_incoming
from site_builder.derive.privacy import is_personal, mask_value
from site_builder.model.manual import Form, Record
from site_builder.sheets.cells import narrow, value_of
from site_builder.sheets.layout import FIRST_ROW, KEY_ROW, Column, column_letter, columns
from site_builder.sheets.reader import Grid
from site_builder.sheets.yaml_out import record_text

_MISSING_KEY = re.compile(r"required key '([^']+)' is missing")


@dataclass
class Row:
    number: int
    data: dict  # id (or None), form, date, fields in the form's order
    kind: str = ""  # new | unchanged | updated
    path: str = ""
    lines: dict[int, str] = field(default_factory=dict)


@dataclass
class Plan:
    diagnostics: list[dg.Diagnostic] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # path -> text to write

    @property
    def errors(self) -> int:
        return dg.count_errors(self.diagnostics)

    def count(self, kind: str) -> int:
        return sum(1 for row in self.rows if row.kind == kind)


def plan_import(root: Path, result, form: Form, grid: Grid, update: bool, children=None) -> Plan:
    """`children`: the build's worker processes (fast/forked.py), for checking many rows."""
    plan = Plan(list(grid.diagnostics))
    if not grid.readable or not _for_this_form(plan, grid, form):
        return plan
    layout = columns(form)
    where = _columns(plan, grid, layout)
    if where is None:
        return plan
    rows = _rows(plan, grid, form, where)
    manual = result.manual
    existing = {r.id: r for r in manual.records}
    _classify(plan, grid, form, rows, existing, update)
    _number(rows, form, existing)
    incoming, memo = [], {}
    for row in rows:
        if row.kind in ("new", "updated"):
            if row.kind == "updated":
                _keep_old_spelling(row.data, existing[row.data["id"]])
            row.path = row.path or f"records/{form.id}/{row.data['id']}.yaml"
            text, row.lines = record_text(row.data, f"../../schemas/records/{form.id}.schema.json", memo)
            incoming.append(Incoming(row.path, text))
    replaced = frozenset(row.path for row in rows if row.kind == "updated")
    check_incoming(root, result, incoming, replaced, children)
    by_path = {row.path: row for row in rows if row.path}
    for item in incoming:
        row = by_path[item.path]
        plan.diagnostics += [_at_cell(d, grid, row, form, layout, where) for d in item.diagnostics]
        plan.files[item.path] = item.text
    plan.rows = rows
    plan.diagnostics.sort(key=lambda d: (d.line, d.col, d.code, d.message))
    if plan.errors:
        plan.files = {}
    return plan


def _for_this_form(plan: Plan, grid: Grid, form: Form) -> bool:
    if grid.audience == "staff":
        plan.diagnostics.append(grid.diagnostic(
            "SB707", 1, 1, "this workbook was exported for staff: its personal data is masked, and importing it would "
            "write the masks into the records", hint=f"export with `--audience auditor` to change records of {form.id}"))
        return False
    if grid.form is not None and grid.form != form.id:
        plan.diagnostics.append(grid.diagnostic(
            "SB701", 1, 1, f"the workbook is for form {grid.form} {grid.version or ''}".rstrip()
            + f", not for {form.id} {form.version} ({form.title})",
            hint=f"import it as {grid.form}, or make the template of {form.id}: python -m site_builder template {form.id}"))
        return False
    if grid.version is not None and grid.version != form.version:
        plan.diagnostics.append(grid.diagnostic(
            "SB701", 1, 1, f"the workbook is for {form.id} {grid.version}, but {form.id} {form.version} is in force",
            hint=f"copy the rows into a new template: python -m site_builder template {form.id}"))
        return False
    return True


def _columns(plan: Plan, grid: Grid, layout: list[Column]) -> dict[str, tuple[int, Column]] | None:
    """key -> (column number, Column) from the key row; None (with the problems) when a column is wrong."""
    keys = grid.rows.get(KEY_ROW, [])
    known = {c.key: c for c in layout}
    where: dict[str, tuple[int, Column]] = {}
    before = len(plan.diagnostics)
    used = {col for values in grid.rows.values() for col, value in enumerate(values, 1) if value is not None}
    if not any(narrow(str(k)) in known for k in keys if k is not None):
        plan.diagnostics.append(grid.diagnostic(
            "SB702", KEY_ROW, 1, f"row {KEY_ROW} holds no field keys ({', '.join(c.key for c in layout[:3])}, …): the key row "
            "was deleted or changed", hint="copy the rows into a template made by `python -m site_builder template`"))
        return None
    for col in range(1, max(used, default=0) + 1):
        key = narrow(str(keys[col - 1])) if col <= len(keys) and keys[col - 1] is not None else ""
        letter = column_letter(col)
        if not key and col not in used:
            continue  # an empty column between the fields
        if not key:
            plan.diagnostics.append(grid.diagnostic(
                "SB702", KEY_ROW, col, f"column {letter} has values but no field key in row {KEY_ROW}",
                hint="delete the column, or copy the rows into a template made by `python -m site_builder template`"))
        elif key not in known:
            plan.diagnostics.append(grid.diagnostic(
                "SB702", KEY_ROW, col, f"column {letter}: {key!r} is not a field of the form",
                hint="delete the column; the form's columns are " + ", ".join(c.key for c in layout)))
        elif key in where:
            plan.diagnostics.append(grid.diagnostic(
                "SB702", KEY_ROW, col, f"column {letter}: {key} ({known[key].label}) is also column "
                f"{column_letter(where[key][0])}", hint="keep one column per field"))
        else:
            where[key] = (col, known[key])
    last = max(used, default=0)
    for column in layout:
        if column.key not in where:
            last += 1
            plan.diagnostics.append(grid.diagnostic(
                "SB702", KEY_ROW, last, f"column {column.label} ({column.key}) is missing",
                hint=f"add the column with {column.key!r} in row {KEY_ROW}, or copy the rows into a new template"))
    return None if len(plan.diagnostics) > before else where


def _rows(plan: Plan, grid: Grid, form: Form, where: dict[str, tuple[int, Column]]) -> list[Row]:
    rows = []
    for number in sorted(n for n in grid.rows if n >= FIRST_ROW):
        values = grid.rows[number]
        cell = {key: value_of(column, values[col - 1] if col <= len(values) else None)
                for key, (col, column) in where.items()}
        if all(v is None for v in cell.values()):
            continue
        if number in grid.hidden:
            plan.diagnostics.append(grid.diagnostic(
                "SB705", number, 1, f"row {number} is hidden in the sheet; it was read and imported like the others",
                severity=dg.WARNING, hint="delete the row if it is not meant to be imported"))
        data = {"id": cell["id"], "form": form.id}
        if cell["date"] is not None:
            data["date"] = cell["date"]
        for spec in form.fields:
            if spec.type in ("ratings", "scores"):
                items = {item: cell[f"{spec.key}.{item}"] for item in spec.items if cell[f"{spec.key}.{item}"] is not None}
                if items:
                    data[spec.key] = items
            elif cell[spec.key] is not None:
                data[spec.key] = cell[spec.key]
        rows.append(Row(number, data))
    return rows


def comparable(record: Record) -> dict:
    """A record's data as a row's data: id, form, date, then its values."""
    data = {"id": record.id, "form": record.form, "date": record.date.isoformat()}
    if record.form_version:
        data["form_version"] = record.form_version
    return data | record.values


def _without_id(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "id"}


def _classify(plan: Plan, grid: Grid, form: Form, rows: list[Row], existing: dict[str, Record], update: bool) -> None:
    # rows without an id match a record of the same day and first field with the same values (in buckets:
    # comparing every row with 100,000 records would take seconds)
    days = {row.data.get("date") for row in rows if row.data["id"] is None}
    first = form.fields[0].key if form.fields else ""
    buckets: dict[tuple, list[Record]] = {}
    for record in existing.values():
        if record.form == form.id and (day := record.date.isoformat()) in days:
            buckets.setdefault((day, repr(record.values.get(first))), []).append(record)
    first_row: dict[str, int] = {}
    for row in rows:
        number = row.data["id"]
        if number is None:
            same = _without_id(row.data)
            known = next((r.id for r in buckets.get((row.data.get("date"), repr(row.data.get(first))), ())
                          if _without_id(comparable(r)) == same), None)
            row.kind = "unchanged" if known else "new"
            if known:
                row.data["id"] = known
            continue
        if number in first_row:
            plan.diagnostics.append(grid.diagnostic(
                "SB302", row.number, 1, f"record number {number} is also in row {first_row[number]}",
                hint="give each row its own record number, or leave id empty for a new record"))
            row.kind = "duplicate"
            continue
        first_row[number] = row.number
        record = existing.get(number)
        if record is None:
            row.kind = "new"
        elif record.form != form.id:
            plan.diagnostics.append(grid.diagnostic(
                "SB302", row.number, 1, f"record number {number} is a record of {record.form} ({record.path})",
                hint="leave id empty for a new record"))
            row.kind = "duplicate"
        elif comparable(record) == row.data:
            row.kind = "unchanged"
        elif update:
            row.kind, row.path = "updated", record.path
        else:
            old = comparable(record)
            changed = [k for k in dict.fromkeys([*old, *row.data]) if old.get(k) != row.data.get(k)]
            labels = "、".join(_label(form, k) for k in changed)
            plan.diagnostics.append(grid.diagnostic(
                "SB706", row.number, 1, f"record {number} already exists ({record.path}) with other values in: {labels}",
                hint="give --update to change the record, or leave id empty for a new record"))
            row.kind = "refused"


def _label(form: Form, key: str) -> str:
    spec = form.field(key)
    return spec.label if spec else {"date": "记录日期", "form_version": "表单版本"}.get(key, key)


def _number(rows: list[Row], form: Form, existing: dict[str, Record]) -> None:
    """Number the new rows without an id after the highest number in use for their prefix and year."""
    highest: dict[str, int] = {}
    pattern = re.compile(rf"^{re.escape(form.record_prefix)}-([0-9]{{4}})-([0-9]+)$")
    for number in [*existing, *(row.data["id"] for row in rows if row.data["id"])]:
        match = pattern.match(number)
        if match:
            highest[match.group(1)] = max(highest.get(match.group(1), 0), int(match.group(2)))
    for row in rows:
        if row.kind == "new" and row.data["id"] is None:
            date = str(row.data.get("date") or "")
            year = date[:4] if re.match(r"^[0-9]{4}-", date) else "0000"
            highest[year] = highest.get(year, 0) + 1
            row.data["id"] = f"{form.record_prefix}-{year}-{highest[year]:03d}"


def _keep_old_spelling(data: dict, record: Record) -> None:
    """Values equal to the record's keep the record's own type (100.0 stays 100.0, not 100)."""
    old = comparable(record)
    for key, value in data.items():
        if key in old and old[key] == value:
            data[key] = old[key]


def _at_cell(diagnostic: dg.Diagnostic, grid: Grid, row: Row, form: Form, layout: list[Column],
             where: dict[str, tuple[int, Column]]) -> dg.Diagnostic:
    """A diagnostic of a record file, at the cell of the row that holds the value, with no personal value in it."""
    path = tuple(diagnostic.json_path)
    if not path and diagnostic.line in row.lines:
        path = (row.lines[diagnostic.line],)
    if diagnostic.code == "SB201" and (missing := _MISSING_KEY.search(diagnostic.message)):
        path = (*path, missing.group(1))
    key = ".".join(str(p) for p in path[:2])
    if key not in where and path:
        key = next((k for k in where if k == str(path[0]) or k.startswith(f"{path[0]}.")), "")
    col, column = where.get(key, (1, layout[0]))
    message, hint = diagnostic.message, diagnostic.hint
    dotted = ".".join(str(p) for p in path[:2])
    if path and message.startswith(f"{dotted}: "):
        message = message[len(dotted) + 2:]
    elif path and message.startswith(f"{path[0]}: "):
        message = message[len(str(path[0])) + 2:]
    if path or diagnostic.line in row.lines:
        message = f"{column.label} ({column.key}): {message}"
    for spec in form.fields:
        value = row.data.get(spec.key)
        if value is not None and is_personal(spec, form):
            message, hint = _masked(message, value, spec.mask), _masked(hint, value, spec.mask)
    found = grid.diagnostic(diagnostic.code, row.number, col, message, hint=hint, severity=diagnostic.severity)
    return found


def _masked(text: str, value, style: str) -> str:
    values = value if isinstance(value, list) else [value]
    for one in values:
        one = str(one)
        if len(one) < 1 or one not in text:
            continue
        shown = mask_value(one, style) if style != "omit" else None
        text = text.replace(one, str(shown) if shown else "«个人数据»")
    return text
