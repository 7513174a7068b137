"""The register of external documents (issue 23): schema and rules per case with fixed dates, working
days over the Spring Festival and National Day weeks (holidays and make-up working days of qms.yaml),
the recall of a superseded edition, the staff and auditor registers, the compliance figures."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from site_builder.build import render_manual
from site_builder.check import run as pipeline
from site_builder.derive.external import add_working_days, external_findings, is_working_day, register_status, working_days_between
from site_builder.load.files import load_source
from site_builder.load.schemas import load_schemas
from site_builder.load.sources import SourceFile
from site_builder.model import build as build_model
from site_builder.model.manual import Config

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_DAY = date(2026, 12, 6)
#: a customer specification as the document-control centre registers it on receipt (no review yet)
CUSTOMER = """\
# yaml-language-server: $schema=../schemas/external.schema.json
id: EXT-2026-001
title: 净水器交付技术要求
origin: customer
issuer: 测试客户有限公司
number: KH-JS-01
edition: A版
received: {received}
received_by: 唐振宇
status: current
distribution:
  - {{department: 质量部, copies: 1, copy_numbers: ["01"]}}
"""
STANDARD = """\
id: EXT-2021-001
title: 生活饮用水卫生标准
origin: standard
issuer: 国家标准化管理委员会
number: GB 5749
edition: "2006"
received: 2021-06-01
received_by: 唐振宇
review: {by: 林秀琴, date: 2021-06-08, decision: adopted}
status: superseded
superseded_by: EXT-2022-001
superseded_on: 2023-04-01
distribution:
  - {department: 质量部, copies: 1, copy_numbers: ["01"]}
"""
STANDARD_NEW = """\
id: EXT-2022-001
title: 生活饮用水卫生标准
origin: standard
issuer: 国家市场监督管理总局、国家标准化管理委员会
number: GB 5749
edition: "2022"
received: 2022-04-11
received_by: 唐振宇
review: {by: 林秀琴, date: 2022-04-20, decision: adopted}
status: current
distribution:
  - {department: 质量部, copies: 1, copy_numbers: ["01"]}
currency_check: {date: 2026-01-12, by: 唐振宇, result: 现行有效}
"""


@pytest.fixture(scope="module")
def shipped_config() -> Config:
    schemas, problems = load_schemas(ROOT / "schemas")
    assert schemas is not None, problems
    loaded = load_source(SourceFile("config", "qms.yaml", ROOT / "qms.yaml"))
    schemas.coerce_kind(loaded.data, "config")
    return build_model.config_from(loaded.data)


def with_calendar(repo: Path, edit) -> Path:
    """The minimal manual with the shipped qms.yaml's `external` settings and holiday calendar."""
    shipped = (ROOT / "qms.yaml").read_text(encoding="utf-8")
    edit.append(repo, "qms.yaml", shipped[shipped.index("\nexternal:"):])
    return repo


def external_diagnostics(found: list[dict]) -> list[tuple]:
    return [(d["path"], d["line"], d["code"], d["severity"]) for d in found
            if d["path"].startswith("external/") or d["code"].startswith("SB7")]


# ---------------------------------------------------------------- working days

@pytest.mark.parametrize(("received", "deadline"), [
    (date(2025, 1, 24), date(2025, 2, 13)),   # Spring Festival 2025: 26 Jan (Sun) and 8 Feb (Sat) are worked
    (date(2026, 2, 9), date(2026, 2, 28)),    # Spring Festival 2026: 14 Feb and 28 Feb (Sat) are worked
    (date(2024, 9, 27), date(2024, 10, 16)),  # National Day 2024: 29 Sep (Sun) and 12 Oct (Sat) are worked
    (date(2025, 9, 26), date(2025, 10, 16)),  # National Day 2025: 28 Sep (Sun) and 11 Oct (Sat) are worked
    (date(2026, 9, 28), date(2026, 10, 16)),  # National Day 2026: 10 Oct (Sat) is worked
    (date(2026, 11, 2), date(2026, 11, 16)),  # an ordinary fortnight
])
def test_working_days_over_spring_festival_and_national_day(shipped_config, received, deadline):
    assert add_working_days(received, 10, shipped_config) == deadline
    assert working_days_between(received, deadline, shipped_config) == 10


