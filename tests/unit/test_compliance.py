"""The compliance checklist (issue #11): the page and api/compliance.json exist only in the auditor
build, the live figures follow the content (break a rule and the figure changes), items qms-site
does not cover say so, content is escaped, and the bundle helpers (offline links, test report)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from site_builder.build import render_manual
from site_builder.check import run as pipeline
from site_builder.compliance.requirements import MAP_FILE
from site_builder.publish import audit_bundle as bundle
from site_builder.render.compliance_page import API, NAV_TITLE, PAGE

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 23)


def render(root: Path, audience: str = "auditor", today: date = TODAY, info: dict | None = None):
    result = pipeline.check(root, today)
    assert result.manual is not None, [d.format_text() for d in result.diagnostics]
    return result, render_manual(result.manual, audience, info or {"commit": "a" * 40, "built_at": "2026-11-23T08:00:00Z"}, result=result)


def items_of(site) -> dict[str, dict]:
    return {item["id"]: item for item in json.loads(site.pages[API])["items"]}


def by_measure(site, name: str) -> dict:
    return next(item for item in items_of(site).values() if item["measure"] == name)


def test_page_only_in_the_auditor_build(repo):
    _, staff = render(repo, "staff")
    assert PAGE not in staff.pages and API not in staff.pages
    assert NAV_TITLE not in json.dumps(staff.nav, ensure_ascii=False)
    _, auditor = render(repo)
    assert {NAV_TITLE: PAGE} in auditor.nav
    page = auditor.pages[PAGE]
    assert "# 文件控制合规检查表" in page and "受限：仅限审核与质量部门" in page
    items = json.loads(auditor.pages[API])["items"]
    assert len(items) == len(pipeline.check(repo, TODAY).requirements.items)
    for item in items:
        assert {"clause", "standard", "text", "mechanism", "tests", "evidence", "measure", "value", "status"} <= set(item)
        assert item["status"] in ("ok", "attention", "not covered")
        assert f"<td>{item['id']}</td>" in page


def test_breaking_a_rule_changes_the_figure(repo, edit):
    """QP-02 of the minimal manual is reviewed every 12 months, last on 2026-06-15: not overdue."""
    _, before = render(repo)
    item = by_measure(before, "review_overdue")
    assert (item["value"], item["status"]) == (0, "ok")
    edit.replace(repo, "procedures/QP-02-complaint-handling.md", "last_reviewed: 2026-06-15", "last_reviewed: 2025-06-15")
    _, after = render(repo)
    item = by_measure(after, "review_overdue")
    assert (item["value"], item["status"]) == (1, "attention")
    assert "QP-02（2026-07-01 到期）" in item["figure"]
    assert "QP-02（2026-07-01 到期）" in after.pages[PAGE]


def test_an_effective_document_without_approver_is_counted(repo, edit):
    _, before = render(repo)
    assert by_measure(before, "effective_without_approver")["value"] == 0
    edit.replace(repo, "procedures/WI-01-phone-intake.md", "approved_by: {name: 郑嘉怡, date: 2025-08-05}\n", "")
    result, after = render(repo)
    assert "SB407" in {d.code for d in result.diagnostics}
    item = by_measure(after, "effective_without_approver")
    assert (item["value"], item["status"]) == (1, "attention") and "WI-01" in item["figure"]


def test_records_past_retention_are_counted(repo):
    """QR-02-01 keeps records 3 years: CPL-2025-001 is due for disposition 3 years after its date, not a day earlier."""
    record_day = date.fromisoformat(next(line.split(":", 1)[1].strip() for line in
                                         (repo / "records/QR-02-01/CPL-2025-001.yaml").read_text(encoding="utf-8").splitlines()
                                         if line.startswith("date:")))
    expiry = record_day.replace(year=record_day.year + 3)
    _, on_expiry = render(repo, today=expiry)
    assert by_measure(on_expiry, "records_past_retention")["value"] == 0
    _, day_after = render(repo, today=date.fromordinal(expiry.toordinal() + 1))
    item = by_measure(day_after, "records_past_retention")
    assert (item["value"], item["status"]) == (1, "attention") and "CPL-2025-001" in item["figure"]


UNCOVERED = """\
  - id: X-01
    standard: ISO 9001:2015
    clause: ISO 9001:2015 7.1.6（组织的知识）
    text: 确定并保持运行过程所需的知识。
    note: qms-site 未覆盖，组织的知识按人工程序管理。
    coverage: none
    mechanism: {}
    tests:
      - tests/unit/test_compliance.py::test_not_covered_items_say_so
    evidence:
      - {page: documents/index.md, label: 受控文件清单}
    measure: none
