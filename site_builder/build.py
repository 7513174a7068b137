"""Check and render in one step: the core entry point of every build (no MkDocs here)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from site_builder.check import run as pipeline
from site_builder.fast import forked
from site_builder.fast.serve_reuse import Reuse
from site_builder.history.stamp import build_info
from site_builder.render import Site, records_part, render_site

#: `mkdocs`: MkDocs renders the archive pages (obsolete versions, diffs) like any other page, slowly;
#: for comparing them with the pages archive.py writes
ARCHIVE_ENV = "QMS_ARCHIVE"


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
    # While the check runs its last rules and the other pages are rendered, a forked child renders
    # the record pages (the largest part at 100,000 records) from the manual as soon as it is built.
    early = EarlyRecords(audience) if reuse is None else None
    try:
        # Per-file results come from .qms-cache/ when their inputs are unchanged (QMS_NO_CACHE=1 turns it off).
        result = pipeline.check(root, today, use_cache=use_cache, reuse=reuse, on_manual=early.start if early else None)
        info = build_info(root, audience)
        if result.errors or result.manual is None:
            return Generated(result, None, info)
        site = render_site(result.manual, audience, info, defer_workbooks=defer_workbooks, reuse=reuse,
                           records=early.result if early else None)
        if os.environ.get(ARCHIVE_ENV) == "mkdocs":
            site.archive_as_pages()
        return Generated(result, site, info)
    finally:
        if early is not None:
            early.cancel()


class EarlyRecords:
    """records_part of a manual, rendered in a forked child (when that is safe) while this process goes on."""

    def __init__(self, audience: str) -> None:
        self.audience = audience
        self._running: forked.Background | None = None

    def start(self, manual) -> None:
        if forked.fork_is_safe():
            self._running = forked.start([partial(records_part, manual, self.audience)])

    def result(self) -> Site | None:
        """The child's part; None without a child or when it failed (the caller renders the part itself)."""
        if self._running is None:
            return None
        try:
            return self._running.results()[0]
        except RuntimeError:
            return None

    def cancel(self) -> None:
        if self._running is not None:
            self._running.cancel()