def test_holidays_and_make_up_days_of_the_calendar(shipped_config):
    assert not is_working_day(date(2026, 10, 5), shipped_config)  # a Monday of the National Day week
    assert is_working_day(date(2026, 10, 10), shipped_config)     # the Saturday worked instead
    assert not is_working_day(date(2026, 10, 17), shipped_config)  # an ordinary Saturday
    assert not is_working_day(date(2025, 1, 28), shipped_config)  # 除夕 2025, a Tuesday
    assert is_working_day(date(2025, 1, 26), shipped_config)      # the Sunday worked before it
    plain = Config(company="c", site_name="s", version_pattern="", document_patterns={}, form_pattern="", record_pattern="")
    assert add_working_days(date(2026, 9, 28), 10, plain) == date(2026, 10, 12)  # no calendar: Monday to Friday


# ---------------------------------------------------------------- schema and rules

def test_schema_rejects_a_bad_entry_at_its_line(repo, edit, run_check):
    text = CUSTOMER.format(received="2026-02-09").replace("origin: customer", "origin: client")
    edit.write(repo, "external/EXT-2026-001.yaml", text + "edtion: B版\n")
    code, found = run_check(repo)
    assert code == 1
    mine = {(d["code"], d["line"]) for d in found if d["path"] == "external/EXT-2026-001.yaml"}
    assert ("SB200", text.splitlines().index("origin: client") + 1) in mine
    assert ("SB202", len(text.splitlines()) + 1) in mine


def test_register_number_pattern_file_name_and_duplicates(repo, edit, run_check):
    edit.write(repo, "external/EXT-26-1.yaml", CUSTOMER.format(received="2026-02-09").replace("EXT-2026-001", "EXT-26-1"))
    edit.write(repo, "external/EXT-2026-002.yaml", CUSTOMER.format(received="2026-02-09"))
    _, found = run_check(repo)
    codes = {(d["path"], d["code"]) for d in found}
    assert ("external/EXT-26-1.yaml", "SB300") in codes  # qms.yaml external.id_pattern (default EXT-YYYY-NNN)
    assert ("external/EXT-2026-002.yaml", "SB309") in codes  # the file name is the register number


def test_unknown_people_departments_and_documents_are_reported(repo, edit, run_check):
    text = CUSTOMER.format(received="2026-02-09").replace("received_by: 唐振宇", "received_by: 王某某")
    text = text.replace("department: 质量部", "department: 研发部")
    text += "review: {by: 林秀琴, date: 2026-02-12, decision: adopted_with_changes, affected_documents: [QP-09]}\n"
    edit.write(repo, "external/EXT-2026-001.yaml", text)
    code, found = run_check(repo)
    assert code == 1
    mine = sorted((d["code"], d["line"]) for d in found if d["path"] == "external/EXT-2026-001.yaml")
    lines = text.splitlines()
    assert mine == sorted([("SB307", lines.index("received_by: 王某某") + 1),
                           ("SB306", next(i for i, line in enumerate(lines) if "研发部" in line) + 1),
                           ("SB303", len(lines))])


def test_related_documents_may_name_a_register_entry(repo, edit, run_check):
    edit.write(repo, "external/EXT-2022-001.yaml", STANDARD_NEW)
    edit.replace(repo, "procedures/QP-02-complaint-handling.md", "related_documents: [QP-01]",
                 "related_documents: [QP-01, EXT-2022-001]")
    code, found = run_check(repo)
    assert not [d for d in found if d["code"] in ("SB303", "SB713")], found
    result = pipeline.check(repo, date(2026, 11, 23))
    page = render_manual(result.manual, "staff", result=result).pages["documents/QP-02.md"]
    assert "## 外来文件链接" in page and "(../external/EXT-2022-001.md)" in page and "《生活饮用水卫生标准》" in page


