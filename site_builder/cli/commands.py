"""Sub-commands: each registers its options and runs one core function."""

from __future__ import annotations

import sys

from site_builder import diagnostics as dg
from site_builder.check import run as pipeline
from site_builder.cli.as_of import register_as_of
from site_builder.cli.audit_bundle import register_audit_bundle
from site_builder.cli.deploy_config import register_deploy_config
from site_builder.cli.edit_commands import (
    register_approve,
    register_make_effective,
    register_new,
    register_obsolete,
    register_review,
    register_revise,
)
from site_builder.cli.options import add_plain, make_build
from site_builder.cli.print_pdf import register_print
from site_builder.cli.scan_leaks import register_scan_leaks
from site_builder.cli.sheets import register_export, register_import, register_template

UsageError = dg.UsageError  # (raised by the commands and the editing package; the entry point exits 2)


def _register_check(parser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--no-cache", action="store_true",
                        help="check everything afresh; neither read nor write the cache in .qms-cache/")
    add_plain(parser)
    parser.set_defaults(handler=run_check)


def run_check(args) -> int:
    result = make_build(args).check(need_manual=False)
    diagnostics = result.diagnostics
    if args.format == "json":
        print(dg.format_json(diagnostics))
    else:
        if diagnostics:
            print(dg.format_text(diagnostics))
        errors = result.errors
        warnings = len(diagnostics) - errors
        summary = f"{errors} error(s), {warnings} warning(s)"
        counts = result.counts
        if counts is not None:
            summary += " in {} documents, {} forms, {} records".format(*counts[:3])
            unread, unchecked, unbuilt = (tuple(counts[3:6]) + (0, 0, 0))[:3]
            if unread:
                summary += f"; {unread} file(s) could not be read (their errors come first)"
            if unchecked:
                summary += f"; {unchecked} record(s) not checked because their form could not be read"
            if unbuilt:
                summary += "; the rules across files were not run (fix qms.yaml and organisation.yaml first)"
        print(summary, file=sys.stderr)
    failed = result.errors or (args.strict and diagnostics)
    return 1 if failed else 0


def _register_schemas(parser) -> None:
    parser.add_argument("--check", action="store_true", help="only report whether schemas/records/ is up to date")
    parser.set_defaults(handler=run_schemas)


def run_schemas(args) -> int:
    """Write schemas/records/<FORM>.schema.json from the form definitions (for editors)."""
    result = make_build(args, use_cache=False).check()
    if result.record_schemas is None:
        print(dg.format_text(result.diagnostics))
        return 1
    target = args.root / "schemas" / "records"
    stale = []
    for form_id, schema in sorted(result.record_schemas.items()):
        path = target / f"{form_id}.schema.json"
        text = pipeline.record_schema_text(schema)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if not args.check:
                target.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    verb = "out of date" if args.check else "written"
    for path in stale:
        print(f"{path.relative_to(args.root).as_posix()}: {verb}")
    return 1 if args.check and stale else 0


def _register_build(parser) -> None:
    parser.add_argument("--out", default="site", help="output folder (default: site/)")
    parser.add_argument("--audience", choices=("staff", "auditor"), default="staff",
                        help="staff: effective documents, masked personal data; auditor: everything")
    parser.add_argument("--quiet", action="store_true", help="print only problems")
    parser.add_argument("--release", action="store_true",
                        help="release build: uncommitted or untracked content is an error (SB600), not a warning")
    parser.add_argument("--rebaseline", metavar="REASON",
                        help="accept a history rewritten since the published build (SB602); the reason goes into api/build.json")
    add_plain(parser)
    parser.set_defaults(handler=run_build)


def run_build(args) -> int:
    from pathlib import Path

    from site_builder.site import driver as mkdocs_build
    out = Path(args.out) if Path(args.out).is_absolute() else Path.cwd() / args.out
    try:
        return mkdocs_build.build(make_build(args, audience=args.audience, out=out), quiet=args.quiet,
                                  release=args.release, rebaseline=args.rebaseline)
    except mkdocs_build.BuildFailed as exc:
        print(f"qms: build failed: {exc}\nqms: the published site {out} is unchanged", file=sys.stderr)
        return 1


def _register_serve(parser) -> None:
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)")
    add_plain(parser)
    parser.set_defaults(handler=run_serve)


def run_serve(args) -> int:
    """Preview with live rebuild while editing (never publish from serve)."""
    from site_builder.site import serve

    build = make_build(args, serve=True)
    result = build.check()
    if result.errors:
        print(dg.format_text(result.diagnostics))
        print("qms: fix the errors above, then run serve again", file=sys.stderr)
        return 1
    print(f"qms: serving the manual on http://127.0.0.1:{args.port}/ (Ctrl+C to stop)", file=sys.stderr)
    try:
        serve.serve(build, args.port)
    except serve.ServeFailed as exc:
        print(f"qms: serve stopped: {exc}", file=sys.stderr)
        return 1
    return 0


REGISTRY = {
    "build": (_register_build, "check, render and atomically publish the site (default site/)"),
    "serve": (_register_serve, "build and serve the manual on 127.0.0.1 with live rebuild"),
    "check": (_register_check, "check every document-control rule and report problems as path:line:col"),
    "schemas": (_register_schemas, "write the record schemas derived from forms into schemas/records/"),
    "scan-leaks": (register_scan_leaks, "look for values (personal data, canaries) anywhere in a built site; exit 1 if found"),
    "new": (register_new, "start a new document or form as a draft, filled in from qms.yaml and organisation.yaml"),
    "revise": (register_revise, "open the next version of a document or form: bump the version, add the entry, draft"),
    "approve": (register_approve, "approve a draft document or form (records approved_by; never your own revision)"),
    "make-effective": (register_make_effective, "set the effective date of an approved document or form"),
    "obsolete": (register_obsolete, "withdraw a document (status obsolete), name its replacement, list what still cites it"),
    "review": (register_review, "record a periodic review of a document in force (last_reviewed: by, date, result)"),
    "as-of": (register_as_of, "list the version of each document and form that was in force on a date"),
    "audit-bundle": (register_audit_bundle, "zip the auditor site, requirements map, build stamp and last test results"),
    "deploy-config": (register_deploy_config, "write the nginx configuration serving the staff site open and the auditor site "
                      "behind a password"),
    "template": (register_template, "write an XLSX workbook for entering records of a form (drop-downs, dates, checks)"),
    "import": (register_import, "import the records of a filled XLSX or CSV sheet, checked as check does; all rows or none"),
    "export": (register_export, "export the records of a form as an XLSX workbook in the template's layout"),
    "print": (register_print, "print the current version of a document to PDF as controlled copy NN (--copy NN) or uncontrolled"),
}
