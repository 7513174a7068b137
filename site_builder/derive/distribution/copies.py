"""Controlled copies: who holds which copy of which version, computed from the 文件发放与回收记录.

Pure: works on the `Manual` only.  The records are those of the distribution form (QR-01-01 in the
shipped manual; any form with the fields document, doc_version, department, copy_number and
issued_on), one record per issued paper copy:

* the version of a document in force on a day is the last version whose effective date is on or
  before that day: `revision.effective or revision.date` for earlier versions, `document.effective`
  for the current one (none while it is a draft), and nothing after `document.obsoleted`;
* a copy is *current* while its version is in force and it has not been recalled; once the next
  version takes effect (or the document is obsoleted) it is *awaiting recall*, due
  `recall_within_days` after that date; on the due day it is not yet overdue, one day later it is;
* every copy number on a document's distribution list must have been issued, to the department the
  list names, for the version in force within `issue_within_days` after that version took effect,
  or after the copy was put on the list if that was later (`manual.listed_since`, from git);
  issued on the last day is in time, one day later is late;
* a copy number is issued once per document version: a second record for the same document,
  version and copy number is a duplicate (a replacement copy gets a new number, QP-01 5.7.4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from site_builder.model.manual import Document, Manual
from site_builder.model.versions import sort_key

#: Form fields that make a form the distribution/recall register.
REQUIRED_FIELDS = ("document", "doc_version", "department", "copy_number", "issued_on")

CURRENT = "current"
AWAITING = "awaiting_recall"
RECALLED = "recalled"
NOT_YET_EFFECTIVE = "not_yet_effective"
UNKNOWN_VERSION = "unknown_version"

STATUS_LABELS = {CURRENT: "现行有效", AWAITING: "待回收", RECALLED: "已回收", NOT_YET_EFFECTIVE: "新版本待生效",
                 UNKNOWN_VERSION: "版本不存在"}


@dataclass(frozen=True, slots=True)
class Issue:
    """One issued paper copy: a record of the distribution form."""

    record: str
    path: str
    form: str
    document: str
    version: str
    department: str
    copy_number: str
    issued_on: date | None
    received_by: str = ""
    recalled_on: date | None = None
    destroyed_on: date | None = None
    handled_by: str = ""


@dataclass(frozen=True, slots=True)
class VersionPeriod:
    version: str
    #: in force from (None: never in force, e.g. the draft of an open revision)
    start: date | None
    #: in force until, exclusive: the effective date of the next version, or the obsoleted date
    end: date | None
    #: the version that replaced it (None when current, or when the document was obsoleted)
    replaced_by: str | None


@dataclass(frozen=True, slots=True)
class Copy:
    issue: Issue
    status: str
    #: the day the copy's version stopped being in force (superseding version effective, or obsoleted)
    superseded_on: date | None = None
    superseded_by: str | None = None
    recall_due: date | None = None
    #: awaiting recall: days past the due date as of today; recalled: days the recall was late
    days_overdue: int = 0

    @property
    def overdue(self) -> bool:
        return self.status == AWAITING and self.days_overdue > 0


@dataclass(frozen=True, slots=True)
class MissingIssue:
    """A copy number on the distribution list not issued (in time) for the version in force."""

    document: str
    version: str
    department: str
    copy_number: str
    effective: date
    deadline: date
    #: issued, but after the deadline (None: not issued at all)
    issued_on: date | None = None
    record: str | None = None
    #: the day the copy was put on the list, when that was after the effective date (the deadline counts from it)
    listed: date | None = None

    def days_late(self, today: date) -> int:
        return ((self.issued_on or today) - self.deadline).days


@dataclass(frozen=True, slots=True)
class Duplicate:
    document: str
    version: str
    copy_number: str
    #: oldest first; every issue after the first is the error
    issues: tuple[Issue, ...]


@dataclass
class Holding:
    """One department's copies of one document."""

    document: str
    department: str
    listed: tuple[str, ...] = ()
    current: list[Copy] = field(default_factory=list)
    awaiting: list[Copy] = field(default_factory=list)
    missing: list[MissingIssue] = field(default_factory=list)