def test_new_customer_specification_without_review_is_a_finding_after_ten_working_days(repo, edit, run_check):
    """Received on Monday 28 September 2026, before the National Day week: ten working days end on
    Friday 16 October (counting Saturday 10 October, a make-up working day); the finding appears on
    the next working day's check, Monday 19 October, not before."""
    with_calendar(repo, edit)
    edit.write(repo, "external/EXT-2026-001.yaml", CUSTOMER.format(received="2026-09-28"))
    _, on_deadline = run_check(repo, "2026-10-16")
    assert external_diagnostics(on_deadline) == []
    _, after = run_check(repo, "2026-10-19")
    line = CUSTOMER.splitlines().index("received: {received}") + 1
    assert external_diagnostics(after) == [("external/EXT-2026-001.yaml", line, "SB711", "warning")]
    message = next(d["message"] for d in after if d["code"] == "SB711")
    assert "2026-10-16" in message and "1 working days overdue" in message
    manual = pipeline.check(repo, date(2026, 10, 19)).manual
    found = [f for f in external_findings(manual) if f["rule"] == "external-review-overdue"]
    assert [(f["document"], f["date"]) for f in found] == [("EXT-2026-001", "2026-10-16")]
    assert "10 个工作日" in found[0]["message"]
    assert not external_findings(pipeline.check(repo, date(2026, 10, 16)).manual)
    # reviewed on the deadline: in time; the next working day: late (a warning and a finding)
    reviewed = CUSTOMER.format(received="2026-09-28") + "review: {by: 林秀琴, date: 2026-10-16, decision: adopted}\n"
    edit.write(repo, "external/EXT-2026-001.yaml", reviewed)
    assert external_diagnostics(run_check(repo, "2026-11-23")[1]) == []
    edit.write(repo, "external/EXT-2026-001.yaml", reviewed.replace("date: 2026-10-16", "date: 2026-10-19"))
    assert [c for *_, c, _ in external_diagnostics(run_check(repo, "2026-11-23")[1])] == ["SB711"]


def test_a_new_customer_specification_needs_only_what_arrives_with_it(repo, edit, run_check):
    """Not yet distributed and with no status written: a current entry with no holders."""
    with_calendar(repo, edit)
    text = CUSTOMER.format(received="2026-09-28")
    edit.write(repo, "external/EXT-2026-001.yaml", text[:text.index("status:")])
    assert external_diagnostics(run_check(repo, "2026-10-16")[1]) == []
    assert [c for *_, c, _ in external_diagnostics(run_check(repo, "2026-10-19")[1])] == ["SB711"]
    entry = pipeline.check(repo, date(2026, 10, 19)).manual.external[0]
    assert (entry.status, entry.distribution) == ("current", ())


def test_standards_have_no_review_deadline(repo, edit, run_check):
    with_calendar(repo, edit)
    edit.write(repo, "external/EXT-2022-001.yaml", STANDARD_NEW.replace("review: {by: 林秀琴, date: 2022-04-20, decision: adopted}\n", ""))
    assert external_diagnostics(run_check(repo)[1]) == []


