"""Distribution and recall of controlled paper copies (issue 10).  Pure: model in, results out.

* `copies.distribution_status(manual)`: per copy, document and department what is current, what
  awaits recall (and how long overdue), what was not issued in time, which copy numbers were issued twice;
* `findings.distribution_findings(manual)`: findings for api/findings.json;
* `findings.distribution_rules(manual)`: check-time diagnostics (SB314);
* `codes.verification_code(document)`: the 核对码 shown on document pages and printed copies.
"""

from __future__ import annotations

from site_builder.derive.distribution.codes import verification_code
from site_builder.derive.distribution.copies import DistributionStatus, distribution_status, version_in_force
from site_builder.derive.distribution.findings import RULE_LABELS, distribution_finding_objects, distribution_findings, distribution_rules

__all__ = ["RULE_LABELS", "DistributionStatus", "distribution_finding_objects", "distribution_findings",
           "distribution_rules", "distribution_status", "verification_code", "version_in_force"]
