"""Auditor-only history pages (issue 6).  Adds pages to the site."""

from __future__ import annotations

from site_builder.render.context import RenderContext


def render_history(ctx: RenderContext, site) -> None:
    """Add history, obsolete snapshots, diffs, as-of and change-log pages, and api/history.json, to `site`."""
    return None
