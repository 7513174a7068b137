"""Auditor-only history pages (issue 6).  Adds pages to the site.

history/index.md (overview), history/<ID>/index.md (every version of a document with its dates,
change, approver, commit and verified/declared, and the commits that touched it),
history/<ID>/<VERSION>.md (snapshot of every obsolete version, with banner and print
watermark) and history/<ID>/diff-<A>-<B>.md (character-level differences), both in `site.archive`
(pages MkDocs does not render: archive.py; a long history has tens of thousands), history/as-of.md and
history/as-of/<DATE>.md (the manual in force between two change dates), history/changes.md
(change log) and api/history.json.  For the auditor audience every page also gets the banner
「受限：仅限审核与质量部门」.
"""

from __future__ import annotations

from site_builder.history import ManualHistory, Timeline, Version, backdated_entries
from site_builder.history.rules import Backdated
from site_builder.history.signatures import STATUS_LABELS
from site_builder.render import api, links
from site_builder.render.banner import add_restricted_banner
from site_builder.render.context import AUDITOR, RenderContext
from site_builder.render.escape import html_text, md_inline
from site_builder.render.frontmatter import page_header
from site_builder.render.history_asof import render_as_of, render_changes
from site_builder.render.history_links import (
    BASIS_LABELS,
    CHANGES,
    HISTORY_INDEX,
    history_page,
    version_link,
)
from site_builder.render.history_versions import render_versions
from site_builder.render.navigation import by_level_and_department
from site_builder.render.tables import Html, html_table, link

NAV_SECTION = "审核：版本历史"


def render_history(ctx: RenderContext, site) -> None:
    """Add history, obsolete snapshots, diffs, as-of and change-log pages, and api/history.json, to `site`."""
    if ctx.audience != AUDITOR:
        return
    history = ctx.history
    timelines = history.of_kind("document")
    nav = [{"总览": HISTORY_INDEX}, {"修订记录": CHANGES}]
    site.pages[HISTORY_INDEX] = _render_index(ctx, timelines)
    site.pages[CHANGES] = render_changes(ctx, timelines)
    nav.append({"某日在用版本": render_as_of(ctx, timelines, site.pages)})
    for timeline in timelines:
        site.pages[history_page(timeline.id)] = _render_document_history(ctx, history, timeline)
        render_versions(ctx, timelines, timeline, site.archive)  # (linked from the history page, not in the nav)
    current = {d.id: d for d in ctx.manual.documents}
    nav += by_level_and_department([current[t.id] for t in timelines if t.id in current],
                                   lambda d: {f"{d.id} {d.title}": history_page(d.id)})
    removed = [{f"{t.id} {t.item.title}": history_page(t.id)} for t in timelines if t.id not in current]
    if removed:
        nav.append({"已移除的文件": removed})
    site.pages["api/history.json"] = api.dump([_json(t, ctx.history.signatures) for t in timelines])
    site.nav.append({NAV_SECTION: nav})
    add_restricted_banner(site.pages)


def _render_index(ctx: RenderContext, timelines: list[Timeline]) -> str:
    rows = []
    for timeline in timelines:
        item = timeline.item
        state = "已删除" if timeline.removed else item.status
        rows.append([link(links.relative(HISTORY_INDEX, history_page(item.id)), item.id), item.title, item.version,
                     state, len(timeline.versions), sum(v.verified for v in timeline.versions)])
    parts = [
        page_header("版本历史总览", qms_page="history"),
        "# 版本历史总览\n",
        "本页及“审核：版本历史”下的各页由 git 历史生成，供内审、外审及质量部门使用。“已核实”表示该版本由仓库中的提交"
        "发布；“声明”表示修订条目早于仓库（由纸质记录转入）或无提交可印证。\n",
        f'<p><a href="{html_text(links.relative(HISTORY_INDEX, CHANGES))}">修订记录（全部文件）</a> · '
        f'<a href="{html_text(links.relative(HISTORY_INDEX, "history/as-of.md"))}">某日在用版本</a></p>\n',
        html_table(["文件编号", "文件名称", "当前版本", "状态", "版本数", "已核实"], rows, "qms-history-index") + "\n",
    ]
    return "\n".join(parts)


def _render_document_history(ctx: RenderContext, history: ManualHistory, timeline: Timeline) -> str:
    item, page = timeline.item, history_page(timeline.id)
    parts = [page_header(f"{item.id} 版本历史", qms_document=item.id, qms_page="history"),
             f"# {md_inline(item.id)} {md_inline(item.title)}：版本历史\n", _where(ctx, timeline, page)]
    late = {b.version: b for b in backdated_entries(timeline, history.repo_start, ctx.manual.config.backdating_days)}
    rows = [_version_row(ctx, timeline, v, page, late.get(v.version)) for v in reversed(timeline.versions)]
    parts.append(html_table(["版本", "生效日期", "失效日期", "更改章节", "更改说明", "批准", "提交", "依据", "批准签名", "文本"],
                            rows, "qms-history") + "\n")
    reviews = _reviews_table(timeline)
    if reviews:
        parts += ["## 定期评审记录\n", reviews + "\n"]
    parts.append("## 提交记录\n")
    parts.append(_commit_table(timeline) + "\n")
    return "\n".join(parts)


