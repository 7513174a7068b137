"""Record summaries, KPIs and findings pages (issue 5).  Adds pages to the site."""

from __future__ import annotations

from site_builder.render.context import RenderContext


def render_records(ctx: RenderContext, site) -> None:
    """Add record summary pages, KPI page, findings page and api/records.json etc. to `site`."""
    return None
