"""Issue 28 end to end on a clone of the shipped manual: the document controller's everyday tasks,
each one command (new, approve, make-effective, obsolete, review), and what `check` then points at."""

from __future__ import annotations

import json
import re
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import shipped_clone  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="the commands take the preparer from git")

TODAY = date(2026, 12, 6)


def qms(repo: Path, *args: str):
    return shipped_clone.qms(repo, *args, today=TODAY, check=False)


def ok(done) -> str:
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def commit(repo: Path, message: str) -> None:
    shipped_clone.commit(repo, message, TODAY)


@pytest.fixture
def repo(tmp_path) -> Path:
    return shipped_clone.clone_shipped(tmp_path / "manual", "何雨桐", TODAY)


def errors_of(done) -> list[str]:
    return [line for line in done.stdout.splitlines() if ": error " in line]


def test_new_documents_of_every_level_and_a_form_pass_check(repo):
    for number, level, owner in (("QM-09", "1", "总经理室"), ("QP-19", "2", "质量部"), ("WI-09", "3", "客户服务部")):
        ok(qms(repo, "new", number, "--level", level, "--title", f"测试文件{number}", "--owner", owner))
    ok(qms(repo, "new", "QR-19-01", "--procedure", "QP-19", "--title", "测试记录表", "--owner", "质量部",
           "--record-prefix", "TST"))
    done = qms(repo, "check")
    assert errors_of(done) == [], done.stdout
    text = (repo / "procedures" / "WI-09.md").read_text(encoding="utf-8")
    assert "status: draft" in text and "prepared_by: {name: 何雨桐, date: 2026-12-06}" in text
    assert "{version: A0, date: 2026-12-06, sections: 全文, change: 首次发布}" in text  # no approver yet
    assert re.findall(r"^## \d+ (\S+)", text, re.M) == ["目的", "适用范围", "职责", "定义", "工作程序", "相关文件",
                                                       "相关表单"]
    refused = qms(repo, "approve", "WI-09", "--by", "郑嘉怡")
    assert refused.returncode == 1 and "（待编写）" in refused.stderr  # the placeholders are not signed


def test_new_refuses_what_check_would_refuse_and_writes_nothing(repo):
    before = sorted(p.name for p in (repo / "procedures").iterdir())
    for args, reason in ((("WI-02", "--level", "3"), "already exists"), (("WI-3", "--level", "3"), "does not match"),
                         (("QP-19", "--level", "3"), "does not match")):
        done = qms(repo, "new", *args, "--title", "标题", "--owner", "质量部")
        assert done.returncode == 1 and reason in done.stderr, done.stderr
    done = qms(repo, "new", "WI-09", "--level", "3", "--title", "标题", "--owner", "财务科")
    assert done.returncode == 1 and "not a department" in done.stderr
    assert sorted(p.name for p in (repo / "procedures").iterdir()) == before


def test_a_new_document_made_effective_replaces_an_old_one_in_one_step(repo, tmp_path):
    ok(qms(repo, "new", "WI-03", "--level", "3", "--title", "客户服务运作规范", "--owner", "客户服务部",
           "--file-name", "customer-service"))
    path = repo / "procedures" / "WI-03-customer-service.md"
    path.write_text(path.read_text(encoding="utf-8").replace("（待编写）", "本节内容见正文。"), encoding="utf-8")
    commit(repo, "WI-03 A0 draft")
    shipped_clone.sign_as(repo, "郑嘉怡", TODAY)  # (approvals are signed commits: qms.yaml change_control)
    ok(qms(repo, "approve", "WI-03", "--by", "郑嘉怡"))
    shipped_clone.run(repo, "git", "config", "user.name", "何雨桐", day=TODAY)
    commit(repo, "WI-03 approved")
    ok(qms(repo, "make-effective", "WI-03"))
    commit(repo, "WI-03 effective")
    done = qms(repo, "obsolete", "WI-02", "--replaced-by", "WI-03")
    listed = ok(done)
    assert re.search(r"WI-02 A\d: obsolete from 2026-12-06, replaced by WI-03", listed)
    citing = {line.split(":")[0] for line in listed.splitlines() if re.match(r"^procedures/\S+:\d+:\d+: ", line)}
    assert citing == {"procedures/QM-01-quality-policy-objectives.md", "procedures/WI-01-follow-up-visits.md"}
    assert "SB317 the body cites WI-02, which is obsolete" in listed and "cite WI-03 instead" in listed
    assert "supersedes: [WI-02]" in path.read_text(encoding="utf-8")
    old = next((repo / "procedures").glob("WI-02-*.md")).read_text(encoding="utf-8")
    assert "status: obsolete" in old and "obsoleted: 2026-12-06" in old
    commit(repo, "WI-02 obsolete")
    site = tmp_path / "auditor"
    done = qms(repo, "build", "--audience", "auditor", "--out", str(site), "--quiet")
    assert done.returncode == 1  # the references listed above still have to change
    for line in [x for x in listed.splitlines() if ": error SB308" in x]:  # a reference is content: revise it
        file, number = line.split(":")[0], int(line.split(":")[1])
        doc_id = Path(file).name[:5]
        ok(qms(repo, "revise", doc_id, "--change", "WI-02作废，引用改为WI-03", "--sections", "6"))
        lines = (repo / file).read_text(encoding="utf-8").split("\n")
        lines[number - 1] = lines[number - 1].replace(", WI-02]", ", WI-03]")
        (repo / file).write_text("\n".join(lines), encoding="utf-8")
        commit(repo, f"{doc_id}: draft referring to WI-03")
    ok(qms(repo, "build", "--audience", "auditor", "--out", str(site), "--quiet"))
    html = (site / "documents" / "WI-02" / "index.html").read_text(encoding="utf-8")
    assert "2026-12-06 起作废，由 WI-03 取代" in html
    header = html[html.index('data-qms="qms-control-header"'):]
    assert re.search(r"下次评审</th><td>—", header)
    recall = (site / "distribution" / "index.html").read_text(encoding="utf-8")
    section = recall[recall.index('data-qms="qms-recall"'):]
    assert "WI-02" in section[:section.index("</table>")]


