"""Issue 27 end to end on the shipped manual: the version in force stays published while the next one
is prepared, an approved version comes into force on its date by itself, a form revision does not
re-grade old records, and a copy put on a distribution list today is not late today.

Each scenario clones the repository, commits the working tree's content, and then takes the document
controller's steps (revise, approve, make-effective) with the commands, one commit per step.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import shipped_clone  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="the versions in force are read from git")

TODAY = date(2026, 12, 6)
CONTROLLER = "何雨桐"  # 文控专员: prepares revisions
APPROVER = "周启航"  # approves levels 1-3
MARKER = "本段为修订草稿的新增内容"


def _shipped_version(pattern: str) -> str:
    path = next(shipped_clone.ROOT.glob(pattern))
    return re.search(r"^version: *(\S+)", path.read_text(encoding="utf-8"), re.M).group(1)


def _next_minor(version: str) -> str:
    return f"{version[0]}{int(version[1:]) + 1}"


#: the versions the scenarios start from and open (the shipped manual's own history moves on)
QP06, QP06_NEXT = _shipped_version("procedures/QP-06-*.md"), _next_minor(_shipped_version("procedures/QP-06-*.md"))
QR0601, QR0601_NEXT = _shipped_version("forms/QR-06-01.yaml"), _next_minor(_shipped_version("forms/QR-06-01.yaml"))


def _run(where: Path, *args: str, day: date = TODAY) -> None:
    shipped_clone.run(where, *args, day=day)


def qms(repo: Path, *args: str, today: date = TODAY):
    return shipped_clone.qms(repo, *args, today=today)


def commit(repo: Path, message: str, day: date = TODAY) -> None:
    shipped_clone.commit(repo, message, day)


def clone(tmp: Path) -> Path:
    return shipped_clone.clone_shipped(tmp / "manual", CONTROLLER, TODAY)


def build(repo: Path, out: Path, audience: str = "staff", today: date = TODAY) -> Path:
    qms(repo, "build", "--audience", audience, "--out", str(out), "--quiet", today=today)
    return out


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def site_text(site: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*")
                     if p.is_file() and p.suffix in (".html", ".json", ".xml", ".txt", ".csv"))


def source(repo: Path, doc_id: str) -> Path:
    return next((repo / "procedures").glob(f"{doc_id}-*.md"))


@pytest.fixture(scope="module")
def drafted(tmp_path_factory) -> dict:
    """QP-06 (cited by other effective documents) revised to its next version, its body edited, the draft committed."""
    repo = clone(tmp_path_factory.mktemp("draft"))
    qms(repo, "revise", "QP-06", "--change", "预览测试", "--sections", "5.6")
    path = source(repo, "QP-06")
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{MARKER}。\n", encoding="utf-8")
    commit(repo, f"QP-06 {QP06_NEXT}: draft")
    return {"repo": repo}


def test_a_committed_draft_of_a_cited_procedure_blocks_nothing(drafted):
    repo = drafted["repo"]
    done = qms(repo, "check")
    assert "error" not in done.stdout + done.stderr.replace("0 error(s)", ""), done.stdout + done.stderr
    site = build(repo, repo.parent / "staff")
    html = page(site, "documents/QP-06")
    assert QP06 in html and QP06_NEXT not in html
    assert MARKER not in site_text(site)  # no trace of the draft anywhere in the staff site
    entry = next(d for d in json.loads((site / "api" / "documents.json").read_text()) if d["id"] == "QP-06")
    assert entry["version"] == QP06 and entry["status"] == "effective" and "in_progress" not in entry


def test_the_auditor_site_shows_the_draft_beside_the_version_in_force(drafted):
    repo = drafted["repo"]
    site = build(repo, repo.parent / "auditor", "auditor")
    html = page(site, "documents/QP-06")
    assert "修订中的版本" in html and "草稿" in html and "预览测试" in html
    assert MARKER not in html  # the document page is the version in force
    diff = page(site, f"history/QP-06/diff-{QP06}-{QP06_NEXT}")
    assert MARKER in diff
    entry = next(d for d in json.loads((site / "api" / "documents.json").read_text()) if d["id"] == "QP-06")
    assert entry["version"] == QP06
    assert entry["in_progress"] == {"version": QP06_NEXT, "status": "draft", "prepared_by": {"name": CONTROLLER,
                                    "date": TODAY.isoformat()}, "approved_by": None, "effective": None}
    others = [d for d in json.loads((site / "api" / "documents.json").read_text()) if d["id"] != "QP-06"]
    assert all(d["in_progress"] is None for d in others)


def test_an_approved_version_comes_into_force_on_its_date_by_itself(drafted, tmp_path):
    repo = tmp_path / "manual"
    _run(drafted["repo"], "git", "clone", "-q", str(drafted["repo"]), str(repo))
    shipped_clone.sign_as(repo, APPROVER, TODAY)  # (approvals are signed commits: qms.yaml change_control)
    start = TODAY + timedelta(days=2)
    qms(repo, "approve", "QP-06", "--by", APPROVER, "--effective", start.isoformat())
    commit(repo, f"QP-06 {QP06_NEXT}: approved, in force in two days")
    before = build(repo, tmp_path / "before", today=start - timedelta(days=1))
    assert MARKER not in page(before, "documents/QP-06")
    assert not [r for r in recall_rows(before) if r[1] == "QP-06"]
    on = build(repo, tmp_path / "on", today=start)  # no new commit
    html = page(on, "documents/QP-06")
    assert MARKER in html and QP06_NEXT in html
    rows = [r for r in recall_rows(on) if r[1] == "QP-06"]
    assert rows and all(r[2] == QP06 for r in rows), rows  # the copies of the old version are due back from that day


def recall_rows(site: Path) -> list[list[str]]:
    html = (site / "distribution" / "index.html").read_text(encoding="utf-8")
    if 'data-qms="qms-recall"' not in html:
        return []
    start = html.index('data-qms="qms-recall"')
    table = html[start:html.index("</table>", start)]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]]


def test_a_form_revision_does_not_regrade_old_records(tmp_path):
    repo = clone(tmp_path)
    before = grades(build(repo, tmp_path / "before"))
    assert before["CSS-2025-006"] == ("B", False)
    qms(repo, "revise", "QR-06-01", "--change", "B级分界提高到80分，低于80分须开出纠正预防措施报告", "--sections", "评分标准")
    form = repo / "forms" / "QR-06-01.yaml"
    text = form.read_text(encoding="utf-8")
    text = text.replace("{grade: B, min: 75,", "{grade: B, min: 80,").replace("capa_below: 75", "capa_below: 80")
    form.write_text(text, encoding="utf-8")
    commit(repo, f"QR-06-01 {QR0601_NEXT}: draft")
    assert "status: draft" in form.read_text(encoding="utf-8")
    shipped_clone.sign_as(repo, APPROVER, TODAY)
    qms(repo, "approve", "QR-06-01", "--by", APPROVER)
    commit(repo, f"QR-06-01 {QR0601_NEXT}: approved")
    qms(repo, "make-effective", "QR-06-01")
    commit(repo, f"QR-06-01 {QR0601_NEXT}: effective")
    survey = (repo / "records" / "QR-06-01" / "CSS-2025-006.yaml").read_text(encoding="utf-8")
    new = survey.replace("id: CSS-2025-006", "id: CSS-2026-901").replace("date: 2025-04-11", f"date: {TODAY}")
    (repo / "records" / "QR-06-01" / "CSS-2026-901.yaml").write_text(new, encoding="utf-8")
    commit(repo, f"a survey under {QR0601_NEXT}")
    after = grades(build(repo, tmp_path / "after"))
    assert {k: v for k, v in after.items() if k != "CSS-2026-901"} == before  # no old survey changes
    assert after["CSS-2026-901"] == ("C", True)  # the same answers today: the new boundary applies
    forms_on = {day: {i["id"]: i["version"] for i in json.loads(qms(repo, "as-of", day, "--format", "json").stdout)}
                for day in ("2025-06-01", TODAY.isoformat())}
    assert forms_on["2025-06-01"]["QR-06-01"] == "A1" and forms_on[TODAY.isoformat()]["QR-06-01"] == QR0601_NEXT


def grades(site: Path) -> dict:
    rows = json.loads((site / "api" / "records.json").read_text(encoding="utf-8"))
    return {r["id"]: (r["grade"], r["capa_required"]) for r in rows if r["form"] == "QR-06-01"}


def test_a_copy_added_to_a_distribution_list_today_is_not_late_today(tmp_path):
    repo = clone(tmp_path)
    organisation = (repo / "organisation.yaml").read_text(encoding="utf-8")
    departments = re.findall(r"^  - name: (\S+)", organisation, re.M)
    # an effective procedure and a department not on its list yet
    path, department = next((path, name) for path in sorted((repo / "procedures").glob("QP-0[2-7]-*.md"))
                            for name in departments
                            if name not in re.findall(r"department: *([^,}]+)", path.read_text(encoding="utf-8")))
    text = path.read_text(encoding="utf-8")
    last = [x for x in text.splitlines() if x.lstrip().startswith("- {department:")][-1]
    added = f'  - {{department: {department}, copies: 1, copy_numbers: ["91"]}}'
    path.write_text(text.replace(last, last + "\n" + added, 1), encoding="utf-8")
    commit(repo, f"{path.name[:5]}: {department} added to the distribution list")
    assert not late_issues(build(repo, tmp_path / "site"), department, path.name[:5])
    assert late_issues(build(repo, tmp_path / "late", today=TODAY + timedelta(days=8)), department, path.name[:5])


def late_issues(site: Path, department: str, document: str) -> list:
    findings = json.loads((site / "api" / "findings.json").read_text(encoding="utf-8"))
    return [f for f in findings if department in f["message"] and document in f["message"]]


def test_a_new_draft_with_an_effective_date_and_a_distribution_list_leaks_into_no_staff_output(tmp_path):
    """Issue 26: a draft that still carries an effective date and copies produces no finding, page or
    download in the staff site, and `check` flags the date (SB408)."""
    repo = clone(tmp_path)
    text = source(repo, "WI-02").read_text(encoding="utf-8")
    text = re.sub(r"^id: WI-02$", "id: WI-09", text, flags=re.M)
    text = re.sub(r"^status: effective$", "status: draft", text, flags=re.M)
    text = re.sub(r"^approved_by: .*\n", "", text, flags=re.M)
    (repo / "procedures" / "WI-09-draft-leak.md").write_text(text, encoding="utf-8")
    commit(repo, "WI-09 A0: draft", day=TODAY - timedelta(days=30))
    result = qms(repo, "check", today=TODAY)
    assert "SB408" in result.stdout + result.stderr
    site = build(repo, tmp_path / "staff")
    assert "WI-09" not in site_text(site)
    assert b"WI-09" not in (site / "records" / "findings.xlsx").read_bytes()
    auditor = build(repo, tmp_path / "auditor", "auditor")
    assert "WI-09" in site_text(auditor)
