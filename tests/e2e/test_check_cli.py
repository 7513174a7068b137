"""`python -m site_builder check` and the `qms` console script as a user runs them (subprocess)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
QMS = Path(sys.executable).parent / "qms"
TODAY = "2026-11-23"
LINE = re.compile(r"^(?P<path>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning) (?P<code>SB\d{3}) (?P<message>.+)$")


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k not in ("QMS_TODAY", "QMS_DEBUG")}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run(*args: str, program: list[str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    command = (program or [PYTHON, "-m", "site_builder"]) + list(args)
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", cwd=cwd or ROOT,
                          env=environment(), timeout=600)


def assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr


def test_shipped_repository_checks_without_crashing():
    result = run("check", "--format", "json", "--root", str(ROOT), "--today", TODAY)
    assert_no_traceback(result)
    assert result.returncode in (0, 1), result.stderr
    diagnostics = json.loads(result.stdout)
    assert isinstance(diagnostics, list)
    for d in diagnostics:
        assert set(d) == {"path", "line", "col", "severity", "code", "message"}
        assert d["severity"] in ("error", "warning") and re.fullmatch(r"SB\d{3}", d["code"])
        assert d["line"] >= 1 and d["col"] >= 1 and not Path(d["path"]).is_absolute()
    assert result.returncode == (1 if any(d["severity"] == "error" for d in diagnostics) else 0)


def test_shipped_repository_text_output():
    result = run("check", "--today", TODAY)  # run from the repository root: --root found from the working folder
    assert_no_traceback(result)
    assert result.returncode in (0, 1)
    for line in result.stdout.splitlines():
        assert LINE.match(line) or line.startswith("    hint: "), line
    assert re.search(r"\d+ error\(s\), \d+ warning\(s\)", result.stderr)


@pytest.fixture
def broken(repo_factory, edit) -> Path:
    """The minimal manual with three errors of three kinds in three files."""
    root = repo_factory()
    edit.replace(root, "procedures/QP-01-document-control.md", "status: effective", "staus: effective")  # schema
    edit.replace(root, "forms/QR-02-02.yaml", "owner: 质量部", "owner: 品保部")                       # rule
    edit.replace(root, "records/QR-02-01/CPL-2025-001.yaml", "date: 2025-09-15", "date: 2025-09-31")  # format
    return root


EXPECTED = [
    # (path, line, col, code): each worked out from the file as mutated above
    ("forms/QR-02-02.yaml", 7, 8, "SB306"),                          # 'owner: 品保部' is line 7
    ("procedures/QP-01-document-control.md", 6, 1, "SB202"),         # 'staus: effective' is file line 6: at the key
    ("records/QR-02-01/CPL-2025-001.yaml", 5, 7, "SB203"),           # 'date: 2025-09-31' is line 5
]


def test_broken_copy_text_output_reports_everything_in_one_run(broken):
    result = run("check", "--root", str(broken), "--today", TODAY)
    assert_no_traceback(result)
    assert result.returncode == 1
    reported = []
    for line in result.stdout.splitlines():
        if line.startswith("    hint: "):
            continue
        match = LINE.match(line)
        assert match, f"not 'path:line:col: severity CODE message': {line!r}"
        path = match["path"]
        assert not Path(path).is_absolute() and str(broken) not in path and "\\" not in path
        reported.append((path, int(match["line"]), int(match["col"]), match["code"]))
    for expected in EXPECTED:
        assert expected in reported, f"{expected} missing from:\n{result.stdout}"
    assert {p for p, *_ in EXPECTED} <= {p for p, *_ in reported}
    assert re.search(r"[1-9]\d* error\(s\)", result.stderr)


def test_broken_copy_json_output(broken):
    result = run("check", "--format", "json", "--root", str(broken), "--today", TODAY)
    assert_no_traceback(result)
    assert result.returncode == 1
    diagnostics = json.loads(result.stdout)
    reported = {(d["path"], d["line"], d["col"], d["code"]) for d in diagnostics if d["severity"] == "error"}
    assert set(EXPECTED) <= reported
    assert result.stderr == ""  # JSON goes to stdout alone; nothing else is printed


def test_text_output_carries_hints(broken):
    result = run("check", "--root", str(broken), "--today", TODAY)
    out = result.stdout.splitlines()
    index = next(i for i, line in enumerate(out) if " SB202 " in line)
    assert out[index + 1].startswith("    hint: ") and "did you mean 'status'" in out[index + 1]


def test_clean_copy_exits_0(repo_factory):
    result = run("check", "--root", str(repo_factory()), "--today", TODAY)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b0 error\(s\)", result.stderr)


def test_strict_turns_warnings_into_failure(repo_factory):
    root = repo_factory()  # no git history: warning SB413 only
    assert run("check", "--root", str(root), "--today", TODAY).returncode == 0
    assert run("check", "--strict", "--root", str(root), "--today", TODAY).returncode == 1


def test_root_is_found_from_a_subfolder(repo_factory):
    root = repo_factory()
    result = run("check", "--format", "json", "--today", TODAY, cwd=root / "records" / "QR-02-01")
    assert result.returncode == 0, result.stdout + result.stderr
    assert [d["code"] for d in json.loads(result.stdout)] == ["SB413"]


def test_today_from_environment(repo_factory):
    root = repo_factory()
    env = dict(environment(), QMS_TODAY="2025-12-20")  # QP-01 is effective from 2026-01-01: SB404 that day
    result = subprocess.run([PYTHON, "-m", "site_builder", "check", "--format", "json", "--root", str(root)],
                            capture_output=True, text=True, encoding="utf-8", env=env, timeout=600)
    assert result.returncode == 1
    assert "SB404" in {d["code"] for d in json.loads(result.stdout)}


@pytest.mark.parametrize("args", [
    ["check", "--format", "xml"],
    ["check", "--today", "notadate"],
    ["check", "--today", "2026-02-30"],
    ["check", "--root", "/nonexistent/qms-root"],
    ["check", "--no-such-option"],
    ["no-such-command"],
    [],
])
def test_usage_errors_exit_2_without_traceback(args, repo_factory):
    if "--root" not in args and args[:1] == ["check"]:
        args = [*args, "--root", str(repo_factory())]
    result = run(*args)
    assert_no_traceback(result)
    assert result.returncode == 2, (args, result.stdout, result.stderr)
    assert (result.stderr + result.stdout).strip()  # a message or the usage text


def test_bad_today_message_names_the_value(repo_factory):
    result = run("check", "--today", "notadate", "--root", str(repo_factory()))
    assert "notadate" in result.stderr and "YYYY-MM-DD" in result.stderr


def test_qms_console_script_matches_python_m(broken):
    assert QMS.exists(), f"console script missing: {QMS} (pip install -e .)"
    via_module = run("check", "--format", "json", "--root", str(broken), "--today", TODAY)
    via_script = run("check", "--format", "json", "--root", str(broken), "--today", TODAY, program=[str(QMS)])
    assert via_script.returncode == via_module.returncode == 1
    assert json.loads(via_script.stdout) == json.loads(via_module.stdout)
    assert run("check", "--format", "xml", program=[str(QMS)]).returncode == 2
    help_text = run("--help", program=[str(QMS)])
    assert help_text.returncode == 0 and "check" in help_text.stdout
