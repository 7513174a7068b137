"""Distribution and recall of controlled copies (issue 10): the rules at their boundaries with fixed dates,
duplicate copy numbers (SB314), a revision producing the expected recall list, the page and the 核对码."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from site_builder.build import render_manual
from site_builder.check import run as pipeline
from site_builder.derive.distribution import copies as dc
from site_builder.derive.distribution import distribution_findings, distribution_rules, distribution_status, verification_code
from site_builder.derive.distribution import findings as dfind
from site_builder.diagnostics import CODES, ERROR
from site_builder.model.manual import (
    Config,
    Department,
    Distribution,
    Document,
    Form,
    FormField,
    Manual,
    Organisation,
    Record,
    Revision,
    Signature,
)
from site_builder.publish import printing
from site_builder.render.distribution_pages import PAGE, add_verification_code

ROOT = Path(__file__).resolve().parents[2]
A1_EFFECTIVE = date(2025, 1, 1)
RECALL_DUE = A1_EFFECTIVE + timedelta(days=14)  # 2025-01-15
ISSUE_DEADLINE = A1_EFFECTIVE + timedelta(days=7)  # 2025-01-08
SIGN = Signature(name="林秀琴", date=date(2024, 12, 1))
DEPARTMENTS = (Department(name="质量部", code="qa", parent=None, head=None, responsibilities=()),
               Department(name="业务部", code="sales", parent=None, head=None, responsibilities=()),
               Department(name="文控中心", code="dcc", parent="质量部", head=None, responsibilities=()))
LIST = (Distribution(department="质量部", copies=1, copy_numbers=("01",)),
        Distribution(department="业务部", copies=2, copy_numbers=("02", "03")))
BODY = """## 5 工作程序

### 5.7 受控副本的分发

5.7.2 每发放一份受控副本，文控中心在文件发放与回收记录（QR-91-01）上登记。新版本须在生效后7天内发到分发范围内的全部部门。

5.7.4 受控副本遗失的，补发件使用新的分发号，分发号在同一文件内不重复。

5.8.4 持有旧版本受控副本的部门，须在新版本生效后14天内将旧副本交回文控中心，登记回收日期。

