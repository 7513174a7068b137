"""The manual in force on a chosen date, and the manual-wide change log.

One page per calendar year lists, for every document, each version that was in force at some
time in that year with its dates, so any date's versions can be read off the row (and the page's
date field highlights them).  One page per period between change dates grew with documents x
change dates: 120 MB of Markdown for 1,000 documents with 20 revisions each."""

from __future__ import annotations

from datetime import date, timedelta

from site_builder.history import Timeline
from site_builder.history.asof import change_dates
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
    version_target,
    year_page,
)
from site_builder.render.tables import Html, html_table, link


def render_as_of(ctx: RenderContext, timelines: list[Timeline], pages: dict) -> list:
    """Add history/as-of.md and one page per year; return the navigation entries."""
    dates = change_dates(timelines)
    years = list(range(dates[0].year, max(dates[-1].year, ctx.manual.today.year) + 1)) if dates else []
    pages[AS_OF] = _render_picker(timelines, years)
    nav: list = [{"选择日期": AS_OF}]
    for year in reversed(years):
        pages[year_page(year)] = _render_year(ctx, timelines, year)
        nav.append({f"{year} 年": year_page(year)})
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


def _render_picker(timelines: list[Timeline], years: list[int]) -> str:
    parts = [page_header("某日在用版本", qms_page="as-of"), "# 某日在用版本\n",
             "打开所需日期所在年份的页面：每份文件在该年内用过的每个版本及其生效、失效日期都列在一行中，"
             "在页首填入日期即可突出显示当日的在用版本。命令行：`python -m site_builder as-of YYYY-MM-DD`。\n"]
    if not years:
        return "\n".join(parts + ["没有任何生效日期。\n"])
    changes = _changes_on(timelines)
    for year in reversed(years):
        rows = [[day.isoformat(), text] for day, text in sorted(changes.items(), reverse=True) if day.year == year]
        heading = link(links.relative(AS_OF, year_page(year)), f"{year} 年在用版本")
        parts.append(f"## {year} 年\n\n<p>{heading}</p>\n")
        if rows:
            parts.append(html_table(["变更日期", "当日变更"], rows, "qms-as-of") + "\n")
    return "\n".join(parts)


def _render_year(ctx: RenderContext, timelines: list[Timeline], year: int) -> str:
    page = year_page(year)
    first, last = date(year, 1, 1), date(year, 12, 31)
    rows = []
    for timeline in sorted(timelines, key=lambda t: t.id):
        used = [v for v in timeline.versions if v.effective_from and v.effective_from <= last
                and (v.effective_to is None or v.effective_to > first)]
        if used:
            rows.append([timeline.id, timeline.item.title, Html("<br>".join(_version_span(ctx, timeline, v, page) for v in used))])
    table = html_table(["文件编号", "文件名称", "在用版本（生效日期 至 失效前一日）"], rows, "qms-as-of-year")
    back = f'<p><a href="{html_text(links.relative(page, AS_OF))}">选择其他年份</a></p>\n'
    picker = (f'<p class="qms-as-of-date"><label>日期：<input type="date" min="{first.isoformat()}" max="{last.isoformat()}" '
              'data-qms-as-of></label> 当日在用的版本以粗体显示。</p>\n')
    return "\n".join([page_header(f"{year} 年在用版本", qms_page="as-of"), f"# {year} 年在用版本\n", back, picker,
                      f"{year} 年内共有 {len(rows)} 份文件在用。\n", table + "\n"])


def _version_span(ctx: RenderContext, timeline: Timeline, version, page: str) -> str:
    target = version_target(ctx, timeline, version)
    until = version.effective_to.isoformat() if version.effective_to else ""
    basis = BASIS_LABELS.get(version.basis, version.basis)
    label = f"（{version.effective_from.isoformat()} 至 {_last_day(version.effective_to)}，{basis}）"
    return (f'<span data-qms-from="{version.effective_from.isoformat()}" data-qms-to="{html_text(until)}">'
            f'{link(links.relative(page, target), version.version)}{html_text(label)}</span>')


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
