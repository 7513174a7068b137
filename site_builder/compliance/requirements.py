"""The requirements map (compliance/requirements.yaml): load with the strict YAML loader, validate
against schemas/compliance.schema.json, report problems as positioned diagnostics.

The map describes qms-site's own mechanisms and tests, so it ships with the tool; a content
repository may carry its own compliance/requirements.yaml, which then wins.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from jsonschema import Draft202012Validator

from site_builder import diagnostics as dg
from site_builder.compliance.deployment import Deployment, read_deployment
from site_builder.load.schema_errors import schema_diagnostics
from site_builder.load.yamlio import LoadError, decode, load_yaml, locate

MAP_FILE = "compliance/requirements.yaml"
SCHEMA_FILE = "schemas/compliance.schema.json"
MAX_BYTES = 1_048_576
#: the source tree qms-site runs from (holds the tool's own map in a checkout or editable install)
TOOL_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class Evidence:
    page: str
    label: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Requirement:
    id: str
    standard: str
    clause: str
    text: str
    note: str
    coverage: str  # full | partial | none
    rules: tuple[str, ...]
    pages: tuple[str, ...]
    commands: tuple[str, ...]
    tests: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    measure: str


@dataclass(frozen=True, slots=True)
class RequirementsMap:
    title: str
    intro: str
    items: tuple[Requirement, ...]
    #: where it was read from (repository-relative for the content repository's own map)
    path: str
    source: Path
    #: the repository's generated web-server configuration, for the access-control figure (deployment.py)
    deployment: Deployment | None = None


def map_location(root: Path | None) -> tuple[Path, str] | None:
    """(absolute path, path to report) of the map in force: the repository's own, else the tool's."""
    for base in ([root] if root is not None else []) + [TOOL_ROOT]:
        candidate = base / MAP_FILE
        if candidate.is_file():
            return candidate, MAP_FILE if base == root else str(candidate)
    return None


def load_requirements(root: Path | None, known_measures: set[str] | None = None
                      ) -> tuple[RequirementsMap | None, list[dg.Diagnostic]]:
    """The map and the problems found in it (an unreadable or invalid map gives None)."""
    found = map_location(root)
    if found is None:
        return None, []
    path, shown = found
    try:
        raw = path.read_bytes()
        if len(raw) > MAX_BYTES:
            raise LoadError("SB104", f"file is {len(raw)} bytes, more than the limit of {MAX_BYTES}")
        text, _ = decode(raw)
        data = load_yaml(text)
        if not isinstance(data, dict):
            raise LoadError("SB111", "expected a mapping of keys at the top level", hint="write the file as 'key: value' lines")
    except LoadError as exc:
        return None, [dg.error(exc.code, shown, exc.message, line=exc.line, col=exc.col, hint=exc.hint)]
    except OSError as exc:
        return None, [dg.error("SB100", shown, f"cannot read file: {exc.strerror}", line=1, col=1)]
    validator = _validator(root)
    if validator is None:
        return None, [dg.error("SB204", SCHEMA_FILE, "schema file missing (needed to check the requirements map)", line=1, col=1,
                               hint="restore it from the qms-site repository")]
    problems = schema_diagnostics(shown, data, validator)
    if not dg.count_errors(problems):
        problems += _unknown_names(shown, data, known_measures)
    problems = [dg.with_position(d, *locate(text, d.json_path, at_key=d.at_key)) if d.line == 0 else d for d in problems]
    if dg.count_errors(problems):
        return None, problems
    return replace(_build(data, shown, path), deployment=read_deployment(root)), problems


def _validator(root: Path | None) -> Draft202012Validator | None:
    """The repository's copy of the schema, else the tool's (an invalid one is reported by load_schemas as SB204)."""
    for base in ([root] if root is not None else []) + [TOOL_ROOT]:
        try:
            return Draft202012Validator(json.loads((base / SCHEMA_FILE).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return None


def _unknown_names(shown: str, data: dict, known_measures: set[str] | None) -> list[dg.Diagnostic]:
    """Rule codes and measures must exist: a map naming a mechanism qms-site lacks would mislead an auditor."""
    found = []
    for index, item in enumerate(data["items"]):
        for position, code in enumerate(item["mechanism"].get("rules", [])):
            if code not in dg.CODES:
                found.append(dg.error("SB200", shown, f"items[{index}].mechanism.rules: unknown diagnostic code {code!r}",
                                      json_path=("items", index, "mechanism", "rules", position),
                                      hint="name a code listed in docs/diagnostics.md"))
        if known_measures is not None and item["measure"] not in known_measures:
            found.append(dg.error("SB200", shown, f"items[{index}].measure: unknown measure {item['measure']!r}",
                                  json_path=("items", index, "measure"),
                                  hint="known measures: " + ", ".join(sorted(known_measures))))
    return found


def _build(data: dict, shown: str, path: Path) -> RequirementsMap:
    items = []
    for item in data["items"]:
        mechanism = item["mechanism"]
        items.append(Requirement(
            id=str(item["id"]), standard=str(item["standard"]), clause=str(item["clause"]), text=str(item["text"]),
            note=str(item.get("note") or ""), coverage=str(item["coverage"]),
            rules=tuple(map(str, mechanism.get("rules", []))), pages=tuple(map(str, mechanism.get("pages", []))),
            commands=tuple(map(str, mechanism.get("commands", []))), tests=tuple(map(str, item["tests"])),
            evidence=tuple(Evidence(str(e["page"]), str(e["label"])) for e in item["evidence"]),
            measure=str(item["measure"])))
    return RequirementsMap(str(data["title"]), str(data.get("intro") or ""), tuple(items), shown, path)
