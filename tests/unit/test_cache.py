"""The check cache (.qms-cache/): a warm run reports exactly what a cold run reports, and any
change to content, forms, schemas, settings, the date, git or the tool is never missed.

Files written by a test are seconds old, and the cache refuses to trust the stat signature of
a file changed less than RACY_NS ago (it hashes it again), so most tests set RACY_NS to 0 to
exercise the signature path too; `test_recent_files_are_hashed_again` covers the default.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from site_builder.check import files as filecheck
from site_builder.check import run as pipeline
from site_builder.fast import check_cache as cache

RECORD = "records/QR-02-01/CPL-2025-001.yaml"


@pytest.fixture
def trust_signatures(monkeypatch):
    monkeypatch.setattr(cache, "RACY_NS", 0)


@pytest.fixture
def count_file_checks(monkeypatch):
    """Counts the files the per-file stage really checks (cache misses)."""
    calls: list[str] = []
    original = filecheck.FileChecker.check

    def counting(self, source):
        calls.append(source.path)
        return original(self, source)

    monkeypatch.setattr(filecheck.FileChecker, "check", counting)
    return calls


def cold(run_check, root, today="2026-11-23"):
    return run_check(root, today, "--no-cache")


def test_warm_check_reports_the_cold_result_without_checking_files(repo, edit, run_check, trust_signatures,
                                                                   count_file_checks):
    edit.replace(repo, RECORD, "quantity: 12", "quantity: 十二")  # one schema error, positioned
    first = run_check(repo)
    assert first[0] == 1 and any(d["code"] == "SB200" and d["path"] == RECORD for d in first[1])
    checked_first = len(count_file_checks)
    assert checked_first >= 6
    second = run_check(repo)
    assert second == first
    assert len(count_file_checks) == checked_first, "the warm run checked files again"
    assert cold(run_check, repo) == first


def test_warm_check_prints_the_same_text_summary(repo, trust_signatures, capsys):
    from site_builder import cli

    outputs = []
    for _ in range(2):
        cli.main(["check", "--root", str(repo), "--today", "2026-11-23"])
        outputs.append(capsys.readouterr())
    assert outputs[0] == outputs[1]
    assert "3 documents, 2 forms, 3 records" in outputs[1].err


@pytest.mark.parametrize(("path", "old", "new", "code"), [
    (RECORD, "quantity: 12", "quantity: -3", "SB200"),  # a record
    ("forms/QR-02-01.yaml", "choices: [产品质量, 交付, 服务]", "choices: [交付, 服务]", "SB200"),  # its form
    ("qms.yaml", "record: '^[A-Z]{2,5}-[0-9]{4}-[0-9]{3,6}$'", "record: '^[A-Z]{2,5}-[0-9]{4}-[0-9]{4,6}$'", "SB300"),
    ("procedures/QP-01-document-control.md", "review_period_months: 24", "review_period_months: 24\nbogus: 1", "SB202"),
])
def test_an_edit_invalidates_what_depends_on_it(repo, edit, run_check, trust_signatures, path, old, new, code):
    before = run_check(repo)
    assert not any(d["code"] == code for d in before[1])
    edit.replace(repo, path, old, new)
    after = run_check(repo)
    assert any(d["code"] == code for d in after[1]), after
    assert after == cold(run_check, repo)


def test_a_schema_edit_invalidates(repo, run_check, trust_signatures):
    run_check(repo)
    path = repo / "schemas" / "procedure.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["required"] = [*schema["required"], "approver_note"]
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    after = run_check(repo)
    assert any(d["code"] == "SB201" and "approver_note" in d["message"] for d in after[1]), after
    assert after == cold(run_check, repo)


def test_another_date_is_checked_afresh(repo, run_check, trust_signatures):
    early = run_check(repo, "2026-01-01")
    late = run_check(repo, "2031-01-01")  # every two-year review is overdue by then
    assert not any(d["code"] == "SB409" for d in early[1])
    assert any(d["code"] == "SB409" for d in late[1])
    assert late == cold(run_check, repo, "2031-01-01")
    assert run_check(repo, "2026-01-01") == early


def test_a_new_tool_version_invalidates(repo, run_check, trust_signatures, count_file_checks, monkeypatch):
    run_check(repo)
    checked = len(count_file_checks)
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "another build of the tool")
    assert run_check(repo) == cold(run_check, repo)
    assert len(count_file_checks) >= 2 * checked  # the warm run and the cold run both checked every file


def test_a_new_commit_reruns_the_repository_rules(repo, run_check, trust_signatures, monkeypatch):
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "one"], check=True)
    calls = []
    original = pipeline.change_control_rules
    monkeypatch.setattr(pipeline, "change_control_rules", lambda *a: calls.append(1) or original(*a))
    run_check(repo)
    run_check(repo)
    assert len(calls) == 1
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "two"], check=True)
    run_check(repo)
    assert len(calls) == 2


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong types", "empty"])
def test_a_damaged_cache_is_ignored(repo, edit, run_check, trust_signatures, damage):
    edit.replace(repo, RECORD, "quantity: 12", "quantity: 十二")
    expected = run_check(repo)
    for name in ("files.jsonl", "result.json"):
        path = repo / cache.CACHE_DIR / name
        text = path.read_text(encoding="utf-8")
        path.write_text({"garbage": "\x00{not json\n[1,2", "truncated": text[: len(text) // 2],
                         "wrong types": text.replace('"', "'").replace("[", "{"), "empty": ""}[damage], encoding="utf-8")
    assert run_check(repo) == expected
    assert run_check(repo) == expected  # and the rewritten cache is sound


def test_a_row_with_the_wrong_shape_is_not_trusted(repo, edit, run_check, trust_signatures):
    edit.replace(repo, RECORD, "quantity: 12", "quantity: 十二")
    expected = run_check(repo)
    (repo / cache.CACHE_DIR / "result.json").unlink()
    path = repo / cache.CACHE_DIR / "files.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    head, _, _ = lines[1].partition("\t")
    lines[1] = head + "\t" + '{"unexpected": true}\n'
    path.write_text("".join(lines), encoding="utf-8")
    assert run_check(repo) == expected


def test_no_cache_neither_reads_nor_writes(repo, run_check):
    cold(run_check, repo)
    assert not (repo / cache.CACHE_DIR).exists()


def test_the_cache_ignores_itself_in_git(repo, run_check):
    run_check(repo)
    assert (repo / cache.CACHE_DIR / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_environment_switch_disables_the_cache(repo, run_check, monkeypatch):
    monkeypatch.setenv("QMS_NO_CACHE", "1")  # (read by the command line only)
    run_check(repo)
    assert not (repo / cache.CACHE_DIR).exists()


def test_recent_files_are_hashed_again(repo, edit, run_check, count_file_checks):
    """With the default racy window every file just written is checked again, never trusted by stat."""
    run_check(repo)
    first = len(count_file_checks)
    run_check(repo)
    assert len(count_file_checks) == 2 * first
    # Same size and the old mtime put back: the change is still seen (ctime and the content hash).
    path = repo / RECORD
    stat = path.stat()
    edit.replace(repo, RECORD, "quantity: 12", "quantity: -1")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    after = run_check(repo)
    assert any(d["code"] == "SB200" and d["path"] == RECORD for d in after[1])
    assert after == cold(run_check, repo)


def test_build_uses_per_file_rows_and_still_builds_the_manual(repo, run_check, trust_signatures, count_file_checks):
    from datetime import date

    run_check(repo)
    checked = len(count_file_checks)
    result = pipeline.check(repo, date(2026, 11, 23), use_cache=True, need_manual=True)
    assert len(count_file_checks) == checked
    assert result.manual is not None and len(result.manual.records) == 3
    cold_result = pipeline.check(repo, date(2026, 11, 23))
    assert result.diagnostics == cold_result.diagnostics
    assert [r.values for r in result.manual.records] == [r.values for r in cold_result.manual.records]


def test_unchanged_rows_are_not_rewritten_and_removed_files_drop_out(repo, edit, run_check, trust_signatures):
    run_check(repo)
    rows = repo / cache.CACHE_DIR / "files.jsonl"
    content, written = rows.read_bytes(), rows.stat().st_mtime_ns
    (repo / cache.CACHE_DIR / "result.json").unlink()  # the next run goes through the per-file rows
    run_check(repo)
    assert rows.read_bytes() == content and rows.stat().st_mtime_ns == written
    edit.remove(repo, "records/QR-02-02/CAR-2026-001.yaml")
    after = run_check(repo)
    assert "CAR-2026-001" not in rows.read_text(encoding="utf-8")
    assert after == cold(run_check, repo)


def test_a_changed_file_adds_its_row_and_later_rows_win(repo, edit, run_check, trust_signatures, count_file_checks):
    run_check(repo)
    rows = repo / cache.CACHE_DIR / "files.jsonl"
    lines = rows.read_text(encoding="utf-8").splitlines()
    edit.replace(repo, RECORD, "quantity: 12", "quantity: 13")
    expected = run_check(repo)
    after = rows.read_text(encoding="utf-8").splitlines()
    assert after[: len(lines)] == lines and len(after) == len(lines) + 1  # appended, not rewritten
    assert after[-1].startswith(json.dumps([RECORD])[:-1])
    (repo / cache.CACHE_DIR / "result.json").unlink()
    checked = len(count_file_checks)
    assert run_check(repo) == expected
    assert len(count_file_checks) == checked  # the appended row replaced the old one of the same file


def test_a_torn_appended_line_discards_the_rows(repo, edit, run_check, trust_signatures, count_file_checks):
    expected = run_check(repo)
    rows = repo / cache.CACHE_DIR / "files.jsonl"
    text = rows.read_text(encoding="utf-8")
    last = text.splitlines(keepends=True)[-1]
    for torn in (last[: len(last) // 2], last[:-1]):  # cut mid-row, cut before the newline
        rows.write_text(text + torn, encoding="utf-8")
        (repo / cache.CACHE_DIR / "result.json").unlink(missing_ok=True)
        checked = len(count_file_checks)
        assert run_check(repo) == expected
        assert len(count_file_checks) > checked  # nothing of the damaged file was trusted


def test_rows_are_compacted_when_the_file_holds_twice_as_many_lines_as_files(repo, edit, run_check, trust_signatures):
    from site_builder.load.sources import discover

    run_check(repo)
    rows = repo / cache.CACHE_DIR / "files.jsonl"
    files = len(discover(repo)[0])
    lengths = []
    for value in range(13, 13 + 3 * files):
        edit.replace(repo, RECORD, f"quantity: {value - 1}", f"quantity: {value}")
        (repo / cache.CACHE_DIR / "result.json").unlink(missing_ok=True)
        run_check(repo)
        lengths.append(len(rows.read_text(encoding="utf-8").splitlines()) - 1)
    assert max(lengths) <= 2 * files + 1
    assert any(after < before for before, after in zip(lengths, lengths[1:]))  # compacted at least once
    assert run_check(repo) == cold(run_check, repo)


def test_the_requirements_map_the_caller_names_is_part_of_the_key(tmp_path):
    """CheckCache is told where the requirements map is (compliance.requirements.map_location); its
    place and its content key the whole result, and it never imports the compliance package itself."""
    from datetime import date

    (tmp_path / "schemas").mkdir()
    mapping = tmp_path / "requirements.yaml"
    mapping.write_text("a: 1\n", encoding="utf-8")

    def key(found):
        return cache.CheckCache(tmp_path, date(2026, 11, 23), [], [], found).global_key

    first = key((mapping, "requirements.yaml"))
    assert key((mapping, "requirements.yaml")) == first
    assert key(None) != first
    mapping.write_text("a: 2\n", encoding="utf-8")
    assert key((mapping, "requirements.yaml")) != first


def test_the_code_fingerprint_covers_every_module_of_the_tool():
    """A change to any module (not only those beside the cache, in fast/) must invalidate cached results."""
    package = Path(cache.__file__).resolve().parents[1]
    files = {p.relative_to(package).as_posix() for p in cache.code_files()}
    assert {"check/run.py", "check/rules/record_values.py", "diagnostics.py", "derive/scoring.py",
            "fast/check_cache.py"} <= files
    assert files == {p.relative_to(package).as_posix() for p in package.rglob("*.py")}


def test_a_kept_file_growing_past_its_limit_is_seen_by_a_warm_check(repo, edit, run_check, trust_signatures):
    """Files kept under external/files/ are not content files, but the check reads their size (SB710):
    a warm check must see one change."""
    edit.append(repo, "qms.yaml", "external:\n  max_file_bytes: 2048\n")
    edit.write(repo, "external/EXT-2026-001.yaml", (
        "id: EXT-2026-001\ntitle: 交付技术要求\norigin: customer\nissuer: 测试客户有限公司\nnumber: KH-JS-01\n"
        "edition: A版\nreceived: 2026-11-02\nreceived_by: 唐振宇\nstatus: current\ndistribution: []\n"
        "file: external/files/KH-JS-01.pdf\n"))
    edit.write(repo, "external/files/KH-JS-01.pdf", b"%PDF-1.4\n")
    first = run_check(repo)
    assert not [d for d in first[1] if d["code"] == "SB710"]
    path = repo / "external" / "files" / "KH-JS-01.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"0" * 4096)
    os.utime(path, ns=(path.stat().st_mtime_ns + 5_000_000_000,) * 2)
    second = run_check(repo)
    assert [d["code"] for d in second[1] if d["code"] == "SB710"] == ["SB710"]
    assert second == cold(run_check, repo)
