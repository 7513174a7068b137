"""Navigation stays small: a long level is split by owning department."""

from __future__ import annotations

from types import SimpleNamespace

from site_builder.model import LEVEL_LABELS
from site_builder.render.navigation import GROUP_LIMIT, by_level_and_department


def docs(count: int, level: int = 2, owners=("质量部", "客户服务部")):
    return [SimpleNamespace(id=f"QP-{i:03d}", title=f"程序{i}", level=level, owner=owners[i % len(owners)])
            for i in range(count)]


def entry(d):
    return {f"{d.id} {d.title}": f"documents/{d.id}.md"}


def test_a_short_level_stays_one_list():
    nav = by_level_and_department(docs(GROUP_LIMIT) + docs(2, level=1), entry)
    assert [list(section) for section in nav] == [[LEVEL_LABELS[1]], [LEVEL_LABELS[2]]]
    assert len(nav[1][LEVEL_LABELS[2]]) == GROUP_LIMIT and all(len(e) == 1 and "QP-" in next(iter(e)) for e in nav[1][LEVEL_LABELS[2]])


def test_a_long_level_is_split_by_department_and_keeps_every_document():
    nav = by_level_and_department(docs(GROUP_LIMIT + 1), entry)
    groups = nav[0][LEVEL_LABELS[2]]
    assert [next(iter(g)) for g in groups] == sorted(["质量部", "客户服务部"])
    listed = [page for g in groups for items in g.values() for e in items for page in e.values()]
    assert sorted(listed) == sorted(f"documents/QP-{i:03d}.md" for i in range(GROUP_LIMIT + 1))
