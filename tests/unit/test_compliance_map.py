"""The requirements map (compliance/requirements.yaml) cannot drift from the code and the test suite:
every item names mechanisms that exist (diagnostic codes, commands, generated pages), tests that
exist in tests/ (found with ast, never by importing them), evidence pages the auditor site has and
a known measure; an invalid map is reported by `check` with its position."""

from __future__ import annotations

import ast
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from site_builder import diagnostics as dg
from site_builder.build import render_manual
from site_builder.check import run as pipeline
from site_builder.cli.commands import REGISTRY
from site_builder.compliance import MEASURES
from site_builder.compliance.requirements import MAP_FILE, load_requirements

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 12, 6)


@pytest.fixture(scope="module")
def shipped():
    """The shipped manual's check result, its requirements map and its auditor site (rendered in memory)."""
    result = pipeline.check(ROOT, TODAY)
    assert result.manual is not None and not result.errors, [d.format_text() for d in result.diagnostics if d.severity == dg.ERROR]
    requirements = result.requirements
    assert requirements is not None and requirements.path == MAP_FILE
    return result, requirements, render_manual(result.manual, "auditor", {"commit": "0" * 40}, result=result)


@cache
def suite_functions() -> dict[str, set[str]]:
    """tests/... file -> names of its test functions (module level, and Class::method)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = set()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                names.add(node.name)
            elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                names |= {f"{node.name}::{m.name}" for m in node.body
                          if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and m.name.startswith("test")}
        found[path.relative_to(ROOT).as_posix()] = names
    return found


def test_the_map_loads_and_check_stays_clean_with_the_compliance_folder(shipped):
    result, requirements, _site = shipped
    assert len(requirements.items) >= 30
    assert not [d for d in result.diagnostics if d.path.startswith("compliance/") or d.code == "SB115"]
    assert len({item.id for item in requirements.items}) == len(requirements.items), "item ids must be unique"


def test_every_item_names_an_existing_mechanism(shipped):
    _result, requirements, site = shipped
    for item in requirements.items:
        if item.coverage != "none":
            assert item.rules or item.pages or item.commands, f"{item.id} names no mechanism"
        for code in item.rules:
            assert code in dg.CODES, f"{item.id}: unknown diagnostic code {code}"
        for command in item.commands:
            assert command in REGISTRY, f"{item.id}: unknown command {command}"
        for page in item.pages:
            assert page in site.pages, f"{item.id}: the auditor site has no page {page}"


def test_every_item_names_tests_that_exist_in_the_suite(shipped):
    _result, requirements, _site = shipped
    functions = suite_functions()
    assert sum(len(names) for names in functions.values()) > 100  # the collector really found the suite
    for item in requirements.items:
        assert item.tests, f"{item.id} names no test"
        for node in item.tests:
            file, _, name = node.partition("::")
            assert file in functions, f"{item.id}: {file} does not exist"
            assert name in functions[file], f"{item.id}: {node} is not a test in {file}"


def test_every_item_names_a_known_measure_and_evidence_the_site_has(shipped):
    _result, requirements, site = shipped
    for item in requirements.items:
        assert item.measure in MEASURES, f"{item.id}: unknown measure {item.measure}"
        assert (item.measure == "none") == (item.coverage == "none"), f"{item.id}: only uncovered items have no figure"
        for evidence in item.evidence:
            assert evidence.page in site.pages or evidence.page in site.files, f"{item.id}: no page {evidence.page}"


def test_the_map_covers_the_clauses_the_auditor_asks_for(shipped):
    _result, requirements, _site = shipped
    clauses = " | ".join(item.clause for item in requirements.items)
    for clause in ("7.5.2 a", "7.5.2 b", "7.5.2 c", "7.5.3.1 a", "7.5.3.1 b", "7.5.3.2 a", "7.5.3.2 b", "7.5.3.2 c",
                   "7.5.3.2 d", "4.2.4 a", "4.2.4 b", "4.2.4 c", "4.2.4 d", "4.2.4 e", "4.2.4 h", "4.2.5", "11.10(a)",
                   "11.10(b)", "11.10(c)", "11.10(d)", "11.10(e)", "11.10(f)", "11.10(g)", "11.10(k)", "11.50", "11.70"):
        assert clause in clauses, f"no item for {clause}"


def test_invalid_map_is_reported_by_check_with_its_position(repo, edit, run_check):
    shipped_map = (ROOT / MAP_FILE).read_text(encoding="utf-8")
    broken = (shipped_map.replace("measure: documents_incompletely_identified", "measure: documents_unidentified", 1)
              .replace("rules: [SB405, SB406, SB407]", "rules: [SB405, SB999, SB407]", 1)
              .replace("    standard: ISO 9001:2015\n    clause: ISO 9001:2015 7.5.2 b\n", "    clause: ISO 9001:2015 7.5.2 b\n", 1))
    edit.write(repo, MAP_FILE, broken)
    code, found = run_check(repo)
    assert code == 1
    mine = sorted((d["code"], d["line"], d["col"], d["message"]) for d in found if d["path"] == MAP_FILE)
    assert [c for c, *_ in mine] == ["SB201"], mine  # schema errors first; names are checked on a valid map
    assert "'standard' is missing" in mine[0][3]
    edit.write(repo, MAP_FILE, broken.replace("    clause: ISO 9001:2015 7.5.2 b\n",
                                              "    standard: ISO 9001:2015\n    clause: ISO 9001:2015 7.5.2 b\n", 1))
    code, found = run_check(repo)
    mine = {d["message"].split(" (hint")[0]: (d["line"], d["col"]) for d in found if d["path"] == MAP_FILE}
    text = edit.read(repo, MAP_FILE)
    assert mine == {
        "items[0].measure: unknown measure 'documents_unidentified'": edit.pos(repo, MAP_FILE, "documents_unidentified"),
        "items[2].mechanism.rules: unknown diagnostic code 'SB999'": edit.pos(repo, MAP_FILE, "SB999"),
    }, text[:200]


def test_yaml_errors_in_the_map_name_the_line(repo, edit, run_check):
    edit.write(repo, MAP_FILE, "title: 检查表\ntitle: 又一个\nitems: []\n")
    code, found = run_check(repo)
    assert code == 1
    assert [(d["code"], d["line"]) for d in found if d["path"] == MAP_FILE] == [("SB106", 2)]


def test_a_repository_without_a_map_uses_the_tools_own(repo):
    requirements, problems = load_requirements(repo, set(MEASURES))
    assert problems == [] and requirements is not None
    assert requirements.source == ROOT / MAP_FILE
