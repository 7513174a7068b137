"""Obligations a record creates beyond its own fields: rules that look at other records, at the
people who signed, or at the objectives measured in a period.

Takes the evaluated records of one form, the records of every form, the people of
organisation.yaml and the KPIs; gives `Finding`s.  Every limit (months, days, titles, patterns)
comes from the form's `rules`:

- `repeat_complaint`: a complaint judged established that repeats an earlier one (named in the
  repeat field, or the same customer and the same match field within the period) needs a CAPA;
- `due_limit`: a due date more than `days` after the record date needs the approval of a person
  holding one of `approver_titles`;
- `objective_capa`: an objective missed in a closed period needs a record of this form that
  cites it within `within_days` of the period's end;
- `periodic_list`: a record of this form for every period in which `source_form` has records,
  due `due_days` after the period ends;
- `allowed_signers`: the person in `field` holds one of `titles` (for records whose
  `when_field` matches `when_pattern`, when given);
- `tracking_interval`: every open record of the tracked form is tracked at least every `days` days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from site_builder.derive import periods
from site_builder.derive.findings import Finding, locate_clause, plain_number

if TYPE_CHECKING:
    from site_builder.derive.summaries import FormRecords
    from site_builder.model.manual import Record

REPEAT_NO_CAPA = "repeat-complaint-no-capa"
DUE_NOT_APPROVED = "due-extension-not-approved"
OBJECTIVE_NO_CAPA = "objective-missed-no-capa"
PERIODIC_MISSING = "periodic-list-missing"
SIGNER_NOT_ALLOWED = "signer-not-allowed"
TRACKING_GAP = "tracking-gap"

RULE_LABELS = {
    REPEAT_NO_CAPA: "重复投诉未开纠正预防措施报告",
    DUE_NOT_APPROVED: "措施完成期限超限未经批准",
    OBJECTIVE_NO_CAPA: "质量目标未达成未开纠正预防措施报告",
    PERIODIC_MISSING: "定期汇总表缺少期间",
    SIGNER_NOT_ALLOWED: "记录签署人不具备规定职务",
    TRACKING_GAP: "措施追踪间隔超过规定",
}


@dataclass(frozen=True)
class RuleContext:
    """What the obligation rules read besides the form's own records."""

    today: date
    titles: dict[str, str] = field(default_factory=dict)  # person -> title (organisation.yaml)
    records_by_form: dict[str, list[Record]] = field(default_factory=dict)
    kpis: list[dict] = field(default_factory=list)  # derive's KPI rows (measure())
    bodies: dict[str, str] = field(default_factory=dict)  # document -> body, for the clause that sets an objective



def obligation_findings(data: FormRecords, context: RuleContext, clause, label) -> list[Finding]:
    rules = data.form.rules
    found: list[Finding] = []
    for kind, check in _CHECKS.items():
        if kind in rules:
            found += check(data, rules[kind], context, clause, label)
    return found


def _value(record: Record, key: str | None):
    return record.values.get(key) if key else None


def _repeat_complaints(data: FormRecords, rule: dict, context: RuleContext, clause, label) -> list[Finding]:
    where = clause([rule["within_months"]], [label(rule["capa_field"]), label(rule["repeat_field"])])
    months = rule["within_months"]
    by_id = {r.id: r for r in data.records}
    found = []
    for index, record in enumerate(data.records):
        if rule.get("established_field") and _value(record, rule["established_field"]) is not True:
            continue
        if _value(record, rule["capa_field"]):
            continue
        earlier = _earlier_complaint(record, data.records[:index], by_id, rule, months)
        if earlier is not None:
            found.append(Finding(REPEAT_NO_CAPA, f"与 {earlier.id}（{earlier.date.isoformat()}）属同类问题，{months} 个月内再次投诉且"
                                 f"判定成立，未填写{label(rule['capa_field'])}", data.form.id, record.date, record=record.id,
                                 clause=where))
    return found


def _earlier_complaint(record: Record, before: list[Record], by_id: dict, rule: dict, months: int) -> Record | None:
    since = _months_before(record.date, months)
    named = by_id.get(_value(record, rule["repeat_field"]))
    if named is not None and since <= named.date <= record.date:
        return named
    customer, match = _value(record, rule["customer_field"]), _value(record, rule["match_field"])
    if not customer or not match:
        return None
    for other in reversed(before):
        if other.date < since:
            break
        if _value(other, rule["customer_field"]) == customer and _value(other, rule["match_field"]) == match:
            return other
    return None


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, periods.end_of_month(year, month + 1).day))


def _due_limits(data: FormRecords, rule: dict, context: RuleContext, clause, label) -> list[Finding]:
    titles = rule["approver_titles"]
    where = clause([rule["days"]], [label(rule["due_field"]), label(rule["approval_field"])])
    found = []
    for record in data.records:
        due = periods.parse_date(_value(record, rule["due_field"]))
        if due is None or (due - record.date).days <= rule["days"]:
            continue
        approver = _value(record, rule["approval_field"])
        if isinstance(approver, str) and context.titles.get(approver) in titles:
            continue
        who = f"，{label(rule['approval_field'])}为{approver}（{context.titles.get(approver, '未登记职务')}）" if approver else ""
        found.append(Finding(DUE_NOT_APPROVED, f"{label(rule['due_field'])} {due.isoformat()} 距开立 {(due - record.date).days} 天，"
                             f"超过 {rule['days']} 天，须经{'或'.join(titles)}批准{who}", data.form.id, record.date,
                             record=record.id, clause=where))
    return found