5.9.3 作废文件的全部受控副本须在作废后14天内交回。
"""


def field(key, label, kind="string") -> FormField:
    return FormField(key=key, label=label, type=kind)


FORM = Form(id="QR-91-01", title="文件发放与回收记录", version="A0", status="effective", procedure="QP-91", owner="文控中心",
            effective=date(2024, 1, 1), retention_years=10, retention_note="", description="", record_prefix="DIS",
            revisions=(Revision(version="A0", date=date(2023, 12, 1), sections="全文", change="首次发布", approved_by="林秀琴"),),
            fields=(field("document", "文件编号", "document_ref"), field("doc_version", "版本"), field("department", "持有部门"),
                    field("copy_number", "分发号"), field("issued_on", "发放日期", "date"), field("received_by", "签收人"),
                    field("recalled_on", "回收日期", "date"), field("destroyed_on", "销毁日期", "date"),
                    field("handled_by", "经办人")),
            rules={}, path="forms/QR-91-01.yaml")


def document(doc_id="QP-92", versions=(("A0", date(2024, 3, 1)), ("A1", A1_EFFECTIVE)), status="effective", effective=None,
             obsoleted=None, distribution=LIST, body="## 1 目的\n\n测试。\n") -> Document:
    """A document whose revisions are `versions` (version, effective date); the last one is current."""
    revisions = tuple(Revision(version=v, date=d - timedelta(days=10), sections="全文", change="修订", approved_by="林秀琴",
                               effective=d) for v, d in versions)
    current = versions[-1]
    return Document(id=doc_id, title="受控副本测试程序", level=2, version=current[0], status=status, owner="质量部", summary="",
                    prepared_by=SIGN, reviewed_by=SIGN, approved_by=SIGN,
                    effective=effective if effective is not None else (current[1] if status != "draft" else None),
                    review_period_months=24, last_reviewed=None, obsoleted=obsoleted, supersedes=(),
                    distribution=distribution, revisions=revisions, related_documents=(), related_forms=(),
                    quality_policy="", objectives=(), body=body, path=f"procedures/{doc_id}.md", body_line=1)


PROCEDURE = dataclasses.replace(document("QP-91", versions=(("A0", date(2024, 1, 1)),), distribution=()), body=BODY,
                                title="文件控制程序")
_numbers: dict[int, int] = {}


def issue(version, department, number, issued, recalled=None, doc_id="QP-92", rid=None) -> Record:
    if rid is None:
        _numbers[issued.year] = _numbers.get(issued.year, 0) + 1
        rid = f"DIS-{issued.year}-{_numbers[issued.year]:03d}"
    values = {"document": doc_id, "doc_version": version, "department": department, "copy_number": number,
              "issued_on": issued.isoformat(), "handled_by": "何雨桐"}
    if recalled:
        values["recalled_on"] = recalled.isoformat()
    return Record(id=rid, form=FORM.id, date=issued, form_version=None, values=values, path=f"records/{FORM.id}/{rid}.yaml")


def a0_copies(recalled=None) -> list[Record]:
    return [issue("A0", "质量部", "01", date(2024, 3, 4), recalled), issue("A0", "业务部", "02", date(2024, 3, 4), recalled),
            issue("A0", "业务部", "03", date(2024, 3, 5), recalled)]


def a1_copies(day=date(2025, 1, 2)) -> list[Record]:
    return [issue("A1", "质量部", "01", day), issue("A1", "业务部", "02", day), issue("A1", "业务部", "03", day)]


def manual(records, today, documents=None) -> Manual:
    config = Config(company="测试公司", site_name="测试手册", version_pattern="^[A-Z][0-9]$", document_patterns={},
                    form_pattern=".*", record_pattern=".*", issue_within_days=7, recall_within_days=14)
    return Manual(config=config, organisation=Organisation(departments=DEPARTMENTS, people=()),
                  documents=tuple(documents or (PROCEDURE, document())), forms=(FORM,), records=tuple(records), today=today)


def recall_list(m: Manual) -> list[tuple]:
    return [(c.issue.department, c.issue.document, c.issue.version, c.issue.copy_number, c.recall_due, c.days_overdue)
            for c in distribution_status(m).awaiting]


def rules_of(found: list[dict]) -> list[str]:
    return [f["rule"] for f in found]


# ---------------------------------------------------------------- version in force

def test_version_in_force_changes_on_the_effective_date():
    doc = document()
    assert dc.version_in_force(doc, A1_EFFECTIVE - timedelta(days=1)) == "A0"
    assert dc.version_in_force(doc, A1_EFFECTIVE) == "A1"
    assert dc.version_in_force(doc, date(2024, 2, 29)) is None


def test_version_in_force_uses_revision_date_without_effective_and_document_effective_for_the_current_version():
    doc = document()
    revisions = (dataclasses.replace(doc.revisions[0], effective=None, date=date(2024, 2, 20)),
                 dataclasses.replace(doc.revisions[1], effective=date(2099, 1, 1)))
    doc = dataclasses.replace(doc, revisions=revisions, effective=date(2025, 2, 1))
    assert dc.version_in_force(doc, date(2024, 2, 20)) == "A0"
    assert dc.version_in_force(doc, date(2025, 1, 31)) == "A0"
    assert dc.version_in_force(doc, date(2025, 2, 1)) == "A1"


def test_a_draft_revision_is_not_in_force_and_recalls_nothing():
    draft = document(status="draft")
    m = manual(a0_copies(), date(2025, 6, 1), [PROCEDURE, draft])
    assert dc.version_in_force(draft, date(2025, 6, 1)) == "A0"
    assert recall_list(m) == []
    assert {c.status for c in distribution_status(m).copies} == {dc.CURRENT}


# ---------------------------------------------------------------- recall: due day vs one day late

def test_recall_outstanding_on_the_due_day_is_not_overdue():
    m = manual(a0_copies() + a1_copies(), RECALL_DUE)
    status = distribution_status(m)
    assert [c.days_overdue for c in status.awaiting] == [0, 0, 0]
    assert status.overdue == []
    assert dfind.RECALL_OVERDUE not in rules_of(distribution_findings(m))


def test_recall_outstanding_one_day_after_the_due_day_is_overdue():
    m = manual(a0_copies() + a1_copies(), RECALL_DUE + timedelta(days=1))
    status = distribution_status(m)
    assert [(c.issue.copy_number, c.days_overdue) for c in status.overdue] == [("01", 1), ("02", 1), ("03", 1)]
    found = [f for f in distribution_findings(m) if f["rule"] == dfind.RECALL_OVERDUE]
    assert len(found) == 3
    first = found[0]
    assert first["document"] == "QP-92" and first["days_overdue"] == 1 and first["due"] == "2025-01-15"
    assert "逾期 1 天" in first["message"] and "A1 版已于 2025-01-01 生效" in first["message"]
    assert first["clause"] == "QP-91 5.8.4"


def test_recalled_on_the_due_day_is_on_time_and_one_day_later_is_late():
    today = date(2025, 3, 1)
    on_time = manual(a0_copies(recalled=RECALL_DUE) + a1_copies(), today)
    late = manual(a0_copies(recalled=RECALL_DUE + timedelta(days=1)) + a1_copies(), today)
    assert [(c.status, c.days_overdue) for c in distribution_status(on_time).copies if c.issue.version == "A0"] == \
        [(dc.RECALLED, 0)] * 3
    assert [(c.status, c.days_overdue) for c in distribution_status(late).copies if c.issue.version == "A0"] == \
        [(dc.RECALLED, 1)] * 3
    assert recall_list(on_time) == recall_list(late) == []
    assert distribution_findings(on_time) == []


def test_old_copies_stay_current_until_the_new_version_takes_effect():
    m = manual(a0_copies() + a1_copies(day=date(2024, 12, 30)), A1_EFFECTIVE - timedelta(days=1))
    states = {(c.issue.version, c.status) for c in distribution_status(m).copies}
    assert states == {("A0", dc.CURRENT), ("A1", dc.NOT_YET_EFFECTIVE)}
    assert recall_list(m) == []


def test_copies_of_an_obsoleted_document_are_due_14_days_after_obsoletion():
    obsolete = document("QP-93", versions=(("A0", date(2024, 3, 1)),), status="obsolete", obsoleted=date(2025, 5, 1))
    records = [issue("A0", "质量部", "01", date(2024, 3, 4), doc_id="QP-93")]
    assert recall_list(manual(records, date(2025, 5, 15), [PROCEDURE, obsolete])) == \
        [("质量部", "QP-93", "A0", "01", date(2025, 5, 15), 0)]
    m = manual(records, date(2025, 5, 16), [PROCEDURE, obsolete])
    assert recall_list(m) == [("质量部", "QP-93", "A0", "01", date(2025, 5, 15), 1)]
    found = distribution_findings(m)
    assert rules_of(found) == [dfind.RECALL_OVERDUE]  # an obsolete document needs no new issue
    assert "文件已于 2025-05-01 作废" in found[0]["message"] and found[0]["clause"] == "QP-91 5.9.3"


# ---------------------------------------------------------------- issue within N days vs N+1

def test_issue_on_the_last_day_is_in_time_and_one_day_later_is_late():
    today = date(2025, 2, 1)
    in_time = manual(a0_copies(RECALL_DUE) + a1_copies(day=ISSUE_DEADLINE), today)
    assert distribution_status(in_time).missing == []
    assert distribution_findings(in_time) == []
    late = manual(a0_copies(RECALL_DUE) + a1_copies(day=ISSUE_DEADLINE + timedelta(days=1)), today)
    gaps = distribution_status(late).missing
    assert [(g.department, g.copy_number, g.days_late(today)) for g in gaps] == [("质量部", "01", 1), ("业务部", "02", 1),
                                                                                ("业务部", "03", 1)]
    found = distribution_findings(late)
    assert rules_of(found) == [dfind.ISSUE_MISSING, dfind.ISSUE_MISSING]  # one per department
    assert found[1]["department"] == "业务部" and found[1]["copy_numbers"] == ["02", "03"]
    assert "晚 1 天" in found[1]["message"] and found[1]["clause"] == "QP-91 5.7.2"


def test_a_copy_not_issued_is_missing_only_after_the_deadline():
    records = a0_copies(RECALL_DUE) + a1_copies()[:2]  # 业务部 never got copy 03 of A1
    assert distribution_status(manual(records, ISSUE_DEADLINE)).missing == []
    gaps = distribution_status(manual(records, ISSUE_DEADLINE + timedelta(days=1))).missing
    assert [(g.department, g.copy_number, g.issued_on, g.days_late(ISSUE_DEADLINE + timedelta(days=1))) for g in gaps] == \
        [("业务部", "03", None, 1)]


def test_a_copy_issued_to_another_department_does_not_count():
    records = a0_copies(RECALL_DUE) + a1_copies()[:2] + [issue("A1", "文控中心", "03", date(2025, 1, 2))]
    gaps = distribution_status(manual(records, date(2025, 2, 1))).missing
    assert [(g.department, g.copy_number) for g in gaps] == [("业务部", "03")]


# ---------------------------------------------------------------- duplicate copy numbers (SB314)

def test_a_copy_number_issued_twice_for_one_version_is_an_error_on_the_second_record():
    assert CODES["SB314"] == "controlled copy number issued twice"
    second = issue("A1", "文控中心", "02", date(2025, 1, 6), rid="DIS-2025-900")
    m = manual(a0_copies(RECALL_DUE) + a1_copies() + [second], date(2025, 2, 1))
    found = distribution_rules(m)
    assert [(d.code, d.severity, d.path, d.json_path) for d in found] == \
        [("SB314", ERROR, "records/QR-91-01/DIS-2025-900.yaml", ("copy_number",))]
    assert "copy number 02 of QP-92 A1 is already issued in" in found[0].message
    findings = [f for f in distribution_findings(m) if f["rule"] == dfind.COPY_DUPLICATE]
    assert len(findings) == 1 and findings[0]["record"] == "DIS-2025-900" and len(findings[0]["records"]) == 2


def test_the_same_copy_number_for_each_new_version_is_not_a_duplicate():
    m = manual(a0_copies(RECALL_DUE) + a1_copies(), date(2025, 2, 1))
    assert distribution_rules(m) == []
    assert distribution_status(m).duplicates == []


def test_no_distribution_form_means_nothing_is_checked():
    m = dataclasses.replace(manual([], date(2025, 2, 1)), forms=())
    status = distribution_status(m)
    assert status.forms == () and status.missing == [] and distribution_findings(m) == [] and distribution_rules(m) == []


# ---------------------------------------------------------------- a revision produces the expected recall list

def test_a_revision_produces_the_expected_recall_list():
    today = date(2025, 3, 20)
    before = manual(a0_copies() + a1_copies(), today, [PROCEDURE, document(versions=(("A0", date(2024, 3, 1)),))])
    assert recall_list(before) == []
    revised = manual(a0_copies() + a1_copies(), today)  # the same copies after A1 took effect on 2025-01-01
    assert recall_list(revised) == [("质量部", "QP-92", "A0", "01", RECALL_DUE, 64), ("业务部", "QP-92", "A0", "02", RECALL_DUE, 64),
                                    ("业务部", "QP-92", "A0", "03", RECALL_DUE, 64)]
    holdings = distribution_status(revised).holdings()
    assert [c.issue.copy_number for c in holdings[("QP-92", "业务部")].awaiting] == ["02", "03"]
    assert [c.issue.version for c in holdings[("QP-92", "业务部")].current] == ["A1", "A1"]
    # the page lists who must return which copy number
    site = render_manual(revised)
    text = site.pages[PAGE]
    recall = text[text.index('data-qms="qms-recall"'):text.index("</table>", text.index('data-qms="qms-recall"'))]
    rows = re.findall(r"<tr><td>(.*?)</td></tr>", recall)
    assert len(rows) == 3
    assert all("逾期 64 天" in row and ">A0<" in row for row in rows)
    assert [re.search(r">(质量部|业务部)<", row).group(1) for row in rows] == ["质量部", "业务部", "业务部"]
    assert [re.findall(r"<td>(0\d)</td>", row) for row in rows] == [["01"], ["02"], ["03"]]


def test_revising_a_procedure_of_the_shipped_manual_lists_its_copies_for_recall(tmp_path):
    """QP-06's next version effective 2027-01-04 in a copy of the shipped manual: every copy of the version
    in force, one per copy number of its list, awaits recall, and none of the new version is issued."""
    root = tmp_path / "manual"
    for name in ("procedures", "forms", "records", "external", "schemas"):
        shutil.copytree(ROOT / name, root / name)
    for name in ("qms.yaml", "organisation.yaml", "mkdocs.yml"):
        shutil.copy(ROOT / name, root / name)
    path = next((root / "procedures").glob("QP-06-*.md"))
    text = path.read_text(encoding="utf-8")
    old = re.search(r"^version: (\S+)$", text, re.M).group(1)
    new = f"{old[0]}{int(old[1:]) + 1}"
    listed = [(m.group(1), number) for m in re.finditer(r"- \{department: ([^,]+), copies: \d+, copy_numbers: \[([^\]]*)\]\}", text)
              for number in re.findall(r'"(\d+)"', m.group(2))]
    text = text.replace(f"version: {old}\n", f"version: {new}\n", 1)
    text = re.sub(r"\neffective: [0-9-]+\n", "\neffective: 2027-01-04\n", text, count=1)
    text = re.sub(r"\nlast_reviewed: [^\n]*", "", text)  # (the review of the old version: revise removes it)
    text = re.sub(r"(approved_by: \{name: )[^,]+(, date: )[0-9-]+\}", r"\g<1>周启航\g<2>2026-12-30}", text, count=1)
    text = re.sub(r"(prepared_by: \{name: [^,]+, date: )[0-9-]+\}", r"\g<1>2026-12-20}", text, count=1)
    text = text.replace("\nrelated_documents:", f"\n  - {{version: {new}, date: 2026-12-30, sections: \"5.3\", change: 测试修订, "
                        "approved_by: 周启航}\nrelated_documents:", 1)
    path.write_text(text, encoding="utf-8")
    result = pipeline.check(root, date(2027, 1, 25))
    assert result.manual is not None
    assert [d.code for d in result.diagnostics if d.severity == ERROR and "QP-06" in d.path] == []
    status = distribution_status(result.manual)
    qp06 = [(c.issue.department, c.issue.copy_number, c.recall_due, c.days_overdue) for c in status.awaiting
            if c.issue.document == "QP-06"]
    due = date(2027, 1, 18)
    assert len(listed) >= 8
    assert sorted(qp06, key=lambda r: r[1]) == sorted(((d, n, due, 7) for d, n in listed), key=lambda r: r[1])
    # and the new version's copies were never issued: every copy number of the list is missing
    assert sorted(g.copy_number for g in status.missing if g.document == "QP-06") == sorted(n for _, n in listed)
    page = render_manual(result.manual, result=result).pages[PAGE]
    assert page.count(f'<a href="../documents/QP-06/">QP-06</a></td><td>{old}</td>') == len(listed)


# ---------------------------------------------------------------- the shipped manual

def test_shipped_manual_has_exactly_two_overdue_recalls_and_nothing_else():
    result = pipeline.check(ROOT, date(2026, 11, 23))
    assert result.manual is not None
    m = result.manual
    status = distribution_status(m)
    assert [(c.issue.department, c.issue.document, c.issue.version, c.issue.copy_number) for c in status.overdue] == \
        [("仓储物流部", "QP-05", "A0", "07"), ("售后服务中心", "WI-01", "A1", "03")]
    assert status.missing == [] and status.duplicates == [] and distribution_rules(m) == []
    assert rules_of(distribution_findings(m)) == [dfind.RECALL_OVERDUE] * 2
    listed = {(d.id, e.department, n) for d in m.documents if d.status == "effective" for e in d.distribution
              for n in e.copy_numbers}
    held = {(c.issue.document, c.issue.department, c.issue.copy_number) for c in status.current}
    external = {(e.id, d.department, n) for e in m.external if e.status == "current" for d in e.distribution
                for n in d.copy_numbers}
    assert held - external == listed  # every current copy number issued, exactly as on the distribution lists
    assert held & external == {("EXT-2025-002", "工程部", "01"), ("EXT-2025-002", "生产部", "02"),  # external documents
                               ("EXT-2025-003", "售后服务中心", "01"), ("EXT-2025-003", "业务部", "02"),  # (issue 23)
                               ("EXT-2026-001", "业务部", "01")}


def test_shipped_records_follow_the_form():
    form = next(f for f in pipeline.check(ROOT, date(2026, 11, 23)).manual.forms if f.id == "QR-01-01")
    keys = {f.key for f in form.fields}
    for path in sorted((ROOT / "records" / "QR-01-01").glob("*.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0] == "# yaml-language-server: $schema=../../schemas/records/QR-01-01.schema.json", path
        assert [line.split(":")[0] for line in lines[1:4]] == ["id", "form", "date"], path
        assert {line.split(":")[0] for line in lines[4:]} <= keys, path
        assert lines[1] == f"id: {path.stem}"


# ---------------------------------------------------------------- page, nav and verification code

def test_page_nav_and_verification_code_on_every_document_page():
    m = manual(a0_copies() + a1_copies(), RECALL_DUE + timedelta(days=1))
    site = render_manual(m)
    assert {"文件发放与回收": PAGE} in site.nav
    assert "# 文件发放与回收" in site.pages[PAGE]
    doc = m.document("QP-92")
    code = f"QP-92-A1-{hashlib.sha256(doc.body.encode('utf-8')).hexdigest()[:6]}"
    assert verification_code(doc) == code
    page = site.pages["documents/QP-92.md"]
    header_end = page.index("</table>", page.index('<table data-qms="qms-control-header">')) + len("</table>")
    assert page[header_end:].lstrip("\n").startswith(f'<p class="qms-verify">核对码：{code}</p>\n')
    assert page.count("qms-verify") == 1
    front_matter = page.split("---\n")[1]
    assert code not in front_matter


def test_page_shows_late_issues_and_duplicates():
    records = a0_copies(RECALL_DUE) + a1_copies()[:2] + [issue("A1", "文控中心", "02", date(2025, 1, 6), rid="DIS-2025-900")]
    text = render_manual(manual(records, date(2025, 2, 1))).pages[PAGE]
    missing = text[text.index('data-qms="qms-issue-missing"'):]
    assert re.search(r">业务部</a></td><td><a [^>]+>QP-92</a></td><td>A1</td><td>03</td><td>2025-01-01</td><td>2025-01-08</td>"
                     r"<td><span [^>]+>未发放，逾期 24 天</span>", missing)
    duplicates = text[text.index("## 重复发放的分发号"):]
    assert "DIS-2025-900" in duplicates and "（文控中心，2025-01-06）" in duplicates
    matrix = text[text.index('data-qms="qms-distribution-matrix"'):]
    assert "未发 03" in matrix[:matrix.index("</table>")]


def test_verification_code_without_a_control_header_goes_after_the_title():
    doc = document()
    text = add_verification_code("---\ntitle: x\n---\n\n# QP-92 测试\n\n正文\n", doc)
    assert text.index("# QP-92 测试") < text.index('<p class="qms-verify">') < text.index("正文")


def test_page_escapes_content():
    evil = dataclasses.replace(LIST[1], department="<b>业务部</b>")
    doc = document(distribution=(LIST[0], evil))
    records = [issue("A0", "<b>业务部</b>", "02", date(2024, 3, 4))]
    site = render_manual(manual(records, date(2025, 3, 1), [PROCEDURE, doc]))
    assert "<b>业务部</b>" not in site.pages[PAGE] and "&lt;b&gt;业务部&lt;/b&gt;" in site.pages[PAGE]


# ---------------------------------------------------------------- print: copy numbers and CSS strings

def test_print_accepts_listed_copy_numbers_only():
    doc = document()
    assert printing.resolve_copy(doc, None) is None
    assert printing.resolve_copy(doc, "03") == "03"
    assert printing.resolve_copy(doc, "3") == "03"
    with pytest.raises(printing.PrintError, match="not on the distribution list of QP-92 A1"):
        printing.resolve_copy(doc, "04")
    assert printing.default_output(doc, "03") == "QP-92-A1-copy03.pdf"
    assert printing.default_output(doc, None) == "QP-92-A1.pdf"


def test_print_css_strings_are_escaped():
    assert printing.css_string('受控副本 第03号') == '"受控副本 第03号"'
    escaped = printing.css_string('a"b\\c}\n')
    assert '"' not in escaped[1:-1] and "\\" + "00005c" in escaped and "}" not in escaped and "\n" not in escaped


def test_document_pages_put_the_printed_footer_in_the_page_margin():
    from site_builder.render.document_page import print_footer_style

    page = render_manual(manual([], date(2025, 3, 20))).pages["documents/QP-92.md"]
    styles = re.findall(r'<style data-qms="qms-print-footer">(.*?)</style>', page)
    assert styles == ['@media print { @page { @bottom-left { content: "QP-92 · 版本 A1 · 打印件为非受控文件"; } } }']
    hostile = print_footer_style('x"; } </style><script>alert(1)</script>\n')
    inner = hostile[hostile.index(">") + 1:hostile.rindex("</style>")]
    literal = inner[inner.index("content: ") + len("content: "):inner.rindex("; } } }")]
    assert literal[0] == literal[-1] == '"' and '"' not in literal[1:-1]  # one string: the text cannot end it
    assert "<" not in inner and ">" not in inner and "\n" not in inner and "\\00003c/style" in literal
