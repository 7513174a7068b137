"""Summaries of one form's records as plain tables (rendered as HTML, CSV and XLSX alike).

Counts per month and quarter, distributions of grades and outcomes, per-period trends and
the record list itself.  Every valid record is counted: a record whose rule values cannot
be computed still appears in the counts and in the list (with empty derived cells).
Record lists show only record numbers, dates and derived values, never personal data.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from site_builder.derive import periods
from site_builder.derive.complaints import CUSTOMER, ComplaintResult
from site_builder.derive.followups import LATE, MISSED, NO_WINDOW, ON_TIME, OVERALL, PENDING, FollowUpResult, RateRow
from site_builder.derive.sampling import SamplingRow
from site_builder.derive.scoring import ScoreResult
from site_builder.derive.thresholds import ThresholdResult
from site_builder.model.manual import Form, Record

STATUS_LABELS = {ON_TIME: "按时回访", LATE: "超时回访", MISSED: "逾期未回访", PENDING: "未到期", NO_WINDOW: "未规定时限"}
UNFILLED = "（未填写）"


@dataclass
class Chart:
    kind: str  # "bar" or "line"
    label_column: int
    value_column: int
    reference: float | None = None  # target or threshold drawn as a line
    reference_label: str = ""
    unit: str = ""


@dataclass
class Table:
    key: str  # ASCII name for downloads
    title: str
    headers: list[str]
    rows: list[list]
    chart: Chart | None = None
    note: str = ""


@dataclass
class FormRecords:
    """One form's records with every rule evaluated (record id -> result)."""

    form: Form
    records: list[Record]
    scores: dict[str, ScoreResult] = field(default_factory=dict)
    thresholds: dict[str, ThresholdResult] = field(default_factory=dict)
    complaints: dict[str, ComplaintResult] = field(default_factory=dict)
    followups: dict[str, FollowUpResult] = field(default_factory=dict)
    follow_up_rates: list[RateRow] = field(default_factory=list)
    sampling: list[SamplingRow] = field(default_factory=list)
    sampling_surveyed: dict[str, tuple[str, str, bool]] = field(default_factory=dict)  # id -> (half, grade, surveyed)


@dataclass
class FormSummary:
    form: Form
    total: int
    first: date | None
    last: date | None
    tables: list[Table]
    record_headers: list[str]
    record_rows: list[list]  # first cell the record id, second its date


def percent(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 1)


def summarise(data: FormRecords, flags: dict[str, list[str]]) -> FormSummary:
    records = data.records
    kind_tables = []
    if data.scores:
        kind_tables += _score_tables(data)
    if data.thresholds:
        kind_tables += _threshold_tables(data)
    if data.complaints:
        kind_tables += _complaint_tables(data)
    if data.followups:
        kind_tables += _followup_tables(data)
    if data.sampling:
        kind_tables += _sampling_tables(data)
    tables = kind_tables + [_by_quarter(records)]
    if not any(t.key == "by-month" for t in kind_tables):
        tables.append(_by_month(records))
    tables += _distributions(data.form, records)
    headers, rows = record_table(data, flags)
    return FormSummary(form=data.form, total=len(records), first=records[0].date if records else None,
                       last=records[-1].date if records else None, tables=tables, record_headers=headers,
                       record_rows=rows)


