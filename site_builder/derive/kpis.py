"""KPIs: each quality objective of the manual measured from the records, per period.

An objective names a `metric`; the measurements below are the ones qms-site can compute
from records.  Targets, comparisons and periods come from the objective itself.  An
objective whose metric is missing or not listed here is reported as not measured (value
and met null).  The headline value is that of the latest complete period with data, or of
the current period when no complete period has data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from site_builder.derive import periods
from site_builder.model.manual import Objective

NOT_MEASURED = "not measured by qms-site"
COUNT, RATE, MEAN = "count", "rate", "mean"


@dataclass
class Observations:
    """What a metric observed: (date, value) pairs; value 1 for counts, a bool for rates, a number for means."""

    kind: str
    items: list[tuple[date, object]] = field(default_factory=list)
    since: date | None = None  # counts: first date of measurement (periods without events count 0)


@dataclass
class KpiInputs:
    complaints: list = field(default_factory=list)  # (ComplaintResult, established: bool | None)
    followups: list = field(default_factory=list)  # FollowUpResult of every follow-up record
    closed_complaints: list = field(default_factory=list)  # (closed date, followed up: bool) of complaints to follow up
    scores: list = field(default_factory=list)  # (survey date, ScoreResult) of the surveys that count
    complaints_since: date | None = None


def _complaints_per_period(inputs: KpiInputs) -> Observations:
    # QM-01 5.4 OBJ-02: complaints received and judged established, as recorded in the field the complaint form's
    # rules.reply_deadline.established_field names (every complaint when the form names none)
    return Observations(COUNT, [(c.received, 1) for c, established in inputs.complaints if established is True],
                        inputs.complaints_since)


def _handling_rate(inputs: KpiInputs) -> Observations:
    # replied and closed / received
    return Observations(RATE, [(c.received, c.replied is not None and not c.open) for c, _ in inputs.complaints])


def _reply_on_time(inputs: KpiInputs) -> Observations:
    # replied within the deadline / replies due (replied, or due date passed)
    return Observations(RATE, [(c.received, not c.reply_late) for c, _ in inputs.complaints if c.reply_late is not None])


def _follow_up_rate(inputs: KpiInputs) -> Observations:
    return Observations(RATE, [(f.event, f.made) for f in inputs.followups if f.required])


def _complaint_follow_up_rate(inputs: KpiInputs) -> Observations:
    return Observations(RATE, list(inputs.closed_complaints))


def _mean_score(inputs: KpiInputs) -> Observations:
    return Observations(MEAN, [(day, s.score) for day, s in inputs.scores if s.score is not None])


#: metric name -> (Chinese description of how it is measured, measurement)
METRICS: dict[str, tuple[str, Callable[[KpiInputs], Observations]]] = {
    "complaints_per_year": ("按收到日期统计、判定成立的客户投诉处理报告件数", _complaints_per_period),
    "complaint_handling_rate": ("已回复并结案的投诉件数 ÷ 受理的投诉件数（按收到日期归入统计期）", _handling_rate),
    "complaint_reply_on_time_rate": ("在回复期限（客户规定期限或规定天数）内回复的件数 ÷ 应回复件数", _reply_on_time),
    "follow_up_rate": ("已回访数 ÷ 应回访数（回访记录表，按事件日期归入统计期，未到期的不计入）", _follow_up_rate),
    "complaint_follow_up_rate": ("有已完成回访记录的结案投诉件数 ÷ 结案投诉件数（按结案日期归入统计期，回访未到期的不计入）",
                                 _complaint_follow_up_rate),
    "satisfaction_mean_score": ("集中调查月份内全部满意度调查表得分的算术平均值", _mean_score),
}


def measure(objective: Objective, inputs: KpiInputs, today: date) -> dict:
    base = {"id": objective.id, "text": objective.text, "metric": objective.metric, "target": objective.target,
            "comparison": objective.comparison, "unit": objective.unit, "period": objective.period}
    spec = METRICS.get(objective.metric or "")
    if spec is None or objective.period not in periods.KEY_OF:
        return {**base, "value": None, "met": None, "value_period": None, "measured": False, "method": None,
                "note": NOT_MEASURED, "periods": []}
    method, compute = spec
    rows = period_values(compute(inputs), objective.period, today)
    for row in rows:
        row["met"] = compare(row.pop("exact"), objective.comparison, objective.target)
    headline = _headline(rows)
    return {**base, "value": headline["value"] if headline else None, "met": headline["met"] if headline else None,
            "value_period": headline["period"] if headline else None, "measured": True, "method": method,
            "note": None if rows else "no records in any period", "periods": rows}


def period_values(observed: Observations, kind: str, today: date) -> list[dict]:
    """[{period, value, exact, observations, complete}] in period order."""
    key = periods.KEY_OF[kind]
    groups: dict[str, list] = {}
    for day, value in observed.items:
        groups.setdefault(key(day), []).append(value)
    keys = sorted(groups)
    if observed.kind == COUNT:
        first = min([d for d, _ in observed.items] + ([observed.since] if observed.since else []), default=None)
        keys = periods.keys_between(kind, first, today) if first else []
    rows = []
    for period in keys:
        values = groups.get(period, [])
        exact = _aggregate(observed.kind, values)
        rows.append({"period": period, "value": _number(exact), "exact": exact, "observations": len(values),
                     "complete": periods.end(kind, periods.start_of(kind, period)) < today})
    return rows


def compare(value: Fraction | int | None, comparison: str, target: float) -> bool | None:
    if value is None:
        return None
    goal = Fraction(str(target))
    return value <= goal if comparison == "<=" else value >= goal


def _aggregate(kind: str, values: list) -> Fraction | int | None:
    if kind == COUNT:
        return len(values)
    if not values:
        return None
    if kind == RATE:
        return Fraction(100 * sum(1 for v in values if v), len(values))
    return Fraction(sum(Fraction(str(v)) for v in values), len(values))


def _number(value) -> float | int | None:
    if value is None or isinstance(value, int):
        return value
    return round(float(value), 2)


def _headline(rows: list[dict]) -> dict | None:
    with_value = [r for r in rows if r["value"] is not None]
    complete = [r for r in with_value if r["complete"]]
    return (complete or with_value or [None])[-1]