"""


def test_not_covered_items_say_so(repo, edit):
    """Every item of the shipped map is covered since the register of external documents (issue 23);
    a map may still list a requirement qms-site does not meet, and the checklist says so."""
    shipped = (ROOT / MAP_FILE).read_text(encoding="utf-8")
    assert "coverage: none" not in shipped
    edit.write(repo, MAP_FILE, shipped.replace("items:\n", "items:\n" + UNCOVERED, 1))
    result, site = render(repo)
    requirements = result.requirements
    uncovered = [r for r in requirements.items if r.coverage == "none"]
    assert [r.id for r in uncovered] == ["X-01"]
    items = items_of(site)
    page = site.pages[PAGE]
    for requirement in uncovered:
        item = items[requirement.id]
        assert (item["status"], item["value"]) == ("not covered", None)
        assert requirement.note and "未覆盖" in requirement.note
        row = page[page.index(f"<td>{requirement.id}</td>"):]
        row = row[:row.index("</tr>")]
        assert 'data-status="not covered"' in row and "未覆盖" in row


def test_shipped_manual_figures_are_true_to_the_content():
    """The shipped manual: two copies of superseded versions are overdue for recall, the documents past
    their review date are those of check's SB409 warnings, one obsolete document (QP-08)."""
    result, site = render(ROOT, today=date(2026, 12, 6))
    recall = by_measure(site, "recall_outstanding")
    assert (recall["value"], recall["status"]) == (2, "attention") and "逾期 2 份" in recall["figure"]
    overdue = sorted(d.path.split("/")[1][:5] for d in result.diagnostics if d.code == "SB409")
    review = by_measure(site, "review_overdue")
    assert review["value"] == len(overdue) and all(doc in review["figure"] for doc in overdue)
    later, site_later = render(ROOT, today=date(2029, 1, 1))  # every review of the shipped manual has come due
    overdue = sorted(d.path.split("/")[1][:5] for d in later.diagnostics if d.code == "SB409")
    assert len(overdue) >= 5 and by_measure(site_later, "review_overdue")["value"] == len(overdue)
    assert "QP-08" in by_measure(site, "obsolete_documents")["figure"]
    findings = json.loads(site.pages["api/findings.json"])
    assert by_measure(site, "findings_open")["value"] == len(findings) > 0


def test_page_escapes_content_of_the_map(repo, edit):
    shipped = (ROOT / MAP_FILE).read_text(encoding="utf-8")
    hostile = shipped.replace("text: 成文信息有适当的标识和说明", "text: <script>alert(1)</script>成文信息有适当的标识和说明", 1)
    hostile = hostile.replace("{page: documents/index.md, label: 受控文件清单}",
                              '{page: documents/index.md, label: "<img src=x onerror=alert(2)>"}', 1)
    edit.write(repo, MAP_FILE, hostile)
    _, site = render(repo)
    page = site.pages[PAGE]
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x onerror=alert(2)&gt;" in page
    assert items_of(site)["Q-01"]["text"].startswith("<script>")  # JSON keeps the text as written


def test_evidence_links_only_to_pages_the_site_has(repo):
    _, site = render(repo)
    page = site.pages[PAGE]
    assert 'href="../documents/"' in page  # the master list
    assert 'href="../external/"' in page  # the register of external documents (issue 23)
    assert "外来文件清单（JSON）" in page


@pytest.mark.parametrize(("url", "expected"), [
    ("../documents/", "../documents/index.html"),
    ("..", "../index.html"),
    ("./", "./index.html"),
    ("../history/QP-01/#a1", "../history/QP-01/index.html#a1"),
    ("../api/build.json", "../api/build.json"),
    ("#top", "#top"),
    ("https://example.com/", "https://example.com/"),
    ("//cdn.example/x/", "//cdn.example/x/"),
    ("../../", "../../index.html"),
])
def test_offline_url(url, expected):
    assert bundle.offline_url(url) == expected


