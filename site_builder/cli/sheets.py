"""`template`, `import`, `export`: records from and to the spreadsheets staff fill (site_builder/sheets/)."""

from __future__ import annotations

import codecs
import os
import sys
from datetime import date
from pathlib import Path

from site_builder import diagnostics as dg
from site_builder.cli.options import make_build
from site_builder.sheets import reader
from site_builder.sheets.export import export_rows
from site_builder.sheets.layout import default_name
from site_builder.sheets.plan import plan_import
from site_builder.sheets.template import workbook_bytes
from site_builder.sheets.write import WriteFailed, write_files


def register_template(parser) -> None:
    parser.add_argument("form_id", metavar="FORM_ID", help="form number, e.g. QR-06-01")
    parser.add_argument("--out", metavar="FILE.xlsx", help="the workbook to write (default: <FORM_ID>-<version>-模板.xlsx)")
    parser.set_defaults(handler=run_template)


def register_import(parser) -> None:
    parser.add_argument("form_id", metavar="FORM_ID", help="form number, e.g. QR-06-01")
    parser.add_argument("file", metavar="FILE.xlsx|FILE.csv", help="the filled workbook (sheet 记录) or CSV file")
    parser.add_argument("--dry-run", action="store_true", help="check every row and show what would be written; write nothing")
    parser.add_argument("--update", action="store_true", help="rows naming an existing record with other values change it")
    parser.add_argument("--encoding", metavar="ENC", help="encoding of a CSV file (default: UTF-8 with or without BOM, "
                        "else GB18030)")
    parser.set_defaults(handler=run_import)


def register_export(parser) -> None:
    parser.add_argument("form_id", metavar="FORM_ID", help="form number, e.g. QR-06-01")
    parser.add_argument("--out", metavar="FILE.xlsx", help="the workbook to write (default: <FORM_ID>-<version>-<audience>.xlsx)")
    parser.add_argument("--from", dest="start", metavar="DATE", help="only records dated on or after DATE (YYYY-MM-DD)")
    parser.add_argument("--to", dest="end", metavar="DATE", help="only records dated on or before DATE (YYYY-MM-DD)")
    parser.add_argument("--audience", choices=("staff", "auditor"), default="staff",
                        help="staff (default): personal data masked as on the staff site; auditor: every value")
    parser.set_defaults(handler=run_export)


def _checked(args):
    """The repository's manual (a check result) and the form `args.form_id` in force today; the
    run's worker processes in `args.children`."""
    build = make_build(args)
    args.children = build.children
    result = build.check(manual_only=True)
    manual = result.manual
    if manual is None:
        print(dg.format_text([d for d in result.diagnostics if d.severity == dg.ERROR]))
        print("qms: the manual cannot be read (see the errors above); fix them first", file=sys.stderr)
        return result, None
    form = manual.form(args.form_id)
    if form is None:
        known = ", ".join(f.id for f in manual.forms)
        raise dg.UsageError(f"{args.form_id!r} is not a form of this manual (forms: {known})")
    return result, form


def _write_workbook(out: Path, data: bytes) -> None:
    temporary = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, out)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise dg.UsageError(f"cannot write {out}: {exc.strerror}") from None


def run_template(args) -> int:
    result, form = _checked(args)
    if form is None:
        return 1
    out = Path(args.out) if args.out else Path(default_name(form))
    _write_workbook(out, workbook_bytes(form, args.today))
    print(f"{out}: template of {form.id} {form.version} {form.title}; fill sheet 记录 from row 3, then run "
          f"`python -m site_builder import {form.id} {out}`")
    return 0


def run_export(args) -> int:
    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    result, form = _checked(args)
    if form is None:
        return 1
    rows = export_rows(result.manual, form, start, end, args.audience)
    out = Path(args.out) if args.out else Path(f"{form.id}-{form.version}-{args.audience}.xlsx")
    _write_workbook(out, workbook_bytes(form, args.today, rows, args.audience))
    masked = "every value" if args.audience == "auditor" else "personal data masked"
    print(f"{out}: {len(rows)} record(s) of {form.id} {form.version} ({masked})")
    return 0


def run_import(args) -> int:
    path = str(args.file)
    if not path.lower().endswith((".xlsx", ".xlsm", ".csv", ".txt")):
        raise dg.UsageError(f"{path}: give an .xlsx workbook or a .csv file")
    if not os.path.isfile(path):
        raise dg.UsageError(f"{path}: no such file")
    if args.encoding:
        try:
            codecs.lookup(args.encoding)
        except LookupError:
            raise dg.UsageError(f"--encoding {args.encoding!r} is not an encoding Python knows (e.g. utf-8, gb18030)") from None
    result, form = _checked(args)
    if form is None:
        return 1
    grid = reader.read(path, args.encoding)
    plan = plan_import(args.root, result, form, grid, args.update, args.children)
    if plan.diagnostics:
        print(dg.format_text(plan.diagnostics))
    counts = f"{plan.count('new')} new, {plan.count('unchanged')} unchanged, {plan.count('updated')} updated"
    if plan.errors:
        warnings = len(plan.diagnostics) - plan.errors
        print(f"{plan.errors} error(s), {warnings} warning(s) in {path}; nothing was written", file=sys.stderr)
        return 1
    for row in plan.rows:
        if row.kind in ("new", "updated"):
            verb = ("would write" if args.dry_run else "wrote") + (" (new)" if row.kind == "new" else " (updated)")
            print(f"{row.path}: {verb}, from row {row.number}")
    if args.dry_run:
        print(f"{form.id}: {counts} (dry run: nothing was written)")
        return 0
    try:
        write_files(args.root, plan.files)
    except WriteFailed as exc:
        print(f"qms: {exc}; nothing was written", file=sys.stderr)
        return 1
    print(f"{form.id}: {counts}")
    return 0


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise dg.UsageError(f"{option} {text!r}: give a date as YYYY-MM-DD") from None
