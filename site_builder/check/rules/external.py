"""The register of external documents (external/*.yaml, 外来文件清单): SB710–SB716, and the
organisation, document and date rules every other file follows (SB303, SB306, SB307, SB311, SB404).

The figures come from derive/external (review deadlines in working days, currency checks, copies to
recall, citations); this module turns them into positioned diagnostics.  Rules on the register's own
entries read the working tree; whether documents were revised, and which copies are held, is a
question about the versions in force (`in_force`).
"""

from __future__ import annotations

import os
from pathlib import Path

from site_builder import diagnostics as dg
from site_builder.check.rules.documents import distribution_entries
from site_builder.derive.external.register import Citation, EntryStatus, register_status
from site_builder.model.manual import ExternalDocument, Manual

KEPT_FOLDER = "external/files/"


def external_rules(root: Path, worktree: Manual, in_force: Manual) -> list[dg.Diagnostic]:
    found: list[dg.Diagnostic] = []
    by_id = {e.id: e for e in worktree.external}
    documents = {d.id for d in worktree.documents}
    for entry in worktree.external:
        found += _references(entry, worktree, documents, by_id)
        found += _consistency(entry, by_id, worktree)
        found += _kept_file(root, entry, worktree.config.external_max_file_bytes)
    status = register_status(in_force)
    for item in status.entries:
        found += _timely(item, status.review_working_days, status.recall_within_days)
    found += [_stale(c, by_id[c.external]) for c in status.stale_citations if c.external in by_id]
    return found


def _references(entry: ExternalDocument, manual: Manual, documents: set[str], by_id: dict):
    organisation, path = manual.organisation, entry.path
    yield from distribution_entries(path, entry.distribution, organisation)
    people = [(("received_by",), entry.received_by)]
    if entry.review:
        people.append((("review", "by"), entry.review.by))
    if entry.currency_check and entry.currency_check.by:
        people.append((("currency_check", "by"), entry.currency_check.by))
    for where, name in people:
        if organisation.person(name) is None:
            yield dg.error("SB307", path, f"{name!r} is not listed in organisation.yaml", json_path=where,
                           hint="add the person to organisation.yaml (people) or correct the name")
    for index, number in enumerate(entry.review.affected_documents if entry.review else ()):
        if number not in documents:
            yield dg.error("SB303", path, f"review.affected_documents names unknown document {number!r}",
                           json_path=("review", "affected_documents", index), hint="name an internal document number")
    if entry.superseded_by and entry.superseded_by not in by_id:
        yield dg.error("SB303", path, f"superseded_by names {entry.superseded_by!r}, which is not in the register",
                       json_path=("superseded_by",), hint="name the register number (external/<number>.yaml) of the new edition")
    today = manual.today
    for where, day in ((("received",), entry.received), (("review", "date"), entry.review.date if entry.review else None),
                       (("currency_check", "date"), entry.currency_check.date if entry.currency_check else None)):
        if day is not None and day > today:
            yield dg.error("SB404", path, f"{'.'.join(where)} {day.isoformat()} is in the future", json_path=where,
                           hint="write the date the step was actually done")


def _consistency(entry: ExternalDocument, by_id: dict, manual: Manual):
    path = entry.path
    successor = by_id.get(entry.superseded_by) if entry.superseded_by else None
    if entry.status != "superseded" and entry.superseded_by:
        yield dg.error("SB716", path, f"status is {entry.status} but superseded_by names {entry.superseded_by}",
                       json_path=("status",), hint="status: superseded (with superseded_on), or remove superseded_by")
    if entry.superseded_by == entry.id:
        yield dg.error("SB716", path, "an edition cannot supersede itself", json_path=("superseded_by",),
                       hint="name the register number of the new edition")
    elif successor is not None and successor.received > (entry.superseded_on or successor.received):
        yield dg.error("SB716", path, f"superseded on {entry.superseded_on.isoformat()}, before its successor "
                       f"{successor.id} was received ({successor.received.isoformat()})", json_path=("superseded_on",),
                       hint="an edition is superseded on or after the day the new one is received")
    ended = entry.superseded_on or entry.withdrawn_on
    if ended is not None and ended < entry.received:
        key = "superseded_on" if entry.superseded_on else "withdrawn_on"
        yield dg.error("SB716", path, f"{key} {ended.isoformat()} is before received {entry.received.isoformat()}",
                       json_path=(key,), hint="check both dates")
    for key, value, status in (("superseded_on", entry.superseded_on, "superseded"),
                               ("withdrawn_on", entry.withdrawn_on, "withdrawn")):
        if value is not None and entry.status != status:
            yield dg.error("SB716", path, f"{key} is set but status is {entry.status}", json_path=(key,),
                           hint=f"status: {status}, or remove {key}")
    review = entry.review
    if review is not None and review.date < entry.received:
        yield dg.error("SB716", path, f"reviewed on {review.date.isoformat()}, before it was received "
                       f"({entry.received.isoformat()})", json_path=("review", "date"), hint="check both dates")
    if review is not None and review.decision == "adopted_with_changes" and not review.affected_documents:
        yield dg.error("SB716", path, "adopted with changes, but review.affected_documents names no document",
                       json_path=("review", "decision"),
                       hint="list the internal documents to revise under review.affected_documents")


