"""revise / approve / make-effective: surgical edits and the refusals the rules demand (issue 6)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from history_support import BODY_A1, a1_document, two_versions  # noqa: E402

from site_builder.cli import main  # noqa: E402

PATH = "procedures/QP-90-survey.md"
COMMENTED = a1_document().replace("title: 客户满意度调查程序", "title: 客户满意度调查程序   # 标题保持不变").replace(
    "related_documents: []", "# 相关文件\nrelated_documents: []").replace("summary: 测试用程序文件。", 'summary: "测试用程序文件。"')


def qms(repo, *args: str, today: str = "2025-06-01") -> int:
    return main([*args, "--root", str(repo.path), "--today", today])


@pytest.fixture
def repo(tmp_path):
    repo = two_versions(tmp_path / "repo")
    repo.write(PATH, COMMENTED)
    repo.commit("comments", "2025-03-05T10:00:00+08:00")
    return repo


def diff_lines(repo) -> list[str]:
    diff = repo.git("diff", "-U0", "--no-color", "--", PATH)
    return [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_revise_changes_only_the_intended_lines(repo, capsys):
    assert qms(repo, "revise", "QP-90", "--change", "调整调查频次", "--sections", "3") == 0
    assert "A1 -> A2 (draft)" in capsys.readouterr().out
    assert diff_lines(repo) == [
        "-version: A1", "-status: effective", "+version: A2", "+status: draft",
        "-prepared_by: {name: 唐振宇, date: 2025-02-01}", "-approved_by: {name: 林秀琴, date: 2025-02-15}",
        "-effective: 2025-03-01", "+prepared_by: {name: 何雨桐, date: 2025-06-01}",
        # the entry of A1 keeps the day A1 came into force, which the front matter no longer holds
        "-  - {version: A1, date: 2025-02-15, sections: 全文, change: 扩大适用范围, approved_by: 林秀琴}",
        "+  - {version: A1, date: 2025-02-15, sections: 全文, change: 扩大适用范围, approved_by: 林秀琴, effective: 2025-03-01}",
        "+  - {version: A2, date: 2025-06-01, sections: 3, change: 调整调查频次}"]  # (no approver: nobody approved A2)
    assert qms(repo, "check") == 0  # adding the released effective date to the entry is not a rewrite (SB415)


def test_a_draft_needs_no_approver_and_approve_signs_its_entry(repo, capsys):
    assert qms(repo, "revise", "QP-90", "--change", "调整调查频次") == 0
    assert qms(repo, "check") == 0  # the open draft's entry has no approver, and needs none
    assert qms(repo, "approve", "QP-90", "--by", "林秀琴", "--date", "2025-06-02", today="2025-06-02") == 0
    text = (repo.path / PATH).read_text(encoding="utf-8")
    assert "  - {version: A2, date: 2025-06-01, sections: 全文, change: 调整调查频次, approved_by: 林秀琴}" in text


def test_a_released_entry_without_approver_is_an_error_at_its_line(repo, capsys):
    text = (repo.path / PATH).read_text(encoding="utf-8")
    signed = next(line for line in text.splitlines() if "version: A1," in line and "approved_by" in line)
    repo.write(PATH, text.replace(signed, signed.replace(", approved_by: 林秀琴", "")))
    capsys.readouterr()
    assert qms(repo, "check") == 1
    line = text.splitlines().index(signed) + 1
    reported = [row for row in capsys.readouterr().out.splitlines() if "SB407" in row]
    assert reported and reported[0].startswith(f"{PATH}:{line}:"), reported
    assert "revision entry A1 has no approved_by" in reported[0]


def test_revise_keeps_crlf_and_the_rest_byte_for_byte(repo):
    original = COMMENTED.replace("\n", "\r\n")
    repo.write(PATH, original)
    assert qms(repo, "revise", "QP-90", "--change", "x", "--major") == 0
    after = (repo.path / PATH).read_bytes().decode("utf-8")
    assert "version: B0\r\n" in after and "\n" not in after.replace("\r\n", "")
    kept = [line for line in original.split("\r\n") if not line.startswith(("version", "status", "prepared_by",
                                                                            "approved_by", "effective",
                                                                            "  - {version: A1"))]
    assert [line for line in after.split("\r\n") if line in kept] == kept


def test_the_full_cycle_then_a_clean_check(repo, capsys):
    assert qms(repo, "revise", "QP-90", "--change", "调整调查频次") == 0
    repo.write(PATH, (repo.path / PATH).read_text(encoding="utf-8").replace("每半年", "每年"))
    assert qms(repo, "approve", "QP-90", "--by", "林秀琴", "--date", "2025-06-02", today="2025-06-02") == 0
    assert qms(repo, "make-effective", "QP-90", today="2025-06-03") == 0
    assert qms(repo, "check", today="2025-06-03") == 0
    repo.commit("QP-90 A2", "2025-06-03T10:00:00+08:00")
    assert qms(repo, "check", today="2025-06-03") == 0
    assert qms(repo, "as-of", "2025-06-02", "--format", "json") == 0
    assert '"version": "A1"' in capsys.readouterr().out
    text = (repo.path / PATH).read_text(encoding="utf-8")
    assert "approved_by: {name: 林秀琴, date: 2025-06-02}\neffective: 2025-06-03\n" in text
    assert BODY_A1.replace("每半年", "每年") in text


def test_revise_resolves_sb410_but_refuses_other_errors(repo, capsys):
    repo.write(PATH, COMMENTED.replace(BODY_A1, BODY_A1 + "未经修订的修改。\n"))
    assert qms(repo, "check") == 1
    assert qms(repo, "revise", "QP-90", "--change", "补记修改") == 0
    broken = COMMENTED.replace("owner: 质量部", "owner: 不存在的部门")
    repo.write(PATH, broken)
    assert qms(repo, "revise", "QP-90", "--change", "x") == 1
    assert "has 1 error(s); fix them first" in capsys.readouterr().err
    assert (repo.path / PATH).read_text(encoding="utf-8") == broken


def test_revise_refusals(repo, capsys):
    assert qms(repo, "revise", "QP-99", "--change", "x") == 2
    assert qms(repo, "revise", "QP-90", "--change", "two\nlines") == 2
    repo.git("config", "user.name", "stranger")
    assert qms(repo, "revise", "QP-90", "--change", "x") == 1
    assert "'stranger' is not a person in organisation.yaml" in capsys.readouterr().err
    repo.git("config", "user.name", "qms-dev")
    assert qms(repo, "revise", "QP-90", "--change", "x") == 0
    assert qms(repo, "revise", "QP-90", "--change", "again") == 1
    assert "a revision is already open" in capsys.readouterr().err


def test_approve_refusals(repo, capsys):
    assert qms(repo, "approve", "QP-90", "--by", "林秀琴") == 1  # effective, nothing to approve
    assert qms(repo, "revise", "QP-90", "--change", "x") == 0
    before = (repo.path / PATH).read_bytes()
    capsys.readouterr()
    assert qms(repo, "approve", "QP-90") == 1  # you (何雨桐, via git_names qms-dev) prepared it
    assert "cannot approve their own revision" in capsys.readouterr().err
    assert qms(repo, "approve", "QP-90", "--by", "林秀琴", "--date", "2025-06-02") == 1
    assert "is in the future" in capsys.readouterr().err
    assert qms(repo, "approve", "QP-90", "--by", "郑嘉怡") == 1
    assert "may not approve level 2" in capsys.readouterr().err
    assert qms(repo, "approve", "QP-90", "--by", "林秀琴", "--date", "2025-05-31") == 1
    assert "before" in capsys.readouterr().err
    assert qms(repo, "approve", "QP-90", "--by", "林秀琴", "--date", "June 1") == 2
    assert qms(repo, "make-effective", "QP-90") == 1
    assert "must be approved before" in capsys.readouterr().err
    assert (repo.path / PATH).read_bytes() == before
    assert qms(repo, "approve", "QP-90", "--by", "林秀琴") == 0
    assert qms(repo, "make-effective", "QP-90", "--date", "2025-05-01") == 1  # before the approval
    assert qms(repo, "approve", "QP-90", "--by", "林秀琴", "--effective", "2025-05-31") == 1  # (already approved)
