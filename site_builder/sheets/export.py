"""Exporting the records of a form in the template's layout.

Takes the manual (its records as the working tree has them), the form in force, an optional date
range and the audience; gives the rows of the workbook (column key -> value), one per record in the
order of their numbers.  `auditor`: every value, so that importing the file unchanged changes no
record; `staff`: personal data masked as the staff site masks it (derive/privacy), narrative fields
of a form with personal data left out.
"""

from __future__ import annotations

from datetime import date

from site_builder.derive.privacy import MaskPlan, visible_values
from site_builder.model.manual import Form, Manual


def export_rows(manual: Manual, form: Form, start: date | None, end: date | None, audience: str) -> list[dict]:
    plan = MaskPlan(form)
    rows = []
    records = sorted((r for r in manual.records if r.form == form.id
                      and (start is None or r.date >= start) and (end is None or r.date <= end)), key=lambda r: r.id)
    for record in records:
        values = visible_values(record, form, audience, plan)
        row = {"id": record.id, "date": record.date.isoformat()}
        for spec in form.fields:
            value = values.get(spec.key)
            if isinstance(value, dict):
                row |= {f"{spec.key}.{item}": value.get(item) for item in spec.items}
            else:
                row[spec.key] = value
        rows.append(row)
    return rows
