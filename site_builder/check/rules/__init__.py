"""Document-control rules beyond the schemas.  Each rule yields diagnostics with a code
from `site_builder.diagnostics.CODES`; docs/diagnostics.md (generated from CODES) documents them."""

from __future__ import annotations

from site_builder.check.rules.documents import document_rules
from site_builder.check.rules.identity import identity_rules
from site_builder.check.rules.records import form_periods, record_rules
from site_builder.check.rules.references import reference_rules

__all__ = ["document_rules", "form_periods", "identity_rules", "record_rules", "reference_rules"]
