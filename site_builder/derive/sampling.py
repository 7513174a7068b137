"""Survey sampling coverage per half-year (form rule `sampling`, on the customer-grading form).

For each half-year (H1 = January-June, H2 = July-December) the customers graded in that half
are those with a grading record dated in it (the latest one counts when there are several).
For each grade, coverage = distinct customers of that grade surveyed in the half (records of
`survey_form` dated in the half whose `customer_field` names them) / customers of that grade,
compared with `coverage[grade]` percent.  Since counts are whole, "surveyed >= customers x
percent" is the same as surveying at least the rounded-up share.  A half is assessed once its
last survey month (`survey_months`, else the half itself) has ended.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from site_builder.derive import periods
from site_builder.model.manual import Record


@dataclass(frozen=True, slots=True)
class SamplingRow:
    half: str
    grade: str
    customers: tuple[str, ...]
    surveyed: tuple[str, ...]
    target: float | None
    due: date
    assessed: bool

    @property
    def required(self) -> int | None:
        if self.target is None:
            return None
        return math.ceil(Fraction(str(self.target)) * len(self.customers) / 100)

    @property
    def coverage(self) -> Fraction | None:
        return Fraction(100 * len(self.surveyed), len(self.customers)) if self.customers else None

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return 100 * len(self.surveyed) >= Fraction(str(self.target)) * len(self.customers)

    @property
    def missing(self) -> tuple[str, ...]:
        surveyed = set(self.surveyed)
        return tuple(c for c in self.customers if c not in surveyed)


def half_due(half: str, survey_months: Iterable[int] = ()) -> date:
    """End of the last survey month inside the half, or the end of the half."""
    year, part = int(half[:4]), int(half[-1])
    months = range(1, 7) if part == 1 else range(7, 13)
    inside = [m for m in survey_months if m in months]
    return periods.end_of_month(year, max(inside) if inside else months[-1])


def latest_grades(grading: Iterable[Record], grade_field: str, customer_field: str) -> dict[str, dict[str, tuple[date, str, str]]]:
    """half -> customer -> (date, record id, grade) of the latest grading record of that customer in the half."""
    result: dict[str, dict[str, tuple[date, str, str]]] = {}
    for record in grading:
        customer, grade = record.values.get(customer_field), record.values.get(grade_field)
        if not isinstance(customer, str) or not isinstance(grade, str):
            continue
        half = periods.half(record.date)
        entry = (record.date, record.id, grade)
        current = result.setdefault(half, {}).get(customer)
        if current is None or entry[:2] > current[:2]:
            result[half][customer] = entry
    return result


def surveyed_by_half(surveys: Iterable[Record], customer_field: str) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for record in surveys:
        customer = record.values.get(customer_field)
        if isinstance(customer, str):
            result.setdefault(periods.half(record.date), set()).add(customer)
    return result


def coverage(grading: Iterable[Record], surveys: Iterable[Record], rule: dict, grading_customer_field: str,
             today: date) -> list[SamplingRow]:
    grades = latest_grades(grading, rule["grade_field"], grading_customer_field)
    surveyed = surveyed_by_half(surveys, rule["customer_field"])
    order = list(rule["coverage"])
    rows = []
    for half in sorted(grades):
        by_grade: dict[str, list[str]] = {}
        for customer, (_, _, grade) in sorted(grades[half].items()):
            by_grade.setdefault(grade, []).append(customer)
        due = half_due(half, rule.get("survey_months", ()))
        done = surveyed.get(half, set())
        for grade in sorted(by_grade, key=lambda g: (order.index(g) if g in order else len(order), g)):
            customers = tuple(by_grade[grade])
            rows.append(SamplingRow(half=half, grade=grade, customers=customers,
                                    surveyed=tuple(c for c in customers if c in done),
                                    target=rule["coverage"].get(grade), due=due, assessed=today > due))
    return rows