def test_superseded_edition_held_past_the_recall_period(repo, edit, run_check):
    """A copy of GB 5749-2006 issued on the distribution form and not recalled within 14 days of its
    replacement (qms.yaml distribution.recall_within_days): SB712 on the entry and a recall finding."""
    edit.write(repo, "external/EXT-2021-001.yaml", STANDARD.replace("2023-04-01", "2026-10-01"))
    edit.write(repo, "external/EXT-2022-001.yaml", STANDARD_NEW)
    form = (ROOT / "forms" / "QR-01-01.yaml").read_text(encoding="utf-8")  # the shipped distribution form
    edit.write(repo, "forms/QR-01-01.yaml", form.replace("owner: 文控中心", "owner: 质量部"))
    record = ("id: DIS-2025-001\nform: QR-01-01\ndate: 2025-06-02\ndocument: EXT-2021-001\ndoc_version: \"2006\"\n"
              "department: 质量部\ncopy_number: \"01\"\nissued_on: 2025-06-02\nhandled_by: 唐振宇\n")
    edit.write(repo, "records/QR-01-01/DIS-2025-001.yaml", record)
    _, on_time = run_check(repo, "2026-10-15")
    assert "SB712" not in {d["code"] for d in on_time}
    _, late = run_check(repo, "2026-10-16")
    held = [d for d in late if d["code"] == "SB712"]
    assert [(d["path"], d["line"]) for d in held] == [("external/EXT-2021-001.yaml",
                                                     STANDARD.splitlines().index("status: superseded") + 1)]
    assert "质量部 01 (DIS-2025-001)" in held[0]["message"]
    result = pipeline.check(repo, date(2026, 10, 16))
    status = register_status(result.manual)
    assert [s.entry.id for s in status.superseded_held] == ["EXT-2021-001"]
    assert status.of("EXT-2021-001").holders == ["质量部"]
    site = render_manual(result.manual, "auditor", result=result)
    findings = json.loads(site.pages["api/findings.json"])
    recall = [f for f in findings if f.get("record") == "DIS-2025-001"]
    assert [f["rule"] for f in recall] == ["distribution-recall-overdue"] and "EXT-2021-001" in recall[0]["message"]
    edit.replace(repo, "records/QR-01-01/DIS-2025-001.yaml", "handled_by:", "recalled_on: 2026-10-16\nhandled_by:")
    assert "SB712" not in {d["code"] for d in run_check(repo, "2026-10-20")[1]}


def test_document_citing_a_superseded_edition_is_sb703(repo, edit, run_check):
    edit.write(repo, "external/EXT-2021-001.yaml", STANDARD)
    edit.write(repo, "external/EXT-2022-001.yaml", STANDARD_NEW)
    edit.replace(repo, "procedures/QP-02-complaint-handling.md", "related_documents: [QP-01]",
                 "related_documents: [QP-01, EXT-2021-001]")
    edit.append(repo, "procedures/QP-02-complaint-handling.md", "\n出水水质按 GB 5749-2006 判定；现行标准为 GB 5749。\n")
    _, found = run_check(repo)
    text = edit.read(repo, "procedures/QP-02-complaint-handling.md")
    stale = sorted((d["line"], d["col"]) for d in found if d["code"] == "SB713")
    assert stale == sorted([edit.pos(repo, "procedures/QP-02-complaint-handling.md", "EXT-2021-001"),
                            edit.pos(repo, "procedures/QP-02-complaint-handling.md", "GB 5749-2006")]), text
    manual = pipeline.check(repo, date(2026, 11, 23)).manual
    cited = {(f["document"], f["rule"]) for f in external_findings(manual)}
    assert cited == {("QP-02", "external-cites-superseded")}
    assert [c.external for c in register_status(manual).citations if c.how == "body"] == ["EXT-2021-001", "EXT-2022-001"]


def test_currency_check_overdue_is_sb704(repo, edit, run_check):
    edit.write(repo, "external/EXT-2022-001.yaml", STANDARD_NEW.replace("2026-01-12", "2025-11-20"))
    assert "SB714" not in {d["code"] for d in run_check(repo, "2026-11-20")[1]}
    found = [d for d in run_check(repo, "2026-11-21")[1] if d["code"] == "SB714"]
    assert [(d["line"], d["severity"]) for d in found] == [(len(STANDARD_NEW.splitlines()), "warning")]