def _kept_file(root: Path, entry: ExternalDocument, limit: int):
    if entry.file is None:
        return
    where = {"json_path": ("file",)}
    parts = entry.file.split("/")
    if not entry.file.startswith(KEPT_FOLDER) or any(p in ("", ".", "..") for p in parts):
        yield dg.error("SB710", entry.path, f"file {entry.file!r} is not a plain path under {KEPT_FOLDER}", **where,
                       hint=f"keep the electronic copy in {KEPT_FOLDER} and write its path from the repository root")
        return
    target = Path(root, *parts)
    if any(Path(root, *parts[:i]).is_symlink() for i in range(1, len(parts) + 1)):
        yield dg.error("SB710", entry.path, f"file {entry.file!r} is a symbolic link or lies behind one", **where,
                       hint="keep the file itself in the repository")
        return
    try:
        size = os.stat(target).st_size if target.is_file() else None
    except OSError:
        size = None
    if size is None:
        yield dg.error("SB710", entry.path, f"file {entry.file!r} does not exist", **where,
                       hint="add the file, or correct or remove file:")
    elif size > limit:
        yield dg.error("SB710", entry.path, f"file {entry.file!r} has {size} bytes, more than the limit of {limit} "
                       "(qms.yaml external.max_file_bytes)", **where,
                       hint="keep a smaller copy (e.g. the relevant pages), or raise the limit")


def _timely(item: EntryStatus, review_days: int, recall_days: int):
    entry, path = item.entry, item.entry.path
    label = f"{entry.citation}"
    if item.review_state == "overdue":
        yield dg.warning("SB711", path, f"customer document {label} received {entry.received.isoformat()} is not reviewed: "
                         f"the review was due within {review_days} working days, by {item.review_due.isoformat()} "
                         f"({item.review_days_late} working days overdue)", json_path=("received",),
                         hint="record the review: review: {by: NAME, date: YYYY-MM-DD, decision: adopted | "
                         "adopted_with_changes | not_applicable}")
    elif item.review_state == "late":
        yield dg.warning("SB711", path, f"customer document {label} was reviewed on {entry.review.date.isoformat()}, "
                         f"after the deadline {item.review_due.isoformat()} ({review_days} working days after receipt)",
                         json_path=("review", "date"), hint="a finding of the build; review customer documents in time")
    if entry.status != "current" and item.overdue_copies:
        copies = ", ".join(f"{c.issue.department} {c.issue.copy_number} ({c.issue.record})" for c in item.overdue_copies)
        yield dg.warning("SB712", path, f"{label} is {entry.status} since {entry.ended.isoformat()} but copies are still "
                         f"held past the {recall_days}-day recall period: {copies}", json_path=("status",),
                         hint="recall the copies and record recalled_on on their distribution records")
    if item.currency_overdue:
        where = ("currency_check", "date") if entry.currency_check else ("received",)
        yield dg.warning("SB714", path, f"currency check of {label} was due on {item.currency_due.isoformat()}",
                         json_path=where, hint="check for a newer edition and record currency_check: {date, by, result}")
    for number in item.unrevised:
        index = entry.review.affected_documents.index(number)
        yield dg.warning("SB715", path, f"{label} was adopted on {entry.review.date.isoformat()}, but {number} has no "
                         "released revision since", json_path=("review", "affected_documents", index),
                         hint=f"revise {number} (revise, approve, make-effective) to implement the customer document")


def _stale(citation: Citation, entry: ExternalDocument) -> dg.Diagnostic:
    what = "superseded" if entry.status == "superseded" else "withdrawn"
    newer = f"; cite {entry.superseded_by} instead" if entry.superseded_by else ""
    message = f"{citation.document} cites {citation.text} ({entry.id}), which is {what}"
    hint = f"revise {citation.document} to cite the edition in force{newer}"
    if citation.how == "related":
        return dg.warning("SB713", citation.path, message, json_path=("related_documents", citation.index), hint=hint)
    return dg.warning("SB713", citation.path, message, line=citation.line, col=citation.col, hint=hint)
