"""End to end: a small fixture manual rendered with render_site; the api/*.json contracts, the record
summary, KPI and findings pages, downloads, pagination, literal text and no personal data."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest

from site_builder.build import render_manual
from site_builder.check import run as pipeline
from site_builder.model.manual import Config, Document, Form, FormField, Manual, Objective, Organisation, Record, Revision, Signature
from site_builder.render import records_pages

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 1, 15)
PERSONAL = ("Canary Testperson 測試員甲", "13912345678")
MARKUP = "四月<b>集中</b>{{ x }}**粗**"
LEVELS = ("很好", "好", "差")
POINTS = {"质量": {"很好": 60, "好": 50, "差": 20}, "服务": {"很好": 40, "好": 25, "差": 15}}
SCORE = {"field": "ratings", "points": POINTS, "capa_below": 75, "capa_field": "capa",
         "grades": [{"grade": "A", "min": 90}, {"grade": "B", "min": 75}, {"grade": "C", "min": 60}, {"grade": "D", "min": 35},
                    {"grade": "E", "min": 0}]}
REPLY = {"received_field": "received", "requested_field": "deadline", "replied_field": "replied", "closed_field": "closed", "days": 2,
         "established_field": "established"}
FOLLOW = {"trigger_field": "trigger", "event_field": "event", "done_field": "visited", "windows": {"维修": 10, "投诉结案": 3},
          "targets": {"overall": 80, "投诉结案": 100}}
SAMPLING = {"grade_field": "grade", "survey_form": "QR-90-01", "customer_field": "customer", "coverage": {"A": 100, "B": 50}}
BODY = """## 5 工作程序

5.1.1 客户等级为A级的100%调查，B级50%调查（客户满意度调查表）。

5.2.7 回复时限：客户要求回复期限；未规定的，收到后2天内回复客户。

5.3.1 回访时限：维修完工后10日内；投诉结案后3日内。

