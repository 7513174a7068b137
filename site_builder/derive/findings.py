"""Findings: nonconformities derived from the form rules, each with the clause that requires it.

The clause is located in the body of the form's procedure (`form.procedure`) from the rule's
own data: the numbered section that mentions most of the rule's numbers and identifiers
(for example "75" and "QR-03-01" for the corrective-action rule), ties broken by the
overlap with the field labels, then by the earliest section.  When nothing matches, the
finding cites the document alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from site_builder.derive.complaints import CUSTOMER
from site_builder.derive.followups import LATE, MISSED

if TYPE_CHECKING:
    from site_builder.derive.summaries import FormRecords

CAPA_MISSING = "capa-missing"
BRANCH_NO_FOLLOWUP = "branch-item-no-followup"
REPLY_LATE = "reply-late"
COMPLAINT_OVERDUE = "complaint-overdue"
FOLLOW_UP_MISSED = "follow-up-missed"
FOLLOW_UP_LATE = "follow-up-late"
SAMPLING_SHORT = "sampling-short"
NOT_INDEPENDENT = "verification-not-independent"

#: rule code -> short Chinese label (page headings, record flags)
RULE_LABELS = {
    CAPA_MISSING: "低分调查未开纠正预防措施报告",
    BRANCH_NO_FOLLOWUP: "低分项目未记录电话回访",
    REPLY_LATE: "投诉回复超过期限",
    COMPLAINT_OVERDUE: "投诉逾期未结案",
    FOLLOW_UP_MISSED: "回访逾期未做",
    FOLLOW_UP_LATE: "回访超过时限",
    SAMPLING_SHORT: "满意度调查抽样比例不足",
    NOT_INDEPENDENT: "措施效果由责任部门自行验证",
}


@dataclass(frozen=True, slots=True)
class Clause:
    document: str
    section: str | None = None
    title: str = ""

    @property
    def label(self) -> str:
        return f"{self.document} {self.section}" if self.section else self.document


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    message: str
    form: str
    date: date | None
    record: str | None = None
    document: str | None = None
    clause: Clause | None = None
    period: str | None = None
    grade: str | None = None

    def as_json(self) -> dict:
        item: dict = {"rule": self.rule}
        if self.record:
            item["record"] = self.record
        else:
            item["document"] = self.document
        item.update({"form": self.form, "date": self.date.isoformat() if self.date else None, "message": self.message,
                     "clause": self.clause.label if self.clause else None,
                     "clause_document": self.clause.document if self.clause else None,
                     "clause_section": self.clause.section if self.clause else None})
        if self.period:
            item["period"] = self.period
        if self.grade:
            item["grade"] = self.grade
        return item


_HEADING = re.compile(r"^#{1,6}\s+(\d+(?:\.\d+)*)\s*(.*)$")
_NUMBERED = re.compile(r"^(\d+(?:\.\d+)+)\s+(.*)$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def clauses(body: str) -> tuple[tuple[str, str, str], ...]:
    """(section number, title, text) for every numbered heading or numbered paragraph ("5.7.3 ...")."""
    found: list[list] = []
    fence = False
    for line in body.split("\n"):
        if _FENCE.match(line):
            fence = not fence
        match = None if fence else (_HEADING.match(line) or _NUMBERED.match(line))
        if match:
            number, rest = match.group(1), match.group(2).strip()
            found.append([number, _title(rest), rest + "\n"])
        elif found:
            found[-1][2] += line + "\n"
    return tuple((n, t, x) for n, t, x in found)


def locate_clause(document_id: str, body: str, tokens: list, labels: list[str],
                  sections: tuple[tuple[str, str, str], ...] | None = None) -> Clause:
    """The clause of `body` that best mentions `tokens` (numbers or identifiers) and `labels`;
    `sections`: `clauses(body)`, when the caller has it already."""
    needles = [_needle(t) for t in tokens if t not in (None, "")]
    grams = {g for label in labels if label for g in _bigrams(label)}
    best, best_score = None, (0, 0)
    for number, title, text in clauses(body) if sections is None else sections:
        exact = sum(1 for n in needles if n.search(text))
        score = (exact, sum(1 for g in grams if g in text))
        if score > best_score:
            best, best_score = (number, title), score
    if best is None or best_score[0] == 0 and best_score[1] < 2:
        return Clause(document_id)
    return Clause(document_id, best[0], best[1])


def _needle(token) -> re.Pattern:
    if isinstance(token, float) and token.is_integer():
        token = int(token)
    text = re.escape(str(token))
    return re.compile(rf"(?<![\d.]){text}(?![\d.])") if isinstance(token, int | float) else re.compile(text)


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _title(rest: str) -> str:
    rest = rest.strip()
    return rest if len(rest) <= 24 else rest[:24] + "…"


def clause_locator(form, body: str):
    """(tokens, labels) -> the Clause of the form's procedure that best mentions them."""
    sections = clauses(body)  # (read once for all the rules of the form)

    def clause(tokens: list, labels: list[str]) -> Clause:
        return locate_clause(form.procedure, body, tokens, labels, sections)

    return clause


def labeller(form):
    """field key -> its label on the form (the key itself when the form has no such field)."""
    labels = {f.key: f.label for f in form.fields}

    def label(key: str) -> str:
        return labels.get(key, key)

    return label


