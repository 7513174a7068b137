"""Navigation sections that stay small however large the manual grows.

Material renders the visible part of the navigation into every page; with one flat list of a
thousand documents each page carried 320 KB of navigation (1.6 MB on auditor history pages),
and MkDocs and the post-build verifiers spent most of their time on it.  Past GROUP_LIMIT
entries a level is split by owning department, so a page holds the top sections plus its own
department's entries (a department with more than GROUP_LIMIT documents in runs of numbers)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby

from site_builder.model.manual import LEVEL_LABELS, Document

#: Entries in one navigation list before it is split into sub-sections.
GROUP_LIMIT = 40


def by_level_and_department(documents: list[Document], entry: Callable[[Document], dict]) -> list[dict]:
    """[{level label: entries}], each level split into {department: entries} when it is long."""
    out = []
    ordered = sorted(documents, key=lambda d: (d.level, d.id))
    for level, group in groupby(ordered, key=lambda d: d.level):
        docs = list(group)
        out.append({LEVEL_LABELS.get(level, str(level)): _split(docs, entry)})
    return out


def _split(docs: list[Document], entry: Callable[[Document], dict]) -> list[dict]:
    if len(docs) <= GROUP_LIMIT:  # read at call time, so that tests can lower it
        return [entry(d) for d in docs]
    by_owner = sorted(docs, key=lambda d: (d.owner, d.id))
    return [{owner: _ranges(list(group), entry)} for owner, group in groupby(by_owner, key=lambda d: d.owner)]


def _ranges(docs: list[Document], entry: Callable[[Document], dict]) -> list[dict]:
    """A department's documents, in runs of at most GROUP_LIMIT labelled by their first and last number."""
    if len(docs) <= GROUP_LIMIT:
        return [entry(d) for d in docs]
    size = max(GROUP_LIMIT, 1)
    runs = [docs[start:start + size] for start in range(0, len(docs), size)]
    return [{f"{run[0].id} – {run[-1].id}": [entry(d) for d in run]} for run in runs]


def by_year(pages: list[tuple[str, str]]) -> list[dict]:
    """A summary page and its month pages ("2025-03", ...): grouped by year when there are many."""
    if len(pages) <= GROUP_LIMIT:
        return [{label: page} for label, page in pages]
    first, months = pages[0], pages[1:]
    return [{first[0]: first[1]}] + [{f"{year} 年": [{label: page} for label, page in group]}
                                     for year, group in groupby(months, key=lambda item: item[0][:4])]
