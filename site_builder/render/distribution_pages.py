"""文件发放与回收 page and verification codes (issue 10).  Adds pages to the site."""

from __future__ import annotations

from site_builder.render.context import RenderContext


def render_distribution(ctx: RenderContext, site) -> None:
    """Add the distribution/recall page (and anything else issue 10 needs) to `site`."""
    return None
