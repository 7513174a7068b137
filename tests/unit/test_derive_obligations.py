"""The obligation rules (derive/obligations.py): each fires on the records that break it, stays quiet on
the ones that keep it, and takes every limit from the form's rules."""

from __future__ import annotations

from datetime import date

from site_builder.derive import findings, obligations
from site_builder.derive.obligations import RuleContext, obligation_findings
from site_builder.derive.summaries import FormRecords
from site_builder.model.manual import Form, FormField, Record

TODAY = date(2026, 12, 6)


def _form(form_id: str, rules: dict, *keys: str, procedure: str = "QP-03", refs: dict | None = None) -> Form:
    refs = refs or {}
    fields = tuple(FormField(key=k, label=f"{k}标签", type="record_ref" if k in refs else "string", form=refs.get(k)) for k in keys)
    return Form(id=form_id, title=f"{form_id}表", version="A0", status="effective", procedure=procedure, owner="质量部",
                effective=date(2024, 1, 1), retention_years=3, retention_note="", description="", record_prefix="X",
                revisions=(), fields=fields, rules=rules)


def _record(record_id: str, form: str, day: date, **values) -> Record:
    return Record(id=record_id, form=form, date=day, form_version=None, values=values)


def _run(form: Form, records: list[Record], body: str = "", **context) -> list[findings.Finding]:
    data = FormRecords(form=form, records=sorted(records, key=lambda r: (r.date, r.id)))
    return obligation_findings(data, RuleContext(today=TODAY, **context), findings.clause_locator(form, body),
                               findings.labeller(form))


def test_a_repeat_complaint_needs_a_capa():
    rule = {"customer_field": "customer", "match_field": "product", "repeat_field": "repeat_of", "within_months": 6,
            "established_field": "established", "capa_field": "capa"}
    form = _form("QR-05-01", {"repeat_complaint": rule}, "customer", "product", "repeat_of", "established", "capa")
    records = [
        _record("CMP-1", "QR-05-01", date(2025, 1, 10), customer="C1", product="RO400", established=True, capa="CAR-1"),
        _record("CMP-2", "QR-05-01", date(2025, 5, 1), customer="C1", product="RO400", established=True),  # same customer, product
        _record("CMP-3", "QR-05-01", date(2025, 5, 2), customer="C1", product="RO600", established=True),  # other product
        _record("CMP-4", "QR-05-01", date(2025, 8, 1), customer="C2", product="RO400", established=True, repeat_of="CMP-1"),
        _record("CMP-5", "QR-05-01", date(2025, 9, 1), customer="C3", product="RO400", established=False, repeat_of="CMP-2"),
        _record("CMP-6", "QR-05-01", date(2025, 10, 1), customer="C1", product="RO400", established=True, capa="CAR-2"),
    ]
    found = _run(form, records, "5.7.4 结案后6个月内同一原因再次发生的，开立新的报告。\n")
    # CMP-4 names CMP-1, but 6 months and 22 days have passed; CMP-5 was not established; CMP-6 has its CAPA
    assert [(f.rule, f.record) for f in found] == [(obligations.REPEAT_NO_CAPA, "CMP-2")]
    assert "CMP-1" in found[0].message and found[0].clause.section == "5.7.4"
    rule["within_months"] = 7
    assert [f.record for f in _run(form, records)] == ["CMP-2", "CMP-4"]


def test_a_due_date_beyond_the_limit_needs_an_approver_of_the_named_title():
    rule = {"due_field": "due", "days": 30, "approval_field": "due_approved_by", "approver_titles": ["质量部经理（管理者代表）"]}
    form = _form("QR-03-01", {"due_limit": rule}, "due", "due_approved_by")
    titles = {"林秀琴": "质量部经理（管理者代表）", "唐振宇": "质量工程师"}
    records = [
        _record("CAR-1", "QR-03-01", date(2026, 1, 1), due="2026-01-31"),  # 30 days: no approval needed
        _record("CAR-2", "QR-03-01", date(2026, 1, 1), due="2026-02-01"),  # 31 days, nobody approved
        _record("CAR-3", "QR-03-01", date(2026, 1, 1), due="2026-04-01", due_approved_by="唐振宇"),  # wrong title
        _record("CAR-4", "QR-03-01", date(2026, 1, 1), due="2026-04-01", due_approved_by="林秀琴"),
    ]
    found = _run(form, records, titles=titles)
    assert [f.record for f in found] == ["CAR-2", "CAR-3"]
    assert "31 天" in found[0].message and "质量工程师" in found[1].message
    rule["days"] = 31
    assert [f.record for f in _run(form, records, titles=titles)] == ["CAR-3"]


