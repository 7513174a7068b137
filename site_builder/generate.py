"""Check and render in one step: the core entry point of every build (no MkDocs here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from site_builder import pipeline
from site_builder.buildinfo import build_info
from site_builder.render import Site, render_site
from site_builder.reuse import Reuse


@dataclass
class Generated:
    check: pipeline.CheckResult
    site: Site | None
    info: dict


def generate(root: Path, today: date, audience: str = "staff", *, use_cache: bool = True,
             defer_workbooks: bool = False, reuse: Reuse | None = None) -> Generated:
    """`defer_workbooks`: leave XLSX downloads as render.workbooks.Workbook placeholders (the caller encodes them).
    `reuse` (serve): take over the previous generate's results where their inputs are unchanged; the
    caller calls reuse.finish() once the new site is in use."""
    # Per-file results come from .qms-cache/ when their inputs are unchanged (QMS_NO_CACHE=1 turns it off).
    result = pipeline.check(root, today, use_cache=use_cache, reuse=reuse)
    info = build_info(root, audience)
    if result.errors or result.manual is None:
        return Generated(result, None, info)
    site = render_site(result.manual, audience, info, defer_workbooks=defer_workbooks, reuse=reuse)
    return Generated(result, site, info)
