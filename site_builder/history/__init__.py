"""Git-backed revision history and change control (issue 6)."""

from __future__ import annotations

from pathlib import Path

from site_builder.model import Manual


def change_control_rules(root: Path, manual: Manual) -> list:
    """Diagnostics SB410-SB413 from the git history of the content (stub until implemented)."""
    return []
