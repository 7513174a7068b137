"""Check and render in one step: the core entry point of every build (no MkDocs here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from site_builder import pipeline
from site_builder.buildinfo import build_info
from site_builder.render import Site, render_site


@dataclass
class Generated:
    check: pipeline.CheckResult
    site: Site | None
    info: dict


def generate(root: Path, today: date, audience: str = "staff", *, use_cache: bool = True,
             defer_workbooks: bool = False) -> Generated:
    """`defer_workbooks`: leave XLSX downloads as render.workbooks.Workbook placeholders (the caller encodes them)."""
    # Per-file results come from .qms-cache/ when their inputs are unchanged (QMS_NO_CACHE=1 turns it off).
    result = pipeline.check(root, today, use_cache=use_cache)
    info = build_info(root, audience)
    if result.errors or result.manual is None:
        return Generated(result, None, info)
    return Generated(result, render_site(result.manual, audience, info, defer_workbooks=defer_workbooks), info)
