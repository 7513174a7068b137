"""Survey sampling coverage per half-year (rules.sampling on the customer-grading form)."""

from __future__ import annotations

from datetime import date

from site_builder.derive import findings, sampling
from site_builder.derive.summaries import FormRecords
from site_builder.model.manual import Form, FormField, Record

RULE = {"grade_field": "grade", "survey_form": "QR-94-02", "customer_field": "customer",
        "coverage": {"A": 100, "B": 50, "C": 20, "D": 0}, "survey_months": [4, 10]}
TODAY = date(2025, 12, 31)


def grading(rid: str, customer: str, grade: str, day: date = date(2025, 1, 10)) -> Record:
    return Record(id=rid, form="QR-94-01", date=day, form_version=None, values={"customer": customer, "grade": grade})


def survey(rid: str, customer: str, day: date = date(2025, 4, 15)) -> Record:
    return Record(id=rid, form="QR-94-02", date=day, form_version=None, values={"customer": customer})


def customers(grade: str, count: int, start: int = 1) -> list[Record]:
    return [grading(f"CGL-2025-{grade}{i:02d}", f"CUS-{grade}{i:02d}", grade) for i in range(start, start + count)]


def surveys_of(records: list[Record], count: int) -> list[Record]:
    return [survey(f"CSS-{r.id}", r.values["customer"]) for r in records[:count]]


def row_for(rows, half, grade):
    return next(r for r in rows if (r.half, r.grade) == (half, grade))


def test_exactly_at_coverage_is_met_and_one_short_is_not():
    b = customers("B", 4)
    row = row_for(sampling.coverage(b, surveys_of(b, 2), RULE, "customer", TODAY), "2025H1", "B")
    assert (len(row.customers), row.required, len(row.surveyed), row.coverage, row.met) == (4, 2, 2, 50, True)
    row = row_for(sampling.coverage(b, surveys_of(b, 1), RULE, "customer", TODAY), "2025H1", "B")
    assert row.met is False and row.missing == ("CUS-B02", "CUS-B03", "CUS-B04")


def test_required_count_rounds_up():
    c = customers("C", 6)  # 20 % of 6 = 1.2 -> 2 customers
    rows = sampling.coverage(c, surveys_of(c, 1), RULE, "customer", TODAY)
    assert row_for(rows, "2025H1", "C").required == 2 and row_for(rows, "2025H1", "C").met is False
    rows = sampling.coverage(c, surveys_of(c, 2), RULE, "customer", TODAY)
    assert row_for(rows, "2025H1", "C").met is True


def test_all_a_customers_must_be_surveyed():
    a = customers("A", 3)
    assert row_for(sampling.coverage(a, surveys_of(a, 3), RULE, "customer", TODAY), "2025H1", "A").met is True
    assert row_for(sampling.coverage(a, surveys_of(a, 2), RULE, "customer", TODAY), "2025H1", "A").met is False


def test_latest_grading_in_the_half_counts_and_halves_split_at_july():
    records = [grading("CGL-2025-001", "CUS-001", "C", date(2025, 1, 10)),
               grading("CGL-2025-002", "CUS-001", "A", date(2025, 6, 30)),
               grading("CGL-2025-003", "CUS-001", "B", date(2025, 7, 1))]
    surveys = [survey("CSS-2025-001", "CUS-001", date(2025, 7, 1))]
    rows = sampling.coverage(records, surveys, RULE, "customer", TODAY)
    assert [(r.half, r.grade, len(r.surveyed)) for r in rows] == [("2025H1", "A", 0), ("2025H2", "B", 1)]


def test_assessed_after_the_last_survey_month_of_the_half():
    assert sampling.half_due("2025H1", RULE["survey_months"]) == date(2025, 4, 30)
    assert sampling.half_due("2025H2", []) == date(2025, 12, 31)
    a = customers("A", 1)
    assert not sampling.coverage(a, [], RULE, "customer", date(2025, 4, 30))[0].assessed
    assert sampling.coverage(a, [], RULE, "customer", date(2025, 5, 1))[0].assessed


def test_finding_only_for_assessed_shortfalls():
    form = Form(id="QR-94-01", title="客户分级一览表", version="A0", status="effective", procedure="QP-94", owner="业务部",
                effective=date(2025, 1, 1), retention_years=3, retention_note="", description="", record_prefix="CGL",
                revisions=(), fields=(FormField(key="customer", label="客户编号", type="record_ref"),
                                      FormField(key="grade", label="客户等级", type="choice", choices=("A", "B", "C", "D"))),
                rules={"sampling": RULE})
    records = customers("A", 2) + customers("B", 2)
    surveys = surveys_of(records[:2], 2)  # both A, no B
    body = "### 5.3 调查方式\n\n| A级 | 100% |\n| B级 | 50% |\n| C级 | 20% |\n"
    early = FormRecords(form=form, records=records, sampling=sampling.coverage(records, surveys, RULE, "customer", date(2025, 4, 1)))
    assert findings.form_findings(early, body, date(2025, 4, 1)) == []
    late = FormRecords(form=form, records=records, sampling=sampling.coverage(records, surveys, RULE, "customer", TODAY))
    found = findings.form_findings(late, body, TODAY)
    assert [(f.rule, f.document, f.period, f.grade) for f in found] == [("sampling-short", "QP-94", "2025H1", "B")]
    assert found[0].clause.label == "QP-94 5.3"
    assert found[0].as_json()["document"] == "QP-94" and "record" not in found[0].as_json()
