"""XLSX downloads of a rendered site: placeholders until encoded.

Renderers put a `Workbook` (sheets, created, title) into `site.files`; encoding is most of the
render time at 100,000 records, so it is left to the end: `encode_workbooks` encodes them in
place (worker processes), and `start_workbooks` runs the encoding in the background while
MkDocs renders the pages (`build` writes the files into the new site afterwards).
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from pathlib import Path
from typing import NamedTuple

from site_builder.derive.exports import xlsx_many
from site_builder.fast import forked


class Workbook(NamedTuple):
    """An XLSX download still to be encoded."""

    sheets: list
    created: datetime
    title: str


def pending(site) -> dict[str, Workbook]:
    return {path: job for path, job in site.files.items() if isinstance(job, Workbook)}


def encode_workbooks(site) -> None:
    """Encode every pending workbook of `site.files` in place, in worker processes where possible."""
    jobs = pending(site)
    site.files.update(zip(jobs, xlsx_many(list(jobs.values())), strict=True))


class EncodingWorkbooks:
    """The pending workbooks of a site, being encoded in a forked child."""

    def __init__(self, site) -> None:
        workbooks = pending(site)
        self._paths = list(workbooks)
        self._background = forked.start([partial(xlsx_many, list(workbooks.values()))]) if workbooks else None

    def write_into(self, site_dir: Path) -> None:
        """Wait for the encoding and write each workbook where MkDocs would have copied it."""
        if self._background is None:
            return
        for path, data in zip(self._paths, self._background.results()[0], strict=True):
            target = site_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)

    def cancel(self) -> None:
        if self._background is not None:
            self._background.cancel()
