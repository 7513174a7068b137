"""Compliance evidence: requirements map (data) and live status figures (issue #11).

Takes compliance/requirements.yaml (the repository's, else the tool's own) and, for the figures,
the manual with its history, distribution status and findings; gives the validated
`RequirementsMap` with its diagnostics, and the checklist items with their live status.

* `compliance_rules(root)` runs during `check`: it loads and validates the requirements map
  (compliance/requirements.yaml, see `requirements`) and gives it with its diagnostics; the
  check result carries the map on to the render stage of the same build (CheckResult.requirements);
* `checklist(requirements, facts)`: each item with its live figure and status (`measures`),
  as JSON-ready dicts: the page 「文件控制合规检查表」 and api/compliance.json show the same data.
"""

from __future__ import annotations

from pathlib import Path

from site_builder.compliance.measures import MEASURES, NOT_COVERED, STATUSES, Facts, Figure, measure
from site_builder.compliance.requirements import MAP_FILE, Requirement, RequirementsMap, load_requirements

__all__ = ["MAP_FILE", "MEASURES", "STATUSES", "Facts", "Figure", "Requirement", "RequirementsMap", "checklist",
           "compliance_rules", "item_status"]


def compliance_rules(root: Path | None) -> tuple[RequirementsMap | None, list]:
    """The requirements map (the repository's, else the tool's own; None when invalid) and its diagnostics."""
    return load_requirements(root, set(MEASURES))


def item_status(requirement: Requirement, figure: Figure) -> str:
    """A requirement qms-site does not cover stays `not covered`, whatever its figure says."""
    return NOT_COVERED if requirement.coverage == "none" else figure.status


def checklist(requirements: RequirementsMap, facts: Facts) -> list[dict]:
    """The items of api/compliance.json (fixed keys; see docs/compliance.md)."""
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
