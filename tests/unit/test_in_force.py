"""The manual in force on a day (history/in_force.py, issue 27): scripted repositories, then `check`."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from history_support import BODY_A1, two_versions  # noqa: E402

from site_builder.check.run import check  # noqa: E402
from site_builder.cli import main  # noqa: E402
from site_builder.derive.distribution.copies import NOT_YET_EFFECTIVE, Issue, classify  # noqa: E402

PATH = "procedures/QP-90-survey.md"
DRAFT_LINE = "本段只在修订草稿中。"


def qms(repo, *args: str, today: str) -> int:
    return main([*args, "--root", str(repo.path), "--today", today])


def drafted(tmp_path):
    """QP-90 A1 in force; A2 opened with revise, its body changed, the draft committed."""
    repo = two_versions(tmp_path / "repo")
    assert qms(repo, "revise", "QP-90", "--change", "调整调查频次", today="2025-06-01") == 0
    path = repo.path / PATH
    path.write_text(path.read_text(encoding="utf-8") + f"\n{DRAFT_LINE}\n", encoding="utf-8")
    repo.commit("QP-90 A2 draft", "2025-06-01T10:00:00+08:00")
    return repo


def test_a_draft_leaves_the_version_in_force_in_place(tmp_path):
    repo = drafted(tmp_path)
    result = check(repo.path, date(2025, 6, 2))
    assert result.errors == 0, [d.format_text() for d in result.diagnostics]
    in_force = result.manual.document("QP-90")
    assert (in_force.version, in_force.status, in_force.body.strip()) == ("A1", "effective", BODY_A1.strip())
    assert in_force.path == PATH  # the page and links stay where they are
    assert result.manual.in_progress["QP-90"].version == "A2"
    assert DRAFT_LINE in result.manual.in_progress["QP-90"].body
    assert result.worktree.document("QP-90").status == "draft"


def test_an_approved_version_is_in_force_from_its_date_without_a_commit(tmp_path):
    repo = drafted(tmp_path)
    repo.git("config", "user.name", "林秀琴")
    assert qms(repo, "approve", "QP-90", "--by", "林秀琴", "--effective", "2025-06-10", today="2025-06-03") == 0
    repo.commit("QP-90 A2 approved", "2025-06-03T10:00:00+08:00")
    before = check(repo.path, date(2025, 6, 9)).manual
    assert before.document("QP-90").version == "A1" and before.in_progress["QP-90"].status == "approved"
    on = check(repo.path, date(2025, 6, 10)).manual
    assert (on.document("QP-90").version, on.document("QP-90").status) == ("A2", "effective")
    assert on.in_progress == {}


def test_a_copy_of_the_version_in_progress_issued_early_is_not_yet_effective(tmp_path):
    repo = drafted(tmp_path)
    manual = check(repo.path, date(2025, 6, 2)).manual
    issue = Issue(record="DIS-1", path="", form="QR-01-01", document="QP-90", version="A2", department="质量部",
                  copy_number="01", issued_on=date(2025, 6, 2))
    assert classify(issue, manual.in_progress["QP-90"], date(2025, 6, 2), 14).status == NOT_YET_EFFECTIVE


def test_revise_and_approve_work_for_forms(tmp_path):
    repo = two_versions(tmp_path / "repo")
    form = SMALL_FORM.replace("id: QR-90-02", "id: QR-90-01").replace("\nversion: A0\n", "\nversion: A1\n").replace(
        "approved_by: 林秀琴}", "approved_by: 林秀琴}\n  - {version: A1, date: 2024-06-20, sections: 全文, change: 增加备注, "
        "approved_by: 林秀琴}")
    repo.write("forms/QR-90-01.yaml", form)
    repo.commit("a form", "2025-05-01T10:00:00+08:00")
    assert qms(repo, "revise", "QR-90-01", "--change", "B级分界提高", today="2025-06-01") == 0
    text = (repo.path / "forms" / "QR-90-01.yaml").read_text(encoding="utf-8")
    assert "version: A2" in text and "status: draft" in text and "\neffective:" not in text
    assert "prepared_by: {name: 何雨桐, date: 2025-06-01}" in text
    assert "{version: A2, date: 2025-06-01, sections: 全文, change: B级分界提高}" in text
    assert "change: 增加备注, approved_by: 林秀琴, effective: 2024-01-01}" in text  # when A1 came into force
    assert qms(repo, "approve", "QR-90-01", "--by", "林秀琴", today="2025-06-02") == 0
    assert qms(repo, "make-effective", "QR-90-01", today="2025-06-02") == 0
    text = (repo.path / "forms" / "QR-90-01.yaml").read_text(encoding="utf-8")
    assert "status: effective" in text and "\neffective: 2025-06-02" in text
    assert "approved_by: {name: 林秀琴, date: 2025-06-02}" in text
    assert "change: B级分界提高, approved_by: 林秀琴}" in text


SMALL_FORM = """id: QR-90-02
title: 测试记录表
version: A0
status: effective
procedure: QP-90
owner: 质量部
effective: 2024-01-01
retention: {years: 1}
record_prefix: TST
revisions:
  - {version: A0, date: 2023-12-20, sections: 全文, change: 首次发布, approved_by: 林秀琴}
fields:
  note: {label: 备注, type: string}
"""


def test_records_are_checked_against_the_form_in_force_while_its_draft_adds_a_required_field(tmp_path):
    repo = two_versions(tmp_path / "repo")
    repo.write("forms/QR-90-02.yaml", SMALL_FORM)
    repo.write("records/QR-90-02/TST-2025-001.yaml", "id: TST-2025-001\nform: QR-90-02\ndate: 2025-04-01\nnote: 正常\n")
    repo.commit("a form and a record", "2025-05-01T10:00:00+08:00")
    assert qms(repo, "revise", "QR-90-02", "--change", "增加必填栏目", today="2025-06-01") == 0
    path = repo.path / "forms" / "QR-90-02.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  channel: {label: 调查方式, type: string, required: true}\n",
                    encoding="utf-8")
    repo.commit("QR-90-02 A1 draft", "2025-06-01T10:00:00+08:00")
    result = check(repo.path, date(2025, 6, 2))
    assert result.errors == 0, [d.format_text() for d in result.diagnostics]
    assert result.manual.form("QR-90-02").version == "A0"
    assert result.manual.in_progress["QR-90-02"].field("channel").required


def test_a_commit_that_changed_the_version_in_force_is_sb410_and_never_published(tmp_path):
    """Editing the committed A1 text (a commit after its release) stays SB410 once A2 is the draft, and the
    site keeps the text as released."""
    from history_support import a1_document

    repo = two_versions(tmp_path / "repo")
    repo.write(PATH, a1_document(body=BODY_A1 + "\n未经修订的改动。\n"))
    repo.commit("an edit of the released A1", "2025-04-01T10:00:00+08:00")
    assert qms(repo, "revise", "QP-90", "--change", "调整调查频次", today="2025-06-01") == 0
    repo.commit("QP-90 A2 draft", "2025-06-01T10:00:00+08:00")
    result = check(repo.path, date(2025, 6, 2))
    found = [d for d in result.diagnostics if d.code == "SB410"]
    assert len(found) == 1 and "changed the content of QP-90 A1" in found[0].message and found[0].path == PATH
    assert "未经修订的改动" not in result.manual.document("QP-90").body