def _objective_capas(data: FormRecords, rule: dict, context: RuleContext, clause, label) -> list[Finding]:
    cited: dict[str, list[date]] = {}
    for record in data.records:
        objective = _value(record, rule["objective_field"])
        if isinstance(objective, str) and objective:
            cited.setdefault(objective.strip(), []).append(record.date)
    found = []
    for kpi in context.kpis:
        for row in kpi.get("periods", ()):
            if not row["complete"] or row["met"] is not False:
                continue
            first = periods.start_of(kpi["period"], row["period"])
            last = periods.end(kpi["period"], first)
            due = last + timedelta(days=rule["within_days"])
            if due >= context.today or any(first <= day <= due for day in cited.get(kpi["id"], ())):
                continue
            where = locate_clause(kpi["document"], context.bodies.get(kpi["document"], ""), [data.form.id],
                                  [data.form.title, "目标未达成"])
            found.append(Finding(OBJECTIVE_NO_CAPA, f"{kpi['id']}（{kpi['text']}）{row['period']} 实际 {plain_number(row['value'])}"
                                 f"{kpi.get('unit') or ''}，未达成目标；至 {due.isoformat()} 未开立注明该目标的{data.form.title}",
                                 data.form.id, last, document=kpi["document"], clause=where, period=row["period"]))
    return found


def _periodic_lists(data: FormRecords, rule: dict, context: RuleContext, clause, label) -> list[Finding]:
    kind = rule["period"]
    present = {str(_value(r, rule["period_field"]) or "").strip() for r in data.records}
    needed = sorted({periods.key(kind, r.date) for r in context.records_by_form.get(rule["source_form"], ())})
    where = clause([], [label(rule["period_field"]), data.form.title])
    found = []
    for key in needed:
        last = periods.end(kind, periods.start_of(kind, key))
        due = last + timedelta(days=rule["due_days"])
        if key in present or due >= context.today:
            continue
        found.append(Finding(PERIODIC_MISSING, f"{key} 有 {rule['source_form']} 记录，应在 {due.isoformat()} 前编制该期间的"
                             f"{data.form.title}，至今没有", data.form.id, due, document=data.form.procedure, clause=where,
                             period=key))
    return found


def _allowed_signers(data: FormRecords, rule: dict, context: RuleContext, clause, label) -> list[Finding]:
    pattern = re.compile(rule["when_pattern"]) if rule.get("when_pattern") else None
    titles = rule["titles"]
    where = clause([], [label(rule["field"])] + list(titles))
    found = []
    for record in data.records:
        if pattern is not None and not pattern.search(str(_value(record, rule.get("when_field")) or "")):
            continue
        signer = _value(record, rule["field"])
        if not isinstance(signer, str) or not signer or context.titles.get(signer) in titles:
            continue
        found.append(Finding(SIGNER_NOT_ALLOWED, f"{label(rule['field'])}为{signer}（{context.titles.get(signer, '未登记职务')}），"
                             f"本记录应由{'或'.join(titles)}签署", data.form.id, record.date, record=record.id, clause=where))
    return found


def _tracking_intervals(data: FormRecords, rule: dict, context: RuleContext, clause, label) -> list[Finding]:
    spec = data.form.field(rule["subject_field"])
    tracked_form = spec.form if spec else None
    days = rule["days"]
    tracked: dict[str, list[date]] = {}
    for record in data.records:
        tracked.setdefault(str(_value(record, rule["subject_field"]) or ""), []).append(record.date)
    where = clause([days], [label(rule["subject_field"])])
    found = []
    for subject in context.records_by_form.get(tracked_form or "", ()):
        closed = periods.parse_date(subject.values.get(rule["subject_closed"]))
        end = min(closed or context.today, context.today)
        checks = sorted(d for d in tracked.get(subject.id, ()) if subject.date <= d <= end)
        gaps = [(b - a).days for a, b in zip([subject.date, *checks], [*checks, end])]
        if max(gaps, default=0) <= days:
            continue
        state = f"至 {closed.isoformat()} 结案" if closed else f"至 {context.today.isoformat()} 未结案"
        found.append(Finding(TRACKING_GAP, f"{subject.id} 自 {subject.date.isoformat()} 开立{state}，应至少每 {days} 天追踪一次，"
                             f"实际追踪 {len(checks)} 次，最长间隔 {max(gaps)} 天", data.form.id, subject.date,
                             record=subject.id, clause=where))
    return found


_CHECKS = {
    "repeat_complaint": _repeat_complaints,
    "due_limit": _due_limits,
    "objective_capa": _objective_capas,
    "periodic_list": _periodic_lists,
    "allowed_signers": _allowed_signers,
    "tracking_interval": _tracking_intervals,
}
