"""Clause location and the findings contract."""

from __future__ import annotations

from datetime import date

from site_builder.derive import findings

BODY = """## 1 目的

说明。

## 4 定义

- **低分项目**：得分低于70分的项目。

### 5.2 书面调查

5.2.1 调查表发给各区域（QR-04-01）。

5.2.5 凡任何一个项目得分低于70分，客户服务部应电话回访，记录回访日期。

```
5.9.9 低于70分 电话回访日期（代码块中的文字不是条款）
```

5.2.6 连续两个季度低于70分的报告高层。
"""


def test_the_clause_with_the_numbers_and_the_labels_wins():
    clause = findings.locate_clause("QP-04", BODY, [70], ["电话回访日期"])
    assert (clause.document, clause.section, clause.label) == ("QP-04", "5.2.5", "QP-04 5.2.5")


def test_numbers_match_whole_numbers_only():
    assert findings.locate_clause("QP-04", "5.1.1 期限为170天。\n\n5.1.2 期限为70天。\n", [70], []).section == "5.1.2"
    assert findings.locate_clause("QP-04", "5.1.1 见7.0节。\n", [7], []).section is None


def test_nothing_matches_cites_the_document():
    clause = findings.locate_clause("QP-04", BODY, [99], [])
    assert clause.section is None and clause.label == "QP-04"


def test_finding_json_has_rule_record_or_document_and_message():
    clause = findings.Clause("QP-06", "5.7.3", "得分低于75分时")
    on_record = findings.Finding("capa-missing", "说明", "QR-06-01", date(2025, 4, 1), record="CSS-2025-001", clause=clause)
    assert on_record.as_json() == {"rule": "capa-missing", "record": "CSS-2025-001", "form": "QR-06-01", "date": "2025-04-01",
                                   "message": "说明", "clause": "QP-06 5.7.3", "clause_document": "QP-06", "clause_section": "5.7.3"}
    on_document = findings.Finding("sampling-short", "说明", "QR-05-03", None, document="QP-06", period="2025H1", grade="B")
    data = on_document.as_json()
    assert data["document"] == "QP-06" and "record" not in data and data["clause"] is None
    assert (data["period"], data["grade"]) == ("2025H1", "B")


def test_an_effect_verified_by_the_responsible_department_is_a_finding():
    from site_builder.derive.summaries import FormRecords
    from site_builder.model.manual import Form, FormField, Record

    rule = {"department_field": "responsible_department", "verifier_field": "verified_by"}
    form = Form(id="QR-03-01", title="纠正预防措施报告", version="A1", status="effective", procedure="QP-03", owner="质量部",
                effective=date(2026, 1, 1), retention_years=5, retention_note="", description="", record_prefix="CAR",
                revisions=(), fields=(FormField(key="responsible_department", label="责任部门", type="string"),
                                      FormField(key="verified_by", label="验证人", type="string")),
                rules={"independent_verification": rule})
    records = [Record(id=f"CAR-2026-00{n}", form="QR-03-01", date=date(2026, 2, n), form_version=None,
                      values={"responsible_department": "质量部", "verified_by": who})
               for n, who in ((1, "唐振宇"), (2, "郑嘉怡"), (3, "不在名单"))]
    body = "## 5 工作程序\n\n5.7.1 措施的效果由责任部门以外的人员验证，记入验证人栏。\n"
    found = findings.form_findings(FormRecords(form=form, records=records), body, date(2026, 3, 1),
                                   departments={"唐振宇": "质量部", "郑嘉怡": "客户服务部"})
    assert [(f.rule, f.record) for f in found] == [("verification-not-independent", "CAR-2026-001")]
    assert found[0].clause.label == "QP-03 5.7.1" and "质量部" in found[0].message
