"""Compliance evidence: requirements map (data) and live status figures (issue #11).

* `compliance_rules(root, manual)` runs during `check`: it loads and validates the requirements
  map (compliance/requirements.yaml, see `requirements`) and keeps it for the render stage of
  the same build (`requirements_for(manual)`), as the history does;
* `checklist(requirements, facts)`: each item with its live figure and status (`measures`),
  as JSON-ready dicts: the page 「文件控制合规检查表」 and api/compliance.json show the same data.
"""

from __future__ import annotations

from pathlib import Path

from site_builder.compliance.measures import MEASURES, NOT_COVERED, STATUSES, Facts, Figure, measure
from site_builder.compliance.requirements import MAP_FILE, Requirement, RequirementsMap, load_requirements
from site_builder.model.manual import Manual

__all__ = ["MAP_FILE", "MEASURES", "STATUSES", "Facts", "Figure", "Requirement", "RequirementsMap", "checklist",
           "compliance_rules", "item_status", "requirements_for"]


def compliance_rules(root: Path | None, manual: Manual | None) -> list:
    """Diagnostics for the requirements map; remembers the valid map for `requirements_for(manual)`."""
    requirements, problems = load_requirements(root, set(MEASURES))
    if manual is not None:
        _REMEMBERED.insert(0, (manual, requirements))
        del _REMEMBERED[2:]
    return problems


def requirements_for(manual: Manual) -> RequirementsMap | None:
    """The map loaded by the `check` that produced `manual`, else the tool's own map, else None."""
    for known, requirements in _REMEMBERED:
        if known is manual:
            return requirements
    return load_requirements(None, set(MEASURES))[0]


def item_status(requirement: Requirement, figure: Figure) -> str:
    """A requirement qms-site does not cover stays `not covered`, whatever its figure says."""
    return NOT_COVERED if requirement.coverage == "none" else figure.status


def checklist(requirements: RequirementsMap, facts: Facts) -> list[dict]:
    """The items of api/compliance.json (fixed keys; see README, Compliance checklist)."""
    items = []
    for requirement in requirements.items:
        figure = measure(requirement.measure, facts)
        items.append({
            "id": requirement.id, "clause": requirement.clause, "standard": requirement.standard,
            "text": requirement.text, "note": requirement.note, "coverage": requirement.coverage,
            "mechanism": {"rules": list(requirement.rules), "pages": list(requirement.pages),
                          "commands": list(requirement.commands)},
            "tests": list(requirement.tests),
            "evidence": [{"page": e.page, "label": e.label} for e in requirement.evidence],
            "measure": requirement.measure, "value": figure.value, "figure": figure.text,
            "status": item_status(requirement, figure),
        })
    return items


_REMEMBERED: list[tuple[Manual, RequirementsMap | None]] = []
