"""Shared fixtures for the foundation tests (loader, schemas, rules, `check`).

* `repo_factory()` copies the minimal valid manual in tests/fixtures/minimal/ into a fresh
  temporary folder and returns its path.  The JSON Schemas are copied from the repository's own
  schemas/ at test time (never duplicated in the fixture); schemas/records/ is regenerated for the
  fixture's forms, as `python -m site_builder schemas` would, so the copy starts with no warning
  other than SB413 (a temporary folder has no git history).
* `edit` writes, appends, replaces and locates text in such a copy.  `replace` insists that the
  old text occurs exactly once, so a mutation can never silently do nothing.
* `run_check(root, today=TODAY)` runs `site_builder.cli.main(["check", ..., "--format", "json"])`
  in-process and returns `(exit_code, diagnostics)` with the diagnostics as parsed JSON dicts.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from site_builder import cli
from site_builder.check import run as pipeline

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
MINIMAL = Path(__file__).resolve().parent / "fixtures" / "minimal"
TODAY = "2026-11-23"


@pytest.fixture(autouse=True)
def _no_git_environment(monkeypatch):
    """A git hook exports GIT_DIR & co.; they would point the history reader at the wrong repository."""
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_CEILING_DIRECTORIES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("QMS_TODAY", raising=False)


@pytest.fixture(scope="session")
def minimal_template(tmp_path_factory) -> Path:
    """The minimal manual with the current schemas and its derived record schemas, built once."""
    root = tmp_path_factory.mktemp("template") / "manual"
    shutil.copytree(MINIMAL, root)
    (root / "schemas").mkdir()
    for schema in SCHEMAS.glob("*.json"):
        shutil.copy2(schema, root / "schemas" / schema.name)
    result = pipeline.check(root, date.fromisoformat(TODAY))
    assert result.record_schemas, [d.format_text() for d in result.diagnostics]
    (root / "schemas" / "records").mkdir()
    for form_id, schema in result.record_schemas.items():
        (root / "schemas" / "records" / f"{form_id}.schema.json").write_text(
            pipeline.record_schema_text(schema), encoding="utf-8")
    return root


@pytest.fixture
def repo_factory(minimal_template, tmp_path):
    """Call it to get a fresh, writable copy of the minimal manual (a new folder per call)."""
    counter = iter(range(1000))

    def make() -> Path:
        root = tmp_path / f"manual{next(counter)}"
        shutil.copytree(minimal_template, root)
        return root

    return make


@pytest.fixture
def repo(repo_factory) -> Path:
    """One copy of the minimal manual."""
    return repo_factory()


def run_check_in_process(root: Path, today: str = TODAY, *extra: str) -> tuple[int, list[dict]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["check", "--root", str(root), "--today", today, "--format", "json", *extra])
    assert "Traceback" not in err.getvalue(), err.getvalue()
    assert code in (0, 1), f"exit {code}: {err.getvalue()}"
    return code, json.loads(out.getvalue())


@pytest.fixture
def run_check():
    return run_check_in_process


class Editor:
    """Text helpers for a copied manual; every path is relative to the manual's root."""

    @staticmethod
    def read(root: Path, relative: str) -> str:
        return (root / relative).read_text(encoding="utf-8")

    @staticmethod
    def write(root: Path, relative: str, content: str | bytes) -> Path:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
        return path

    @staticmethod
    def append(root: Path, relative: str, text: str) -> None:
        with (root / relative).open("a", encoding="utf-8", newline="") as handle:
            handle.write(text)

    @staticmethod
    def replace(root: Path, relative: str, old: str, new: str) -> None:
        text = Editor.read(root, relative)
        assert text.count(old) == 1, f"{relative}: expected exactly one {old!r}, found {text.count(old)}"
        Editor.write(root, relative, text.replace(old, new))

    @staticmethod
    def remove(root: Path, relative: str) -> None:
        (root / relative).unlink()

    @staticmethod
    def pos(root: Path, relative: str, needle: str, offset: int = 0) -> tuple[int, int]:
        """1-based (line, column) of the character `offset` characters into the only `needle`."""
        text = Editor.read(root, relative)
        assert text.count(needle) == 1, f"{relative}: expected exactly one {needle!r}, found {text.count(needle)}"
        return text_position(text, text.index(needle) + offset)


def text_position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column (in characters) of `text[index]`."""
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


@pytest.fixture
def edit():
    return Editor


# ---------------------------------------------------------------- last test run, for `audit-bundle`
# Each run writes .qms/test-results.json (gitignored): node id -> outcome of that run, so the audit
# bundle can list the tests of the requirements map with their result.  Written atomically.

_OUTCOMES: dict[str, str] = {}


def pytest_runtest_logreport(report):
    if report.when == "call" or report.outcome != "passed":
        if hasattr(report, "wasxfail"):
            outcome = "xfailed" if report.skipped else "xpassed"
        elif report.when != "call" and report.failed:
            outcome = "error"
        else:
            outcome = report.outcome
        if _OUTCOMES.get(report.nodeid) not in ("failed", "error"):
            _OUTCOMES[report.nodeid] = outcome


def pytest_sessionfinish(session, exitstatus):
    if not _OUTCOMES or hasattr(session.config, "workerinput"):
        return
    import os
    import tempfile
    from datetime import UTC, datetime

    folder = ROOT / ".qms"
    data = {"finished_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "exit_status": int(exitstatus),
            "tests": dict(sorted(_OUTCOMES.items()))}
    try:
        folder.mkdir(exist_ok=True)
        handle, partial = tempfile.mkstemp(prefix=".test-results.", dir=folder)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, ensure_ascii=False, indent=1)
        os.replace(partial, folder / "test-results.json")
    except OSError:
        pass  # a read-only checkout still runs its tests
