"""Sub-commands: each registers its options and runs one core function."""

from __future__ import annotations

import json
import sys

from site_builder import diagnostics as dg
from site_builder import pipeline
from site_builder.schemas import record_schema


class UsageError(Exception):
    """Wrong command-line use; exit code 2."""


def _register_check(parser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.set_defaults(handler=run_check)


def run_check(args) -> int:
    result = pipeline.check(args.root, args.today)
    diagnostics = result.diagnostics
    if args.format == "json":
        print(dg.format_json(diagnostics))
    else:
        if diagnostics:
            print(dg.format_text(diagnostics))
        errors = result.errors
        warnings = len(diagnostics) - errors
        summary = f"{errors} error(s), {warnings} warning(s)"
        if result.manual is not None:
            m = result.manual
            summary += f" in {len(m.documents)} documents, {len(m.forms)} forms, {len(m.records)} records"
        print(summary, file=sys.stderr)
    failed = result.errors or (args.strict and diagnostics)
    return 1 if failed else 0


def _register_schemas(parser) -> None:
    parser.add_argument("--check", action="store_true", help="only report whether schemas/records/ is up to date")
    parser.set_defaults(handler=run_schemas)


def run_schemas(args) -> int:
    """Write schemas/records/<FORM>.schema.json from the form definitions (for editors)."""
    result = pipeline.check(args.root, args.today)
    if result.manual is None:
        print(dg.format_text(result.diagnostics))
        return 1
    target = args.root / "schemas" / "records"
    stale = []
    for form in result.manual.forms:
        path = target / f"{form.id}.schema.json"
        text = json.dumps(record_schema(_form_data(form, args.root)), ensure_ascii=False, indent=2) + "\n"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if not args.check:
                target.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    verb = "out of date" if args.check else "written"
    for path in stale:
        print(f"{path.relative_to(args.root).as_posix()}: {verb}")
    return 1 if args.check and stale else 0


def _form_data(form, root) -> dict:
    from site_builder.load import load_source
    from site_builder.sources import SourceFile
    return load_source(SourceFile("form", form.path, root / form.path)).data


REGISTRY = {
    "check": (_register_check, "check every document-control rule and report problems as path:line:col"),
    "schemas": (_register_schemas, "write the record schemas derived from forms into schemas/records/"),
}
