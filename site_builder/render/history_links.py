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


def has_snapshot(ctx: RenderContext, timeline: Timeline, version: Version) -> bool:
    """Versions no longer in force with a text in git get a snapshot page; the version in force has its
    document page, and a version in progress is shown by its difference from the version in force.
    (Decided without parsing any text: the pages are rendered, and the texts parsed, by archive.py's children.)"""
    if not version.has_text or version.version == in_progress_version(ctx, timeline.id):
        return False
    shown = ctx.manual.document(timeline.id) or ctx.manual.form(timeline.id)
    on_page = shown is not None and shown.version == version.version
    return not on_page or timeline.removed is not None or timeline.item.status == "obsolete"


def in_progress_version(ctx: RenderContext, item_id: str) -> str | None:
    """The version being prepared (draft, in review, approved for a later date), if any."""
    item = ctx.manual.in_progress.get(item_id)
    return item.version if item is not None else None


def diff_pairs(timeline: Timeline) -> list[tuple[Version, Version]]:
    """Consecutive versions that both have a text."""
    with_text = [v for v in timeline.versions if v.has_text]
    return list(zip(with_text, with_text[1:]))


def version_target(ctx: RenderContext, timeline: Timeline, version: Version) -> str:
    """The page showing the text of `version`: its snapshot, the document page, or the history page."""
    if has_snapshot(ctx, timeline, version):
        return snapshot_page(timeline.id, version.version)
    if _on_document_page(ctx, timeline, version):
        return links.document_page(timeline.id)
    return history_page(timeline.id)


def _on_document_page(ctx: RenderContext, timeline: Timeline, version: Version) -> bool:
    document = ctx.document(timeline.id)
    return document is not None and document.version == version.version


def version_link(ctx: RenderContext, timeline: Timeline, version: Version, page: str) -> Html:
    parts = []
    if has_snapshot(ctx, timeline, version):
        parts.append(link(links.relative(page, snapshot_page(timeline.id, version.version)), "文本（作废）"))
    elif _on_document_page(ctx, timeline, version):
        parts.append(link(links.relative(page, links.document_page(timeline.id)), "现行文本"))
    elif version.version == in_progress_version(ctx, timeline.id):
        parts.append("修订中，未生效")
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