def test_adopted_customer_document_without_revision_is_sb705(repo, edit, run_check):
    """QP-02 A0 of the minimal manual is dated 2025-06-20: a customer document adopted with changes on
    2025-09-01 names it, and nothing was revised since."""
    text = CUSTOMER.format(received="2025-08-25") + ("review: {by: 林秀琴, date: 2025-09-01, decision: adopted_with_changes, "
                                                     "affected_documents: [QP-02]}\n")
    edit.write(repo, "external/EXT-2026-001.yaml", text)
    found = [d for d in run_check(repo)[1] if d["code"] == "SB715"]
    assert [(d["path"], d["line"]) for d in found] == [("external/EXT-2026-001.yaml", len(text.splitlines()))]
    manual = pipeline.check(repo, date(2026, 11, 23)).manual
    assert {f["rule"] for f in external_findings(manual)} == {"external-not-implemented"}
    edit.write(repo, "external/EXT-2026-001.yaml", text.replace("2025-09-01", "2025-06-20").replace("2025-08-25", "2025-06-16"))
    assert "SB715" not in {d["code"] for d in run_check(repo)[1]}  # revised (A0) on the review day


def test_inconsistent_entries_are_sb706_and_kept_files_sb700(repo, edit, run_check):
    edit.write(repo, "external/EXT-2021-001.yaml", STANDARD.replace("superseded_on: 2023-04-01", "superseded_on: 2021-05-01")
               + "file: external/files/GB5749-2006.pdf\n")
    edit.write(repo, "external/EXT-2022-001.yaml", STANDARD_NEW)
    _, found = run_check(repo)
    mine = {(d["code"], d["message"].split(" ")[0]) for d in found if d["path"] == "external/EXT-2021-001.yaml"}
    assert {c for c, _ in mine} == {"SB710", "SB716"}
    edit.write(repo, "external/files/GB5749-2006.pdf", b"%PDF-1.4\n" + b"0" * 2048)
    edit.append(repo, "qms.yaml", "external:\n  max_file_bytes: 1024\n")
    _, found = run_check(repo)
    assert any(d["code"] == "SB710" and "more than the limit of 1024" in d["message"] for d in found)
    assert not [d for d in found if d["code"] == "SB115"]  # kept files are not stray files


# ---------------------------------------------------------------- the shipped manual

@pytest.fixture(scope="module")
def shipped():
    result = pipeline.check(ROOT, SHIPPED_DAY)
    assert result.manual is not None and not result.errors, [d.format_text() for d in result.diagnostics if d.severity == "error"]
    return result, render_manual(result.manual, "staff", result=result), render_manual(result.manual, "auditor", result=result)


def test_staff_and_auditor_registers_of_the_shipped_manual(shipped):
    result, staff, auditor = shipped
    entries = result.manual.external
    assert 8 <= len(entries) <= 12
    current = sorted(e.id for e in entries if e.status == "current")
    staff_api = json.loads(staff.pages["api/external.json"])
    assert sorted(i["id"] for i in staff_api) == current
    for item in staff_api:
        assert {"id", "title", "origin", "number", "edition", "status", "received", "review_decision", "review_date",
                "holders"} <= set(item)
    gb = next(i for i in staff_api if i["number"] == "GB 5749")
    assert (gb["edition"], gb["status"], gb["holders"]) == ("2022", "current", ["工程部", "质量部"])
    assert sorted(i["id"] for i in json.loads(auditor.pages["api/external.json"])) == sorted(e.id for e in entries)
    register = staff.pages["external/index.md"]
    assert "# 外来文件清单" in register and "GB 5749" in register and "2006" not in register
    assert "external/EXT-2021-001.md" not in staff.pages and "external/EXT-2021-001.md" in auditor.pages
    old = auditor.pages["external/EXT-2021-001.md"]
    assert "本版本已被替代" in old and "## 版本沿革" in old and "EXT-2022-001" in old
    assert {"外来文件清单": [{"外来文件清单": "external/index.md"}, *[
        {f"{e.id} {e.citation} {e.title}": f"external/{e.id}.md"} for e in entries if e.status == "current"]]} in staff.nav
    qp01 = staff.pages["documents/QP-01.md"]  # 5.11.3 cites GB 5749 and GB/T 30307: links to the register
    assert "## 外来文件链接" in qp01 and "(../external/EXT-2022-001.md)" in qp01 and "(../external/EXT-2021-002.md)" in qp01