def record_table(data: FormRecords, flags: dict[str, list[str]]) -> tuple[list[str], list[list]]:
    """Record number, date and derived values per record; a cell copied from a personal-data field stays empty."""
    rules = data.form.rules
    headers = ["记录编号", "记录日期"]
    sources: list[str | None] = [None, None]  # field each column copies, when it copies one
    parts = []
    if data.scores:
        score = rules["score"]
        headers += ["得分", "等级", f"低于{_fmt(score['capa_below'])}分需纠正措施", "纠正预防措施报告"]
        sources += [None, None, None, score["capa_field"]]
        parts.append(lambda r: _score_cells(data.scores[r.id]))
    if data.thresholds:
        rule = rules["item_threshold"]
        headers += [f"低于{_fmt(rule['below'])}分的项目", "需电话回访", "已记录回访"]
        sources += [None, None, None]
        parts.append(lambda r: _threshold_cells(data.thresholds[r.id]))
    if data.complaints:
        rule = rules["reply_deadline"]
        headers += ["收到日期", "回复期限", "期限依据", "回复日期", "回复用时（天）", "回复情况", "结案日期", "未结案天数"]
        sources += [rule["received_field"], rule.get("requested_field"), None, rule["replied_field"], None, None,
                    rule["closed_field"], None]
        parts.append(lambda r: _complaint_cells(data.complaints[r.id]))
    if data.followups:
        rule = rules["follow_up"]
        headers += ["回访类别", "事件日期", "时限（天）", "应回访日期", "回访日期", "回访情况"]
        sources += [rule["trigger_field"], rule["event_field"], None, rule["event_field"], rule["done_field"], None]
        parts.append(lambda r: _followup_cells(data.followups[r.id]))
    if data.sampling_surveyed:
        headers += ["半年度", "客户等级", "本半年已调查"]
        sources += [None, rules["sampling"]["grade_field"], None]
        parts.append(lambda r: list(data.sampling_surveyed.get(r.id, (None, None, None))))
    headers.append("问题")
    personal = {f.key for f in data.form.fields if f.personal_data}
    blank = [i for i, key in enumerate(sources) if key in personal]
    rows = []
    for record in data.records:
        row = [record.id, record.date]
        for part in parts:
            row += part(record)
        for index in blank:
            row[index] = None
        row.append("；".join(flags.get(record.id, ())))
        rows.append(row)
    return headers, rows


def _score_cells(result: ScoreResult) -> list:
    return [result.score, result.grade, result.capa_required, result.capa_record]


def _threshold_cells(result: ThresholdResult) -> list:
    return ["、".join(result.low_items), result.followup_required, result.followup_recorded]


def complaint_state(result: ComplaintResult) -> str:
    if result.replied is not None:
        return "逾期回复" if result.reply_late else "按时回复"
    return "逾期未回复" if result.reply_late else "待回复"


def _complaint_cells(result: ComplaintResult) -> list:
    return [result.received, result.due, "客户规定" if result.due_source == CUSTOMER else "规定天数", result.replied,
            result.reply_days, complaint_state(result), result.closed, result.age_days]


def _followup_cells(result: FollowUpResult) -> list:
    return [result.trigger, result.event, result.window, result.due, result.done, STATUS_LABELS[result.status]]


def _by_quarter(records: list[Record]) -> Table:
    counts = Counter(periods.quarter(r.date) for r in records)
    keys = periods.keys_between("quarter", records[0].date, records[-1].date) if records else []
    return Table("by-quarter", "按季度记录数", ["季度", "记录数"], [[k, counts.get(k, 0)] for k in keys],
                 Chart("bar", 0, 1))


def _by_month(records: list[Record]) -> Table:
    counts = Counter(periods.month(r.date) for r in records)
    keys = periods.keys_between("month", records[0].date, records[-1].date) if records else []
    return Table("by-month", "按月记录数", ["月份", "记录数"], [[k, counts.get(k, 0)] for k in keys], Chart("bar", 0, 1))


