"""Branch surveys (rules.item_threshold): any item under `below` requires a recorded follow-up."""

from __future__ import annotations

from datetime import date

from site_builder.derive import findings, thresholds
from site_builder.derive.summaries import FormRecords, summarise
from site_builder.model.manual import Form, FormField, Record

RULE = {"field": "scores", "below": 70, "followup_field": "phone_followup"}
ITEMS = ("产品质量", "交货及时性")


def make_form() -> Form:
    return Form(id="QR-91-01", title="分公司调查", version="A0", status="effective", procedure="QP-91", owner="客户服务部",
                effective=date(2025, 1, 1), retention_years=3, retention_note="", description="", record_prefix="BSS",
                revisions=(), fields=(FormField(key="scores", label="项目评分", type="scores", items=ITEMS),
                                      FormField(key="phone_followup", label="电话回访日期", type="date")),
                rules={"item_threshold": RULE})


def branch(rid: str, first: float, second: float, followup: str | None = None) -> Record:
    values = {"scores": {ITEMS[0]: first, ITEMS[1]: second}}
    if followup:
        values["phone_followup"] = followup
    return Record(id=rid, form="QR-91-01", date=date(2025, 4, 8), form_version=None, values=values)


def test_exactly_at_the_threshold_needs_no_followup():
    result = thresholds.evaluate(branch("BSS-2025-001", RULE["below"], 95), RULE)
    assert result.low_items == () and not result.followup_required and not result.followup_missing


def test_just_below_the_threshold_needs_a_followup():
    result = thresholds.evaluate(branch("BSS-2025-002", RULE["below"] - 1, RULE["below"] - 0.5), RULE)
    assert result.low_items == ITEMS and result.followup_missing


def test_recorded_followup_clears_the_finding():
    result = thresholds.evaluate(branch("BSS-2025-003", 50, 90, followup="2025-04-10"), RULE)
    assert result.followup_required and result.followup_recorded and not result.followup_missing


def test_finding_and_summary_count_every_record():
    records = [branch("BSS-2025-001", 70, 95), branch("BSS-2025-002", 69, 80), branch("BSS-2025-003", 50, 60, "2025-04-10")]
    data = FormRecords(form=make_form(), records=records, thresholds={r.id: thresholds.evaluate(r, RULE) for r in records})
    body = "## 4 定义\n\n低分项目指低于70分的项目。\n\n5.2.5 任何一个项目得分低于70分的，电话回访填表人并记录回访日期。\n"
    found = findings.form_findings(data, body, date(2025, 6, 1))
    assert [(f.rule, f.record) for f in found] == [("branch-item-no-followup", "BSS-2025-002")]
    assert found[0].clause.section == "5.2.5"
    summary = summarise(data, {})
    low = next(t for t in summary.tables if t.key == "low-items")
    assert {row[0]: row[1] for row in low.rows} == {ITEMS[0]: 2, ITEMS[1]: 1}
    assert summary.total == len(records) == len(summary.record_rows)