@dataclass
class DistributionStatus:
    today: date
    issue_within_days: int
    recall_within_days: int
    #: the distribution form(s) found; empty when the manual has none (then nothing is checked)
    forms: tuple[str, ...]
    copies: list[Copy]
    missing: list[MissingIssue]
    duplicates: list[Duplicate]
    #: (document, department, copy numbers) of every distribution-list entry of a current document
    listed: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)

    @property
    def awaiting(self) -> list[Copy]:
        """Copies of superseded versions not yet recalled, most overdue first."""
        found = [c for c in self.copies if c.status == AWAITING]
        return sorted(found, key=lambda c: (-c.days_overdue, c.issue.document, c.issue.copy_number, c.issue.record))

    @property
    def overdue(self) -> list[Copy]:
        return [c for c in self.awaiting if c.days_overdue > 0]

    @property
    def current(self) -> list[Copy]:
        return [c for c in self.copies if c.status == CURRENT]

    def holdings(self) -> dict[tuple[str, str], Holding]:
        """(document, department) -> Holding, for every pair that is listed or holds a copy."""
        result: dict[tuple[str, str], Holding] = {}

        def get(document: str, department: str) -> Holding:
            return result.setdefault((document, department), Holding(document, department))

        for document_id, department, numbers in self.listed:
            get(document_id, department).listed = numbers
        for copy in self.copies:
            if copy.status == CURRENT:
                get(copy.issue.document, copy.issue.department).current.append(copy)
            elif copy.status == AWAITING:
                get(copy.issue.document, copy.issue.department).awaiting.append(copy)
        for gap in self.missing:
            get(gap.document, gap.department).missing.append(gap)
        return dict(sorted(result.items()))


def distribution_forms(manual: Manual) -> tuple[str, ...]:
    return tuple(f.id for f in manual.forms if all(f.field(key) for key in REQUIRED_FIELDS))


def issues_of(manual: Manual) -> list[Issue]:
    forms = set(distribution_forms(manual))
    issues = []
    for record in manual.records:
        if record.form not in forms:
            continue
        v = record.values
        issues.append(Issue(record=record.id, path=record.path, form=record.form, document=_text(v.get("document")),
                            version=_text(v.get("doc_version")), department=_text(v.get("department")),
                            copy_number=_text(v.get("copy_number")), issued_on=_date(v.get("issued_on")),
                            received_by=_text(v.get("received_by")), recalled_on=_date(v.get("recalled_on")),
                            destroyed_on=_date(v.get("destroyed_on")), handled_by=_text(v.get("handled_by"))))
    return sorted(issues, key=_issue_order)


def version_periods(document: Document) -> list[VersionPeriod]:
    """When each version of `document` was in force, oldest first."""
    revisions = sorted(document.revisions, key=lambda r: sort_key(r.version))
    starts: list[date | None] = []
    for revision in revisions:
        if revision.version == document.version:
            in_force = document.status in ("approved", "effective", "obsolete")
            starts.append(document.effective if in_force else None)
        else:
            starts.append(revision.effective or revision.date)
    periods = []
    for i, (revision, start) in enumerate(zip(revisions, starts)):
        later = next(((r.version, s) for r, s in zip(revisions[i + 1:], starts[i + 1:]) if s is not None), None)
        if start is None:
            periods.append(VersionPeriod(revision.version, None, None, None))
        elif later is not None:
            periods.append(VersionPeriod(revision.version, start, later[1], later[0]))
        else:
            obsoleted = document.obsoleted if document.status == "obsolete" else None
            periods.append(VersionPeriod(revision.version, start, obsoleted, None))
    return periods


def version_in_force(document: Document, day: date) -> str | None:
    period = period_in_force(document, day)
    return period.version if period else None


def period_in_force(document: Document, day: date) -> VersionPeriod | None:
    found = None
    for period in version_periods(document):
        if period.start is not None and period.start <= day and (period.end is None or day < period.end):
            found = period
    return found


def external_periods(manual: Manual) -> dict[str, dict[str, VersionPeriod]]:
    """Register number -> {edition: period} of the external documents (external/): an edition is in
    force from its receipt until it is superseded or withdrawn; copies of it are then recalled like
    copies of an old version of an internal document."""
    by_id = {e.id: e for e in manual.external}
    result = {}
    for entry in manual.external:
        successor = by_id.get(entry.superseded_by) if entry.superseded_by else None
        replaced_by = successor.edition if successor is not None and entry.status == "superseded" else None
        result[entry.id] = {entry.edition: VersionPeriod(entry.edition, entry.received, entry.ended, replaced_by)}
    return result


def classify(issue: Issue, document: Document | None, today: date, recall_within_days: int) -> Copy:
    """The state of one issued copy as of `today`."""
    periods = {p.version: p for p in version_periods(document)} if document else {}
    return classify_in(issue, periods, today, recall_within_days)


