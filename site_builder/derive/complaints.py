"""Complaint reply deadlines (form rule `reply_deadline`).

The reply is due `days` days after receipt, unless the customer set a deadline
(`requested_field`), in which case that date is the due date.  A reply on the due day is
on time; a reply after it is late.  A complaint without a closing date is open; its age
counts from receipt to `today`, and it is overdue once `today` is past the due date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from site_builder.derive.periods import parse_date
from site_builder.model.manual import Record

CUSTOMER = "customer"
RULE = "rule"


@dataclass(frozen=True, slots=True)
class ComplaintResult:
    received: date
    due: date
    due_source: str  # CUSTOMER or RULE
    replied: date | None
    closed: date | None
    today: date

    @property
    def reply_days(self) -> int | None:
        return (self.replied - self.received).days if self.replied else None

    @property
    def reply_late(self) -> bool | None:
        """True when replied after the due date, or not replied and the due date has passed; None while pending."""
        if self.replied is not None:
            return self.replied > self.due
        return True if self.today > self.due else None

    @property
    def days_late(self) -> int:
        reference = self.replied or self.today
        return max(0, (reference - self.due).days)

    @property
    def open(self) -> bool:
        return self.closed is None

    @property
    def age_days(self) -> int | None:
        return (self.today - self.received).days if self.open else None

    @property
    def overdue(self) -> bool:
        """Still open after its due date."""
        return self.open and self.today > self.due


def due_date(received: date, days: int, requested: date | None = None) -> date:
    return requested if requested is not None else received + timedelta(days=days)


def evaluate(record: Record, rule: dict, today: date) -> ComplaintResult:
    values = record.values
    received = parse_date(values.get(rule["received_field"])) or record.date
    requested = parse_date(values.get(rule["requested_field"])) if rule.get("requested_field") else None
    return ComplaintResult(
        received=received,
        due=due_date(received, rule["days"], requested),
        due_source=CUSTOMER if requested is not None else RULE,
        replied=parse_date(values.get(rule["replied_field"])),
        closed=parse_date(values.get(rule["closed_field"])),
        today=today,
    )
