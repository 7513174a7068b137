"""Timelines and the manual in force on a date (issue 6)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from history_support import Repo, a1_document, document, entry, two_versions  # noqa: E402

from site_builder.check import run as pipeline  # noqa: E402
from site_builder.history.asof import change_dates, in_force, periods  # noqa: E402

TODAY = date(2025, 6, 1)


def history(repo: Repo):
    result = pipeline.check(repo.path, TODAY)
    assert result.errors == 0, [d.format_text() for d in result.diagnostics]
    return result.history


def test_the_issue_scenario(tmp_path):
    found = history(two_versions(tmp_path / "repo"))
    timeline = found.timelines["QP-90"]
    a0, a1 = timeline.versions
    assert (a0.version, a0.effective_from, a0.effective_to, a0.basis) == ("A0", date(2024, 1, 1), date(2025, 3, 1), "verified")
    assert (a1.version, a1.effective_from, a1.effective_to, a1.basis) == ("A1", date(2025, 3, 1), None, "verified")
    assert a0.content.field("version") == "A0" and a1.current and not a0.current
    assert timeline.successor(a0) is a1
    assert [(t.id, v.version) for t, v in in_force(found.of_kind("document"), date(2024, 6, 30))] == [("QP-90", "A0")]
    assert [(t.id, v.version) for t, v in in_force(found.of_kind("document"), date(2025, 3, 1))] == [("QP-90", "A1")]
    assert in_force(found.of_kind("document"), date(2023, 12, 31)) == []
    assert change_dates(found.of_kind("document")) == [date(2024, 1, 1), date(2025, 3, 1)]
    assert periods(found.of_kind("document")) == [(date(2024, 1, 1), date(2025, 3, 1)), (date(2025, 3, 1), None)]


def test_open_revision_keeps_the_previous_version_in_force(tmp_path):
    repo = two_versions(tmp_path / "repo")
    draft = document(version="A2", status="draft", effective=None, approved=None, prepared="2025-05-01",
                     revisions=[entry("A0", "2023-12-20", "首次发布"), entry("A1", "2025-02-15", "扩大适用范围"),
                                entry("A2", "2025-05-01", "进行中")])
    repo.write("procedures/QP-90-survey.md", draft)
    timeline = history(repo).timelines["QP-90"]
    assert [(v.version, v.effective_to, v.basis) for v in timeline.versions] == [
        ("A0", date(2025, 3, 1), "verified"), ("A1", None, "verified"), ("A2", None, "pending")]
    assert timeline.versions[2].effective_from is None


def test_obsolete_document_ends_on_its_obsoleted_date(tmp_path):
    repo = two_versions(tmp_path / "repo")
    text = a1_document().replace("status: effective", "status: obsolete").replace(
        "review_period_months", "obsoleted: 2025-05-01\nreview_period_months")
    repo.write("procedures/QP-90-survey.md", text)
    repo.commit("withdraw QP-90", "2025-05-01T10:00:00+08:00")
    found = history(repo)
    assert found.timelines["QP-90"].versions[-1].effective_to == date(2025, 5, 1)
    assert in_force(found.of_kind("document"), date(2025, 5, 1)) == []


def test_removed_file_keeps_its_history(tmp_path):
    repo = two_versions(tmp_path / "repo")
    repo.write("procedures/QP-91-other.md", document(doc_id="QP-91"))
    repo.git("rm", "-q", "procedures/QP-90-survey.md")
    repo.commit("QP-90 withdrawn by deletion", "2025-04-10T10:00:00+08:00")
    timeline = history(repo).timelines["QP-90"]
    assert timeline.removed is not None and timeline.versions[-1].effective_to == date(2025, 4, 10)


def test_the_git_log_is_read_once_per_commit(tmp_path, monkeypatch):
    """`serve` checks again after every edit: the history of an unchanged HEAD is not read again,
    a new commit is, and the working tree's edits still count."""
    import site_builder.history as history_module

    reads = []
    real = history_module.read_log
    monkeypatch.setattr(history_module, "read_log", lambda root, **kw: reads.append(root) or real(root, **kw))
    memo = history_module.HistoryMemo()  # (a Build's: kept across serve's checks)
    repo = two_versions(tmp_path / "repo")
    pipeline.check(repo.path, TODAY, history_memo=memo)
    pipeline.check(repo.path, TODAY, history_memo=memo)
    assert len(reads) == 1
    pipeline.check(repo.path, TODAY, history_memo=history_module.HistoryMemo())
    assert len(reads) == 2  # (a new build reads it again: nothing is kept in the module)
    repo.write("procedures/QP-90-survey.md", a1_document(body="## 1 目的\n\n改动。\n"))
    edited = pipeline.check(repo.path, TODAY, history_memo=memo)
    assert len(reads) == 2 and any(d.code == "SB410" for d in edited.diagnostics)  # (the edit is seen)
    repo.commit("edit", "2025-04-01T10:00:00+08:00")
    assert pipeline.check(repo.path, TODAY, history_memo=memo).history.log.head == repo.git("rev-parse", "HEAD")
    assert len(reads) == 3
