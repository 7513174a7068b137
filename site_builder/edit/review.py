"""`review DOC_ID --by NAME --result TEXT [--date DATE]`: record a periodic review.

Writes `last_reviewed: {by, date, result}` into the document in force (a record of use, like its
distribution: no new version, and the history keeps every review).  It refuses a document that is
not in force, a reviewer who may not approve the document's level (organisation.yaml), and a date
in the future or before the effective date.  A review that finds a change is needed is recorded
the same way; the change then goes through `revise`.
"""

from __future__ import annotations

from site_builder.edit.revise import Refused, person_of, replace_file, step_date, target_of, verify_edit
from site_builder.model.manual import Document


def review(args) -> str:
    target = target_of(args.root, args.today, args.doc_id, set())
    document = target.item
    if not isinstance(document, Document):
        raise Refused(f"{document.id} is a form: forms are reviewed with the document that owns them")
    if document.status != "effective":
        raise Refused(f"{document.id} is {document.status}: only the version in force is reviewed")
    result = args.result.strip()
    if not result or not result.isprintable():
        raise Refused("--result must be one line of text, e.g. 内容适宜，无需修订")
    reviewer = person_of(args.root, target.manual, args.by)
    if document.level not in target.manual.organisation.person(reviewer).approves_levels:
        raise Refused(f"{reviewer} may not review level {document.level} documents (approves_levels in organisation.yaml)")
    day = step_date(args.date, args.today, "review")
    if document.effective and day < document.effective:
        raise Refused(f"review date {day} is before the effective date {document.effective}")
    record = {"by": reviewer, "date": day.isoformat(), "result": result}
    editor = target.editor()
    if editor.has("last_reviewed"):
        editor.remove("last_reviewed")
    editor.set_mapping("last_reviewed", record, after=("review_period_months",))
    verify_edit(target, editor.text(), {"last_reviewed": record})
    replace_file(target.path, editor.text())
    following = document.review_period_months
    return (f"{document.id} {document.version}: reviewed by {reviewer} on {day} ({result}); the next review is due "
            f"{following} months later; commit the change")
