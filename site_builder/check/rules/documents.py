"""Rules on one controlled document: versions, dates, approval, review, distribution."""

from __future__ import annotations

from datetime import date

from site_builder import diagnostics as dg
from site_builder.check.rules.duties import duty_rules
from site_builder.model.body import body_problems
from site_builder.model.manual import Config, Document, Organisation
from site_builder.model.versions import matches, sort_key

APPROVED_STATES = ("approved", "effective", "obsolete")
#: a version still being prepared: its revision entry has no approver yet
OPEN_STATES = ("draft", "in_review")


def document_rules(document: Document, config: Config, organisation: Organisation, today: date):
    yield from _versions(document, config)
    yield from _dates(document, today)
    yield from _approval(document, organisation)
    yield from _reviewer(document, organisation)
    yield from _lifecycle(document, today)
    yield from _distribution(document, organisation)
    yield from _people(document, organisation)
    yield from _body(document)
    yield from duty_rules(document, organisation)


def _versions(document: Document, config: Config):
    path = document.path
    labels = [("version",), *[("revisions", i, "version") for i in range(len(document.revisions))]]
    values = [document.version, *[r.version for r in document.revisions]]
    for where, label in zip(labels, values):
        if not matches(label, config.version_pattern):
            yield dg.error("SB400", path, f"version {label!r} does not match {config.version_pattern}", json_path=where,
                           hint="use versions such as A0, A1, B0 (numbering.version in qms.yaml)")
    for index in range(1, len(document.revisions)):
        previous, current = document.revisions[index - 1], document.revisions[index]
        if sort_key(current.version) <= sort_key(previous.version):
            yield dg.error("SB401", path, f"revision {current.version} does not come after {previous.version}",
                           json_path=("revisions", index, "version"),
                           hint="list revisions oldest first with strictly increasing versions (A0, A1, B0)")
        if current.date < previous.date:
            yield dg.error("SB401", path, f"revision {current.version} is dated {current.date}, before "
                           f"{previous.version} ({previous.date})", json_path=("revisions", index, "date"),
                           hint="revision dates must not go backwards")
    if document.revisions and document.revisions[-1].version != document.version:
        yield dg.error("SB402", path, f"version is {document.version} but the last revision entry is "
                       f"{document.revisions[-1].version}", json_path=("version",),
                       hint="use `python -m site_builder revise` to open a new version with its revision entry")


def _dates(document: Document, today: date):
    path = document.path
    steps = [("prepared_by", document.prepared_by), ("reviewed_by", document.reviewed_by),
             ("approved_by", document.approved_by)]
    dated = [(key, sig.date) for key, sig in steps if sig]
    if document.effective and document.status != "draft":
        dated.append(("effective", document.effective))
    for (key_a, date_a), (key_b, date_b) in zip(dated, dated[1:]):
        if date_b < date_a:
            yield dg.error("SB403", path, f"{key_b} date {date_b} is before {key_a} date {date_a}",
                           json_path=(key_b, "date") if key_b != "effective" else (key_b,),
                           hint="the order is prepared <= reviewed <= approved <= effective")
    if document.obsoleted and document.effective and document.obsoleted < document.effective:
        yield dg.error("SB403", path, f"obsoleted date {document.obsoleted} is before the effective date "
                       f"{document.effective}", json_path=("obsoleted",),
                       hint="a document is withdrawn on or after the day it took effect; correct one of the two dates")
    for key, sig in steps:
        if sig and sig.date > today:
            yield dg.error("SB404", path, f"{key} is dated {sig.date}, after today ({today})", json_path=(key, "date"),
                           hint="record a step only once it has happened")
    for index, revision in enumerate(document.revisions):
        if revision.date > today:
            yield dg.error("SB404", path, f"revision {revision.version} is dated {revision.date}, after today ({today})",
                           json_path=("revisions", index, "date"), hint="date the revision entry when the change is made")
    if document.last_reviewed and document.effective and document.last_reviewed < document.effective:
        yield dg.error("SB403", path, f"last_reviewed is dated {document.last_reviewed}, before the effective date "
                       f"{document.effective}", json_path=_review_path(document),
                       hint="a periodic review looks at the version in force: date it on or after its effective date")
    if document.last_reviewed and document.last_reviewed > today:
        # A future review date would silently postpone the next periodic review (SB409).
        yield dg.error("SB404", path, f"last_reviewed is dated {document.last_reviewed}, after today ({today})",
                       json_path=_review_path(document), hint="record the review once it has taken place")
    if document.status == "effective" and document.effective and document.effective > today:
        yield dg.error("SB404", path, f"status is effective but the effective date {document.effective} is in the future",
                       json_path=("effective",), hint="keep status 'approved' until the effective date")


def _review_path(document: Document) -> tuple:
    return ("last_reviewed", "date") if document.review and document.review.by else ("last_reviewed",)


def _reviewer(document: Document, organisation: Organisation):
    """Who reviews a document follows organisation.yaml: someone who may approve its level."""
    by = document.review.by if document.review else None
    if by is None:
        return
    person = organisation.person(by)
    if person is None:
        yield dg.error("SB307", document.path, f"{by!r} is not listed in organisation.yaml",
                       json_path=("last_reviewed", "by"), hint="add the person to organisation.yaml (people) or correct the name")
    elif document.level not in person.approves_levels:
        yield dg.error("SB406", document.path, f"{by} may not review level {document.level} documents",
                       json_path=("last_reviewed", "by"), hint="a periodic review is made by someone whose "
                       f"approves_levels in organisation.yaml include {document.level}")