def _reviews_table(timeline: Timeline) -> str:
    """Every periodic review the history holds (`last_reviewed` as each commit recorded it), newest first."""
    seen: dict[tuple, str] = {}
    for state in timeline.states:
        if state.file is not None and b"last_reviewed" in state.file.raw and state.parsed is not None:
            review = _review(state.parsed.data.get("last_reviewed"))
            if review is not None and review not in seen:
                seen[review] = state.commit.short
    current = _review(timeline.item.parsed.data.get("last_reviewed")) if timeline.item.parsed is not None else None
    if current is not None and current not in seen:
        seen[current] = "（未提交）"
    rows = [[day, by or "（未记录）", result, Html(f"<code>{html_text(commit)}</code>")]
            for (day, by, result), commit in sorted(seen.items(), reverse=True)]
    return html_table(["评审日期", "评审人", "评审结论", "记录提交"], rows, "qms-reviews") if rows else ""


def _review(value) -> tuple[str, str, str] | None:
    if isinstance(value, dict):
        return (str(value.get("date", "")), str(value.get("by", "")), str(value.get("result", "")))
    return (str(value), "", "") if isinstance(value, str) and value else None


def _where(ctx: RenderContext, timeline: Timeline, page: str) -> str:
    if timeline.removed:
        return (f'<div class="qms-banner qms-banner-obsolete">本文件已于 {html_text(timeline.removed.day)} 从仓库删除'
                f"（提交 {html_text(timeline.removed.short)}）</div>\n")
    if ctx.has_document(timeline.id):
        return f"当前文本见[文件页面]({links.md_link(page, links.document_page(timeline.id))})。\n"
    return ""


def _version_row(ctx: RenderContext, timeline: Timeline, version: Version, page: str, late: Backdated | None) -> list:
    entry = version.entry
    commit = version.released
    basis = BASIS_LABELS.get(version.basis, version.basis)
    if late:  # SB414: the approval date is far older than the version's first commit
        basis = Html(f'{html_text(basis)}<br><strong class="qms-backdated">疑似倒签：批准日期早于入库 {late.days} 天'
                     f'（{html_text(late.commit.day)}）</strong>')
    return [version.version, _day(version.effective_from), _day(version.effective_to), entry.sections if entry else "",
            entry.change if entry else "", entry.approved_by if entry else "",
            Html(f'<code title="{html_text(commit.sha)}">{html_text(commit.short)}</code> {html_text(commit.day)}')
            if commit else "—", basis, _signature_cell(ctx, timeline, version), version_link(ctx, timeline, version, page)]


def _signature_cell(ctx: RenderContext, timeline: Timeline, version: Version) -> Html | str:
    """签名已验证 (signer, key fingerprint, signed at), 未签名, 签名无效, 签名人不符 or 无需签名."""
    result = ctx.history.signatures.get((timeline.id, version.version)) if ctx.history is not None else None
    if result is None:
        return "—"
    label = STATUS_LABELS[result.status]
    if result.status != "verified":
        return Html(f'<span class="qms-signature qms-signature-{html_text(result.status)}">{html_text(label)}</span>')
    return Html(f'<span class="qms-signature qms-signature-verified">{html_text(label)}</span><br>'
                f'{html_text(result.signer or "")}，<code>{html_text(result.key or "")}</code>，'
                f'{html_text((result.signed_at or "").replace("T", " "))}')


def _commit_table(timeline: Timeline) -> str:
    rows = []
    for state in reversed(timeline.states):
        commit = state.commit
        what = f"{state.version or '?'} / {state.status or '?'}" if not state.removed else "删除"
        rows.append([commit.authored.strftime("%Y-%m-%d %H:%M %z"), Html(f"<code>{html_text(commit.short)}</code>"),
                     commit.author, commit.subject, what, state.path])
    if not rows:
        return "仓库中没有本文件的提交（无 git 历史，或尚未提交）。"
    return html_table(["时间", "提交", "作者", "说明", "版本 / 状态", "路径"], rows, "qms-commits")


def _json(timeline: Timeline, signatures: dict) -> dict:
    item = timeline.item
    return {"id": item.id, "title": item.title, "status": "removed" if timeline.removed else item.status,
            "versions": [_version_json(v, signatures.get((timeline.id, v.version))) for v in timeline.versions]}


def _version_json(version: Version, signature=None) -> dict:
    entry = version.entry
    return {
        "version": version.version, "effective_from": _iso(version.effective_from),
        "effective_to": _iso(version.effective_to), "commit": version.released.sha if version.released else None,
        "verified": version.verified, "change": version.change, "basis": version.basis,
        "date": _iso(entry.date) if entry else None, "sections": entry.sections if entry else None,
        "approved_by": entry.approved_by if entry else None,
        #: {status, signer, key, signed_at} of the approval commit (history/signatures.py), or null
        "signature": signature.as_json() if signature is not None else None,
    }


def _day(value) -> str:
    return value.isoformat() if value else "—"


def _iso(value) -> str | None:
    return value.isoformat() if value else None