def test_obsolete_without_a_replacement(repo):
    listed = ok(qms(repo, "obsolete", "WI-01"))
    assert re.search(r"WI-01 [A-Z][0-9]+: obsolete from 2026-12-06; change the", listed) and "replaced by" not in listed
    assert "forms/QR-21-01.yaml:6:12: error SB308 effective form belongs to WI-01, which is obsolete" in listed
    assert re.search(r"procedures/\S+:\d+:\d+: error SB308 effective document refers to WI-01", listed)
    assert qms(repo, "obsolete", "WI-01").returncode == 1  # already obsolete


def test_periodic_reviews_are_records(repo, tmp_path):
    ok(qms(repo, "review", "QP-07", "--by", "林秀琴", "--result", "内容适宜，无需修订"))
    text = next((repo / "procedures").glob("QP-07-*.md")).read_text(encoding="utf-8")
    assert "last_reviewed: {by: 林秀琴, date: 2026-12-06, result: 内容适宜，无需修订}" in text
    assert "QP-07" not in "".join(x for x in qms(repo, "check").stdout.splitlines() if "SB409" in x)
    commit(repo, "QP-07 reviewed")
    assert qms(repo, "review", "QP-07", "--by", "郑嘉怡", "--result", "x").returncode == 1  # level 2: not 郑嘉怡
    assert qms(repo, "review", "QP-07", "--by", "林秀琴", "--result", "x", "--date", "2024-01-01").returncode == 1
    path = next((repo / "procedures").glob("QP-02-*.md"))
    text = path.read_text(encoding="utf-8")
    effective = re.search(r"^effective: (\S+)", text, re.M).group(1)
    path.write_text(text.replace(f"effective: {effective}\n", f"effective: {effective}\nlast_reviewed: 2020-01-01\n"),
                    encoding="utf-8")
    done = qms(repo, "check")
    assert any("SB403 last_reviewed is dated 2020-01-01, before the effective date" in e for e in errors_of(done))
    path.write_text(text, encoding="utf-8")
    site = tmp_path / "auditor"
    ok(qms(repo, "build", "--audience", "auditor", "--out", str(site), "--quiet"))
    history = (site / "history" / "QP-07" / "index.html").read_text(encoding="utf-8")
    assert "定期评审记录" in history and "内容适宜，无需修订" in history and "林秀琴" in history


def test_body_citations_are_checked_outside_code(repo):
    path = next((repo / "procedures").glob("QP-04-*.md"))
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(text + "\n\n另见《不存在的文件》（QP-99）和 `QP-98`。\n\n```\nQP-97\n```\n", encoding="utf-8")
    done = qms(repo, "check", "--format", "json")
    found = [d for d in json.loads(done.stdout) if d["code"] == "SB317"]
    assert [d["message"].split(" (hint:")[0] for d in found] == ["the body cites QP-99, which is not a document of this manual"]
    assert found[0]["severity"] == "warning" and found[0]["path"].endswith(path.name)
    assert qms(repo, "check", "--strict").returncode == 1


def test_check_warns_about_a_survey_below_the_capa_line_without_a_capa(repo):
    done = qms(repo, "check", "--format", "json")
    found = [d for d in json.loads(done.stdout) if d["code"] == "SB503"]
    assert any(d["path"] == "records/QR-06-01/CSS-2026-013.yaml" and "below 75" in d["message"] for d in found), found
