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


def generate(root: Path, today: date, audience: str = "staff") -> Generated:
    result = pipeline.check(root, today)
    info = build_info(root, audience)
    if result.errors or result.manual is None:
        return Generated(result, None, info)
    return Generated(result, render_site(result.manual, audience, info), info)
