"""Calendar periods used by summaries and KPIs: month, quarter, half-year (H1 = Jan-Jun), year."""

from __future__ import annotations

from datetime import date, timedelta

PERIOD_KINDS = ("month", "quarter", "half_year", "year")


def month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def quarter(day: date) -> str:
    return f"{day.year:04d}Q{(day.month - 1) // 3 + 1}"


def half(day: date) -> str:
    return f"{day.year:04d}H{1 if day.month <= 6 else 2}"


def year(day: date) -> str:
    return f"{day.year:04d}"


KEY_OF = {"month": month, "quarter": quarter, "half_year": half, "year": year}
_MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}


def key(kind: str, day: date) -> str:
    return KEY_OF[kind](day)


def start(kind: str, day: date) -> date:
    """First day of the period of `kind` that holds `day`."""
    size = _MONTHS[kind]
    return date(day.year, (day.month - 1) // size * size + 1, 1)


def end(kind: str, day: date) -> date:
    """Last day of the period of `kind` that holds `day`."""
    first = start(kind, day)
    month_index = first.month - 1 + _MONTHS[kind]
    return date(first.year + month_index // 12, month_index % 12 + 1, 1) - timedelta(days=1)


def start_of(kind: str, period: str) -> date:
    """First day of the period whose key is `period` (as `key` gives it)."""
    year_ = int(period[:4])
    if kind == "year":
        return date(year_, 1, 1)
    if kind == "half_year":
        return date(year_, 1 if period.endswith("H1") else 7, 1)
    if kind == "quarter":
        return date(year_, (int(period[-1]) - 1) * 3 + 1, 1)
    return date(year_, int(period[5:7]), 1)


def end_of_month(year_: int, month_: int) -> date:
    return end("month", date(year_, month_, 1))


def keys_between(kind: str, first: date, last: date) -> list[str]:
    """Every period key from the one holding `first` to the one holding `last` (inclusive)."""
    keys = []
    current = start(kind, first)
    while current <= last:
        keys.append(key(kind, current))
        current = end(kind, current) + timedelta(days=1)
    return keys


def parse_date(value) -> date | None:
    """A record date value (validated 'YYYY-MM-DD' text, or a date) as a date; None when empty or not a date."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None