def form_findings(data: FormRecords, body: str, today: date, survey_title: str = "",
                  departments: dict[str, str] | None = None) -> list[Finding]:
    """Findings from the records of one form; `body` is the text of the form's procedure (for the clauses);
    `departments`: person -> department (organisation.yaml), for independent_verification."""
    form = data.form
    clause, label = clause_locator(form, body), labeller(form)

    found: list[Finding] = []
    rules = form.rules
    if data.scores:
        rule = rules["score"]
        capa_spec = form.field(rule["capa_field"])
        where = clause([rule["capa_below"], capa_spec.form if capa_spec else None], [label(rule["capa_field"])])
        for record in data.records:
            s = data.scores[record.id]
            if s.capa_missing:
                found.append(Finding(CAPA_MISSING, f"得分 {plain_number(s.score)}（{s.grade} 级）"
                                     f"低于 {plain_number(rule['capa_below'])} 分，"
                                     f"未填写{label(rule['capa_field'])}", form.id, record.date, record=record.id, clause=where))
    if data.thresholds:
        rule = rules["item_threshold"]
        where = clause([rule["below"]], [label(rule["followup_field"]), label(rule["field"])])
        for record in data.records:
            t = data.thresholds[record.id]
            if t.followup_missing:
                found.append(Finding(BRANCH_NO_FOLLOWUP, f"{'、'.join(t.low_items)}低于 {plain_number(rule['below'])} 分，"
                                     f"未记录{label(rule['followup_field'])}", form.id, record.date, record=record.id, clause=where))
    if data.complaints:
        found += _complaint_findings(data, clause, label, today)
    if data.followups:
        found += _followup_findings(data, clause, today)
    if data.sampling:
        rule = rules["sampling"]
        where = clause([v for v in rule["coverage"].values() if v], [label(rule["grade_field"]), survey_title])
        for row in data.sampling:
            if row.assessed and row.met is False:
                missing = "、".join(row.missing[:20]) + (f" 等 {len(row.missing)} 家" if len(row.missing) > 20 else "")
                found.append(Finding(SAMPLING_SHORT, f"{row.half} {row.grade} 级客户 {len(row.customers)} 家，"
                                     f"按 {plain_number(row.target)}% "
                                     f"应调查 {row.required} 家，实际调查 {len(row.surveyed)} 家；未调查：{missing}",
                                     form.id, row.due, document=form.procedure, clause=where, period=row.half, grade=row.grade))
    if "independent_verification" in rules:
        found += _not_independent(data, rules["independent_verification"], departments or {}, clause, label)
    return found


def _not_independent(data: FormRecords, rule: dict, departments: dict[str, str], clause, label) -> list[Finding]:
    """The effect of an action verified by a person of the department responsible for it."""
    where = clause([], [label(rule["verifier_field"])])
    found = []
    for record in data.records:
        department = record.values.get(rule["department_field"])
        verifier = record.values.get(rule["verifier_field"])
        if isinstance(verifier, str) and department and departments.get(verifier) == department:
            found.append(Finding(NOT_INDEPENDENT, f"措施效果由责任部门（{department}）的{verifier}验证，应由责任部门以外的人员验证",
                                 data.form.id, record.date, record=record.id, clause=where))
    return found


def _complaint_findings(data: FormRecords, clause, label, today: date) -> list[Finding]:
    rule = data.form.rules["reply_deadline"]
    tokens = [rule["days"]]
    where = clause(tokens, [label(rule["requested_field"]) if rule.get("requested_field") else "", label(rule["replied_field"])])
    found = []
    for record in data.records:
        c = data.complaints[record.id]
        source = "客户规定的期限" if c.due_source == CUSTOMER else f"收到后 {rule['days']} 天"
        if c.replied is not None and c.reply_late:
            found.append(Finding(REPLY_LATE, f"{c.replied.isoformat()} 回复，晚于回复期限 {c.due.isoformat()}（{source}）"
                                 f" {c.days_late} 天", data.form.id, record.date, record=record.id, clause=where))
        elif c.replied is None and c.reply_late and not c.open:
            found.append(Finding(REPLY_LATE, f"已结案但未记录回复日期，回复期限 {c.due.isoformat()}（{source}）已过",
                                 data.form.id, record.date, record=record.id, clause=where))
        if c.overdue:
            state = "尚未回复" if c.replied is None else f"已于 {c.replied.isoformat()} 回复"
            found.append(Finding(COMPLAINT_OVERDUE, f"{c.received.isoformat()} 收到，至 {today.isoformat()} 仍未结案（{state}），"
                                 f"已超过回复期限 {c.due.isoformat()} {(today - c.due).days} 天，已受理 {c.age_days} 天",
                                 data.form.id, record.date, record=record.id, clause=where))
    return found


def _followup_findings(data: FormRecords, clause, today: date) -> list[Finding]:
    rule = data.form.rules["follow_up"]
    places = {trigger: clause([window], [trigger]) for trigger, window in rule["windows"].items()}
    found = []
    for record in data.records:
        f = data.followups[record.id]
        where = places.get(f.trigger) or clause([], [])
        if f.status == MISSED:
            found.append(Finding(FOLLOW_UP_MISSED, f"{f.trigger}回访应在 {f.event.isoformat()} 后 {f.window} 天内"
                                 f"（{f.due.isoformat()} 前）完成，至 {today.isoformat()} 未回访", data.form.id, record.date,
                                 record=record.id, clause=where))
        elif f.status == LATE:
            found.append(Finding(FOLLOW_UP_LATE, f"{f.trigger}回访于 {f.done.isoformat()} 完成，晚于应回访日期 {f.due.isoformat()}"
                                 f" {f.days_late} 天", data.form.id, record.date, record=record.id, clause=where))
    return found


def plain_number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
