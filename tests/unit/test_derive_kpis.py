"""KPIs: objectives measured per period against their own target, comparison and period."""

from __future__ import annotations

from datetime import date

import pytest

from site_builder.derive import kpis
from site_builder.derive.complaints import ComplaintResult
from site_builder.derive.followups import FollowUpResult
from site_builder.derive.scoring import ScoreResult
from site_builder.model import Objective

TODAY = date(2026, 2, 15)


def objective(metric: str | None, target: float, comparison: str, period: str) -> Objective:
    return Objective(id="OBJ-01", text="目标", target=target, comparison=comparison, unit="%", period=period, metric=metric)


def complaint(received: date, replied: date | None, closed: date | None, due_days: int = 2) -> ComplaintResult:
    from datetime import timedelta
    return ComplaintResult(received=received, due=received + timedelta(days=due_days), due_source="rule", replied=replied,
                           closed=closed, today=TODAY)


@pytest.mark.parametrize(("count", "met"), [(3, True), (4, False)])
def test_count_per_year_exactly_at_the_target_is_met(count, met):
    inputs = kpis.KpiInputs(complaints=[(complaint(date(2025, 3, d), None, None), True) for d in range(1, count + 1)])
    result = kpis.measure(objective("complaints_per_year", 3, "<=", "year"), inputs, TODAY)
    assert result["measured"] and result["value_period"] == "2025"
    assert (result["value"], result["met"]) == (count, met)
    assert [p["period"] for p in result["periods"]] == ["2025", "2026"]
    assert result["periods"][-1] == {"period": "2026", "value": 0, "observations": 0, "complete": False, "met": True}


def test_only_established_complaints_are_counted():
    inputs = kpis.KpiInputs(complaints=[(complaint(date(2025, 3, 1), None, None), True),
                                        (complaint(date(2025, 3, 2), None, None), False),
                                        (complaint(date(2025, 3, 3), None, None), None)])
    assert kpis.measure(objective("complaints_per_year", 36, "<=", "year"), inputs, TODAY)["value"] == 1


def test_reply_rate_exactly_at_target_and_one_short():
    day = date(2025, 4, 1)
    on_time = [(complaint(day, day, day), True)] * 19
    late = [(complaint(day, date(2025, 4, 10), date(2025, 4, 10)), True)]
    met = kpis.measure(objective("complaint_reply_on_time_rate", 95, ">=", "quarter"), kpis.KpiInputs(complaints=on_time + late), TODAY)
    assert (met["value"], met["met"]) == (95.0, True)
    short = kpis.measure(objective("complaint_reply_on_time_rate", 95, ">=", "quarter"),
                         kpis.KpiInputs(complaints=on_time[:18] + late * 2), TODAY)
    assert short["value"] == 90.0 and short["met"] is False


def test_pending_replies_are_not_yet_counted():
    pending = complaint(date(2026, 2, 14), None, None)  # due 2026-02-16, after TODAY
    assert pending.reply_late is None
    result = kpis.measure(objective("complaint_reply_on_time_rate", 95, ">=", "quarter"), kpis.KpiInputs(complaints=[(pending, True)]),
                          TODAY)
    assert result["value"] is None and result["met"] is None


def test_headline_is_the_latest_complete_period():
    visits = [FollowUpResult(trigger="维修", event=date(2025, 11, 1), window=10, due=date(2025, 11, 11), done=date(2025, 11, 5),
                             status="on_time"),
              FollowUpResult(trigger="维修", event=date(2026, 1, 5), window=10, due=date(2026, 1, 15), done=None, status="missed")]
    result = kpis.measure(objective("follow_up_rate", 80, ">=", "quarter"), kpis.KpiInputs(followups=visits), TODAY)
    assert (result["value_period"], result["value"], result["met"]) == ("2025Q4", 100.0, True)
    assert result["periods"][-1]["complete"] is False and result["periods"][-1]["met"] is False


def test_mean_score_per_half_year():
    scores = [(date(2025, 4, 1), ScoreResult(score=80, grade="B", capa_required=False, capa_record=None)),
              (date(2025, 4, 2), ScoreResult(score=79, grade="B", capa_required=False, capa_record=None))]
    result = kpis.measure(objective("satisfaction_mean_score", 80, ">=", "half_year"), kpis.KpiInputs(scores=scores), TODAY)
    assert (result["value"], result["met"], result["value_period"]) == (79.5, False, "2025H1")


@pytest.mark.parametrize("metric", ["return_rate", "first_judgement_accuracy", None])
def test_metrics_not_computable_from_records_are_reported_as_not_measured(metric):
    result = kpis.measure(objective(metric, 95, ">=", "year"), kpis.KpiInputs(), TODAY)
    assert (result["value"], result["met"], result["measured"], result["note"]) == (None, None, False, kpis.NOT_MEASURED)
    assert {"id", "text", "target", "period", "value", "met"} <= result.keys()
