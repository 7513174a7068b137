"""KPIs: objectives measured per period against their own target, comparison and period."""

from __future__ import annotations

from datetime import date

import pytest

from site_builder.derive import kpis
from site_builder.derive.complaints import ComplaintResult
from site_builder.derive.followups import FollowUpResult
from site_builder.derive.scoring import ScoreResult
from site_builder.model.manual import Objective

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


def _complaint_manual(rule_extra: dict):
    """A manual with one complaint form (fields `established` and `judged`, both boolean) and OBJ-02."""
    from site_builder.model.manual import Config, Document, Form, FormField, Manual, Organisation, Record, Revision, Signature

    revision = Revision(version="A0", date=date(2024, 12, 1), sections="全文", change="首次发布", approved_by="林秀琴")
    fields = tuple(FormField(key=key, label=label, type=kind) for key, label, kind in (
        ("received", "收到日期", "date"), ("replied", "回复日期", "date"), ("closed", "结案日期", "date"),
        ("established", "旧栏目", "boolean"), ("judged", "投诉是否成立", "boolean")))
    rule = {"received_field": "received", "replied_field": "replied", "closed_field": "closed", "days": 2, **rule_extra}
    form = Form(id="QR-90-02", title="投诉处理报告", version="A0", status="effective", procedure="QM-90", owner="质量部",
                effective=date(2025, 1, 1), retention_years=3, retention_note="", description="", record_prefix="CMP",
                revisions=(revision,), fields=fields, rules={"reply_deadline": rule})
    judgements = [(True, False), (False, True), (True, True), (None, True)]  # (judged, established)
    records = tuple(Record(id=f"CMP-2025-00{n}", form="QR-90-02", date=date(2025, 3, n), form_version=None,
                           values={"received": f"2025-03-0{n}", **({"judged": j} if j is not None else {}), "established": e},
                           path=f"records/QR-90-02/CMP-2025-00{n}.yaml")
                    for n, (j, e) in enumerate(judgements, 1))
    sign = Signature(name="林秀琴", date=date(2024, 12, 1))
    document = Document(id="QM-90", title="质量手册", level=1, version="A0", status="effective", owner="质量部", summary="",
                        prepared_by=sign, reviewed_by=sign, approved_by=sign, effective=date(2025, 1, 1), review_period_months=24,
                        last_reviewed=None, obsoleted=None, supersedes=(), distribution=(), revisions=(revision,),
                        related_documents=(), related_forms=(), quality_policy="",
                        objectives=(objective("complaints_per_year", 36, "<=", "year"),), body="", path="procedures/QM-90.md",
                        body_line=1)
    config = Config(company="测试公司", site_name="测试手册", version_pattern="^[A-Z][0-9]$", document_patterns={},
                    form_pattern=".*", record_pattern=".*")
    return Manual(config=config, organisation=Organisation(departments=(), people=()), documents=(document,), forms=(form,),
                  records=records, today=TODAY)


@pytest.mark.parametrize(("rule_extra", "counted"), [
    ({"established_field": "judged"}, 2),  # judged true twice; the field called `established` is ignored
    ({"established_field": "established"}, 3),
    ({}, 4),  # the form names no judgement field: every complaint counts
])
def test_the_judgement_field_comes_from_the_form_rule(rule_extra, counted):
    from site_builder.derive import derive

    [kpi] = derive(_complaint_manual(rule_extra)).kpis
    assert (kpi["metric"], kpi["value_period"], kpi["value"]) == ("complaints_per_year", "2025", counted)
