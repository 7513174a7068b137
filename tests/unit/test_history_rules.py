"""Change control in `check`: SB410-SB413 on scripted repositories with fixed dates (issue 6)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from history_support import BODY_A1, Repo, a1_document, document, entry, two_versions  # noqa: E402

from site_builder.check import run as pipeline  # noqa: E402

TODAY = date(2025, 6, 1)
PATH = "procedures/QP-90-survey.md"


def codes(repo: Repo, today: date = TODAY) -> list[str]:
    result = pipeline.check(repo.path, today)
    return [f"{d.code} {d.message}" for d in result.diagnostics if d.code.startswith("SB4")]


def test_clean_history_has_no_findings(tmp_path):
    assert codes(two_versions(tmp_path / "repo")) == []


def test_editing_an_effective_document_without_revise_is_sb410(tmp_path):
    repo = two_versions(tmp_path / "repo")
    repo.write(PATH, a1_document(body=BODY_A1.replace("每半年", "每年")))
    result = pipeline.check(repo.path, TODAY)
    found = [d for d in result.diagnostics if d.code == "SB410"]
    assert len(found) == 1 and result.errors == 1
    commit = repo.git("rev-parse", "--short=10", "HEAD")
    assert f"commit {commit} of 2025-02-20" in found[0].message and "QP-90" in found[0].message
    assert "revise QP-90" in found[0].hint and "revert" in found[0].hint
    assert (found[0].path, found[0].line) == (PATH, 5)  # the version line


def test_committing_the_unrevised_edit_is_still_sb410(tmp_path):
    repo = two_versions(tmp_path / "repo")
    repo.write(PATH, a1_document(body=BODY_A1 + "\n新增一段。\n"))
    repo.commit("quick fix", "2025-04-01T10:00:00+08:00")
    assert any(c.startswith("SB410") for c in codes(repo))


def test_line_endings_distribution_and_lifecycle_edits_are_not_sb410(tmp_path):
    repo = two_versions(tmp_path / "repo")
    repo.write(PATH, a1_document().replace("\n", "\r\n"))
    assert codes(repo) == []
    repo.commit("CRLF checkout", "2025-04-01T10:00:00+08:00")
    assert codes(repo) == []
    text = a1_document().replace('copy_numbers: ["01"]}', 'copy_numbers: ["01"]}\n  - {department: 文控中心, copies: 1, '
                                 'copy_numbers: ["02"]}')
    repo.write(PATH, text.replace("review_period_months: 60", "last_reviewed: 2025-05-20\nreview_period_months: 60"))
    assert codes(repo) == []


def test_a_revert_to_the_released_content_is_clean(tmp_path):
    repo = two_versions(tmp_path / "repo")
    repo.write(PATH, a1_document(body="改坏了\n"))
    repo.commit("oops", "2025-04-01T10:00:00+08:00")
    repo.write(PATH, a1_document())
    repo.commit("revert", "2025-04-02T10:00:00+08:00")
    assert codes(repo) == []


def test_declared_entries_older_than_the_repository(tmp_path):
    repo = Repo(tmp_path / "repo")
    revisions = [entry("A0", "2019-03-01", "首次发布（纸质）"), entry("A1", "2021-05-10", "纸质修订"),
                 entry("B0", "2023-12-20", "转入电子版")]
    repo.write(PATH, document(version="B0", revisions=revisions))
    repo.commit("import the paper manual", "2024-01-05T10:00:00+08:00")
    assert codes(repo) == []
    timeline = pipeline.check(repo.path, TODAY).history.timelines["QP-90"]
    assert [(v.version, v.basis, v.verified) for v in timeline.versions] == [
        ("A0", "declared", False), ("A1", "declared", False), ("B0", "declared", False)]
    assert timeline.versions[2].released is not None  # imported at that commit, still declared
    assert [v.effective_from for v in timeline.versions] == [date(2019, 3, 1), date(2021, 5, 10), date(2024, 1, 1)]


def test_version_released_without_revision_entry_is_sb411(tmp_path):
    repo = two_versions(tmp_path / "repo")
    revisions = [entry("A0", "2023-12-20", "首次发布"), entry("A2", "2025-05-01", "再次修订")]
    repo.write(PATH, document(version="A2", effective="2025-05-10", approved="2025-05-01", prepared="2025-04-20",
                              revisions=revisions, body=BODY_A1 + "\n第三版。\n"))
    repo.commit("A2 and the A1 entry dropped", "2025-05-02T10:00:00+08:00")
    found = codes(repo)
    assert len(found) == 1 and found[0].startswith("SB411 version A1 of QP-90 was released in commit")


def test_revision_entry_dated_after_its_commit_is_sb412(tmp_path):
    repo = Repo(tmp_path / "repo")
    repo.write(PATH, document())
    repo.commit("A0", "2023-12-20T10:00:00+08:00")
    late = document(version="A1", effective="2025-03-01", approved="2025-02-15", prepared="2025-02-01", body=BODY_A1,
                    revisions=[entry("A0", "2023-12-20", "首次发布"), entry("A1", "2025-03-10", "事后补记")])
    repo.write(PATH, late)
    repo.commit("A1", "2025-02-20T10:00:00+08:00")
    found = codes(repo, date(2025, 6, 1))
    assert found == [f"SB412 revision A1 is dated 2025-03-10, after commit {repo.git('rev-parse', '--short=10', 'HEAD')} "
                     "that introduced it on 2025-02-20"]


def test_commits_dated_out_of_order_follow_the_topology(tmp_path):
    repo = Repo(tmp_path / "repo")
    repo.write(PATH, document())
    first = repo.commit("A0 with a clock in the future", "2099-01-01T10:00:00+08:00")
    repo.write(PATH, a1_document())
    second = repo.commit("A1 from a clock in the past", "2001-01-01T10:00:00+08:00")
    result = pipeline.check(repo.path, TODAY)
    timeline = result.history.timelines["QP-90"]
    assert [v.released.sha for v in timeline.versions] == [first, second]
    assert [v.effective_from for v in timeline.versions] == [date(2024, 1, 1), date(2025, 3, 1)]
    assert any(c.startswith("SB412 revision A1") for c in codes(repo))  # the backdated commit is caught


def test_no_git_is_a_warning(tmp_path):
    repo = two_versions(tmp_path / "repo")
    import shutil
    shutil.rmtree(repo.path / ".git")
    result = pipeline.check(repo.path, TODAY)
    assert result.errors == 0
    assert [(d.code, d.severity) for d in result.diagnostics] == [("SB413", "warning")]
    assert "not a git repository" in result.diagnostics[0].message


def test_draft_and_renamed_documents(tmp_path):
    repo = two_versions(tmp_path / "repo")
    (repo.path / "procedures/子目录").mkdir()
    repo.git("mv", PATH, "procedures/子目录/QP-90-新名称.md")
    repo.commit("rename", "2025-04-01T10:00:00+08:00")
    assert codes(repo) == []
    repo.write("procedures/子目录/QP-90-新名称.md", a1_document(body="改过\n"))
    assert any(c.startswith("SB410") for c in codes(repo))
    draft = a1_document(body="改过\n").replace("status: effective", "status: draft")
    repo.write("procedures/子目录/QP-90-新名称.md", draft)
    assert codes(repo) == ["SB408 a document with status draft has an effective date (2025-03-01)"]
    repo.write("procedures/子目录/QP-90-新名称.md", draft.replace("effective: 2025-03-01\n", ""))
    # a draft's content may change freely (no SB410); only the released A1's effective date, now removed, is
    # a rewritten sign-off (a new version is opened with revise)
    assert [c[:5] for c in codes(repo)] == ["SB415"]


def test_forms_are_under_change_control_too(tmp_path):
    repo = Repo(tmp_path / "repo")
    form = (Path(__file__).resolve().parents[2] / "forms" / "QR-03-01.yaml").read_text(encoding="utf-8")
    repo.write("procedures/QP-03-capa.md", document(doc_id="QP-03"))
    repo.write("forms/QR-03-01.yaml", form)
    repo.commit("QP-03 and its form", "2026-12-06T18:00:00+08:00")  # (the form's newest entry is of that day)
    assert not [c for c in codes(repo) if c.startswith(("SB410", "SB411", "SB412"))]
    repo.write("forms/QR-03-01.yaml", form.replace("title: 纠正预防措施报告", "title: 纠正预防措施报告（改）"))
    found = [d for d in pipeline.check(repo.path, TODAY).diagnostics if d.code == "SB410"]
    assert [d.path for d in found] == ["forms/QR-03-01.yaml"] and "revision entry" in found[0].hint


# --- SB414: approval long before git saw the version (H04) ---------------------------------------------

def backdated_repo(path: Path, approved: str = "2024-02-01", committed: str = "2024-11-05T10:00:00+08:00") -> Repo:
    """QP-90 A0 in force since the repository started (2024-01-05); QP-91 claims approval on `approved`."""
    repo = Repo(path)
    repo.write(PATH, document(revisions=[entry("A0", "2023-12-20", "首次发布")]))
    repo.commit("baseline", "2024-01-05T10:00:00+08:00")
    repo.write("procedures/QP-91-returns.md", document(doc_id="QP-91", approved=approved, prepared="2024-01-20",
                                                      effective="2024-12-01",
                                                      revisions=[entry("A0", approved, "首次发布")]))
    repo.commit("QP-91 补录", committed)
    return repo


def test_entry_dated_long_before_the_file_first_appeared_is_sb414(tmp_path):
    repo = backdated_repo(tmp_path / "repo")
    result = pipeline.check(repo.path, TODAY)
    found = [d for d in result.diagnostics if d.code == "SB414"]
    assert result.errors == 0 and [d.severity for d in found] == ["warning"]
    commit = repo.git("rev-parse", "--short=10", "HEAD")
    # 2024-02-01 -> 2024-11-05: 29 (Feb, leap year) + 31 + 30 + 31 + 30 + 31 + 31 + 30 + 31 + 4 = 278 days
    assert found[0].message == (f"revision A0 is dated 2024-02-01, 278 days before version A0 first appeared in git "
                                f"(commit {commit} of 2024-11-05): possibly backdated")
    # the file's revisions list is on line 15, its only entry on line 16: '  - {version: A0, date: ' is 24 characters
    assert (found[0].path, found[0].line, found[0].col) == ("procedures/QP-91-returns.md", 16, 25)
    assert "change_control.backdating_days" in found[0].hint and "(30 days)" in found[0].hint


def test_backdating_threshold_is_data_in_qms_yaml(tmp_path):
    repo = backdated_repo(tmp_path / "repo", approved="2024-10-01")  # 35 days before the commit
    assert any(c.startswith("SB414") for c in codes(repo))
    text = (repo.path / "qms.yaml").read_text(encoding="utf-8")
    assert "backdating_days: 30" in text
    repo.write("qms.yaml", text.replace("backdating_days: 30", "backdating_days: 35"))
    assert not any(c.startswith("SB414") for c in codes(repo))  # exactly the allowed gap
    repo.write("qms.yaml", text.replace("  backdating_days: 30\n", ""))
    assert any(c.startswith("SB414 revision A0 is dated 2024-10-01, 35 days") for c in codes(repo))  # default 30


def test_paper_history_and_prompt_commits_are_not_backdating(tmp_path):
    assert codes(two_versions(tmp_path / "two")) == []  # A1 dated 2025-02-15, committed 2025-02-20
    repo = Repo(tmp_path / "paper")
    revisions = [entry("A0", "2019-03-01", "首次发布（纸质）"), entry("B0", "2023-12-20", "转入电子版")]
    repo.write(PATH, document(version="B0", revisions=revisions))
    repo.commit("import the paper manual", "2024-06-05T10:00:00+08:00")
    assert codes(repo) == []  # both entries are older than the repository


def test_version_never_committed_is_measured_from_the_file(tmp_path):
    repo = backdated_repo(tmp_path / "repo")
    repo.git("rm", "-q", "procedures/QP-91-returns.md")
    repo.commit("drop QP-91 again", "2024-11-06T10:00:00+08:00")
    repo.write("procedures/QP-92-returns.md", document(
        doc_id="QP-92", version="A1", approved="2024-11-01", prepared="2024-10-25", effective="2024-12-01",
        revisions=[entry("A0", "2024-02-01", "首次发布"), entry("A1", "2024-11-01", "修订")]))
    repo.commit("QP-92 enters git at A1", "2024-11-07T10:00:00+08:00")
    found = [c for c in codes(repo) if c.startswith("SB414")]
    # A0 never appeared in git: measured from the file's first commit; A1, 6 days before its commit, is fine
    assert len(found) == 1 and found[0].startswith("SB414 revision A0 is dated 2024-02-01, 280 days before QP-92 first "
                                                   "appeared in git"), found


# --- SB415: a released version's sign-offs are a record ------------------------------------------

def _sb415(repo: Repo) -> list:
    return [d for d in pipeline.check(repo.path, TODAY).diagnostics if d.code == "SB415"]


def test_rewriting_a_released_approver_is_sb415_at_its_line_even_when_committed(tmp_path):
    repo = two_versions(tmp_path / "repo")
    text = (repo.path / PATH).read_text(encoding="utf-8")
    rewritten = text.replace("approved_by: {name: 林秀琴, date: 2025-02-15}", "approved_by: {name: 周启航, date: 2025-02-14}")
    repo.write(PATH, rewritten)
    repo.commit("改签批准人", "2025-04-01T10:00:00+08:00")  # (committing it does not make it the record)
    [found] = _sb415(repo)
    line = rewritten.splitlines().index("approved_by: {name: 周启航, date: 2025-02-14}") + 1
    assert (found.path, found.line, found.severity) == (PATH, line, "error")
    assert "approved_by of A1" in found.message and "git show" in found.hint


def test_rewriting_an_old_revision_entry_is_sb415_at_that_entry(tmp_path):
    repo = two_versions(tmp_path / "repo")
    text = (repo.path / PATH).read_text(encoding="utf-8")
    rewritten = text.replace(entry("A0", "2023-12-20", "首次发布"), entry("A0", "2023-12-20", "首次发布", approver="周启航"))
    repo.write(PATH, rewritten)
    [found] = _sb415(repo)
    assert found.line == rewritten.splitlines().index("  - " + entry("A0", "2023-12-20", "首次发布", approver="周启航")) + 1
    assert "the revision entry of A0" in found.message


def test_an_effective_date_added_after_the_approval_is_no_rewrite(tmp_path):
    """Released by the commit that approved it; make-effective adds the date in a later commit."""
    repo = two_versions(tmp_path / "repo")
    a2 = document(version="A2", status="approved", effective=None, approved="2025-05-02", prepared="2025-05-01",
                  body=BODY_A1, revisions=[entry("A0", "2023-12-20", "首次发布"), entry("A1", "2025-02-15", "扩大适用范围"),
                                           entry("A2", "2025-05-01", "调整")])
    repo.write(PATH, a2)
    repo.commit("QP-90 A2 批准", "2025-05-02T10:00:00+08:00")
    repo.write(PATH, a2.replace("status: approved", "status: effective").replace(
        "approved_by: {name: 林秀琴, date: 2025-05-02}\n", "approved_by: {name: 林秀琴, date: 2025-05-02}\neffective: 2025-05-10\n"))
    repo.commit("QP-90 A2 生效", "2025-05-10T10:00:00+08:00")
    assert _sb415(repo) == []
    assert [c for c in codes(repo) if c.startswith(("SB410", "SB415"))] == []
