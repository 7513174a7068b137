"""Follow-up visits (form rule `follow_up`).

due = event date + windows[trigger] days.  A visit on or before the due date is on time,
after it late; no visit and the due date passed is missed; otherwise pending.  The
follow-up rate of a period (回访率) is visits made / visits required, where required means
made or missed (pending visits are not yet required); it is compared with targets[group],
group being a trigger value or "overall".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from site_builder.derive.periods import parse_date
from site_builder.model.manual import Record

ON_TIME, LATE, MISSED, PENDING, NO_WINDOW = "on_time", "late", "missed", "pending", "no_window"
STATUSES = (ON_TIME, LATE, MISSED, PENDING, NO_WINDOW)
OVERALL = "overall"


@dataclass(frozen=True, slots=True)
class FollowUpResult:
    trigger: str | None
    event: date
    window: int | None
    due: date | None
    done: date | None
    status: str

    @property
    def required(self) -> bool:
        return self.status in (ON_TIME, LATE, MISSED)

    @property
    def made(self) -> bool:
        return self.status in (ON_TIME, LATE)

    @property
    def days_late(self) -> int:
        if self.due is None or self.done is None:
            return 0
        return max(0, (self.done - self.due).days)


@dataclass(frozen=True, slots=True)
class RateRow:
    period: str
    group: str  # trigger value or OVERALL
    required: int
    made: int
    on_time: int
    late: int
    missed: int
    pending: int
    no_window: int
    target: float | None

    @property
    def rate(self) -> Fraction | None:
        return Fraction(100 * self.made, self.required) if self.required else None

    @property
    def on_time_rate(self) -> Fraction | None:
        return Fraction(100 * self.on_time, self.required) if self.required else None

    @property
    def met(self) -> bool | None:
        if self.rate is None or self.target is None:
            return None
        return self.rate >= Fraction(str(self.target))


def due_date(event: date, window: int | None) -> date | None:
    return None if window is None else event + timedelta(days=window)


def status(done: date | None, due: date | None, today: date) -> str:
    if due is None:
        return NO_WINDOW
    if done is not None:
        return ON_TIME if done <= due else LATE
    return MISSED if due < today else PENDING


def evaluate(record: Record, rule: dict, today: date) -> FollowUpResult:
    values = record.values
    trigger = values.get(rule["trigger_field"])
    event = parse_date(values.get(rule["event_field"])) or record.date
    window = rule["windows"].get(trigger) if isinstance(trigger, str) else None
    due = due_date(event, window)
    done = parse_date(values.get(rule["done_field"]))
    return FollowUpResult(trigger=trigger if isinstance(trigger, str) else None, event=event, window=window, due=due,
                          done=done, status=status(done, due, today))


def rates(results: Iterable[FollowUpResult], targets: dict, period_of: Callable[[date], str]) -> list[RateRow]:
    """Rates per period, overall and per trigger, each with its target (None when the form sets none)."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for result in results:
        period = period_of(result.event)
        for group in (OVERALL, result.trigger or ""):
            bucket = counts.setdefault((period, group), dict.fromkeys(STATUSES, 0))
            bucket[result.status] += 1
    rows = []
    for (period, group), c in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1] != OVERALL, kv[0][1])):
        rows.append(RateRow(period=period, group=group, required=c[ON_TIME] + c[LATE] + c[MISSED],
                            made=c[ON_TIME] + c[LATE], on_time=c[ON_TIME], late=c[LATE], missed=c[MISSED],
                            pending=c[PENDING], no_window=c[NO_WINDOW], target=targets.get(group)))
    return rows