def test_the_shipped_superseded_edition_was_recalled_on_record(shipped):
    """HB-JS-017 B版 was superseded by C版 on 2025-10-20; both controlled copies were recalled on
    2025-10-24 (QR-01-01 records DIS-2024-136 and DIS-2024-137), within the 14 days."""
    result, _staff, auditor = shipped
    status = register_status(result.manual)
    old = status.of("EXT-2024-001")
    assert old.entry.status == "superseded" and old.entry.superseded_by == "EXT-2025-002"
    assert [(c.issue.record, c.status, c.issue.recalled_on, c.days_overdue) for c in old.copies] == [
        ("DIS-2024-136", "recalled", date(2025, 10, 24), 0), ("DIS-2024-137", "recalled", date(2025, 10, 24), 0)]
    assert old.holders == [] and status.superseded_held == []
    page = auditor.pages["external/EXT-2024-001.md"]
    assert "DIS-2024-136" in page and "2025-10-24" in page and "已回收" in page


def test_the_shipped_late_review_and_adoption_with_changes(shipped):
    result, _staff, _auditor = shipped
    status = register_status(result.manual)
    late = status.of("EXT-2026-001")
    assert (late.review_due, late.review_state, late.review_days_late) == (date(2026, 10, 16), "late", 3)
    changed = status.of("EXT-2025-003")
    # QP-07 was revised for it (A3 through revise, approve and make-effective) and cites it
    assert changed.entry.review.decision == "adopted_with_changes" and changed.unrevised == []
    assert "EXT-2025-003" in result.manual.document("QP-07").related_documents
    codes = {(d.path, d.code) for d in result.diagnostics}
    assert ("external/EXT-2026-001.yaml", "SB711") in codes and ("external/EXT-2025-003.yaml", "SB715") not in codes


def test_compliance_figures_follow_the_register(repo, edit):
    def figures(day: date) -> dict:
        result = pipeline.check(repo, day)
        site = render_manual(result.manual, "auditor", result=result)
        items = json.loads(site.pages["api/compliance.json"])["items"]
        return {i["measure"]: (i["value"], i["status"], i["figure"]) for i in items if i["measure"].startswith("external")}

    with_calendar(repo, edit)
    edit.write(repo, "external/EXT-2022-001.yaml", STANDARD_NEW)
    edit.write(repo, "external/EXT-2026-001.yaml", CUSTOMER.format(received="2026-09-28")
               + "review: {by: 林秀琴, date: 2026-10-16, decision: adopted}\n")
    before = figures(date(2026, 11, 23))
    assert before["external_customer_review"][:2] == (0, "ok")
    assert "客户文件未在 10 个工作日内评审：0" in before["external_customer_review"][2]
    assert before["external_superseded_held"][:2] == (0, "ok")
    assert before["external_documents_registered"][:2] == (0, "ok")
    edit.replace(repo, "external/EXT-2026-001.yaml", "date: 2026-10-16", "date: 2026-10-20")  # two working days late
    edit.replace(repo, "external/EXT-2022-001.yaml", "2026-01-12", "2025-10-01")  # currency check overdue
    after = figures(date(2026, 11, 23))
    assert after["external_customer_review"][:2] == (1, "attention")
    assert "客户文件未在 10 个工作日内评审：1" in after["external_customer_review"][2]
    assert "EXT-2026-001" in after["external_customer_review"][2]
    assert after["external_documents_registered"][:2] == (1, "attention")
