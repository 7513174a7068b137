"""Verify pages while MkDocs writes them, in forked children on the core MkDocs leaves idle.

Replaces: verify.verify_site reading every page of the finished site after MkDocs is done.  That is
the plain path (`--plain`: the build's `Children(1)` gives no child, and `results()` is None).
tests/unit/test_verify_stream.py proves the two find the same problems.

MkDocs renders on one core.  `PageStream` forks two children (forked.Feed) before MkDocs
starts; the qms plugin reports each page it is about to write (`on_post_page`), and each child
reads the page from the new site once the next report shows that it is written: one parses it
with the HTML verifier (links are resolved at the end, when the site is complete), the other
runs the leak scanner over it.  `results()` ends the stream and returns what they found;
verify.verify_site then checks everything else (other files, names, sitemap, search index)
and merges.  The checks and messages are those of a verification after the build.  Without
a safe fork (e.g. under `serve`) there is no child and verify_site reads every page itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from site_builder.fast.forked import Children, Feed
from site_builder.verify.html import CheckedPage, HtmlVerifier, SiteAddress
from site_builder.verify.site import leak_scanner


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

    def __init__(self, site_dir: Path, generated, site_url: str | None, docs_dir: Path | None = None, *,
                 children: Children, verifier: HtmlVerifier) -> None:
        self.site_dir, self.docs_dir = site_dir, docs_dir
        self.scanner = leak_scanner(generated)
        self._address = SiteAddress.from_url(site_url)
        self._verifier = verifier
        self._children: dict[str, Feed] = {}
        self._pages: list[str] = []  # (in a child) the pages it verified
        self._checked: list[CheckedPage] = []
        self._hits: list = []
        #: (in the leak scanner's child) source file -> (its bytes, hits, files not checked), until the
        #: same bytes are found in the site
        self._sources: dict[str, tuple[bytes, list, list[str]]] = {}
        if children.parallel():
            self._add_child("html", children, self._check_html, lambda: (self._pages, self._checked))
            if self.scanner is not None:
                self._add_child("personal", children, self._scan, lambda: (self._pages, self._hits, self.scanner.skipped))

    def page_written(self, relative: str) -> None:
        """MkDocs is about to write the file at `relative` (a path in the site)."""
        for name, child in self._children.items():
            if name == "personal" or relative.endswith(".html"):  # (the HTML verifier reads pages only)
                child.send(relative)  # (a child that is gone leaves its pages to verify_site)

    def sources_written(self, relatives) -> None:
        """Files written into `docs_dir` that MkDocs copies into the site as they are (downloads, api/*.json).

        The leak scanner reads them now, while MkDocs converts the Markdown and the second core
        has nothing else to do; each counts as scanned once the site holds the very same bytes."""
        if self.docs_dir is not None and "personal" in self._children:
            for relative in relatives:
                self._children["personal"].send(("source", relative))

    def results(self, hand_back: bool = True) -> StreamedPages | None:
        """End the stream (every page is written) and return what the children verified; None without them.

        With `hand_back`, the children leave the pages they have not started on: verify_site shares
        those out over every core, instead of waiting while one child works through them alone."""
        if not self._children:
            return None
        html = self._children["html"].close(hand_back) if "html" in self._children else None
        personal = self._children["personal"].close(hand_back) if "personal" in self._children else None
        checked_pages, checked = html if html is not None else ((), [])
        scanned_pages, hits, skipped = personal if personal is not None else ((), [], [])
        return StreamedPages(frozenset(checked_pages), frozenset(scanned_pages), checked, hits, skipped, self.scanner)

    def cancel(self) -> None:
        for child in self._children.values():
            child.cancel()

    def _add_child(self, name: str, children: Children, verify_page, finish) -> None:
        pages = _OnceWritten(self.site_dir, verify_page, self.docs_dir, self._scan_source)

        def done(handed_back: bool):
            if not handed_back:
                pages.flush()
            return finish()

        feed = children.feed(pages.report, done)
        if feed is not None:
            self._children[name] = feed

    def _check_html(self, relative: str, data: bytes) -> None:
        self._checked.append(self._verifier.checked_page(relative, data.decode("utf-8", errors="replace"), self._address))
        self._pages.append(relative)

    def _scan(self, relative: str, data: bytes) -> None:
        source = self._sources.pop(relative, None)
        if source is not None and source[0] == data:
            hits, skipped = source[1:]
            self.scanner.skipped += skipped
        else:
            hits = self.scanner.scan_bytes(data, relative)
        self._hits += hits
        self._pages.append(relative)

    def _scan_source(self, relative: str, data: bytes) -> None:
        before = len(self.scanner.skipped)
        hits = self.scanner.scan_bytes(data, relative)
        skipped = self.scanner.skipped[before:]
        del self.scanner.skipped[before:]
        self._sources[relative] = (data, hits, skipped)


class _OnceWritten:
    """(In a child) hands each reported page to `verify_page(relative, data)` once the next report,
    or the end, shows that MkDocs has written it; and each source file, reported as ("source",
    relative) when it is complete, to `verify_source(relative, data)` at once."""

    def __init__(self, site_dir: Path, verify_page, docs_dir: Path | None = None, verify_source=None) -> None:
        self.site_dir, self._verify_page = site_dir, verify_page
        self.docs_dir, self._verify_source = docs_dir, verify_source
        self._waiting: str | None = None

    def report(self, item) -> None:
        if isinstance(item, tuple):
            try:
                data = (self.docs_dir / item[1]).read_bytes()
            except OSError:
                return  # (then it is read in the site)
            self._verify_source(item[1], data)
            return
        self.flush()
        self._waiting = item

    def flush(self) -> None:
        if self._waiting is None:
            return
        relative, self._waiting = self._waiting, None
        try:
            data = (self.site_dir / relative).read_bytes()
        except OSError:
            return  # not written (MkDocs skips empty pages): verify_site sees what is there
        self._verify_page(relative, data)
