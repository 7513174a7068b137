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
import signal
from dataclasses import dataclass
from pathlib import Path

from site_builder import forked
from site_builder.verify import leak_scanner
from site_builder.verify_html import CheckedPage, SiteAddress, checked_page

_END = "\n"
_PIPE_BYTES = 1 << 20  # room for every page report of a large site, so MkDocs never waits on the child


@dataclass
class StreamedPages:
    pages: frozenset[str]  # site paths whose content was verified as they were written
    checked: list[CheckedPage]
    hits: list  # leak-scanner hits in those pages
    skipped: list[str]
    scanner: object | None  # the parent's scanner (for the rest of the site)


class PageStream:
    def __init__(self, site_dir: Path, generated, site_url: str | None) -> None:
        self.site_dir = site_dir
        self.scanner = leak_scanner(generated)
        self._address = SiteAddress.from_url(site_url)
        self._pid: int | None = None
        self._to_child: int | None = None
        self._from_child = None  # multiprocessing connection
        if forked.fork_is_safe():
            self._fork()

    def page_written(self, relative: str) -> None:
        """MkDocs is about to write the page at `relative` (a path in the site)."""
        if self._to_child is not None:
            try:
                os.write(self._to_child, (json.dumps(relative) + "\n").encode("utf-8"))
            except OSError:  # the child is gone: verify_site will read the pages itself
                self.cancel()

    def results(self) -> StreamedPages | None:
        """End the stream (every page is written) and return what the child verified; None without a child."""
        if self._pid is None:
            return None
        try:
            os.write(self._to_child, _END.encode())
            os.close(self._to_child)
            self._to_child = None
            pages, checked, hits, skipped = self._from_child.recv()
            self._from_child.close()
            self._from_child = None
            os.waitpid(self._pid, 0)
            self._pid = None
        except (OSError, EOFError, ValueError):
            self.cancel()
            return None  # the child failed: verify_site verifies every page itself
        return StreamedPages(frozenset(pages), checked, hits, skipped, self.scanner)

    def cancel(self) -> None:
        if self._to_child is not None:
            with contextlib.suppress(OSError):
                os.close(self._to_child)
            self._to_child = None
        if self._from_child is not None:
            self._from_child.close()
            self._from_child = None
        if self._pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self._pid, 0)
            self._pid = None

    def _fork(self) -> None:
        reports_read, reports_write = os.pipe()
        results_read, results_write = multiprocessing.Pipe(duplex=False)
        with contextlib.suppress(OSError, AttributeError):
            fcntl.fcntl(reports_write, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
        pid = os.fork()
        if pid == 0:
            try:
                os.close(reports_write)
                results_read.close()
                results_write.send(self._verify_reported(reports_read))
            finally:
                os._exit(0)
        os.close(reports_read)
        results_write.close()
        self._pid, self._to_child, self._from_child = pid, reports_write, results_read

    def _verify_reported(self, reports: int) -> tuple:
        """In the child: verify each reported page once the next report (or the end) shows it is written."""
        pages, checked, hits = [], [], []
        waiting: str | None = None
        with os.fdopen(reports, "r", encoding="utf-8") as stream:
            for line in stream:
                if waiting is not None and self._verify_page(waiting, checked, hits):
                    pages.append(waiting)
                if line == _END:
                    waiting = None
                    break
                waiting = json.loads(line)
        if waiting is not None and self._verify_page(waiting, checked, hits):  # (stream closed without an end)
            pages.append(waiting)
        return pages, checked, hits, self.scanner.skipped if self.scanner is not None else []

    def _verify_page(self, relative: str, checked: list, hits: list) -> bool:
        try:
            data = (self.site_dir / relative).read_bytes()
        except OSError:
            return False  # not written (MkDocs skips empty pages): verify_site sees what is there
        if relative.endswith(".html"):
            checked.append(checked_page(relative, data.decode("utf-8", errors="replace"), self._address))
        if self.scanner is not None:
            hits += self.scanner.scan_bytes(data, relative)
        return True
