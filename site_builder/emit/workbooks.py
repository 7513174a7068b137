"""XLSX downloads of a rendered site: placeholders until encoded.

Renderers put a `Workbook` (sheets, created, title) into `site.files`; encoding is most of the
render time at 100,000 records, so it is left to the end: `encode_workbooks` encodes them in
place (worker processes), and `EncodingWorkbooks` runs the encoding in the background while
MkDocs renders the pages (`build` writes the files into the new site afterwards).  With a build's
`Children(1)` (the plain path) both encode every workbook in this process, one after the other.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from site_builder.derive.exports import Workbook, recalled, remember, xlsx_many
from site_builder.fast.forked import Children


def pending(site) -> dict[str, Workbook]:
    return {path: job for path, job in site.files.items() if isinstance(job, Workbook)}


def encode_workbooks(site, children: Children, memo: dict | None = None) -> None:
    """Encode every pending workbook of `site.files` in place, by `children` (those in `memo` taken from there)."""
    jobs = pending(site)
    site.files.update(zip(jobs, xlsx_many(list(jobs.values()), children, memo), strict=True))


class EncodingWorkbooks:
    """The pending workbooks of a site, being encoded in a forked child (on the plain path: encoded
    here at once).  Those in `memo` are taken from there; the others are put there by `write_into`."""

    def __init__(self, site, children: Children, memo: dict | None = None) -> None:
        workbooks = pending(site)
        self._paths = list(workbooks)
        self._memo = memo
        self._keys, self._known = recalled(list(workbooks.values()), memo)
        missing = [job for job, data in zip(workbooks.values(), self._known, strict=True) if data is None]
        # (in the child, the workbooks are shared out over `children`'s workers in turn)
        self._background = children.start([partial(xlsx_many, missing, children)]) if missing else None

    def write_into(self, site_dir: Path) -> None:
        """Wait for the encoding and write each workbook where MkDocs would have copied it."""
        if not self._paths:
            return
        encoded = iter(self._background.results()[0] if self._background is not None else ())
        new_keys, new = [], []
        for path, key, known in zip(self._paths, self._keys, self._known, strict=True):
            data = known
            if data is None:
                data = next(encoded)
                new_keys.append(key)
                new.append(data)
            target = site_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        remember(self._memo, new_keys, new)

    def cancel(self) -> None:
        if self._background is not None:
            self._background.cancel()
