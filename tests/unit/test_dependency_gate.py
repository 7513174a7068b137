"""Dependency gate (bad-inputs B08, section 2): security floors and a ban on unsafe calls.

(a) The installed versions of the parsing and rendering stack are at or above the security
    floors, and pyproject.toml declares floors at least that high, so a fresh install cannot
    fall below them.
(b) The code base (site_builder/, read with `ast`) never loads YAML unsafely, never builds a
    Jinja2 template from data, never marks text as safe HTML, and never evaluates code or
    unpickles.  The scanner is itself tested on a sample that breaks every rule.
"""

from __future__ import annotations

import ast
import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "site_builder"
#: The one module allowed to parse YAML (a SafeLoader-based strict loader).
YAML_LOADER_MODULE = "site_builder/load/yamlio.py"

#: Distribution -> (floor, why).  From bad-inputs.md section 2 (kept here: CI runs on a clean clone).
FLOORS = {
    "pyyaml": ("5.4", "CVE-2020-1747, CVE-2020-14343: FullLoader code execution"),
    "jinja2": ("3.1.6", "CVE-2024-56326, CVE-2025-27516 sandbox escapes; CVE-2024-56201; xmlattr CVE-2024-34064"),
    "markdown": ("3.8.1", "CVE-2025-69534: '<![' raises an uncaught AssertionError"),
    "pymdown-extensions": ("10.21.3", "CVE-2023-32309, CVE-2026-46338: snippets read files outside the base path"),
    "mkdocs": ("1.2.3", "CVE-2021-40978 dev-server path traversal; theme search XSS mkdocs#2790"),
    "mkdocs-material": ("9.7.7", "DOM XSS in search.suggest via the q URL parameter (< 9.7.7)"),
    "jsonschema": ("4.18", "referencing.Registry, needed for the deny-all registry (remote $ref, jsonschema#693)"),
    "nh3": ("0.2.17", "the HTML allowlist sanitiser; no CVE floor, the version the sanitiser was validated with"),
}


def declared_floors() -> dict[str, Version]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    floors = {}
    for line in project["dependencies"]:
        requirement = Requirement(line)
        lower = [Version(s.version) for s in requirement.specifier if s.operator in (">=", "==", "~=")]
        if lower:
            floors[requirement.name.lower()] = max(lower)
    return floors


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_installed_version_meets_the_security_floor(name):
    floor, why = FLOORS[name]
    assert Version(version(name)) >= Version(floor), f"{name} {version(name)} is below {floor}: {why}"


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_pyproject_declares_the_floor(name):
    floor, why = FLOORS[name]
    declared = declared_floors().get(name)
    assert declared is not None, f"pyproject.toml does not declare a lower bound for {name} ({why})"
    assert declared >= Version(floor), f"pyproject.toml allows {name} {declared} < {floor}: {why}"


# --- unsafe calls ------------------------------------------------------------------------------------

UNSAFE_YAML = {"load", "load_all", "unsafe_load", "unsafe_load_all", "full_load", "full_load_all", "Loader", "FullLoader",
               "UnsafeLoader", "CLoader", "CFullLoader", "CUnsafeLoader"}
ALWAYS_UNSAFE_YAML = UNSAFE_YAML - {"load", "load_all"}  # even our loader must not use these
TEMPLATE_FROM_DATA = {"from_string", "Template"}
SAFE_MARKERS = {"Markup"}
EVALUATION = {"eval", "exec"}
DESERIALISERS = {"pickle", "cPickle", "_pickle", "shelve", "marshal", "dill"}
_SAFE_FILTER = re.compile(r"\|\s*safe\b")


