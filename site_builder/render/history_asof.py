"""The manual in force on a chosen date (static: one page per period between change dates)
and the manual-wide change log."""

from __future__ import annotations

from datetime import timedelta
from itertools import groupby

from site_builder.history import Timeline
from site_builder.history.asof import in_force, periods
from site_builder.render import links
from site_builder.render.context import RenderContext
from site_builder.render.escape import html_text
from site_builder.render.frontmatter import page_header
from site_builder.render.history_links import (
    AS_OF,
    BASIS_LABELS,
    CHANGES,
    diff_page,
    diff_pairs,
    history_page,
    period_page,
    version_target,
)
from site_builder.render.tables import Html, html_table, link


def render_as_of(ctx: RenderContext, timelines: list[Timeline], pages: dict) -> list:
    """Add history/as-of.md and one page per period; return the navigation entries."""
    spans = periods(timelines)
    pages[AS_OF] = _render_picker(timelines, spans)
    nav: list = [{"选择日期": AS_OF}]
    for start, end in reversed(spans):
        page = period_page(start)
        pages[page] = _render_period(ctx, timelines, start, end)
        nav.append({f"{start.isoformat()} 起": page})
    return nav


def render_changes(ctx: RenderContext, timelines: list[Timeline]) -> str:
    rows = []
    for timeline in timelines:
        pairs = {new.version: old for old, new in diff_pairs(timeline)}
        for version in timeline.versions:
            entry = version.entry
            when = entry.date if entry and entry.date else (version.released.day if version.released else None)
            old = pairs.get(version.version)
            diff = link(links.relative(CHANGES, diff_page(timeline.id, old.version, version.version)), "差异") if old else ""
            rows.append((when, timeline.id, [
                when.isoformat() if when else "—", link(links.relative(CHANGES, history_page(timeline.id)), timeline.id),
                timeline.item.title, version.version, entry.sections if entry else "", version.change,
                entry.approved_by if entry else "", version.effective_from.isoformat() if version.effective_from else "—",
                BASIS_LABELS.get(version.basis, version.basis), version.released.short if version.released else "—", diff]))
    rows.sort(key=lambda r: (r[0].isoformat() if r[0] else "", r[1]), reverse=True)
    table = html_table(["日期", "文件编号", "文件名称", "版本", "更改章节", "更改说明", "批准", "生效", "依据", "提交", ""],
                       [r[2] for r in rows], "qms-changes qms-sortable")
    return "\n".join([page_header("修订记录", qms_page="changes"), "# 修订记录\n",
                      "全部受控文件的每一次修订，按日期从新到旧排列。\n", table + "\n"])


def _render_picker(timelines: list[Timeline], spans: list) -> str:
    parts = [page_header("某日在用版本", qms_page="as-of"), "# 某日在用版本\n",
             "在下表中找到包含所需日期的区间，打开该区间即可看到当时每份文件的在用版本及其文本。"
             "命令行：`python -m site_builder as-of YYYY-MM-DD`。\n"]
    if not spans:
        return "\n".join(parts + ["没有任何生效日期。\n"])
    changes = _changes_on(timelines)
    for year, group in groupby(reversed(spans), key=lambda s: s[0].year):
        rows = [[link(links.relative(AS_OF, period_page(start)), start.isoformat()),
                 _last_day(end), changes.get(start, "")]
                for start, end in group]
        parts.append(f"## {year} 年\n\n" + html_table(["起始日期", "截止日期", "当日变更"], rows, "qms-as-of") + "\n")
    return "\n".join(parts)


def _render_period(ctx: RenderContext, timelines: list[Timeline], start, end) -> str:
    page = period_page(start)
    until = _last_day(end)
    rows = []
    for timeline, version in in_force(timelines, start):
        target = version_target(ctx, timeline, version)
        text = {links.document_page(timeline.id): "现行文本", history_page(timeline.id): "版本历史"}.get(target, "文本（作废）")
        rows.append([timeline.id, timeline.item.title, version.version, version.effective_from.isoformat(),
                     version.effective_to.isoformat() if version.effective_to else "—",
                     BASIS_LABELS.get(version.basis, version.basis), link(links.relative(page, target), text)])
    table = html_table(["文件编号", "文件名称", "在用版本", "生效日期", "失效日期", "依据", "文本"], rows, "qms-as-of-period")
    back = f'<p><a href="{html_text(links.relative(page, AS_OF))}">选择其他日期</a></p>\n'
    return "\n".join([page_header(f"在用版本 {start.isoformat()} 起", qms_page="as-of"),
                      f"# 在用版本：{start.isoformat()} 至 {until}\n", back,
                      f"此期间共有 {len(rows)} 份文件在用。\n", table + "\n"])


def _last_day(end) -> str:
    return (end - timedelta(days=1)).isoformat() if end else "至今"


def _changes_on(timelines: list[Timeline]) -> dict:
    found: dict = {}
    for timeline in timelines:
        for version in timeline.versions:
            if version.effective_from:
                found.setdefault(version.effective_from, []).append(f"{timeline.id} {version.version} 生效")
            if version.effective_to and timeline.successor(version) is None:
                found.setdefault(version.effective_to, []).append(f"{timeline.id} 作废")
    return {day: Html("<br>".join(html_text(t) for t in sorted(items))) for day, items in found.items()}
