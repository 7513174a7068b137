"""Navigation stays small: a long level is split by owning department."""

from __future__ import annotations

from types import SimpleNamespace

from site_builder.model.manual import LEVEL_LABELS
from site_builder.render.navigation import GROUP_LIMIT, by_level_and_department, by_year


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


def test_a_department_with_very_many_documents_is_listed_in_runs_of_numbers():
    many = docs(3 * GROUP_LIMIT + 1, owners=("质量部",))
    groups = by_level_and_department(many, entry)[0][LEVEL_LABELS[2]]
    runs = groups[0]["质量部"]
    assert all(len(items) <= GROUP_LIMIT for run in runs for items in run.values())
    assert next(iter(runs[0])) == f"QP-000 – QP-{GROUP_LIMIT - 1:03d}"
    listed = [page for run in runs for items in run.values() for e in items for page in e.values()]
    assert listed == [f"documents/QP-{i:03d}.md" for i in range(3 * GROUP_LIMIT + 1)]


def test_many_month_pages_are_grouped_by_year():
    months = [("汇总", "records/QR/index.md")] + [(f"{2024 + m // 12}-{m % 12 + 1:02d}", f"records/QR/{m}.md")
                                                 for m in range(GROUP_LIMIT + 5)]
    nav = by_year(months)
    assert nav[0] == {"汇总": "records/QR/index.md"}
    assert [next(iter(group)) for group in nav[1:]][:2] == ["2024 年", "2025 年"]
    assert sum(len(items) for group in nav[1:] for items in group.values()) == GROUP_LIMIT + 5
    assert by_year(months[:3]) == [{label: page} for label, page in months[:3]]
