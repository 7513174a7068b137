"""`audit-bundle`: the auditor site, requirements map, build stamp and test results in one archive."""

from __future__ import annotations


def register_audit_bundle(parser) -> None:
    parser.add_argument("--out", required=True, help="archive to write (FILE.zip)")
    parser.set_defaults(handler=run_audit_bundle)


def run_audit_bundle(args) -> int:
    print("qms: audit-bundle is not implemented yet")
    return 2
