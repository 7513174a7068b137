"""`obsolete DOC_ID [--replaced-by NEW_ID] [--date DATE]`: withdraw a document in one step.

Writes `status: obsolete` and `obsoleted` into the document and, with `--replaced-by`, adds it to
the replacement's `supersedes` (a record of document control, not content: no new version is
needed).  Both files are verified before either is written.  Then it lists, with file and line,
everything that still refers to the withdrawn document and must change: `related_documents`
entries, forms that belong to it, and citations in bodies (check's SB308 and SB317).  The copies
on its distribution list are due back from the obsoleted date (the distribution page and
findings follow from the distribution records).
"""

from __future__ import annotations

from site_builder import diagnostics as dg
from site_builder.check import run as pipeline
from site_builder.edit.revise import Refused, replace_file, step_date, target_in, verify_edit
from site_builder.model.manual import Document

LEFTOVERS = ("SB308", "SB316", "SB317")


def obsolete(args) -> str:
    result = pipeline.check(args.root, args.today)
    target = target_in(result, args.root, args.doc_id, set())
    document = target.item
    if not isinstance(document, Document):
        raise Refused(f"{document.id} is a form: revise the document that owns it instead")
    if document.status not in ("effective", "approved"):
        raise Refused(f"{document.id} is {document.status}; only a document in force (or approved) can be made obsolete")
    day = step_date(args.date, args.today, "obsoleted")
    if document.effective and day < document.effective:
        raise Refused(f"obsoleted date {day} is before the effective date {document.effective}")
    editor = target.editor()
    editor.set_scalar("status", "obsolete")
    editor.set_or_add_scalar("obsoleted", day.isoformat(), after=("effective", "approved_by", "prepared_by"))
    verify_edit(target, editor.text(), {"status": "obsolete", "obsoleted": day.isoformat()})
    edits = [(target, editor.text())]
    if args.replaced_by:
        edits.append(_supersede(result, args, document))
    for edited, text in edits:
        replace_file(edited.path, text)
    leftovers = [d for d in pipeline.check(args.root, args.today).diagnostics
                 if d.code in LEFTOVERS and document.id in d.message]
    if leftovers:
        print(dg.format_text(leftovers))
    replaced = f", replaced by {args.replaced_by}" if args.replaced_by else ""
    todo = (f"; change the {len(leftovers)} reference(s) above, then commit" if leftovers
            else "; nothing else refers to it: commit the change")
    return f"{document.id} {document.version}: obsolete from {day}{replaced}{todo}"


def _supersede(result, args, document: Document):
    if args.replaced_by == document.id:
        raise Refused("a document cannot replace itself")
    target = target_in(result, args.root, args.replaced_by, set())
    replacement = target.item
    if not isinstance(replacement, Document) or replacement.status == "obsolete":
        raise Refused(f"{args.replaced_by} is not a document in force or in preparation")
    if document.id in replacement.supersedes:
        return target, target.text
    values = [*replacement.supersedes, document.id]
    editor = target.editor()
    editor.set_list("supersedes", values, after=("related_forms", "related_documents"))
    verify_edit(target, editor.text(), {"supersedes": values})
    return target, editor.text()
