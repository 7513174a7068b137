"""The manual as in force on a given date."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from site_builder.history.timeline import Timeline, Version


def in_force(timelines: Iterable[Timeline], day: date) -> list[tuple[Timeline, Version]]:
    """(timeline, version) for every item that had a version in force on `day`, by number."""
    found = []
    for timeline in sorted(timelines, key=lambda t: t.id):
        version = version_on(timeline, day)
        if version is not None:
            found.append((timeline, version))
    return found


def version_on(timeline: Timeline | None, day: date) -> Version | None:
    """The version of one item in force on `day`, or None."""
    if timeline is None:
        return None
    return next((v for v in timeline.versions if v.in_force_on(day)), None)


def change_dates(timelines: Iterable[Timeline]) -> list[date]:
    """Every date on which the set of versions in force changed, oldest first."""
    dates: set[date] = set()
    for timeline in timelines:
        for version in timeline.versions:
            dates.update(d for d in (version.effective_from, version.effective_to) if d is not None)
    return sorted(dates)


def periods(timelines: list[Timeline]) -> list[tuple[date, date | None]]:
    """[start, end) intervals between consecutive change dates; the last one is open."""
    dates = change_dates(timelines)
    return [(start, dates[i + 1] if i + 1 < len(dates) else None) for i, start in enumerate(dates)]
