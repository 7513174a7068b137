"""The bad-input corpus in tests/cases/: each case's files laid over the minimal manual, checked
against its expect.yaml (see tests/cases/README.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

CASES = Path(__file__).resolve().parents[1] / "cases"
CASE_DIRS = sorted(p for p in CASES.iterdir() if (p / "expect.yaml").is_file())


def test_the_corpus_is_not_empty():
    assert len(CASE_DIRS) >= 10


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_case(case, repo_factory, run_check, tmp_path):
    expected = yaml.safe_load((case / "expect.yaml").read_text(encoding="utf-8"))
    assert set(expected) <= {"about", "exit", "diagnostics", "errors_exactly"}, expected
    root = repo_factory()
    shutil.copytree(case / "files", root, dirs_exist_ok=True)
    marker = Path("/tmp/qms-pwned")
    existed = marker.exists()
    code, diagnostics = run_check(root)
    assert marker.exists() == existed  # nothing in a case may ever execute
    report = "\n".join(f"{d['path']}:{d['line']}:{d['col']}: {d['severity']} {d['code']} {d['message']}"
                       for d in diagnostics)
    for want in expected["diagnostics"]:
        found = [d for d in diagnostics if (d["code"], d["path"], d["line"], d["col"]) ==
                 (want["code"], want["path"], want["line"], want["col"])]
        assert found, f"{case.name}: expected {want}; check reported:\n{report}"
        if "message_contains" in want:
            assert want["message_contains"] in found[0]["message"], found[0]
    if expected.get("errors_exactly"):
        errors = sorted((d["code"], d["path"], d["line"], d["col"]) for d in diagnostics if d["severity"] == "error")
        assert errors == sorted((w["code"], w["path"], w["line"], w["col"]) for w in expected["diagnostics"]), report
    assert code == expected["exit"], report
