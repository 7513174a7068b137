"""Check-time rules on record values that need the derive stage (issue 5)."""

from __future__ import annotations

from site_builder.model import Manual


def record_value_rules(manual: Manual) -> list:
    """Diagnostics such as SB501 (hand-typed value disagrees with the computed one)."""
    return []
