"""The register of external documents (外来文件清单, external/*.yaml; issue 23).  Pure: model in, results out.

* `workdays`: working days under the holiday calendar of qms.yaml;
* `register.register_status(manual)`: per entry its review deadline and state, currency check,
  copies, holders, unimplemented changes and the internal documents citing it;
* `findings.external_finding_objects(manual)`: findings for the findings page and api/findings.json.
"""

from __future__ import annotations

from site_builder.derive.external.findings import RULE_LABELS, external_finding_objects, external_findings
from site_builder.derive.external.register import (
    DECISION_LABELS,
    ORIGIN_LABELS,
    REVIEW_LABELS,
    STATUS_LABELS,
    Citation,
    EntryStatus,
    RegisterStatus,
    register_status,
)
from site_builder.derive.external.workdays import add_working_days, is_working_day, working_days_between

__all__ = ["DECISION_LABELS", "ORIGIN_LABELS", "REVIEW_LABELS", "RULE_LABELS", "STATUS_LABELS", "Citation",
           "EntryStatus", "RegisterStatus", "add_working_days", "external_finding_objects", "external_findings",
           "is_working_day", "register_status", "working_days_between"]
