"""search_offload: Material's search index built in a forked child gives the same entries, in
page order, and falls back to indexing here when the child fails.

Scenarios run in a fresh interpreter (this file run as a script): forking is only taken when no
other thread runs, and earlier tests in the same pytest process may leave threads behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.fast.forked import Children
from site_builder.site.search_offload import SearchOffload

ROOT = Path(__file__).resolve().parents[2]


class Index:
    """The two methods of Material's SearchIndex that the offload wraps, recording the process."""

    def __init__(self) -> None:
        self.entries: list = []

    def add_entry_from_context(self, page) -> None:
        if (page.meta.get("search") or {}).get("exclude"):
            return
        for part in page.content.split("|"):
            self.entries.append({"location": page.url, "title": page.title, "text": part, "toc": list(page.toc),
                                 "pid": os.getpid()})

    def generate_search_index(self, prev) -> list:
        return [(e["location"], e["title"], e["text"], e["toc"]) for e in self.entries]


class Plugin:
    def __init__(self) -> None:
        self.search_index = Index()


class Page:
    def __init__(self, number: int, exclude: bool = False, meta_extra=None) -> None:
        self.meta = {"search": {"exclude": exclude}, **(meta_extra or {})}
        self.content = f"第{number}页|正文 {number}" * (number % 3 + 1)
        self.toc, self.url, self.title = [f"h{number}"], f"p{number}/", f"页 {number}"


def pages() -> list[Page]:
    return [Page(n, exclude=n % 5 == 0) for n in range(60)]


def in_process() -> list:
    index = Index()
    for page in pages():
        index.add_entry_from_context(page)
    return index.generate_search_index(None)


def scenario_same_entries() -> None:
    plugin = Plugin()
    offload = SearchOffload.start(plugin, Children(2))
    assert offload is not None
    for page in pages():
        plugin.search_index.add_entry_from_context(page)
    assert plugin.search_index.entries == []  # nothing indexed here while MkDocs renders
    child = offload.child_pid
    assert child not in (None, os.getpid())
    assert plugin.search_index.generate_search_index(None) == in_process()
    assert {e["pid"] for e in plugin.search_index.entries} == {child}
    assert plugin.search_index.add_entry_from_context.__func__ is Index.add_entry_from_context  # put back


def scenario_child_killed() -> None:
    plugin = Plugin()
    offload = SearchOffload.start(plugin, Children(2))
    for number, page in enumerate(pages()):
        plugin.search_index.add_entry_from_context(page)
        if number == 20:
            os.kill(offload.child_pid, 9)
    assert plugin.search_index.generate_search_index(None) == in_process()
    assert {e["pid"] for e in plugin.search_index.entries} == {os.getpid()}  # all indexed here after all


def scenario_page_that_cannot_be_sent() -> None:
    plugin = Plugin()
    SearchOffload.start(plugin, Children(2))
    expected = Index()
    for number, page in enumerate(pages()):
        if number == 7:
            page.meta["bad"] = lambda: None  # cannot be pickled
        expected.add_entry_from_context(page)
        plugin.search_index.add_entry_from_context(page)
    assert plugin.search_index.generate_search_index(None) == expected.generate_search_index(None)


def scenario_no_safe_fork() -> None:
    from site_builder.fast import forked
    forked.fork_is_safe = lambda: False
    plugin = Plugin()
    assert SearchOffload.start(plugin, Children(2)) is None
    assert plugin.search_index.add_entry_from_context.__func__ is Index.add_entry_from_context  # (left alone)
    assert SearchOffload.start(object(), Children(2)) is None  # (no search_index: not Material's plugin)


def scenario_plain() -> None:
    """The plain path: the plugin indexes every page itself, as without the offload."""
    plugin = Plugin()
    assert SearchOffload.start(plugin, Children(1)) is None
    for page in pages():
        plugin.search_index.add_entry_from_context(page)
    assert plugin.search_index.generate_search_index(None) == in_process()


@pytest.mark.parametrize("scenario", ["scenario_same_entries", "scenario_child_killed", "scenario_page_that_cannot_be_sent",
                                      "scenario_no_safe_fork", "scenario_plain"])
def test_scenario_in_a_fresh_process(scenario):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, __file__, scenario], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert run.stdout.strip() == f"{scenario} ok"


if __name__ == "__main__":
    globals()[sys.argv[1]]()
    print(f"{sys.argv[1]} ok")
