"""`revise`, `approve`, `make-effective`: the options of the document controller's three steps, for
documents and forms alike (the steps themselves: site_builder/edit/revise.py)."""

from __future__ import annotations

from site_builder.edit.revise import approve, make_effective, revise, run_step


def register_revise(parser) -> None:
    parser.add_argument("doc_id", metavar="DOC_ID", help="document or form number, e.g. QP-06 or QR-06-01")
    parser.add_argument("--change", required=True, help="what changes and why (更改说明)")
    parser.add_argument("--major", action="store_true", help="start a new major version (A2 -> B0)")
    parser.add_argument("--sections", default="全文", help="changed sections (更改章节), default 全文")
    parser.set_defaults(handler=lambda args: run_step(revise, args))


def register_approve(parser) -> None:
    parser.add_argument("doc_id", metavar="DOC_ID", help="document or form number, e.g. QP-06 or QR-06-01")
    parser.add_argument("--by", help="approver (default: you, from git config user.name)")
    parser.add_argument("--date", help="approval date YYYY-MM-DD (default: today)")
    parser.add_argument("--effective", metavar="YYYY-MM-DD",
                        help="the day the version comes into force (may be later; the site switches to it then)")
    parser.set_defaults(handler=lambda args: run_step(approve, args))


def register_make_effective(parser) -> None:
    parser.add_argument("doc_id", metavar="DOC_ID", help="document or form number, e.g. QP-06 or QR-06-01")
    parser.add_argument("--date", help="effective date YYYY-MM-DD (default: today; a later day: in force from then)")
    parser.set_defaults(handler=lambda args: run_step(make_effective, args))
