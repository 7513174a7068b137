"""Document-control rules beyond the schemas.  Each rule yields diagnostics with a code
from `site_builder.diagnostics.CODES`; README "Diagnostic codes" documents them."""

from __future__ import annotations

from site_builder.rules.documents import document_rules
from site_builder.rules.identity import identity_rules
from site_builder.rules.records import form_periods, record_rules
from site_builder.rules.references import reference_rules

__all__ = ["document_rules", "form_periods", "identity_rules", "record_rules", "reference_rules"]