def test_offline_html_rewrites_href_and_src_only():
    html = '<a href="../documents/">x</a><img src="img/"><p>see ../documents/</p>'
    assert bundle.offline_html(html) == '<a href="../documents/index.html">x</a><img src="img/index.html"><p>see ../documents/</p>'


def test_tests_report_lists_each_mapped_test_with_its_outcome(tmp_path):
    mapped = {"tests/unit/a.py::test_x": ["Q-01"], "tests/unit/a.py::test_p": ["Q-02", "M-01"], "tests/unit/a.py::test_gone": ["P-01"]}
    none = bundle.read_test_results(tmp_path)
    assert not none.recorded and bundle.NO_RESULTS in bundle.tests_report(none, mapped)
    (tmp_path / ".qms").mkdir()
    (tmp_path / bundle.RESULTS_FILE).write_text(json.dumps({"finished_at": "2026-11-23T09:00:00Z", "tests": {
        "tests/unit/a.py::test_x": "passed", "tests/unit/a.py::test_p[1]": "passed", "tests/unit/a.py::test_p[2]": "failed"}}),
        encoding="utf-8")
    report = bundle.tests_report(bundle.read_test_results(tmp_path), mapped)
    lines = {line[11:].split()[0]: line[:11].strip() for line in report.splitlines() if line.startswith("tests/", 11)}
    assert lines == {"tests/unit/a.py::test_x": "passed", "tests/unit/a.py::test_p": "failed", "tests/unit/a.py::test_gone": "not run"}
    assert "tests/unit/a.py::test_gone" in report and "[M-01, Q-02]" in report
    (tmp_path / bundle.RESULTS_FILE).write_text("{broken", encoding="utf-8")
    assert "unreadable" in bundle.read_test_results(tmp_path).problem


def test_access_control_is_measured_from_the_generated_web_server_configuration(repo):
    """21 CFR 11.10(d): the figure comes from deploy/*.conf (deploy-config nginx), not from a promise."""
    [item] = [i for i in items_of(render(repo)[1]).values() if i["clause"] == "21 CFR 11.10(d)"]
    assert item["status"] == "attention" and item["value"] is None and "deploy-config" in item["figure"]
    config = ('server {\n    # qms-site server: staff\n    listen 127.0.0.1:8080;\n}\n'
              'server {\n    # qms-site server: auditor\n    listen 127.0.0.1:8081;\n'
              '    auth_basic "qms-auditor";\n    auth_basic_user_file "/etc/nginx/a.htpasswd";\n}\n')
    (repo / "deploy").mkdir()
    (repo / "deploy" / "nginx.conf").write_text(config, encoding="utf-8")
    [item] = [i for i in items_of(render(repo)[1]).values() if i["clause"] == "21 CFR 11.10(d)"]
    assert (item["status"], item["value"]) == ("ok", "否") and "deploy/nginx.conf" in item["figure"]
    (repo / "deploy" / "nginx.conf").write_text(config.replace("    auth_basic ", "    # auth_basic "), encoding="utf-8")
    [item] = [i for i in items_of(render(repo)[1]).values() if i["clause"] == "21 CFR 11.10(d)"]
    assert (item["status"], item["value"]) == ("attention", "是")


def test_the_notes_readers_see_are_chinese(repo):
    """The checklist shows each note to the auditor: Chinese, not English (issue 26)."""
    result, _site = render(repo)
    for requirement in result.requirements.items:
        if requirement.note:
            chinese = sum(1 for c in requirement.note if "\u4e00" <= c <= "\u9fff")
            assert chinese >= len(requirement.note) // 4, requirement.id


def test_the_open_findings_figure_names_the_rules_in_chinese():
    """The live figure lists each rule by its Chinese name, never by its code (issue 26)."""
    from types import SimpleNamespace

    from site_builder.compliance.measures import findings_open

    facts = SimpleNamespace(findings=[{"rule": "verification-not-independent"}, {"rule": "signer-not-allowed"},
                                      {"rule": "signer-not-allowed"}])
    figure = findings_open(facts)
    assert "措施效果由责任部门自行验证 1 项" in figure.text and "记录签署人不具备规定职务 2 项" in figure.text
    assert "verification" not in figure.text and "signer" not in figure.text
