"""`as-of YYYY-MM-DD [--format json]`: which version of each document and form was in force on a date."""

from __future__ import annotations

import json
import sys
from datetime import date

from site_builder import diagnostics as dg
from site_builder.cli.options import make_build
from site_builder.history.asof import in_force


def register_as_of(parser) -> None:
    parser.add_argument("day", metavar="YYYY-MM-DD", help="the date to look at")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.set_defaults(handler=run_as_of)


def run_as_of(args) -> int:
    day = _day(args.day)
    result = make_build(args, use_cache=False).check()
    if result.manual is None:
        print(dg.format_text([d for d in result.diagnostics if d.severity == dg.ERROR]), file=sys.stderr)
        return 1
    history = result.history
    found = in_force(history.of_kind("document"), day) + in_force(history.of_kind("form"), day)
    if args.format == "json":
        print(json.dumps([{"id": t.id, "version": v.version} for t, v in found], ensure_ascii=False, indent=1))
        return 0
    for timeline, version in found:
        until = f"至 {version.effective_to}" if version.effective_to else "至今"
        basis = "" if version.verified else f"（{'声明' if version.basis == 'declared' else version.basis}）"
        print(f"{timeline.id}\t{version.version}\t{version.effective_from} {until}{basis}\t{timeline.item.title}")
    forms = sum(1 for timeline, _ in found if timeline.item.kind == "form")
    print(f"{len(found) - forms} document(s) and {forms} form(s) in force on {day}", file=sys.stderr)
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        from site_builder.diagnostics import UsageError
        raise UsageError(f"invalid date {text!r}; use YYYY-MM-DD") from None
