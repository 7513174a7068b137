"""Material's search indexing in a forked child while MkDocs renders the pages.

Replaces: Material's search plugin indexing each page in this process as MkDocs renders it.  That
is the plain path (`--plain`: with the build's `Children(1)`, `SearchOffload.start` gives None and
nothing changes).  tests/unit/test_search_offload.py proves the two write the same index.

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

from site_builder.fast.forked import Children, Feed


class _Page:
    """What SearchIndex.add_entry_from_context reads of a page."""

    __slots__ = ("meta", "content", "toc", "url", "title")

    def __init__(self, meta, content, toc, url, title) -> None:
        self.meta, self.content, self.toc, self.url, self.title = meta, content, toc, url, title


class SearchOffload:
    def __init__(self, index, feed: Feed) -> None:
        """(made by `start`: `feed` runs the index's own add_entry_from_context in the child)"""
        self._index = index
        self._add = index.add_entry_from_context  # Material's own methods, bound to the index
        self._generate = index.generate_search_index
        self._sent: list[tuple] = []  # kept, so that the pages can be indexed here should the child fail
        self._feed = feed
        index.add_entry_from_context = self._send
        index.generate_search_index = self._collect_and_generate

    @classmethod
    def start(cls, search_plugin, children: Children) -> SearchOffload | None:
        """Offload the indexing of Material's search plugin to one of `children`; None when it cannot be
        done safely (or on the plain path)."""
        index = getattr(search_plugin, "search_index", None)
        if index is None or not hasattr(index, "add_entry_from_context") or not hasattr(index, "generate_search_index"):
            return None
        add = index.add_entry_from_context
        first = len(index.entries)  # (entries of pages indexed before the fork stay the parent's)
        # nice 5: before the verifying children (10), after MkDocs
        feed = children.feed(lambda snapshot: add(_Page(*snapshot)), lambda _handed_back: index.entries[first:], nice=5)
        return cls(index, feed) if feed is not None else None

    @property
    def child_pid(self) -> int | None:
        return self._feed.pid

    def cancel(self) -> None:
        self._feed.cancel()

    def _send(self, page) -> None:
        if (page.meta.get("search") or {}).get("exclude"):
            return  # (Material's own first test: an excluded page adds nothing; records pages are large)
        snapshot = (page.meta, page.content, page.toc, page.url, page.title)
        self._feed.send(snapshot)
        self._sent.append(snapshot)

    def _collect_and_generate(self, prev):
        entries = self._feed.close()
        self._index.add_entry_from_context = self._add
        self._index.generate_search_index = self._generate
        if entries is None:  # the child failed: index every page here, in order
            for snapshot in self._sent:
                self._add(_Page(*snapshot))
        else:
            self._index.entries.extend(entries)
        self._sent = []
        return self._generate(prev)
