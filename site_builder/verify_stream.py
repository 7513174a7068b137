"""Verify pages while MkDocs writes them, in a forked child on the core MkDocs leaves idle.

MkDocs renders on one core.  `PageStream` forks a child before MkDocs starts; the qms plugin
reports each page it is about to write (`on_post_page`), and the child reads the page from
the new site once the next report shows that it is written, parses it with the HTML
verifier (links are resolved at the end, when the site is complete) and runs the leak
scanner over it.  `results()` ends the stream and returns what the child found;
verify.verify_site then checks everything else (other files, names, sitemap, search index)
and merges.  The checks and messages are those of a verification after the build.  Without
a safe fork (e.g. under `serve`) there is no child and verify_site reads every page itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path

from site_builder import forked
from site_builder.verify import leak_scanner
from site_builder.verify_html import CheckedPage, SiteAddress, checked_page

_END = "\n"
_PIPE_BYTES = 1 << 20  # room for every page report of a large site, so MkDocs never waits on the child


@dataclass
class StreamedPages:
    checked_pages: frozenset[str]  # site paths the HTML verifier read as they were written
    scanned_pages: frozenset[str]  # site paths the leak scanner read as they were written
    checked: list[CheckedPage]
    hits: list  # leak-scanner hits in the scanned pages
    skipped: list[str]
    scanner: object | None  # the parent's scanner (for the rest of the site)


class PageStream:
    """Two children, one for the HTML verifier and one for the leak scanner (staff sites), so that
    once MkDocs is done both cores work off what is left; they run at a lower priority, so that
    MkDocs keeps its core while it renders."""

    def __init__(self, site_dir: Path, generated, site_url: str | None) -> None:
        self.site_dir = site_dir
        self.scanner = leak_scanner(generated)
        self._address = SiteAddress.from_url(site_url)
        self._children: dict[str, _Child] = {}
        self._pages: list[str] = []  # (in a child) the pages it verified
        self._checked: list[CheckedPage] = []
        self._hits: list = []
        if forked.fork_is_safe():
            self._children["html"] = _Child(site_dir, self._check_html, lambda: (self._pages, self._checked))
            if self.scanner is not None:
                self._children["personal"] = _Child(site_dir, self._scan,
                                                    lambda: (self._pages, self._hits, self.scanner.skipped))

    def page_written(self, relative: str) -> None:
        """MkDocs is about to write the page at `relative` (a path in the site)."""
        for child in self._children.values():
            child.report(relative)

    def results(self) -> StreamedPages | None:
        """End the stream (every page is written) and return what the children verified; None without them."""
        if not self._children:
            return None
        html = self._children["html"].results()
        personal = self._children["personal"].results() if "personal" in self._children else None
        checked_pages, checked = html if html is not None else ((), [])
        scanned_pages, hits, skipped = personal if personal is not None else ((), [], [])
        return StreamedPages(frozenset(checked_pages), frozenset(scanned_pages), checked, hits, skipped, self.scanner)

    def cancel(self) -> None:
        for child in self._children.values():
            child.cancel()

    def _check_html(self, relative: str, data: bytes) -> None:
        if relative.endswith(".html"):
            self._checked.append(checked_page(relative, data.decode("utf-8", errors="replace"), self._address))
        self._pages.append(relative)

    def _scan(self, relative: str, data: bytes) -> None:
        self._hits += self.scanner.scan_bytes(data, relative)
        self._pages.append(relative)


class _Child:
    """A forked child that reads each reported page once the next report (or the end) shows that
    it is written, passes it to `verify_page(relative, data)` and at the end sends `finish()`."""

    def __init__(self, site_dir: Path, verify_page, finish) -> None:
        self.site_dir, self._verify_page, self._finish = site_dir, verify_page, finish
        reports_read, reports_write = os.pipe()
        results_read, results_write = multiprocessing.Pipe(duplex=False)
        with contextlib.suppress(OSError, AttributeError):
            fcntl.fcntl(reports_write, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
        pid = os.fork()
        if pid == 0:
            try:
                os.close(reports_write)
                results_read.close()
                with contextlib.suppress(OSError):
                    os.nice(10)
                self._run(reports_read)
                results_write.send(self._finish())
            finally:
                os._exit(0)
        os.close(reports_read)
        results_write.close()
        self._pid, self._to_child, self._from_child = pid, reports_write, results_read

    def report(self, relative: str) -> None:
        if self._to_child is not None:
            try:
                os.write(self._to_child, (json.dumps(relative) + "\n").encode("utf-8"))
            except OSError:  # the child is gone: verify_site will read the pages itself
                self.cancel()

    def results(self):
        if self._pid is None:
            return None
        try:
            os.write(self._to_child, _END.encode())
            os.close(self._to_child)
            self._to_child = None
            result = self._from_child.recv()
            self._from_child.close()
            self._from_child = None
            os.waitpid(self._pid, 0)
            self._pid = None
        except (OSError, EOFError, ValueError):
            self.cancel()
            return None  # the child failed: verify_site verifies every page itself
        return result

    def cancel(self) -> None:
        if self._to_child is not None:
            with contextlib.suppress(OSError):
                os.close(self._to_child)
            self._to_child = None
        if self._from_child is not None:
            self._from_child.close()
            self._from_child = None
        self._pid = forked.stop(self._pid)

    def _run(self, reports: int) -> None:
        waiting: str | None = None
        with os.fdopen(reports, "r", encoding="utf-8") as stream:
            for line in stream:
                if waiting is not None:
                    self._read_and_verify(waiting)
                waiting = None if line == _END else json.loads(line)
                if waiting is None:
                    return
        if waiting is not None:  # (stream closed without an end)
            self._read_and_verify(waiting)

    def _read_and_verify(self, relative: str) -> None:
        try:
            data = (self.site_dir / relative).read_bytes()
        except OSError:
            return  # not written (MkDocs skips empty pages): verify_site sees what is there
        self._verify_page(relative, data)