def _approval(document: Document, organisation: Organisation):
    path = document.path
    if document.status in APPROVED_STATES and document.approved_by is None:
        yield dg.error("SB407", path, f"a document with status {document.status} has no approved_by",
                       json_path=("status",), hint="add approved_by: {name: ..., date: ...}")
    if document.status in ("effective", "obsolete") and document.effective is None:
        yield dg.error("SB407", path, f"a document with status {document.status} has no effective date",
                       json_path=("status",), hint="add effective: YYYY-MM-DD")
    approver = document.approved_by
    if approver and approver.name == document.prepared_by.name:
        yield dg.error("SB405", path, f"{approver.name} both prepared and approved this version",
                       json_path=("approved_by", "name"), hint="approval must come from someone other than the preparer")
    checks = [(("approved_by", "name"), approver.name)] if approver else []
    checks += [(("revisions", i, "approved_by"), r.approved_by) for i, r in enumerate(document.revisions) if r.approved_by]
    yield from unsigned_entries(document)
    for where, name in checks:
        person = organisation.person(name)
        if person is not None and document.level not in person.approves_levels:
            yield dg.error("SB406", path, f"{name} may not approve level {document.level} documents",
                           json_path=where, hint="choose an approver whose approves_levels in organisation.yaml "
                           f"include {document.level}")


def _lifecycle(document: Document, today: date):
    path = document.path
    if document.status == "obsolete" and document.obsoleted is None:
        yield dg.error("SB408", path, "an obsolete document has no obsoleted date", json_path=("status",),
                       hint="add obsoleted: YYYY-MM-DD")
    if document.status != "obsolete" and document.obsoleted is not None:
        yield dg.error("SB408", path, f"obsoleted date set but status is {document.status}", json_path=("obsoleted",),
                       hint="remove obsoleted, or set status: obsolete")
    if document.status in OPEN_STATES and document.effective is not None:
        # (a draft is not in force: an effective date left from the previous version would make it look so;
        # a warning, since the draft is published nowhere and must not block the version in force)
        yield dg.warning("SB408", path, f"a document with status {document.status} has an effective date "
                       f"({document.effective})", json_path=("effective",),
                       hint="remove effective: approve sets the day it comes into force (approve --effective or "
                       "make-effective)")
    if document.obsoleted and document.obsoleted > today:
        yield dg.error("SB404", path, f"obsoleted date {document.obsoleted} is in the future", json_path=("obsoleted",))
    next_review = document.next_review
    if document.status == "effective" and next_review and next_review < today:
        yield dg.warning("SB409", path, f"periodic review was due on {next_review}", json_path=("review_period_months",),
                         hint=f"review the document; if it stays as it is, record the review with `python -m site_builder "
                         f"review {document.id} --by NAME --result TEXT`, otherwise revise it")


def _distribution(document: Document, organisation: Organisation):
    yield from distribution_entries(document.path, document.distribution, organisation)
    if organisation.department(document.owner) is None:
        yield unknown_department(document.path, document.owner, ("owner",), organisation)


def distribution_entries(path: str, distribution, organisation: Organisation):
    """SB311 and SB306 on a distribution list (of a document or an external document)."""
    seen: dict[str, int] = {}
    for index, entry in enumerate(distribution):
        if entry.copies != len(entry.copy_numbers):
            yield dg.error("SB311", path, f"{entry.department}: {entry.copies} copies but {len(entry.copy_numbers)} "
                           "copy numbers", json_path=("distribution", index, "copies"),
                           hint="list one copy number per copy")
        for number in entry.copy_numbers:
            if number in seen:
                yield dg.error("SB311", path, f"copy number {number} is issued twice (entries {seen[number] + 1} and "
                               f"{index + 1})", json_path=("distribution", index, "copy_numbers"),
                               hint="a copy number is issued once per document")
            seen.setdefault(number, index)
        if organisation.department(entry.department) is None:
            yield unknown_department(path, entry.department, ("distribution", index, "department"), organisation)


def unsigned_entries(item):
    """SB407 for a revision entry without its approver, except the open draft's (a document or form
    in draft or in review): `approve` writes the approver, never `revise`."""
    last = len(item.revisions) - 1
    for index, revision in enumerate(item.revisions):
        if revision.approved_by is None and not (index == last and item.status in OPEN_STATES):
            yield dg.error("SB407", item.path, f"revision entry {revision.version} has no approved_by, but version "
                           f"{revision.version} is {'released' if index < last else item.status}",
                           json_path=("revisions", index), hint=f"record who approved {revision.version}: "
                           "approved_by: NAME (for the open version, run `python -m site_builder approve`)")


def _people(document: Document, organisation: Organisation):
    names = [((key, "name"), sig.name) for key, sig in (("prepared_by", document.prepared_by),
             ("reviewed_by", document.reviewed_by), ("approved_by", document.approved_by)) if sig]
    names += [(("revisions", i, "approved_by"), r.approved_by) for i, r in enumerate(document.revisions) if r.approved_by]
    for where, name in names:
        if organisation.person(name) is None:
            yield dg.error("SB307", document.path, f"{name!r} is not listed in organisation.yaml", json_path=where,
                           hint="add the person to organisation.yaml (people) or correct the name")


def _body(document: Document):
    for index, col, problem in body_problems(document.body):
        line = document.body_line + index
        if problem == "raw HTML":
            yield dg.warning("SB313", document.path, "raw HTML in the body is shown as plain text", line=line, col=col,
                             hint="use Markdown instead of HTML tags")
        else:
            yield dg.error("SB312", document.path, problem, line=line, col=col,
                           hint="only http(s), mailto and relative links are allowed")


def unknown_department(path: str, name: str, where: tuple, organisation: Organisation) -> dg.Diagnostic:
    known = ", ".join(d.name for d in organisation.departments)
    return dg.error("SB306", path, f"unknown department {name!r}", json_path=where,
                    hint=f"departments in organisation.yaml: {known}")
