"""Follow-up visits (rules.follow_up): due = event + window; on time, late, missed, pending; rates against targets."""

from __future__ import annotations

from datetime import date, timedelta

from site_builder.derive import findings, followups, periods
from site_builder.derive.summaries import FormRecords
from site_builder.model.manual import Form, FormField, Record

RULE = {"trigger_field": "trigger", "event_field": "event_date", "done_field": "visit_date",
        "windows": {"维修": 10, "投诉结案": 3}, "targets": {"overall": 80, "投诉结案": 100}}
EVENT = date(2025, 5, 1)
DUE = EVENT + timedelta(days=RULE["windows"]["维修"])


def make_form() -> Form:
    return Form(id="QR-93-01", title="客户回访记录表", version="A0", status="effective", procedure="WI-93", owner="客户服务部",
                effective=date(2025, 1, 1), retention_years=2, retention_note="", description="", record_prefix="FUV",
                revisions=(), fields=(FormField(key="trigger", label="回访类别", type="choice", choices=tuple(RULE["windows"])),
                                      FormField(key="event_date", label="事件日期", type="date"),
                                      FormField(key="visit_date", label="回访日期", type="date")),
                rules={"follow_up": RULE})


def visit(rid: str, trigger: str = "维修", event: date = EVENT, done: date | None = None) -> Record:
    values = {"trigger": trigger, "event_date": event.isoformat()}
    if done:
        values["visit_date"] = done.isoformat()
    return Record(id=rid, form="QR-93-01", date=event, form_version=None, values=values)


def test_visit_on_the_last_day_of_the_window_is_on_time():
    result = followups.evaluate(visit("FUV-2025-001", done=DUE), RULE, date(2025, 12, 31))
    assert result.due == DUE and result.status == followups.ON_TIME


def test_visit_one_day_later_is_late():
    result = followups.evaluate(visit("FUV-2025-001", done=DUE + timedelta(days=1)), RULE, date(2025, 12, 31))
    assert result.status == followups.LATE and result.days_late == 1


def test_no_visit_is_pending_until_the_due_date_then_missed():
    assert followups.evaluate(visit("FUV-2025-001"), RULE, DUE).status == followups.PENDING
    assert followups.evaluate(visit("FUV-2025-001"), RULE, DUE + timedelta(days=1)).status == followups.MISSED


def test_trigger_without_a_window_is_kept_not_dropped():
    result = followups.evaluate(visit("FUV-2025-001", trigger="其他"), RULE, date(2025, 12, 31))
    assert result.status == followups.NO_WINDOW
    rows = followups.rates([result], RULE["targets"], periods.quarter)
    assert rows[0].no_window == 1 and rows[0].required == 0


def test_rates_per_quarter_overall_and_per_trigger_against_targets():
    today = date(2025, 12, 31)
    complaint_due = EVENT + timedelta(days=RULE["windows"]["投诉结案"])
    records = [visit("FUV-2025-001", done=DUE), visit("FUV-2025-002", done=DUE + timedelta(days=1)),
               visit("FUV-2025-003"), visit("FUV-2025-004", done=EVENT),
               visit("FUV-2025-005", trigger="投诉结案", done=complaint_due),
               visit("FUV-2025-006", event=date(2025, 12, 30))]  # pending on `today`
    results = [followups.evaluate(r, RULE, today) for r in records]
    rows = {(r.period, r.group): r for r in followups.rates(results, RULE["targets"], periods.quarter)}
    overall = rows[("2025Q2", "overall")]
    assert (overall.required, overall.made, overall.on_time, overall.late, overall.missed) == (5, 4, 3, 1, 1)
    assert overall.rate == 80 and overall.target == RULE["targets"]["overall"] and overall.met is True
    repairs = rows[("2025Q2", "维修")]
    assert repairs.rate == 75 and repairs.target is None and repairs.met is None
    assert rows[("2025Q2", "投诉结案")].met is True
    assert rows[("2025Q4", "overall")].required == 0 and rows[("2025Q4", "overall")].pending == 1


def test_one_short_of_the_target_is_not_met():
    today = date(2025, 12, 31)
    records = [visit(f"FUV-2025-{i:03d}", done=DUE) for i in range(1, 4)] + [visit("FUV-2025-004")]
    row = next(r for r in followups.rates([followups.evaluate(r, RULE, today) for r in records], RULE["targets"], periods.quarter)
               if r.group == "overall")
    assert row.rate == 75 and row.met is False


def test_findings_for_missed_and_late_visits_cite_the_window_clause():
    today = date(2025, 12, 31)
    records = [visit("FUV-2025-001", done=DUE), visit("FUV-2025-002", done=DUE + timedelta(days=1)), visit("FUV-2025-003")]
    data = FormRecords(form=make_form(), records=records, followups={r.id: followups.evaluate(r, RULE, today) for r in records})
    body = ("## 4 定义\n\n回访率定义。\n\n### 5.1 回访对象和时限\n\n| 维修 | 完工后10日内 |\n| 投诉结案 | 结案后3日内 |\n\n"
            "### 5.8 记录\n\n当天记录。\n")
    found = findings.form_findings(data, body, today)
    assert sorted((f.rule, f.record) for f in found) == [("follow-up-late", "FUV-2025-002"), ("follow-up-missed", "FUV-2025-003")]
    assert {f.clause.label for f in found} == {"WI-93 5.1"}


def test_a_trigger_renamed_by_a_later_version_keeps_its_window_for_the_older_records():
    """QR-21-01 A2 renames 维修工程完工 to 计划性维护完工 and the records migrate: an older record, graded with
    the rules of its own version, takes the window of the form for the new name instead of having none."""
    from site_builder.derive import evaluate_form

    old_rule = {**RULE, "windows": {"维修工程完工": 30, "投诉结案": 3}}
    new_rule = {**RULE, "windows": {"计划性维护完工": 30, "投诉结案": 3}}
    form = make_form()
    form = Form(**{**{f: getattr(form, f) for f in form.__dataclass_fields__}, "rules": {"follow_up": new_rule}})
    records = [visit("FUV-2025-001", "计划性维护完工", done=EVENT + timedelta(days=30)),
               visit("FUV-2025-002", "投诉结案", done=EVENT + timedelta(days=4))]
    data = evaluate_form(form, records, {}, [form], date(2025, 12, 31), lambda record: {"follow_up": old_rule})
    assert data.followups["FUV-2025-001"].status == followups.ON_TIME and data.followups["FUV-2025-001"].window == 30
    assert data.followups["FUV-2025-002"].status == followups.LATE  # its own version's window, 3 days
