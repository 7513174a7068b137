"""Auditor page 「文件控制合规检查表」 (issue #11).  Placeholder until implemented."""

from __future__ import annotations


def render_compliance(ctx, site) -> None:
    """Add the compliance checklist page (auditor audience only) to `site`."""
    return None