5.4.2 得分低于75分时开立纠正预防措施报告（QR-90-06），填写纠正预防措施报告编号。
"""


def field(key, label, kind, **extra) -> FormField:
    return FormField(key=key, label=label, type=kind, **extra)


def form(form_id, title, prefix, fields, rules) -> Form:
    return Form(id=form_id, title=title, version="A0", status="effective", procedure="QP-90", owner="质量部",
                effective=date(2025, 1, 1), retention_years=3, retention_note="", description="", record_prefix=prefix,
                revisions=(Revision(version="A0", date=date(2024, 12, 1), sections="全文", change="首次发布", approved_by="林秀琴"),),
                fields=tuple(fields), rules=rules)


FORMS = (
    form("QR-90-01", "满意度调查表", "CSS", [field("customer", "客户编号", "record_ref", form="QR-90-05"),
                                          field("contact", "联系人", "string", personal_data=True, mask="name"),
                                          field("round", "调查批次", "choice", choices=(MARKUP, "滚动调查")),
                                          field("ratings", "评价", "ratings", items=tuple(POINTS), levels=LEVELS),
                                          field("capa", "纠正预防措施报告编号", "record_ref", form="QR-90-06")], {"score": SCORE}),
    form("QR-90-02", "投诉处理报告", "CMP", [field("received", "收到日期", "date"), field("deadline", "客户要求回复期限", "date"),
                                         field("replied", "回复客户日期", "date"), field("closed", "结案日期", "date"),
                                         field("established", "投诉是否成立", "boolean"),
                                         field("phone", "联系电话", "string", personal_data=True, mask="phone")],
         {"reply_deadline": REPLY}),
    form("QR-90-03", "回访记录表", "FUV", [field("trigger", "回访类别", "choice", choices=tuple(FOLLOW["windows"])),
                                       field("event", "事件日期", "date"), field("visited", "回访日期", "date"),
                                       field("related", "相关记录", "record_ref")], {"follow_up": FOLLOW}),
    form("QR-90-04", "客户分级一览表", "CGL", [field("customer", "客户编号", "record_ref", form="QR-90-05"),
                                          field("grade", "客户等级", "choice", choices=("A", "B"))], {"sampling": SAMPLING}),
    form("QR-90-05", "客户信息档案", "CUS", [field("name", "客户姓名", "string", personal_data=True, mask="name")], {}),
)


def rec(rid, form_id, day, **values) -> Record:
    return Record(id=rid, form=form_id, date=day, form_version=None, values=values, path=f"records/{form_id}/{rid}.yaml")


def survey(rid, day, quality, service, customer, **extra) -> Record:
    return rec(rid, "QR-90-01", day, customer=customer, contact=PERSONAL[0], round=MARKUP, ratings={"质量": quality, "服务": service},
               **extra)


RECORDS = (
    rec("CUS-2025-001", "QR-90-05", date(2025, 1, 2), name=PERSONAL[0]),
    rec("CUS-2025-002", "QR-90-05", date(2025, 1, 2), name="客户乙"),
    rec("CUS-2025-003", "QR-90-05", date(2025, 1, 2), name="客户丙"),
    rec("CGL-2025-001", "QR-90-04", date(2025, 1, 10), customer="CUS-2025-001", grade="A"),
    rec("CGL-2025-002", "QR-90-04", date(2025, 1, 10), customer="CUS-2025-002", grade="A"),
    rec("CGL-2025-003", "QR-90-04", date(2025, 1, 10), customer="CUS-2025-003", grade="B"),
    survey("CSS-2025-001", date(2025, 4, 10), "很好", "很好", "CUS-2025-001"),          # 100
    survey("CSS-2025-002", date(2025, 4, 11), "好", "好", "CUS-2025-003"),              # 75: exactly the corrective-action line
    survey("CSS-2025-003", date(2025, 10, 12), "好", "差", "CUS-2025-001"),             # 65: needs a CAPA, none linked
    survey("CSS-2025-004", date(2025, 10, 13), "差", "差", "CUS-2025-002", capa="CAR-2025-001"),  # 35 with CAPA
    rec("CMP-2025-001", "QR-90-02", date(2025, 3, 1), received="2025-03-01", replied="2025-03-03", closed="2025-03-05",
        established=True, phone=PERSONAL[1]),
    rec("CMP-2025-002", "QR-90-02", date(2025, 5, 6), received="2025-05-06", replied="2025-05-09", closed="2025-05-20",
        established=True),
    rec("CMP-2025-003", "QR-90-02", date(2025, 6, 2), received="2025-06-02", deadline="2025-06-10", replied="2025-06-10",
        closed="2025-06-12", established=False),
    rec("CMP-2026-001", "QR-90-02", date(2026, 1, 2), received="2026-01-02"),
    rec("FUV-2025-001", "QR-90-03", date(2025, 3, 5), trigger="投诉结案", event="2025-03-05", visited="2025-03-08",
        related="CMP-2025-001"),
    rec("FUV-2025-002", "QR-90-03", date(2025, 5, 20), trigger="投诉结案", event="2025-05-20", visited="2025-05-24",
        related="CMP-2025-002"),
    rec("FUV-2025-003", "QR-90-03", date(2025, 8, 1), trigger="维修", event="2025-08-01"),
    rec("FUV-2026-001", "QR-90-03", date(2026, 1, 10), trigger="维修", event="2026-01-10"),
)

OBJECTIVES = (
    Objective(id="OBJ-01", text="退货率不高于0.4%", target=0.4, comparison="<=", unit="%", period="year", metric="return_rate"),
    Objective(id="OBJ-02", text="成立的投诉每年不超过36次", target=36, comparison="<=", unit="次/年", period="year",
              metric="complaints_per_year"),
    Objective(id="OBJ-08", text="投诉按期回复率不低于95%", target=95, comparison=">=", unit="%", period="quarter",
              metric="complaint_reply_on_time_rate"),
    Objective(id="OBJ-09", text="回访率不低于80%", target=80, comparison=">=", unit="%", period="quarter", metric="follow_up_rate"),
    Objective(id="OBJ-11", text="满意度平均得分不低于80分", target=80, comparison=">=", unit="分", period="half_year",
              metric="satisfaction_mean_score"),
)


def document(doc_id, level, title, objectives=(), body="") -> Document:
    sign = Signature(name="林秀琴", date=date(2024, 12, 1))
    return Document(id=doc_id, title=title, level=level, version="A0", status="effective", owner="质量部", summary="",
                    prepared_by=sign, reviewed_by=sign, approved_by=sign, effective=date(2025, 1, 1), review_period_months=24,
                    last_reviewed=None, obsoleted=None, supersedes=(), distribution=(), revisions=(Revision(
                        version="A0", date=date(2024, 12, 1), sections="全文", change="首次发布", approved_by="林秀琴"),),
                    related_documents=(), related_forms=(), quality_policy="", objectives=tuple(objectives), body=body,
                    path=f"procedures/{doc_id}.md", body_line=1)


def manual(records=RECORDS) -> Manual:
    config = Config(company="测试公司", site_name="测试手册", version_pattern="^[A-Z][0-9]$", document_patterns={},
                    form_pattern=".*", record_pattern=".*")
    return Manual(config=config, organisation=Organisation(departments=(), people=()),
                  documents=(document("QM-90", 1, "质量手册", OBJECTIVES), document("QP-90", 2, "程序", body=BODY)),
                  forms=FORMS, records=tuple(records), today=TODAY)


@pytest.fixture(scope="module")
def site():
    return render_manual(manual())


def api(site, name):
    return json.loads(site.pages[f"api/{name}.json"])


def expected_score(record: Record) -> float:
    return sum(POINTS[item][level] for item, level in record.values["ratings"].items())


def test_records_json_has_one_object_per_record_with_derived_values(site):
    items = api(site, "records")
    assert sorted(i["id"] for i in items) == sorted(r.id for r in RECORDS)
    assert all({"id", "form", "date"} <= i.keys() for i in items)
    by_id = {i["id"]: i for i in items}
    for record in (r for r in RECORDS if r.form == "QR-90-01"):
        item, score = by_id[record.id], expected_score(record)
        assert item["date"] == record.date.isoformat() and item["form"] == "QR-90-01"
        assert item["score"] == score and isinstance(item["score"], int | float)
        assert item["grade"] == next(g["grade"] for g in SCORE["grades"] if score >= g["min"])
        assert item["capa_required"] is (score < SCORE["capa_below"])
    for record in (r for r in RECORDS if r.form == "QR-90-02"):
        received = date.fromisoformat(record.values["received"])
        due = record.values.get("deadline") or (received + timedelta(days=REPLY["days"])).isoformat()
        assert by_id[record.id]["due"] == due
        assert by_id[record.id]["open"] is ("closed" not in record.values)


def test_findings_json_lists_each_rule_breach(site):
    found = api(site, "findings")
    assert all({"rule", "message"} <= f.keys() and ("record" in f or "document" in f) for f in found)
    pairs = {(f["rule"], f.get("record") or f.get("document")) for f in found}
    capa = {r.id for r in RECORDS if r.form == "QR-90-01" and expected_score(r) < SCORE["capa_below"] and "capa" not in r.values}
    late = {r.id for r in RECORDS if r.form == "QR-90-02" and "replied" in r.values
            and r.values["replied"] > (r.values.get("deadline")
                                       or (date.fromisoformat(r.values["received"]) + timedelta(days=REPLY["days"])).isoformat())}
    overdue = {r.id for r in RECORDS if r.form == "QR-90-02" and "closed" not in r.values
               and date.fromisoformat(r.values["received"]) + timedelta(days=REPLY["days"]) < TODAY}
    missed = {r.id for r in RECORDS if r.form == "QR-90-03" and "visited" not in r.values
              and date.fromisoformat(r.values["event"]) + timedelta(days=FOLLOW["windows"][r.values["trigger"]]) < TODAY}
    follow_late = {r.id for r in RECORDS if r.form == "QR-90-03" and "visited" in r.values
                   and date.fromisoformat(r.values["visited"]) > date.fromisoformat(r.values["event"])
                   + timedelta(days=FOLLOW["windows"][r.values["trigger"]])}
    assert {p for p in pairs if p[0] == "capa-missing"} == {("capa-missing", i) for i in capa} and capa
    assert {p for p in pairs if p[0] == "reply-late"} == {("reply-late", i) for i in late} and late
    assert {p for p in pairs if p[0] == "complaint-overdue"} == {("complaint-overdue", i) for i in overdue} and overdue
    assert {p for p in pairs if p[0] == "follow-up-missed"} == {("follow-up-missed", i) for i in missed} and missed
    assert {p for p in pairs if p[0] == "follow-up-late"} == {("follow-up-late", i) for i in follow_late} and follow_late
    # 2025H1: two A customers, one surveyed in the half; the one B customer surveyed (50 % of 1 -> 1)
    assert ("sampling-short", "QP-90") in pairs
    short = [f for f in found if f["rule"] == "sampling-short"]
    assert [(f["period"], f["grade"]) for f in short] == [("2025H1", "A")]
    assert all(f["clause_document"] == "QP-90" for f in found)
    assert {f["clause"] for f in found if f["rule"] == "capa-missing"} == {"QP-90 5.4.2"}


def test_kpis_json_measures_each_objective_against_its_target(site):
    kpis = {k["id"]: k for k in api(site, "kpis")}
    assert list(kpis) == [o.id for o in OBJECTIVES]
    assert all({"id", "text", "target", "period", "value", "met", "periods"} <= k.keys() for k in kpis.values())
    assert (kpis["OBJ-01"]["value"], kpis["OBJ-01"]["met"], kpis["OBJ-01"]["note"]) == (None, None, "not measured by qms-site")
    established_2025 = sum(1 for r in RECORDS if r.form == "QR-90-02" and r.date.year == 2025 and r.values.get("established") is True)
    assert (kpis["OBJ-02"]["value_period"], kpis["OBJ-02"]["value"]) == ("2025", established_2025)
    assert kpis["OBJ-02"]["met"] is (established_2025 <= 36)
    surveys_h2 = [expected_score(r) for r in RECORDS if r.form == "QR-90-01" and r.date.month > 6]
    assert kpis["OBJ-11"]["value_period"] == "2025H2"
    assert kpis["OBJ-11"]["value"] == pytest.approx(sum(surveys_h2) / len(surveys_h2))
    assert kpis["OBJ-11"]["met"] is (sum(surveys_h2) / len(surveys_h2) >= 80)


def test_pages_nav_and_downloads(site):
    for page in (records_pages.RECORDS_INDEX, records_pages.KPI_PAGE, records_pages.FINDINGS_PAGE,
                 *(records_pages.summary_page(f.id) for f in FORMS)):
        assert page in site.pages
    section = next(item for item in site.nav if "记录与绩效" in item)["记录与绩效"]
    assert {"不符合项": records_pages.FINDINGS_PAGE} in section
    csv_text = site.pages["records/QR-90-01/QR-90-01-records.csv"]
    assert csv_text.startswith("\ufeff") and "CSS-2025-001" in csv_text
    with zipfile.ZipFile(io.BytesIO(site.files["records/QR-90-01/QR-90-01.xlsx"])) as book:
        assert "CSS-2025-003" in book.read("xl/sharedStrings.xml").decode()
    summary = site.pages[records_pages.summary_page("QR-90-01")]
    assert summary.count("<svg") >= 2 and 'id="CSS-2025-003"' in summary
    findings_page = site.pages[records_pages.FINDINGS_PAGE]
    assert 'href="../QR-90-01/#CSS-2025-003"' in findings_page
    assert "[查看本表单的记录汇总](../records/QR-90-01/index.md)" in site.pages["forms/QR-90-01.md"]


def test_typed_markup_appears_literally(site):
    summary = site.pages[records_pages.summary_page("QR-90-01")]
    assert html_escaped(MARKUP) in summary
    assert "<b>集中</b>" not in summary


def html_escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_no_personal_data_in_any_page_json_or_download(site):
    texts = list(site.pages.values())
    for content in site.files.values():
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            texts += [book.read(name).decode("utf-8") for name in book.namelist()]
    for value in PERSONAL:
        assert not [t for t in texts if value in t], value


def test_large_forms_are_listed_on_month_pages(monkeypatch):
    monkeypatch.setattr(records_pages, "INLINE_ROWS", 2)
    monkeypatch.setattr(records_pages, "PAGE_ROWS", 1)
    site = render_manual(manual())
    month_pages = [p for p in site.pages if re.fullmatch(r"records/QR-90-01/\d{4}-\d{2}(-\d+)?\.md", p)]
    surveys = [r.id for r in RECORDS if r.form == "QR-90-01"]
    listed = [rid for p in month_pages for rid in re.findall(r'<tr id="([A-Z0-9-]+)"', site.pages[p])]
    assert sorted(listed) == sorted(surveys)
    assert "records/QR-90-01/2025-04-2.md" in month_pages
    section = next(item for item in site.nav if "记录与绩效" in item)["记录与绩效"]
    entry = next(e for e in section if "QR-90-01 满意度调查表" in e)["QR-90-01 满意度调查表"]
    assert entry[0] == {"汇总": records_pages.summary_page("QR-90-01")} and len(entry) == 1 + len(month_pages)
    findings_page = site.pages[records_pages.FINDINGS_PAGE]
    assert 'href="../QR-90-01/2025-10-1/#CSS-2025-003"' in findings_page


FORM_YAML = """id: QR-90-01
title: 满意度调查表
version: A0
status: effective
procedure: QP-90
owner: 质量部
effective: 2025-01-01
retention: {years: 3}
record_prefix: CSS
revisions:
  - {version: A0, date: 2024-12-01, sections: 全文, change: 首次发布, approved_by: 林秀琴, effective: 2025-01-01}