def unsafe_uses(source: str, path: str) -> list[str]:
    """`path:line: what` for every banned construct in Python `source`."""
    tree = ast.parse(source, filename=path)
    yaml_names = _aliases(tree, "yaml")
    found = []

    def report(node: ast.AST, what: str) -> None:
        found.append(f"{path}:{node.lineno}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in yaml_names:
            banned = ALWAYS_UNSAFE_YAML if path == YAML_LOADER_MODULE else UNSAFE_YAML
            if node.attr in banned:
                report(node, f"yaml.{node.attr} (use site_builder.load.yamlio)")
        elif isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            for alias in node.names:
                if top == "yaml" and alias.name in UNSAFE_YAML:
                    report(node, f"from yaml import {alias.name}")
                if top in ("jinja2", "markupsafe") and alias.name in TEMPLATE_FROM_DATA | SAFE_MARKERS:
                    report(node, f"from {node.module} import {alias.name}")
            if top in DESERIALISERS:
                report(node, f"import from {node.module}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in DESERIALISERS:
                    report(node, f"import {alias.name}")
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in EVALUATION:
                report(node, f"{func.id}()")
            elif isinstance(func, ast.Attribute) and func.attr == "from_string":
                report(node, "template built from a string (from_string)")
            elif isinstance(func, ast.Attribute) and func.attr in TEMPLATE_FROM_DATA | SAFE_MARKERS \
                    and isinstance(func.value, ast.Name) and func.value.id in ("jinja2", "markupsafe"):
                report(node, f"{func.value.id}.{func.attr}()")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _SAFE_FILTER.search(node.value) \
                and ("{{" in node.value or "{%" in node.value):
            report(node, "template text with the |safe filter")
    return found


def _aliases(tree: ast.AST, module: str) -> set[str]:
    names = {module}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.asname for alias in node.names if alias.name == module and alias.asname}
    return names


def package_sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_code_base_has_no_unsafe_calls():
    found = []
    for path in package_sources():
        found += unsafe_uses(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
    assert found == []


def test_no_template_of_the_package_marks_text_safe():
    templates = [p for p in PACKAGE.rglob("*") if p.is_file() and p.suffix in (".html", ".j2", ".jinja", ".jinja2", ".md")]
    assert [p.as_posix() for p in templates if _SAFE_FILTER.search(p.read_text(encoding="utf-8"))] == []


def test_the_scan_covers_the_package():
    assert len(package_sources()) > 30 and (ROOT / YAML_LOADER_MODULE) in package_sources()


SAMPLE = '''
import pickle
import yaml as y
from yaml import load, FullLoader
from jinja2 import Template, Environment
from markupsafe import Markup
from shelve import open as shelf
data = y.load(text, Loader=y.Loader)
more = y.unsafe_load(text)
page = Environment().from_string(record["title"]).render()
html = Markup(value)
other = jinja2.Template(text)
eval("1 + 1")
exec(code)
TEMPLATE = "<p>{{ value|safe }}</p>"
'''


def test_the_scanner_finds_every_banned_construct():
    found = unsafe_uses(SAMPLE, "site_builder/sample.py")
    expected = ["2: import pickle", "4: from yaml import load", "4: from yaml import FullLoader", "5: from jinja2 import Template",
                "6: from markupsafe import Markup", "7: import from shelve", "8: yaml.load", "8: yaml.Loader", "9: yaml.unsafe_load",
                "10: template built from a string", "12: jinja2.Template()", "13: eval()", "14: exec()",
                "15: template text with the |safe filter"]
    for item in expected:
        line, what = item.split(": ", 1)
        assert any(f.startswith(f"site_builder/sample.py:{line}: {what}") for f in found), (item, found)
    assert len(found) == len(expected), found


def test_the_loader_module_may_parse_but_not_load_unsafely():
    assert unsafe_uses("import yaml\nyaml.load(text, Loader=Strict)\n", YAML_LOADER_MODULE) == []
    assert unsafe_uses("import yaml\nyaml.load(text, Loader=yaml.FullLoader)\n", YAML_LOADER_MODULE) == [
        f"{YAML_LOADER_MODULE}:2: yaml.FullLoader (use site_builder.load.yamlio)"]
