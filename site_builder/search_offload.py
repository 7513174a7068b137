"""Material's search indexing in a forked child while MkDocs renders the pages.

Material's search plugin indexes each page as MkDocs renders it: an HTML parse of the page and
jieba segmentation of its Chinese text, about half of MkDocs' time on a large manual, all on
MkDocs' one core.  `SearchOffload` forks a child holding a copy of the plugin's index and
hands it each page (its metadata, content, table of contents, address and title: everything
the index reads); the child runs Material's own `add_entry_from_context` on it, in page order.
Just before the plugin writes the index, the child's entries replace the (empty) list of the
parent's index, so the written search_index.json is the same.  If the child fails, the pages
are indexed here after all.  Used by `python -m site_builder build` only (the qms plugin sets
it up after the search plugin has created its index); without a safe fork nothing changes.
"""

from __future__ import annotations

import contextlib
import fcntl
import multiprocessing
import os

from site_builder import forked

_PIPE_BYTES = 1 << 20


class _Page:
    """What SearchIndex.add_entry_from_context reads of a page."""

    __slots__ = ("meta", "content", "toc", "url", "title")

    def __init__(self, meta, content, toc, url, title) -> None:
        self.meta, self.content, self.toc, self.url, self.title = meta, content, toc, url, title


class SearchOffload:
    def __init__(self, index) -> None:
        self._index = index
        self._add = index.add_entry_from_context  # Material's own methods, bound to the index
        self._generate = index.generate_search_index
        self._sent: list[tuple] = []  # kept, so that the pages can be indexed here should the child fail
        self._pid: int | None = None
        self._first = len(index.entries)  # (entries of pages indexed before the fork stay the parent's)
        pages_in, self._pages_out = multiprocessing.Pipe(duplex=False)
        self._entries_in, entries_out = multiprocessing.Pipe(duplex=False)
        with contextlib.suppress(OSError, AttributeError):
            fcntl.fcntl(self._pages_out.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
        pid = os.fork()
        if pid == 0:
            try:
                self._pages_out.close()
                self._entries_in.close()
                with contextlib.suppress(OSError):
                    os.nice(5)  # before the verifying children (nice 10), after MkDocs
                entries_out.send(self._index_pages(pages_in))
            finally:
                os._exit(0)
        pages_in.close()
        entries_out.close()
        self._pid = pid
        index.add_entry_from_context = self._send
        index.generate_search_index = self._collect_and_generate

    @classmethod
    def start(cls, search_plugin) -> SearchOffload | None:
        """Offload the indexing of Material's search plugin; None when it cannot be done safely."""
        index = getattr(search_plugin, "search_index", None)
        if index is None or not forked.fork_is_safe() or not hasattr(index, "add_entry_from_context") \
                or not hasattr(index, "generate_search_index"):
            return None
        return cls(index)

    def _send(self, page) -> None:
        if (page.meta.get("search") or {}).get("exclude"):
            return  # (Material's own first test: an excluded page adds nothing; records pages are large)
        snapshot = (page.meta, page.content, page.toc, page.url, page.title)
        if self._pid is not None:
            try:
                self._pages_out.send(snapshot)
            except (OSError, ValueError, TypeError, AttributeError):  # (TypeError etc.: a page that cannot be pickled)
                self._stop_child()
        self._sent.append(snapshot)

    def _collect_and_generate(self, prev):
        entries = None
        if self._pid is not None:
            try:
                self._pages_out.send(None)
                entries = self._entries_in.recv()
            except (OSError, EOFError, ValueError):
                entries = None
            self._stop_child()
        self._index.add_entry_from_context = self._add
        self._index.generate_search_index = self._generate
        if entries is None:  # the child failed: index every page here, in order
            for snapshot in self._sent:
                self._add(_Page(*snapshot))
        else:
            self._index.entries.extend(entries)
        self._sent = []
        return self._generate(prev)

    @property
    def child_pid(self) -> int | None:
        return self._pid

    def cancel(self) -> None:
        self._stop_child()

    def _index_pages(self, pages_in) -> list:
        """In the child: index each page with Material's own method, in the order they come."""
        while True:
            try:
                snapshot = pages_in.recv()
            except EOFError:  # the parent is gone
                os._exit(0)
            if snapshot is None:
                return self._index.entries[self._first:]
            self._add(_Page(*snapshot))

    def _stop_child(self) -> None:
        for connection in (self._pages_out, self._entries_in):
            connection.close()
        self._pid = forked.stop(self._pid)
