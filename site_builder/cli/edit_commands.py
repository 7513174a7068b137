"""`revise`, `approve`, `make-effective`: the options of the document controller's three steps, for
documents and forms alike (the steps themselves: site_builder/edit/revise.py)."""

from __future__ import annotations

from pathlib import Path

from site_builder.edit.new import new_item
from site_builder.edit.obsolete import obsolete
from site_builder.edit.review import review
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
    parser.add_argument("--no-commit", action="store_true",
                        help="only write the approval; you commit it signed yourself (git commit -S)")
    parser.set_defaults(handler=lambda args: run_step(approve, args))


def register_make_effective(parser) -> None:
    parser.add_argument("doc_id", metavar="DOC_ID", help="document or form number, e.g. QP-06 or QR-06-01")
    parser.add_argument("--date", help="effective date YYYY-MM-DD (default: today; a later day: in force from then)")
    parser.set_defaults(handler=lambda args: run_step(make_effective, args))


def register_new(parser) -> None:
    parser.add_argument("item_id", metavar="ID", help="number of the new document (e.g. WI-03) or form (e.g. QR-07-02)")
    parser.add_argument("--title", required=True, help="title (文件名称 / 表单名称)")
    parser.add_argument("--owner", required=True, help="owning department, as in organisation.yaml")
    parser.add_argument("--level", type=int, choices=(1, 2, 3), help="document level (1 manual, 2 procedure, 3 instruction)")
    parser.add_argument("--file-name", metavar="SLUG", help="words after the number in the file name, e.g. service-review")
    parser.add_argument("--from", dest="template", type=Path, metavar="TEMPLATE",
                        help="a Markdown file whose body starts the new document (default: the house structure)")
    parser.add_argument("--procedure", metavar="DOC_ID", help="a form: the document that owns it")
    parser.add_argument("--record-prefix", metavar="XYZ", help="a form: the prefix of its record numbers")
    parser.add_argument("--retention-years", type=int, default=3, help="a form: years its records are kept (default 3)")
    parser.set_defaults(handler=lambda args: run_step(new_item, args))


def register_obsolete(parser) -> None:
    parser.add_argument("doc_id", metavar="DOC_ID", help="the document to withdraw, e.g. WI-02")
    parser.add_argument("--replaced-by", metavar="NEW_ID", help="the document that replaces it (gets supersedes)")
    parser.add_argument("--date", help="obsoleted date YYYY-MM-DD (default: today)")
    parser.set_defaults(handler=lambda args: run_step(obsolete, args))


def register_review(parser) -> None:
    parser.add_argument("doc_id", metavar="DOC_ID", help="the document reviewed, e.g. QP-07")
    parser.add_argument("--by", help="the reviewer (default: you, from git config user.name)")
    parser.add_argument("--result", required=True, help="what the review found, e.g. 内容适宜，无需修订")
    parser.add_argument("--date", help="review date YYYY-MM-DD (default: today)")
    parser.set_defaults(handler=lambda args: run_step(review, args))
