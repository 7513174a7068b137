"""Survey scoring (rules.score): score = sum of points, grade by thresholds, corrective action under capa_below."""

from __future__ import annotations

from datetime import date

import pytest

from site_builder.check.rules.record_values import record_value_rules
from site_builder.derive import findings, scoring
from site_builder.derive.summaries import FormRecords
from site_builder.model.manual import Config, Form, FormField, Manual, Organisation, Record

GRADES = [{"grade": "A", "min": 90}, {"grade": "B", "min": 75}, {"grade": "C", "min": 60}, {"grade": "D", "min": 35},
          {"grade": "E", "min": 0}]
# one item whose levels are worth exactly the score under test, and a second item worth 0 or 1
POINTS = {"总体": {f"L{n}": n for n in (0, 34, 35, 59, 60, 74, 75, 89, 90, 100)}, "补充": {"无": 0, "有": 1}}
RULE = {"field": "ratings", "points": POINTS, "grades": GRADES, "capa_below": 75, "capa_field": "capa"}


def make_form(rule: dict = RULE) -> Form:
    return Form(id="QR-90-01", title="满意度调查", version="A0", status="effective", procedure="QP-90", owner="业务部",
                effective=date(2025, 1, 1), retention_years=3, retention_note="", description="", record_prefix="CSS",
                revisions=(), fields=(FormField(key="ratings", label="评价", type="ratings", items=tuple(POINTS)),
                                      FormField(key="capa", label="纠正预防措施报告编号", type="record_ref"),
                                      FormField(key="total", label="总分", type="number")),
                rules={"score": rule})


def survey(level: str, extra: str = "无", rid: str = "CSS-2025-001", **values) -> Record:
    return Record(id=rid, form="QR-90-01", date=date(2025, 4, 10), form_version=None,
                  values={"ratings": {"总体": level, "补充": extra}, **values}, path=f"records/QR-90-01/{rid}.yaml")


def expected_grade(score: float) -> str:
    return next(g["grade"] for g in GRADES if score >= g["min"])


@pytest.mark.parametrize("points", [90, 89, 75, 74, 60, 59, 35, 34, 0, 100])
def test_grade_and_capa_at_each_boundary(points):
    result = scoring.evaluate(survey(f"L{points}"), RULE)
    assert result.score == POINTS["总体"][f"L{points}"]
    assert result.grade == expected_grade(points)
    assert result.capa_required is (points < RULE["capa_below"])


def test_boundary_scores_belong_to_the_higher_grade():
    assert [scoring.grade_for(s, GRADES) for s in (90, 75, 60, 35)] == ["A", "B", "C", "D"]
    assert [scoring.grade_for(s, GRADES) for s in (89.5, 74.5, 59.5, 34.5)] == ["B", "C", "D", "E"]
    assert scoring.capa_required(75, 75) is False
    assert scoring.capa_required(74.5, 75) is True


def test_score_is_the_sum_over_items():
    assert scoring.evaluate(survey("L74", "有"), RULE).score == 75
    assert scoring.evaluate(survey("L74", "有"), RULE).capa_required is False


def test_grades_come_from_the_form_data():
    stricter = dict(RULE, grades=[{"grade": "优", "min": 95}, {"grade": "良", "min": 0}], capa_below=95)
    result = scoring.evaluate(survey("L90"), stricter)
    assert (result.grade, result.capa_required) == ("良", True)


def test_unknown_level_or_missing_item_gives_no_score():
    assert scoring.survey_score({"总体": "不存在", "补充": "无"}, POINTS) is None
    assert scoring.survey_score({"总体": "L90"}, POINTS) is None
    assert scoring.evaluate(survey("不存在"), RULE).grade is None


def test_capa_missing_only_when_required_and_empty():
    assert scoring.evaluate(survey("L74"), RULE).capa_missing
    assert not scoring.evaluate(survey("L74", capa="CAR-2025-001"), RULE).capa_missing
    assert not scoring.evaluate(survey("L75"), RULE).capa_missing


def test_capa_finding_cites_the_clause_that_requires_it():
    form = make_form()
    records = [survey("L74", rid="CSS-2025-001"), survey("L75", rid="CSS-2025-002"),
               survey("L60", rid="CSS-2025-003", capa="CAR-2025-009")]
    data = FormRecords(form=form, records=records, scores={r.id: scoring.evaluate(r, RULE) for r in records})
    body = "## 5 工作程序\n\n5.6.1 得分75分及以上为B级。\n\n5.7.3 得分低于75分时开立纠正预防措施报告，并填写纠正预防措施报告编号。\n"
    found = findings.form_findings(data, body, date(2025, 6, 1))
    assert [(f.rule, f.record) for f in found] == [("capa-missing", "CSS-2025-001")]
    assert found[0].clause.label == "QP-90 5.7.3"


def _manual(form: Form, records: list[Record]) -> Manual:
    config = Config(company="测试", site_name="测试", version_pattern="^[A-Z][0-9]$", document_patterns={},
                    form_pattern=".*", record_pattern=".*")
    return Manual(config=config, organisation=Organisation(departments=(), people=()), documents=(), forms=(form,),
                  records=tuple(records), today=date(2025, 6, 1))


def test_sb501_when_the_typed_total_disagrees():
    form = make_form(dict(RULE, score_field="total"))
    records = [survey("L74", rid="CSS-2025-001", total=74), survey("L74", rid="CSS-2025-002", total=75),
               survey("L90", rid="CSS-2025-003")]
    found = record_value_rules(_manual(form, records))
    assert [(d.code, d.path, d.json_path) for d in found if d.code == "SB501"] == [
        ("SB501", "records/QR-90-01/CSS-2025-002.yaml", ("total",))]
    # (the two surveys below the CAPA line without a CAPA report are SB503 warnings)
    assert sorted(d.path for d in found if d.code == "SB503") == [
        "records/QR-90-01/CSS-2025-001.yaml", "records/QR-90-01/CSS-2025-002.yaml"]
    assert "74" in found[0].message and "75" in found[0].message


def test_no_sb501_without_a_score_field():
    records = [survey("L74", total=12)]
    assert [d for d in record_value_rules(_manual(make_form(), records)) if d.code == "SB501"] == []
