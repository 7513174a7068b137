"""The state of the register of external documents (外来文件清单) on a day.  Pure: model in, results out.

Per entry (one edition of an external document, external/<id>.yaml):

* review: a customer document is reviewed within `external.review_working_days` working days of its
  receipt (qms.yaml; the working-day calendar is `calendar`, workdays.py).  The deadline is that many
  working days after `received`; reviewed on the deadline is in time, a day later is late; not reviewed
  by the end of the deadline, the review is overdue from the next day;
* currency: a current standard or regulation is checked for a newer edition every
  `external.currency_check_months` months, counted from the last check (or from its receipt);
* holders: the departments on its distribution list; once the edition is superseded or withdrawn,
  every copy issued on the distribution form (QR-01-01 records naming the register number and the
  edition) must be recalled within `distribution.recall_within_days`, exactly as copies of an old
  version of an internal document (derive/distribution/copies.py);
* implementation: an adopted customer document lists the internal documents it affects; each must
  have a released revision dated on or after the review;
* citations: internal documents cite an entry by its register number in `related_documents`, or by
  the issuer's number in their body (GB 5749 cites the current edition, GB 5749-2006 that edition).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from site_builder.derive.distribution.copies import Copy, DistributionStatus, distribution_status
from site_builder.derive.external.workdays import add_working_days, working_days_between
from site_builder.model.body import citations as body_citations
from site_builder.model.manual import Document, ExternalDocument, Manual, add_months

ORIGIN_LABELS = {"standard": "标准", "regulation": "法律法规", "customer": "客户文件", "supplier": "供应商文件",
                 "other": "其他"}
STATUS_LABELS = {"current": "现行", "superseded": "已被替代", "withdrawn": "已废止"}
DECISION_LABELS = {"adopted": "采用", "adopted_with_changes": "采用并修订本公司文件", "not_applicable": "不适用"}
#: origins whose review has a deadline (IATF 16949 7.5.3.2.2: customer engineering standards and specifications)
REVIEW_DEADLINE_ORIGINS = ("customer",)
#: origins checked for currency (查新, QP-01 5.11.3)
CURRENCY_ORIGINS = ("standard", "regulation")
ADOPTED = ("adopted", "adopted_with_changes")

REVIEWED, LATE, PENDING, OVERDUE = "reviewed", "late", "pending", "overdue"
REVIEW_LABELS = {REVIEWED: "已评审", LATE: "逾期评审", PENDING: "待评审", OVERDUE: "评审逾期"}


@dataclass(frozen=True, slots=True)
class Citation:
    """An internal document citing an external entry."""

    document: str
    path: str
    external: str
    #: related (related_documents[index]) or body (line and column in the file)
    how: str
    text: str
    index: int = 0
    line: int = 0
    col: int = 0


@dataclass
class EntryStatus:
    entry: ExternalDocument
    #: customer documents: the last day of the review period; else None
    review_due: date | None
    review_state: str
    #: working days the review was (or is, while pending) past its deadline
    review_days_late: int = 0
    currency_due: date | None = None
    currency_overdue: bool = False
    #: copies of this edition issued on the distribution form, as classified there
    copies: list[Copy] = field(default_factory=list)
    #: affected internal documents without a released revision on or after the review
    unrevised: list[str] = field(default_factory=list)
    cited_by: list[Citation] = field(default_factory=list)

    @property
    def overdue_copies(self) -> list[Copy]:
        return [c for c in self.copies if c.overdue]

    @property
    def held_copies(self) -> list[Copy]:
        """Copies of a superseded or withdrawn edition not yet recalled."""
        return [c for c in self.copies if c.status == "awaiting_recall"]

    @property
    def holders(self) -> list[str]:
        """Departments holding the edition: the distribution list while it is current; once it is
        superseded or withdrawn, the departments whose copies are not yet recalled."""
        if self.entry.status == "current":
            return list(dict.fromkeys(d.department for d in self.entry.distribution))
        return list(dict.fromkeys(c.issue.department for c in self.held_copies))


@dataclass
class RegisterStatus:
    today: date
    review_working_days: int
    recall_within_days: int
    entries: list[EntryStatus]
    citations: list[Citation]

    def of(self, external_id: str) -> EntryStatus | None:
        return next((s for s in self.entries if s.entry.id == external_id), None)

    @property
    def reviews_not_in_time(self) -> list[EntryStatus]:
        return [s for s in self.entries if s.review_state in (LATE, OVERDUE)]

    @property
    def superseded_held(self) -> list[EntryStatus]:
        """Superseded or withdrawn editions still held past the recall period."""
        return [s for s in self.entries if s.entry.status != "current" and s.overdue_copies]

    @property
    def stale_citations(self) -> list[Citation]:
        """Citations of a superseded or withdrawn edition."""
        statuses = {s.entry.id: s.entry.status for s in self.entries}
        return [c for c in self.citations if statuses.get(c.external) != "current"]


def register_status(manual: Manual, distribution: DistributionStatus | None = None) -> RegisterStatus:
    config, today = manual.config, manual.today
    distribution = distribution or distribution_status(manual)
    found = citations(manual)
    entries = []
    for entry in manual.external:
        status = EntryStatus(entry, *_review(entry, manual))
        status.currency_due, status.currency_overdue = _currency(entry, config.currency_check_months, today)
        status.copies = [c for c in distribution.copies if c.issue.document == entry.id]
        status.unrevised = _unrevised(entry, manual)
        status.cited_by = [c for c in found if c.external == entry.id]
        entries.append(status)
    return RegisterStatus(today, config.review_working_days, config.recall_within_days, entries, found)


def review_deadline(entry: ExternalDocument, manual: Manual) -> date | None:
    if entry.origin not in REVIEW_DEADLINE_ORIGINS:
        return None
    return add_working_days(entry.received, manual.config.review_working_days, manual.config)


def _review(entry: ExternalDocument, manual: Manual) -> tuple[date | None, str, int]:
    due = review_deadline(entry, manual)
    config, today = manual.config, manual.today
    if entry.review is not None:
        if due is not None and entry.review.date > due:
            return due, LATE, working_days_between(due, entry.review.date, config)
        return due, REVIEWED, 0
    if due is not None and today > due:
        return due, OVERDUE, working_days_between(due, today, config)
    return due, PENDING, 0


def _currency(entry: ExternalDocument, months: int, today: date) -> tuple[date | None, bool]:
    if entry.origin not in CURRENCY_ORIGINS or entry.status != "current":
        return None, False
    since = entry.currency_check.date if entry.currency_check else entry.received
    due = add_months(since, months)
    return due, today > due


def _unrevised(entry: ExternalDocument, manual: Manual) -> list[str]:
    review = entry.review
    if entry.origin != "customer" or entry.status != "current" or review is None or review.decision not in ADOPTED:
        return []
    missing = []
    for number in review.affected_documents:
        document = manual.document(number)
        if document is not None and not revised_since(document, review.date):
            missing.append(number)
    return missing


def revised_since(document: Document, day: date) -> bool:
    """A released revision (one with its approver) dated on or after `day`."""
    return any(r.date >= day and r.approved_by for r in document.revisions)


# ---------------------------------------------------------------- citations

def citations(manual: Manual) -> list[Citation]:
    """Every citation of a register entry in the documents of `manual`."""
    by_id = {e.id: e for e in manual.external}
    if not by_id:
        return []
    editions: dict[str, list[ExternalDocument]] = {}
    for entry in manual.external:
        editions.setdefault(_normal(entry.number), []).append(entry)
    patterns = [_number_pattern(number) for number in sorted({e.number for e in manual.external}, key=len, reverse=True)]
    found = []
    for document in manual.documents:
        for index, ref in enumerate(document.related_documents):
            if ref in by_id:
                found.append(Citation(document.id, document.path, ref, "related", ref, index=index))
        if document.status == "obsolete":
            continue
        for index, col, text in body_citations(document.body, patterns):
            target = _edition_cited(text, editions)
            if target is not None:
                found.append(Citation(document.id, document.path, target.id, "body", text,
                                      line=document.body_line + index, col=col))
    return found


_YEAR = re.compile(r"^(?P<number>.*?)\s*[-—]\s*(?P<year>[0-9]{4})$")


def _edition_cited(text: str, editions: dict[str, list[ExternalDocument]]) -> ExternalDocument | None:
    """GB 5749-2006: that edition (None when the register has no such edition); GB 5749: the current
    edition, else the newest one registered."""
    dated = _YEAR.match(text)
    number, year = (dated.group("number"), dated.group("year")) if dated else (text, None)
    candidates = editions.get(_normal(number), [])
    if year is not None:
        return next((e for e in candidates if e.edition == year), None)
    current = [e for e in candidates if e.status == "current"]
    pool = current or candidates
    return max(pool, key=lambda e: (e.received, e.id)) if pool else None


def _number_pattern(number: str) -> str:
    """The issuer's number with optional spacing (GB 5749 / GB5749) and an optional year (-2022)."""
    parts = [re.escape(p) for p in number.split()]
    return r"\s?".join(parts) + r"(?:\s?[-—]\s?[0-9]{4}(?![0-9]))?"


def _normal(number: str) -> str:
    return re.sub(r"\s+", "", number).upper()
