"""One error per cause (issue 28): a tab that makes a file unreadable gives exactly that file's error,
first, and a summary that says what could not be read and what was not checked; references to the
unreadable file's number do not cascade into SB303/SB304/SB305."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ("procedures", "forms", "records", "external", "schemas", "qms.yaml", "organisation.yaml", "mkdocs.yml")


@pytest.fixture
def manual(tmp_path) -> Path:
    root = tmp_path / "manual"
    root.mkdir()
    for name in CONTENT:
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, root / name)
    return root


def check(root: Path) -> tuple[list[str], str]:
    done = subprocess.run([sys.executable, "-m", "site_builder", "check", "--no-cache", "--root", str(root),
                           "--today", "2026-12-06"], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    errors = [line for line in done.stdout.splitlines() if ": error " in line]
    return errors, done.stderr.strip().splitlines()[-1]


def tab_at(path: Path, line: int) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[line - 1] = "\t" + lines[line - 1].lstrip(" ")
    path.write_text("\n".join(lines), encoding="utf-8")


def first_indented(path: Path) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if line.startswith("  "))


def test_a_tab_in_a_cited_procedure_is_one_error(manual):
    path = next((manual / "procedures").glob("QP-06-*.md"))
    line = first_indented(path)
    tab_at(path, line)
    errors, summary = check(manual)
    assert len(errors) == 1 and errors[0].startswith(f"procedures/{path.name}:{line}:1: error SB105"), errors
    assert "1 file(s) could not be read" in summary and summary.startswith("1 error(s)")


def test_a_tab_in_the_survey_form_is_one_error_and_its_records_are_counted_as_not_checked(manual):
    path = manual / "forms" / "QR-06-01.yaml"
    records = len(list((manual / "records" / "QR-06-01").glob("*.yaml")))
    tab_at(path, first_indented(path))
    errors, summary = check(manual)
    assert len(errors) == 1 and errors[0].startswith("forms/QR-06-01.yaml:") and "SB105" in errors[0], errors
    assert f"{records} record(s) not checked because their form could not be read" in summary


def test_a_tab_in_the_organisation_is_one_error(manual):
    path = manual / "organisation.yaml"
    line = first_indented(path)
    tab_at(path, line)
    errors, summary = check(manual)
    assert errors == [e for e in errors if e.startswith(f"organisation.yaml:{line}:")] and len(errors) == 1, errors
    assert "could not be read" in summary and "rules across files were not run" in summary


def test_an_unreadable_record_is_not_reported_as_missing_where_it_is_referred_to(manual):
    customers = sorted((manual / "records" / "QR-05-04").glob("*.yaml"))
    path = next(p for p in customers if any(p.stem in q.read_text(encoding="utf-8")
                                            for q in (manual / "records" / "QR-06-01").glob("*.yaml")))
    tab_at(path, 2)
    errors, _ = check(manual)
    assert len(errors) == 1 and errors[0].startswith(f"records/QR-05-04/{path.name}:2:1: error SB105"), errors
