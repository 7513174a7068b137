"""Paths of the history pages and the links between versions."""

from __future__ import annotations

from site_builder.history import Timeline, Version
from site_builder.render import links
from site_builder.render.context import RenderContext
from site_builder.render.escape import url_segment
from site_builder.render.tables import Html, link

HISTORY_INDEX = "history/index.md"
CHANGES = "history/changes.md"
AS_OF = "history/as-of.md"
BASIS_LABELS = {"verified": "已核实（git 提交）", "declared": "声明（入库前或无提交印证）", "pending": "待发布（尚未提交）",
                "missing-entry": "缺少修订条目"}


def history_page(doc_id: str) -> str:
    return f"history/{url_segment(doc_id)}/index.md"


def snapshot_page(doc_id: str, version: str) -> str:
    return f"history/{url_segment(doc_id)}/{url_segment(version)}.md"


def diff_page(doc_id: str, old: str, new: str) -> str:
    return f"history/{url_segment(doc_id)}/diff-{url_segment(old)}-{url_segment(new)}.md"


def year_page(year: int) -> str:
    return f"history/as-of/{year:04d}.md"


def has_snapshot(timeline: Timeline, version: Version) -> bool:
    """Obsolete versions with a text in git get a snapshot page; the current one has its document page.
    (Decided without parsing any text: the pages are rendered, and the texts parsed, by archive.py's children.)"""
    if not version.has_text:
        return False
    return not version.current or timeline.removed is not None or timeline.item.status == "obsolete"


def diff_pairs(timeline: Timeline) -> list[tuple[Version, Version]]:
    """Consecutive versions that both have a text."""
    with_text = [v for v in timeline.versions if v.has_text]
    return list(zip(with_text, with_text[1:]))


def version_target(ctx: RenderContext, timeline: Timeline, version: Version) -> str:
    """The page showing the text of `version`: its snapshot, the document page, or the history page."""
    if has_snapshot(timeline, version):
        return snapshot_page(timeline.id, version.version)
    if version.current and ctx.has_document(timeline.id):
        return links.document_page(timeline.id)
    return history_page(timeline.id)


def version_link(ctx: RenderContext, timeline: Timeline, version: Version, page: str) -> Html:
    parts = []
    if has_snapshot(timeline, version):
        parts.append(link(links.relative(page, snapshot_page(timeline.id, version.version)), "文本（作废）"))
    elif version.current and ctx.has_document(timeline.id):
        parts.append(link(links.relative(page, links.document_page(timeline.id)), "现行文本"))
    elif not version.has_text:
        parts.append("无电子文本" if not version.current else "")
    for old, new in diff_pairs(timeline):
        if new is version:
            parts.append(link(links.relative(page, diff_page(timeline.id, old.version, new.version)), f"与 {old.version} 比较"))
    return Html(" · ".join(p for p in parts if p))


def replacement(timelines: list[Timeline], timeline: Timeline, version: Version) -> str:
    """What replaced `version`: 已被 X 版取代, the superseding document, or when it was withdrawn."""
    later = timeline.versions[timeline.versions.index(version) + 1:]
    successor = timeline.successor(version) or (later[0] if later else None)
    if successor is not None:
        return f"已被 {successor.version} 版取代"
    by = [t.id for t in timelines if timeline.id in t.item.supersedes]
    if by:
        return f"已被 {'、'.join(by)} 取代"
    if timeline.item.obsoleted:
        return f"已于 {timeline.item.obsoleted.isoformat()} 作废"
    if timeline.removed:
        return f"已于 {timeline.removed.day.isoformat()} 从手册中删除"
    return "已失效"
