"""Working days under the Chinese public-holiday calendar kept in qms.yaml (`calendar`).

A day is a working day when it is listed under `calendar.workdays` (a weekend day worked instead of
a holiday, 调休上班), or when it is a Monday to Friday not listed under `calendar.holidays`.  The
calendar is data: each year's State Council arrangement is added to qms.yaml when it is published;
a year not listed counts Monday to Friday only.
"""

from __future__ import annotations

from datetime import date, timedelta

from site_builder.model.manual import Config


def is_working_day(day: date, config: Config) -> bool:
    if day in config.workdays:
        return True
    return day.weekday() < 5 and day not in config.holidays


def add_working_days(start: date, count: int, config: Config) -> date:
    """The `count`-th working day after `start` (`start` itself is not counted)."""
    day = start
    left = count
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day, config):
            left -= 1
    return day


def working_days_between(start: date, end: date, config: Config) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not after `start`)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day, config)
    return count