fields:
  ratings: {label: 评价, type: ratings, required: true, items: [质量, 服务], levels: [很好, 好, 差]}
  total: {label: 总分, type: number}
  capa: {label: 纠正预防措施报告编号, type: string}
rules:
  score:
    field: ratings
    points: {质量: {很好: 60, 好: 50, 差: 20}, 服务: {很好: 40, 好: 25, 差: 15}}
    grades: [{grade: A, min: 90}, {grade: B, min: 0}]
    capa_below: 75
    capa_field: capa
    score_field: total
"""


def test_check_reports_a_typed_total_that_disagrees_at_its_line(tmp_path):
    for name in ("schemas", "qms.yaml", "organisation.yaml"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    shutil.rmtree(tmp_path / "schemas" / "records", ignore_errors=True)
    (tmp_path / "procedures").mkdir()
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "QR-90-01.yaml").write_text(FORM_YAML, encoding="utf-8")
    folder = tmp_path / "records" / "QR-90-01"
    folder.mkdir(parents=True)
    good = "id: CSS-2025-001\nform: QR-90-01\ndate: 2025-04-10\nratings: {质量: 好, 服务: 好}\ntotal: 75\n"
    bad = "id: CSS-2025-002\nform: QR-90-01\ndate: 2025-04-10\nratings: {质量: 好, 服务: 差}\ntotal: 70\ncapa: CAR-1\n"
    unknown_level = "id: CSS-2025-003\nform: QR-90-01\ndate: 2025-04-10\nratings: {质量: 好, 服务: 极好}\n"
    missing_item = "id: CSS-2025-004\nform: QR-90-01\ndate: 2025-04-10\nratings: {质量: 好}\n"
    for name, text in (("CSS-2025-001", good), ("CSS-2025-002", bad), ("CSS-2025-003", unknown_level),
                       ("CSS-2025-004", missing_item)):
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    result = pipeline.check(tmp_path, TODAY)
    sb501 = [d for d in result.diagnostics if d.code == "SB501"]
    assert [(d.path, d.line) for d in sb501] == [("records/QR-90-01/CSS-2025-002.yaml", 5)]
    assert "70" in sb501[0].message and str(50 + 15) in sb501[0].message
    schema = {(d.path.rsplit("/", 1)[-1], d.code, d.line) for d in result.diagnostics if d.path.startswith("records/")}
    assert ("CSS-2025-003.yaml", "SB200", 4) in schema and ("CSS-2025-004.yaml", "SB201", 4) in schema
    assert not [d for d in result.diagnostics if d.path.endswith("CSS-2025-001.yaml")]
