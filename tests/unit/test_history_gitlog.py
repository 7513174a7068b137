"""One pass over the git log: parsing, renames, non-ASCII paths, ids across paths (issue 6)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from history_support import Repo, a1_document, document  # noqa: E402

from site_builder.history import gitlog  # noqa: E402
from site_builder.history.states import item_states  # noqa: E402


def test_log_lists_changes_with_blobs_oldest_first(tmp_path):
    repo = Repo(tmp_path / "repo")
    repo.write("procedures/QP-90-a.md", document())
    first = repo.commit("first", "2024-01-01T10:00:00+08:00")
    repo.write("procedures/QP-90-a.md", a1_document())
    second = repo.commit("second", "2025-02-20T10:00:00+08:00")
    log = gitlog.read_log(repo.path)
    assert log.problem is None and not log.shallow and log.head == second
    assert [c.sha for c in log.commits] == [first, second]
    assert [(c.commit, c.status, c.path) for c in log.changes] == [(0, "A", "procedures/QP-90-a.md"),
                                                                  (1, "M", "procedures/QP-90-a.md")]
    assert log.blobs[log.changes[1].blob].decode("utf-8") == a1_document()
    assert str(log.commits[0].day) == "2024-01-01" and log.commits[0].subject == "first"


def test_rename_and_non_ascii_path_are_read_as_is(tmp_path):
    repo = Repo(tmp_path / "repo")
    repo.write("procedures/客户服务/QP-90-调查.md", document())
    repo.commit("add", "2024-01-01T10:00:00+08:00")
    repo.git("mv", "procedures/客户服务/QP-90-调查.md", "procedures/QP-90-满意度调查.md")
    repo.commit("rename", "2024-02-01T10:00:00+08:00")
    log = gitlog.read_log(repo.path)
    rename = log.changes[-1]
    assert rename.status == "R"
    assert rename.old_path == "procedures/客户服务/QP-90-调查.md" and rename.path == "procedures/QP-90-满意度调查.md"
    states = item_states(log)["QP-90"]
    assert [s.path for s in states] == ["procedures/客户服务/QP-90-调查.md", "procedures/QP-90-满意度调查.md"]
    assert all(s.parsed is not None for s in states)  # a rename is not a removal


def test_history_follows_the_document_number_not_the_path(tmp_path):
    repo = Repo(tmp_path / "repo")
    repo.write("procedures/old-name.md", document())
    repo.commit("add", "2024-01-01T10:00:00+08:00")
    (repo.path / "procedures/old-name.md").unlink()
    repo.write("procedures/totally/different.md", a1_document())  # too different for rename detection
    repo.commit("move and revise", "2025-02-20T10:00:00+08:00")
    states = item_states(gitlog.read_log(repo.path))
    assert [(s.path, s.version) for s in states["QP-90"]] == [("procedures/old-name.md", "A0"),
                                                             ("procedures/totally/different.md", "A1")]


def test_removed_file_ends_its_history(tmp_path):
    repo = Repo(tmp_path / "repo")
    repo.write("procedures/QP-90.md", document())
    repo.commit("add", "2024-01-01T10:00:00+08:00")
    repo.git("rm", "-q", "procedures/QP-90.md")
    repo.commit("remove", "2024-06-01T10:00:00+08:00")
    states = item_states(gitlog.read_log(repo.path))["QP-90"]
    assert states[-1].parsed is None and str(states[-1].commit.day) == "2024-06-01"


def test_odd_commit_subjects_and_paths_do_not_confuse_the_parser(tmp_path):
    repo = Repo(tmp_path / "repo")
    repo.write("procedures/:colon \x1e name.md", document())
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", ":100644 fake raw line\n\nbody with \x1f and \x1e", when="2024-01-01T10:00:00+00:00")
    log = gitlog.read_log(repo.path)
    assert [c.path for c in log.changes] == ["procedures/:colon \x1e name.md"]
    assert log.commits[0].subject.startswith(":100644 fake raw line")


def test_one_pass_whatever_the_number_of_files(tmp_path, monkeypatch):
    repo = Repo(tmp_path / "repo")
    for number in range(30):
        repo.write(f"procedures/QP-{number:02d}.md", document(doc_id=f"QP-{number:02d}"))
    repo.commit("many", "2024-01-01T10:00:00+08:00")
    calls = []
    real_run = subprocess.run

    def counting_run(command, *args, **kwargs):
        calls.append(command)
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(gitlog.subprocess, "run", counting_run)
    log = gitlog.read_log(repo.path)
    assert len(log.blobs) == 30
    assert len(calls) <= 4  # rev-parse (x2), log, cat-file --batch


def test_no_repository_and_no_commits_are_reported_not_raised(tmp_path):
    assert "not a git repository" in gitlog.read_log(tmp_path).problem
    repo = Repo(tmp_path / "empty")
    assert gitlog.read_log(repo.path).problem == "the repository has no commits yet"


def test_branch_work_counts_from_the_merge_into_the_mainline(tmp_path):
    repo = Repo(tmp_path / "repo")
    repo.write("procedures/QP-90.md", document())
    repo.commit("A0", "2024-01-01T10:00:00+08:00")
    repo.git("checkout", "-q", "-b", "revision")
    repo.write("procedures/QP-90.md", a1_document().replace("status: effective", "status: draft"))
    repo.commit("A1 draft on a branch", "2025-02-01T10:00:00+08:00")
    repo.write("procedures/QP-90.md", a1_document())
    repo.commit("A1 effective on the branch", "2025-02-10T10:00:00+08:00")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "merge A1", "revision", when="2025-02-20T10:00:00+08:00")
    states = item_states(gitlog.read_log(repo.path))["QP-90"]
    assert [(s.version, s.status, s.commit.subject) for s in states] == [("A0", "effective", "A0"),
                                                                        ("A1", "effective", "merge A1")]