def _score_tables(data: FormRecords) -> list[Table]:
    rule = data.form.rules["score"]
    results = [(r, data.scores[r.id]) for r in data.records]
    by_quarter: dict[str, list[ScoreResult]] = {}
    for record, result in results:
        by_quarter.setdefault(periods.quarter(record.date), []).append(result)
    trend = []
    for quarter, items in sorted(by_quarter.items()):
        scored = [s.score for s in items if s.score is not None]
        mean = round(sum(scored) / len(scored), 1) if scored else None
        trend.append([quarter, len(items), mean, min(scored, default=None), max(scored, default=None),
                      sum(1 for s in items if s.capa_required), sum(1 for s in items if s.capa_missing)])
    grades = Counter(s.grade for _, s in results)
    total = len(results)
    grade_rows = []
    for index, g in enumerate(rule["grades"]):
        upper = rule["grades"][index - 1]["min"] if index else None
        span = f"≥ {_fmt(g['min'])}" + (f" 且 < {_fmt(upper)}" if upper is not None else "")
        grade_rows.append([g["grade"], span, grades.get(g["grade"], 0), _share(grades.get(g["grade"], 0), total)])
    if grades.get(None):
        grade_rows.append(["（无法计分）", "", grades[None], _share(grades[None], total)])
    return [
        Table("satisfaction-trend", "满意度趋势（按季度）",
              ["季度", "调查数", "平均得分", "最低分", "最高分", "需纠正措施", "未开纠正措施"], trend,
              Chart("line", 0, 2, rule["capa_below"], "纠正措施分数线")),
        Table("grades", "评定等级分布", ["等级", "得分范围", "调查数", "占比（%）"], grade_rows, Chart("bar", 0, 2)),
    ]


def _threshold_tables(data: FormRecords) -> list[Table]:
    rule = data.form.rules["item_threshold"]
    by_quarter: dict[str, list[ThresholdResult]] = {}
    items: Counter = Counter()
    for record in data.records:
        result = data.thresholds[record.id]
        by_quarter.setdefault(periods.quarter(record.date), []).append(result)
        items.update(result.low_items)
    rows = [[q, len(v), sum(1 for t in v if t.followup_required), sum(1 for t in v if t.followup_required and t.followup_recorded),
             sum(1 for t in v if t.followup_missing)] for q, v in sorted(by_quarter.items())]
    field = data.form.field(rule["field"])
    order = list(field.items) if field else []
    order += sorted(k for k in items if k not in order)
    below = _fmt(rule["below"])
    return [
        Table("low-items-by-quarter", f"低分（低于{below}分）调查与电话回访（按季度）",
              ["季度", "调查数", f"有低于{below}分项目", "已记录电话回访", "未记录电话回访"], rows),
        Table("low-items", f"各项目低于{below}分的次数", ["项目", "次数"], [[k, items.get(k, 0)] for k in order],
              Chart("bar", 0, 1)),
    ]


def _complaint_tables(data: FormRecords) -> list[Table]:
    results = [data.complaints[r.id] for r in data.records]
    by_month: dict[str, list[ComplaintResult]] = {}
    for result in results:
        by_month.setdefault(periods.month(result.received), []).append(result)
    keys = sorted(by_month)
    if keys:
        keys = periods.keys_between("month", periods.parse_date(keys[0] + "-01"), periods.parse_date(keys[-1] + "-01"))
    rows = []
    for month in keys:
        items = by_month.get(month, [])
        states = Counter(complaint_state(c) for c in items)
        rows.append([month, len(items), states["按时回复"], states["逾期回复"], states["逾期未回复"], states["待回复"],
                     sum(1 for c in items if c.open), sum(1 for c in items if c.overdue)])
    open_rows = [[r.id, c.received, c.due, c.age_days, c.overdue]
                 for r, c in sorted(((r, data.complaints[r.id]) for r in data.records if data.complaints[r.id].open),
                                    key=lambda rc: (-rc[1].age_days, rc[0].id))]
    sources = Counter("客户规定期限" if c.due_source == CUSTOMER else "规定天数" for c in results)
    return [
        Table("by-month", "每月投诉件数与回复情况（按收到日期）",
              ["月份", "投诉件数", "按时回复", "逾期回复", "逾期未回复", "待回复", "未结案", "逾期未结案"], rows,
              Chart("bar", 0, 1)),
        Table("open", "未结案投诉（按未结案天数）", ["记录编号", "收到日期", "回复期限", "未结案天数", "已逾期"], open_rows,
              note="" if open_rows else "没有未结案的投诉。"),
        Table("deadline-source", "回复期限依据", ["依据", "件数"], [[k, sources.get(k, 0)] for k in ("规定天数", "客户规定期限")]),
    ]


