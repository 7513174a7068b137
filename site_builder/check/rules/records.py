"""Rules on records: their form, the form version in force, and links between records."""

from __future__ import annotations

from datetime import date

from site_builder import diagnostics as dg
from site_builder.model.manual import Form, Record
from site_builder.model.versions import sort_key


def form_periods(form: Form) -> list[tuple[str, date, date | None]]:
    """(version, in force from, in force until exclusive) for every version of a form."""
    revisions = sorted(form.revisions, key=lambda r: sort_key(r.version))
    starts = [r.effective or r.date for r in revisions]
    if revisions and revisions[-1].version == form.version:
        if form.effective is None or form.status in ("draft", "in_review"):
            revisions, starts = revisions[:-1], starts[:-1]  # being prepared: no record can use it yet
        else:
            starts[-1] = form.effective
    return [(r.version, start, starts[i + 1] if i + 1 < len(starts) else None)
            for i, (r, start) in enumerate(zip(revisions, starts))]


def record_rules(record: Record, forms: dict[str, Form], record_forms: dict[str, str], document_ids: set[str],
                 today: date, periods: dict[str, list] | None = None):
    """Problems of one record; `periods`: form_periods of each form by id, when the caller has them."""
    if record.date > today:
        yield dg.error("SB404", record.path, f"record dated {record.date}, after today ({today})", json_path=("date",),
                       hint="date a record on the day it is filled in")
    form = forms.get(record.form)
    if form is None:
        return
    if not record.id.startswith(form.record_prefix + "-"):
        yield dg.error("SB300", record.path, f"record number {record.id!r} should start with {form.record_prefix}-",
                       json_path=("id",), hint=f"records of {form.id} are numbered {form.record_prefix}-YYYY-NNN")
    yield from _in_force(record, form, periods[form.id] if periods is not None and form.id in periods
                         else form_periods(form))
    for spec in form.fields:
        value = record.values.get(spec.key)
        if value is None:
            continue
        if spec.type == "record_ref":
            target_form = record_forms.get(value)
            if target_form is None:
                yield dg.error("SB305", record.path, f"{spec.key}: record {value!r} does not exist",
                               json_path=(spec.key,), hint="check the record number")
            elif spec.form and target_form != spec.form:
                yield dg.error("SB305", record.path, f"{spec.key}: {value} is a record of {target_form}, "
                               f"expected one of {spec.form}", json_path=(spec.key,))
        elif spec.type == "document_ref" and value not in document_ids:
            yield dg.error("SB303", record.path, f"{spec.key}: document {value!r} does not exist",
                           json_path=(spec.key,), hint="check the document number")


def _in_force(record: Record, form: Form, periods: list[tuple[str, date, date | None]]):
    if not periods:
        return
    if record.form_version:
        match = [p for p in periods if p[0] == record.form_version]
        if not match:
            yield dg.error("SB500", record.path, f"form {form.id} has no version {record.form_version}",
                           json_path=("form_version",), hint="versions: " + ", ".join(p[0] for p in periods))
            return
        version, start, end = match[0]
    else:
        version, start, end = periods[0][0], periods[0][1], None
    if record.date < start or (end is not None and record.date >= end):
        until = f" until {end}" if end else ""
        yield dg.error("SB500", record.path, f"record dated {record.date} but form {form.id} {version} was in force "
                       f"from {start}{until}", json_path=("date",),
                       hint="check the record date, or the form_version used")
