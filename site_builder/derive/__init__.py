"""The derive stage: values, findings, summaries and KPIs computed from the records.

Takes the checked manual (the records, their forms and the procedures owning them) and the
forms and documents the audience may see; gives `Derived` (summaries, KPIs, findings), which
the record pages render (build.derive_records runs it).  Pure functions over the model (no I/O).
Every threshold, window, target and points table comes from the forms' `rules` and the
manual's objectives; one module per rule kind: scoring (score), thresholds (item_threshold),
complaints (reply_deadline), followups (follow_up), sampling (sampling); kpis and findings build
on them, summaries turns them into tables, charts and exports present them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from site_builder.derive import complaints, followups, periods, sampling, scoring, thresholds
from site_builder.derive import findings as fd
from site_builder.derive.distribution import RULE_LABELS as DISTRIBUTION_LABELS
from site_builder.derive.external import RULE_LABELS as EXTERNAL_LABELS
from site_builder.derive.kpis import KpiInputs, measure
from site_builder.derive.obligations import RULE_LABELS as OBLIGATION_LABELS
from site_builder.derive.obligations import RuleContext, obligation_findings
from site_builder.derive.summaries import FormRecords, FormSummary, summarise
from site_builder.model.manual import Document, Form, Manual, Record

#: finding rule code -> its Chinese name (pages, downloads, the compliance figures); the codes stay in api/findings.json
RULE_LABELS = {**fd.RULE_LABELS, **OBLIGATION_LABELS, **DISTRIBUTION_LABELS, **EXTERNAL_LABELS}

__all__ = ["Derived", "derive"]


@dataclass
class Derived:
    today: date
    forms: dict[str, FormRecords]
    summaries: dict[str, FormSummary]
    records: list[dict]  # api/records.json
    findings: list[fd.Finding]
    kpis: list[dict]  # api/kpis.json
    findings_by_record: dict[str, list[fd.Finding]] = field(default_factory=dict)


def derive(manual: Manual, forms: Iterable[Form] | None = None, documents: Iterable[Document] | None = None) -> Derived:
    """Evaluate the records of `forms` (default: all) and the objectives of `documents` (default: all)."""
    today = manual.today
    forms = list(manual.forms if forms is None else forms)
    by_form: dict[str, list[Record]] = {}
    for record in manual.records:
        by_form.setdefault(record.form, []).append(record)
    for records in by_form.values():
        records.sort(key=lambda r: (r.date, r.id))
    evaluated = {form.id: evaluate_form(form, by_form.get(form.id, []), by_form, manual.forms, today,
                                        partial(_rules_in_force, manual, form)) for form in forms}
    inputs = kpi_inputs(evaluated, manual)
    docs = list(manual.documents if documents is None else documents)
    kpis = [{"document": d.id, **measure(o, inputs, today)} for d in docs for o in d.objectives]
    found = []
    departments = {p.name: p.department for p in manual.organisation.people}
    context = RuleContext(today=today, titles={p.name: p.title for p in manual.organisation.people},
                          records_by_form=by_form, kpis=kpis, bodies={d.id: d.body for d in docs})
    for data in evaluated.values():
        document = manual.document(data.form.procedure)
        body = document.body if document else ""
        survey = manual.form(data.form.rules["sampling"]["survey_form"]) if "sampling" in data.form.rules else None
        found += fd.form_findings(data, body, today, survey.title if survey else "", departments)
        found += obligation_findings(data, context, fd.clause_locator(data.form, body), fd.labeller(data.form))
    by_record: dict[str, list[fd.Finding]] = {}
    for finding in found:
        if finding.record:
            by_record.setdefault(finding.record, []).append(finding)
    flags = {rid: [RULE_LABELS.get(f.rule, f.rule) for f in items] for rid, items in by_record.items()}
    summaries = {form_id: summarise(data, flags) for form_id, data in evaluated.items()}
    rows = [item for data in evaluated.values() for item in records_json(data, by_record)]
    return Derived(today=today, forms=evaluated, summaries=summaries, records=rows, findings=found, kpis=kpis,
                   findings_by_record=by_record)


def evaluate_form(form: Form, records: list[Record], by_form: dict[str, list[Record]], all_forms: Iterable[Form],
                  today: date, rules_of: Callable[[Record], dict] | None = None) -> FormRecords:
    """`rules_of`: the rules a record is evaluated with (default: the form's); a rule kind its version
    lacks comes from the form."""
    rules = form.rules
    if rules_of is None:
        def rule(record: Record, kind: str) -> dict:
            return rules[kind]
    else:
        def rule(record: Record, kind: str) -> dict:
            return rules_of(record).get(kind) or rules[kind]
    data = FormRecords(form=form, records=records)
    if "score" in rules:
        data.scores = {r.id: scoring.evaluate(r, rule(r, "score")) for r in records}
    if "item_threshold" in rules:
        data.thresholds = {r.id: thresholds.evaluate(r, rule(r, "item_threshold")) for r in records}
    if "reply_deadline" in rules:
        data.complaints = {r.id: complaints.evaluate(r, rule(r, "reply_deadline"), today) for r in records}
    if "follow_up" in rules:
        data.followups = {r.id: followups.evaluate(r, _follow_up_rule(r, rule(r, "follow_up"), rules["follow_up"]), today)
                          for r in records}
        data.follow_up_rates = followups.rates(data.followups.values(), rules["follow_up"]["targets"], periods.quarter)
    if "sampling" in rules:
        rule = rules["sampling"]
        customer_field = grading_customer_field(form, rule, {f.id: f for f in all_forms})
        surveys = by_form.get(rule["survey_form"], [])
        data.sampling = sampling.coverage(records, surveys, rule, customer_field, today)
        surveyed = sampling.surveyed_by_half(surveys, rule["customer_field"])
        for record in records:
            customer, grade = record.values.get(customer_field), record.values.get(rule["grade_field"])
            half = periods.half(record.date)
            data.sampling_surveyed[record.id] = (half, grade, customer in surveyed.get(half, set()))
    return data


def _follow_up_rule(record: Record, own: dict, current: dict) -> dict:
    """The follow-up rule of the record's version, unless that version does not know the record's trigger:
    a category a later version renamed (the records migrated with it) takes the window of the form."""
    trigger = record.values.get(own["trigger_field"])
    return own if trigger in own["windows"] or trigger not in current["windows"] else current


def _rules_in_force(manual: Manual, form: Form, record: Record) -> dict:
    """The rules of the version of `form` in force on the record's date: old records keep their grades."""
    return manual.form_on(form, record.date).rules


def grading_customer_field(form: Form, rule: dict, forms: dict[str, Form]) -> str:
    """The field of the grading form naming the customer: the record reference to the same form as the
    survey's customer field, else a field of the same name."""
    survey = forms.get(rule["survey_form"])
    target = survey.field(rule["customer_field"]).form if survey and survey.field(rule["customer_field"]) else None
    for spec in form.fields:
        if spec.type == "record_ref" and target and spec.form == target:
            return spec.key
    return rule["customer_field"]


def records_json(data: FormRecords, by_record: dict[str, list[fd.Finding]]) -> list[dict]:
    """api/records.json objects for one form: id, form, date and the derived values (never a personal field's value)."""
    hidden = {f.key for f in data.form.fields if f.personal_data}
    rules = data.form.rules
    parts = []
    if data.scores:
        show_capa = rules["score"]["capa_field"] not in hidden

        def score(record: Record, item: dict) -> None:
            s = data.scores[record.id]
            item.update(score=s.score, grade=s.grade, capa_required=s.capa_required, capa_missing=s.capa_missing)
            if show_capa:
                item["capa_record"] = s.capa_record
        parts.append(score)
    if data.thresholds:
        def threshold(record: Record, item: dict) -> None:
            t = data.thresholds[record.id]
            item.update(low_items=list(t.low_items), followup_required=t.followup_required, followup_recorded=t.followup_recorded)
        parts.append(threshold)
    if data.complaints:
        rule = rules["reply_deadline"]
        public = _public(hidden, received=rule["received_field"], replied=rule["replied_field"], closed=rule["closed_field"],
                         requested=rule.get("requested_field"))
        public["due"] = public["received"] and public["requested"]

        def complaint(record: Record, item: dict) -> None:
            c = data.complaints[record.id]
            item.update(received=_iso(c.received, public["received"]), due=_iso(c.due, public["due"]), due_source=c.due_source,
                        replied=_iso(c.replied, public["replied"]), reply_days=c.reply_days, reply_late=c.reply_late,
                        closed=_iso(c.closed, public["closed"]), open=c.open, age_days=c.age_days, overdue=c.overdue)
        parts.append(complaint)
    if data.followups:
        rule = rules["follow_up"]
        public = _public(hidden, trigger=rule["trigger_field"], event=rule["event_field"], done=rule["done_field"])

        def followup(record: Record, item: dict) -> None:
            f = data.followups[record.id]
            item.update(trigger=f.trigger if public["trigger"] else None, event=_iso(f.event, public["event"]), window_days=f.window,
                        due=_iso(f.due, public["event"]), done=_iso(f.done, public["done"]), status=f.status)
        parts.append(followup)
    if data.sampling_surveyed:
        show_grade = rules["sampling"]["grade_field"] not in hidden

        def grading(record: Record, item: dict) -> None:
            half, grade, surveyed = data.sampling_surveyed[record.id]
            item.update(half=half, customer_grade=grade if show_grade else None, surveyed_in_half=surveyed)
        parts.append(grading)
    rows = []
    for record in data.records:
        item = {"id": record.id, "form": record.form, "date": record.date.isoformat()}
        for part in parts:
            part(record, item)
        item["findings"] = [f.rule for f in by_record.get(record.id, ())]
        rows.append(item)
    return rows


def kpi_inputs(evaluated: dict[str, FormRecords], manual: Manual) -> KpiInputs:
    inputs = KpiInputs()
    closed: dict[str, date] = {}
    for data in evaluated.values():
        if data.complaints:
            judged = established_field(data.form)
            for record in data.records:
                value = record.values.get(judged) if judged else True
                inputs.complaints.append((data.complaints[record.id], value if isinstance(value, bool) else None))
                if data.complaints[record.id].closed:
                    closed[record.id] = data.complaints[record.id].closed
            first = data.records[0].date if data.records else None
            if first and (inputs.complaints_since is None or first < inputs.complaints_since):
                inputs.complaints_since = first
        if data.scores:
            months = survey_months(data.form.id, manual.forms)
            inputs.scores += [(r.date, data.scores[r.id]) for r in data.records if not months or r.date.month in months]
    followed: dict[str, set[str]] = {}  # complaint id -> statuses of follow-ups that name it
    for data in evaluated.values():
        if data.followups:
            inputs.followups += data.followups.values()
            refs = [f.key for f in data.form.fields if f.type == "record_ref"]
            for record in data.records:
                for key in refs:
                    if record.values.get(key) in closed:
                        followed.setdefault(record.values[key], set()).add(data.followups[record.id].status)
    for complaint, closed_on in closed.items():
        statuses = followed.get(complaint, set())
        done = bool(statuses & {followups.ON_TIME, followups.LATE})
        if done or not statuses or statuses - {followups.PENDING}:
            inputs.closed_complaints.append((closed_on, done))
    return inputs


def established_field(form: Form) -> str | None:
    """The boolean field in which the complaint form records whether a complaint was judged established
    (rules.reply_deadline.established_field, QM-01 OBJ-02 counts only those); None: every complaint counts."""
    key = form.rules.get("reply_deadline", {}).get("established_field")
    spec = form.field(key) if key else None
    return spec.key if spec is not None and spec.type == "boolean" else None


def survey_months(survey_form: str, forms: Iterable[Form]) -> set[int]:
    """Months of the central survey rounds, from the sampling rule that names this survey form (empty: every month)."""
    return {m for f in forms if "sampling" in f.rules and f.rules["sampling"]["survey_form"] == survey_form
            for m in f.rules["sampling"].get("survey_months", ())}


def _public(hidden: set[str], **keys) -> dict[str, bool]:
    return {name: key is None or key not in hidden for name, key in keys.items()}


def _iso(value: date | None, public: bool = True) -> str | None:
    return value.isoformat() if value and public else None
