"""Packaging a user can install (issue 21).

`pip install qms-site` gives every command but `print`; `pip install 'qms-site[print]'` adds Playwright,
which drives Debian's chromium.  Without Playwright, `qms print` exits 2 with one line naming the extra
(no traceback, before any work is done).  The licence is an SPDX string, so that setuptools >= 77 builds
the wheel without a deprecation warning.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

from site_builder import cli

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: an effective document of the shipped manual
DOC_ID = "QP-06"


def _names(requirements: list[str]) -> dict[str, Requirement]:
    return {Requirement(line).name.lower(): Requirement(line) for line in requirements}


def test_print_extra_holds_playwright_and_no_base_dependency_does():
    extras = PROJECT["project"]["optional-dependencies"]
    assert "print" in extras, "pyproject.toml has no `print` extra: pip install 'qms-site[print]' would not install Playwright"
    assert "playwright" in _names(extras["print"]), extras["print"]
    assert "playwright" not in _names(PROJECT["project"]["dependencies"]), "Playwright must stay optional (the print extra)"


def test_test_extra_brings_playwright_too():
    test = _names(PROJECT["project"]["optional-dependencies"]["test"])
    name = PROJECT["project"]["name"]
    assert "playwright" in test or "print" in getattr(test.get(name), "extras", set()), \
        f"the test extra must install Playwright (directly or as {name}[print]) for the print and browser tests"


def test_license_is_an_spdx_expression_and_the_backend_understands_it():
    assert PROJECT["project"]["license"] == "MIT", \
        "project.license must be the SPDX string \"MIT\" (a TOML table is deprecated by setuptools)"
    floors = [Requirement(r) for r in PROJECT["build-system"]["requires"] if Requirement(r).name == "setuptools"]
    assert floors and floors[0].specifier.contains("77") and not floors[0].specifier.contains("76.9"), \
        "an SPDX license string needs setuptools>=77 in [build-system] requires"


def test_print_without_playwright_exits_2_naming_the_extra(monkeypatch, capsys):
    for name in [name for name in sys.modules if name == "playwright" or name.startswith("playwright.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "playwright", None)  # `import playwright...` now raises ImportError

    code = cli.main(["print", DOC_ID, "--root", str(ROOT), "--today", "2026-12-06"])

    out, err = capsys.readouterr()
    assert code == 2, out + err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got:\n{err}"
    assert "qms-site[print]" in lines[0] and "pip install" in lines[0], lines[0]
    assert lines[0].startswith("qms: error:"), lines[0]
    assert "Traceback" not in out + err and "internal error" not in err