def test_a_missed_objective_needs_a_capa_citing_it_within_the_days_after_the_period():
    rule = {"objective_field": "objective", "within_days": 30}
    form = _form("QR-03-01", {"objective_capa": rule}, "objective")
    kpi = {"id": "OBJ-09", "document": "QM-01", "text": "客户回访率不低于80%", "unit": "%", "period": "quarter", "periods": [
        {"period": "2026Q1", "value": 75, "met": False, "complete": True},
        {"period": "2026Q2", "value": 90, "met": True, "complete": True},
        {"period": "2026Q3", "value": 70.5, "met": False, "complete": True},
        {"period": "2026Q4", "value": 10, "met": False, "complete": False},  # not closed yet
    ]}
    body = "5.4.3 任何一项目标未达成，开立《纠正预防措施报告》（QR-03-01）。\n"
    cited = [_record("CAR-9", "QR-03-01", date(2026, 4, 20), objective="OBJ-09")]
    found = _run(form, cited, kpis=[kpi], bodies={"QM-01": body})
    assert [(f.rule, f.document, f.period) for f in found] == [(obligations.OBJECTIVE_NO_CAPA, "QM-01", "2026Q3")]
    assert found[0].clause.label == "QM-01 5.4.3" and "70.5%" in found[0].message
    late = [_record("CAR-9", "QR-03-01", date(2026, 5, 15), objective="OBJ-09")]
    assert [f.period for f in _run(form, late, kpis=[kpi])] == ["2026Q1", "2026Q3"]


def test_a_periodic_list_exists_for_every_period_with_records_once_due():
    rule = {"period": "month", "period_field": "month", "source_form": "QR-05-01", "due_days": 10}
    form = _form("QR-05-02", {"periodic_list": rule}, "month", procedure="QP-05")
    complaints = [_record(f"CMP-{m}", "QR-05-01", date(2026, m, 3)) for m in (7, 9, 11)]
    lists = [_record("CML-1", "QR-05-02", date(2026, 8, 3), month="2026-07")]
    found = _run(form, lists, records_by_form={"QR-05-01": complaints})
    # 2026-11 is due on 2026-12-10, after today; 2026-08 had no complaints
    assert [(f.rule, f.period, f.document) for f in found] == [(obligations.PERIODIC_MISSING, "2026-09", "QP-05")]
    rule["due_days"] = 90
    assert _run(form, lists, records_by_form={"QR-05-01": complaints}) == []


def test_a_record_signed_by_a_title_the_form_does_not_allow():
    rule = {"field": "reviewed_by", "titles": ["客户服务部经理"], "when_field": "period", "when_pattern": r"^\d{4}(-\d{2}|Q[1-4])$"}
    form = _form("QR-21-02", {"allowed_signers": rule}, "reviewed_by", "period", procedure="WI-01")
    titles = {"吴昊": "客户服务课长", "郑嘉怡": "客户服务部经理"}
    records = [
        _record("FUR-1", "QR-21-02", date(2026, 4, 10), period="2026Q1", reviewed_by="吴昊"),
        _record("FUR-2", "QR-21-02", date(2026, 4, 11), period="2026-04-10", reviewed_by="吴昊"),  # a daily report
        _record("FUR-3", "QR-21-02", date(2026, 7, 10), period="2026Q2", reviewed_by="郑嘉怡"),
        _record("FUR-4", "QR-21-02", date(2026, 8, 10), period="2026-07", reviewed_by="无名氏"),
    ]
    found = _run(form, records, titles=titles)
    assert [(f.rule, f.record) for f in found] == [(obligations.SIGNER_NOT_ALLOWED, "FUR-1"), (obligations.SIGNER_NOT_ALLOWED, "FUR-4")]
    assert "客户服务课长" in found[0].message and "未登记职务" in found[1].message
    del rule["when_field"], rule["when_pattern"]
    assert [f.record for f in _run(form, records, titles=titles)] == ["FUR-1", "FUR-2", "FUR-4"]


def test_every_open_record_is_tracked_within_the_interval():
    rule = {"subject_field": "car", "subject_closed": "closed", "days": 14}
    form = _form("QR-03-02", {"tracking_interval": rule}, "car", refs={"car": "QR-03-01"})
    cars = [
        _record("CAR-1", "QR-03-01", date(2026, 1, 1), closed="2026-01-20"),  # tracked on the 10th: gaps 9 and 10
        _record("CAR-2", "QR-03-01", date(2026, 1, 1), closed="2026-01-20"),  # never tracked: 19 days
        _record("CAR-3", "QR-03-01", date(2026, 11, 20)),  # open, 16 days to today
        _record("CAR-4", "QR-03-01", date(2026, 11, 25)),  # open, 11 days to today
    ]
    tracks = [_record("CAT-1", "QR-03-02", date(2026, 1, 10), car="CAR-1")]
    found = _run(form, tracks, records_by_form={"QR-03-01": cars})
    assert [(f.rule, f.record) for f in found] == [(obligations.TRACKING_GAP, "CAR-2"), (obligations.TRACKING_GAP, "CAR-3")]
    assert "实际追踪 0 次，最长间隔 19 天" in found[0].message and "未结案" in found[1].message


def test_every_rule_has_a_chinese_label():
    from site_builder.derive import RULE_LABELS

    for code in obligations.RULE_LABELS:
        assert RULE_LABELS[code] and not RULE_LABELS[code].isascii()