def _followup_tables(data: FormRecords) -> list[Table]:
    rule = data.form.rules["follow_up"]
    rate_rows = [[r.period, "总体" if r.group == OVERALL else r.group, r.required, r.made, r.on_time, r.late, r.missed,
                  r.pending + r.no_window, percent(r.rate), r.target, r.met] for r in data.follow_up_rates]
    overall = [[row[0], *row[2:]] for row, r in zip(rate_rows, data.follow_up_rates) if r.group == OVERALL]
    statuses = Counter(data.followups[r.id].status for r in data.records)
    triggers = Counter(data.followups[r.id].trigger for r in data.records)
    field = data.form.field(rule["trigger_field"])
    order = list(field.choices) if field else []
    order += sorted(t for t in triggers if t and t not in order)
    trigger_rows = [[t, rule["windows"].get(t), triggers.get(t, 0)] for t in order]
    if triggers.get(None):
        trigger_rows.append([UNFILLED, None, triggers[None]])
    headers = ["季度", "类别", "应回访", "已回访", "按时", "超时", "逾期未回访", "未到期", "回访率（%）", "目标（%）", "达成"]
    return [
        Table("follow-up-rate", "总体回访率（按季度）", [headers[0], *headers[2:]], overall,
              Chart("line", 0, 7, rule["targets"].get(OVERALL), "目标")),
        Table("follow-up-rates", "各类别回访率（按季度）", headers, [r for r in rate_rows if r[1] != "总体"]),
        Table("follow-up-status", "回访情况", ["情况", "记录数"], [[STATUS_LABELS[s], statuses.get(s, 0)] for s in STATUS_LABELS],
              Chart("bar", 0, 1)),
        Table("triggers", "回访类别与时限", ["回访类别", "时限（天）", "记录数"], trigger_rows),
    ]


def _sampling_tables(data: FormRecords) -> list[Table]:
    rows = [[s.half, s.grade, len(s.customers), s.required, len(s.surveyed), percent(s.coverage), s.target, s.due,
             s.met if s.assessed else None, "已评估" if s.assessed else "进行中"] for s in data.sampling]
    return [Table("sampling", "满意度调查抽样覆盖率（按半年度和客户等级）",
                  ["半年度", "客户等级", "客户数", "应调查数", "已调查数", "覆盖率（%）", "目标（%）", "评估日期", "达成", "状态"], rows,
                  note="客户数取该半年度内的最近一次分级；已调查指该半年度内有满意度调查记录的客户；应调查数按比例向上取整。")]


def _distributions(form: Form, records: list[Record]) -> list[Table]:
    tables = []
    for spec in form.fields:
        if spec.personal_data or spec.type not in ("choice", "multi_choice", "boolean"):
            continue
        counts: Counter = Counter()
        for record in records:
            value = record.values.get(spec.key)
            if spec.type == "multi_choice" and isinstance(value, list):
                counts.update(value or [UNFILLED])
            elif spec.type == "boolean":
                counts[{True: "是", False: "否"}.get(value, UNFILLED)] += 1
            else:
                counts[value if isinstance(value, str) else UNFILLED] += 1
        order = ["是", "否"] if spec.type == "boolean" else list(spec.choices)
        order += sorted(k for k in counts if k not in order and k != UNFILLED) + ([UNFILLED] if counts.get(UNFILLED) else [])
        note = "多选栏目，一条记录可计入多项。" if spec.type == "multi_choice" else ""
        tables.append(Table(f"field-{spec.key}", f"{spec.label}分布", [spec.label, "记录数"], [[k, counts.get(k, 0)] for k in order],
                            note=note))
    return tables


def _share(count: int, total: int) -> float | None:
    return round(100 * count / total, 1) if total else None


def _fmt(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