def classify_in(issue: Issue, periods: dict[str, VersionPeriod], today: date, recall_within_days: int) -> Copy:
    """The state of one issued copy as of `today`; `periods`: version -> period of its document."""
    period = periods.get(issue.version)
    if period is None:
        return Copy(issue, RECALLED if issue.recalled_on and issue.recalled_on <= today else UNKNOWN_VERSION)
    superseded = period.end is not None and period.end <= today
    due = period.end + timedelta(days=recall_within_days) if superseded else None
    if issue.recalled_on is not None and issue.recalled_on <= today:
        late = max(0, (issue.recalled_on - due).days) if due else 0
        return Copy(issue, RECALLED, period.end if superseded else None, period.replaced_by if superseded else None,
                    due, late)
    if superseded:
        return Copy(issue, AWAITING, period.end, period.replaced_by, due, max(0, (today - due).days))
    if period.start is not None and period.start <= today:
        return Copy(issue, CURRENT)
    return Copy(issue, NOT_YET_EFFECTIVE)


def missing_issues(document: Document, issues: list[Issue], today: date, issue_within_days: int,
                   listed_since: dict | None = None) -> list[MissingIssue]:
    """Copy numbers on the distribution list without a copy of the version in force issued in time.
    The duty counts from the effective date, or from the day the copy was put on the list
    (`listed_since`: (department, copy number) -> day, from git), whichever is later."""
    period = period_in_force(document, today)
    if period is None or period.start is None:
        return []
    since = listed_since or {}
    issued: dict[tuple[str, str], Issue] = {}
    for issue in issues:
        if issue.document == document.id and issue.version == period.version and issue.issued_on is not None:
            key = (issue.department, issue.copy_number)
            if key not in issued or issue.issued_on < issued[key].issued_on:
                issued[key] = issue
    gaps = []
    for entry in document.distribution:
        for number in entry.copy_numbers:
            listed = since.get((entry.department, number))
            listed = listed if listed is not None and listed > period.start else None
            deadline = (listed or period.start) + timedelta(days=issue_within_days)
            issue = issued.get((entry.department, number))
            if issue is None:
                if today > deadline:
                    gaps.append(MissingIssue(document.id, period.version, entry.department, number, period.start, deadline,
                                             listed=listed))
            elif issue.issued_on > deadline:
                gaps.append(MissingIssue(document.id, period.version, entry.department, number, period.start, deadline,
                                         issue.issued_on, issue.record, listed))
    return gaps


def duplicates(issues: list[Issue]) -> list[Duplicate]:
    groups: dict[tuple[str, str, str], list[Issue]] = {}
    for issue in issues:
        groups.setdefault((issue.document, issue.version, issue.copy_number), []).append(issue)
    return [Duplicate(d, v, n, tuple(sorted(items, key=_issue_order)))
            for (d, v, n), items in sorted(groups.items()) if len(items) > 1]


def distribution_status(manual: Manual, today: date | None = None) -> DistributionStatus:
    """Everything the page and the findings need, as of `today` (default `manual.today`)."""
    today = today or manual.today
    config = manual.config
    forms = distribution_forms(manual)
    status = DistributionStatus(today, config.issue_within_days, config.recall_within_days, forms, [], [], [])
    if not forms:
        return status
    issues = issues_of(manual)
    # (a copy of a version in progress, issued ahead of its effective date, is "not yet effective":
    # the newest file knows every version, the version in force does not know its successor)
    periods = {d.id: {p.version: p for p in version_periods(manual.in_progress.get(d.id, d))} for d in manual.documents}
    periods.update(external_periods(manual))
    status.copies = [classify_in(i, periods.get(i.document, {}), today, config.recall_within_days) for i in issues]
    for document in manual.documents:
        if document.status != "effective":  # (obsolete, or never in force: a draft owes no copies, whatever dates it carries)
            continue
        status.missing += missing_issues(document, issues, today, config.issue_within_days,
                                         manual.listed_since.get(document.id))
        status.listed += [(document.id, e.department, e.copy_numbers) for e in document.distribution]
    status.duplicates = duplicates(issues)
    return status


def _issue_order(issue: Issue) -> tuple:
    return (issue.document, sort_key(issue.version), issue.copy_number, issue.issued_on or date.max, issue.record)


def _text(value) -> str:
    return "" if value is None else str(value)


def _date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None
