"""Complaint replies (rules.reply_deadline): due = received + days unless the customer set a deadline."""

from __future__ import annotations

from datetime import date, timedelta

from site_builder.derive import complaints, findings
from site_builder.derive.summaries import FormRecords, summarise
from site_builder.model.manual import Form, FormField, Record

RULE = {"received_field": "received", "requested_field": "customer_deadline", "replied_field": "replied",
        "closed_field": "closed", "days": 2}
RECEIVED = date(2025, 3, 10)
DUE = RECEIVED + timedelta(days=RULE["days"])


def make_form() -> Form:
    labels = (("received", "收到日期"), ("customer_deadline", "客户要求回复期限"), ("replied", "回复客户日期"), ("closed", "结案日期"))
    fields = tuple(FormField(key=k, label=label, type="date") for k, label in labels)
    return Form(id="QR-92-01", title="客户投诉处理报告", version="A0", status="effective", procedure="QP-92", owner="客户服务部",
                effective=date(2025, 1, 1), retention_years=5, retention_note="", description="", record_prefix="CMP",
                revisions=(), fields=fields, rules={"reply_deadline": RULE})


def complaint(rid="CMP-2025-001", replied: date | None = None, closed: date | None = None, deadline: date | None = None) -> Record:
    values = {"received": RECEIVED.isoformat()}
    for key, value in (("replied", replied), ("closed", closed), ("customer_deadline", deadline)):
        if value:
            values[key] = value.isoformat()
    return Record(id=rid, form="QR-92-01", date=RECEIVED, form_version=None, values=values)


def evaluate(record: Record, today: date = date(2025, 12, 31)) -> complaints.ComplaintResult:
    return complaints.evaluate(record, RULE, today)


def test_reply_on_the_due_day_is_on_time():
    result = evaluate(complaint(replied=DUE, closed=DUE))
    assert result.due == DUE and result.due_source == complaints.RULE
    assert result.reply_late is False and result.reply_days == RULE["days"]


def test_reply_one_day_after_the_due_day_is_late():
    result = evaluate(complaint(replied=DUE + timedelta(days=1), closed=DUE + timedelta(days=1)))
    assert result.reply_late is True and result.days_late == 1


def test_customer_deadline_replaces_the_rule():
    later = RECEIVED + timedelta(days=7)
    on_time = evaluate(complaint(replied=later, deadline=later, closed=later))
    assert on_time.due == later and on_time.due_source == complaints.CUSTOMER and on_time.reply_late is False
    late = evaluate(complaint(replied=later + timedelta(days=1), deadline=later, closed=later))
    assert late.reply_late is True
    earlier = RECEIVED + timedelta(days=1)
    assert evaluate(complaint(replied=DUE, deadline=earlier, closed=DUE)).reply_late is True


def test_open_complaint_becomes_overdue_the_day_after_its_due_date():
    on_due_day = evaluate(complaint(), today=DUE)
    assert on_due_day.open and not on_due_day.overdue and on_due_day.reply_late is None
    assert on_due_day.age_days == RULE["days"]
    next_day = evaluate(complaint(), today=DUE + timedelta(days=1))
    assert next_day.overdue and next_day.reply_late is True and next_day.age_days == RULE["days"] + 1


def test_findings_for_late_reply_and_overdue_open_complaint():
    today = DUE + timedelta(days=10)
    records = [complaint("CMP-2025-001", replied=DUE, closed=DUE),
               complaint("CMP-2025-002", replied=DUE + timedelta(days=1), closed=DUE + timedelta(days=3)),
               complaint("CMP-2025-003", replied=DUE),
               complaint("CMP-2025-004", closed=DUE)]
    data = FormRecords(form=make_form(), records=records,
                       complaints={r.id: complaints.evaluate(r, RULE, today) for r in records})
    body = "### 5.2 客户投诉\n\n5.2.1 写明收到日期。\n\n5.2.7 回复时限\n\n客户未规定回复时间的，自收到投诉之日起2天内回复。\n"
    found = findings.form_findings(data, body, today)
    assert sorted((f.rule, f.record) for f in found) == [("complaint-overdue", "CMP-2025-003"), ("reply-late", "CMP-2025-002"),
                                                         ("reply-late", "CMP-2025-004")]
    assert {f.clause.label for f in found} == {"QP-92 5.2.7"}
    summary = summarise(data, {})
    by_month = next(t for t in summary.tables if t.key == "by-month")
    assert sum(row[1] for row in by_month.rows) == len(records)
    assert [row[0] for row in next(t for t in summary.tables if t.key == "open").rows] == ["CMP-2025-003"]
