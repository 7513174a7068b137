"""Snapshot pages of obsolete versions and difference pages between consecutive versions."""

from __future__ import annotations

from functools import partial

from site_builder.history import Timeline, Version
from site_builder.history.diff import diff_html
from site_builder.history.fingerprint import LIFECYCLE_KEYS, Parsed
from site_builder.model import build as build_model
from site_builder.model.body import safe_body
from site_builder.model.manual import Document
from site_builder.render import links
from site_builder.render.banner import restricted
from site_builder.render.context import RenderContext
from site_builder.render.document_page import (
    body_link_rewriter,
    control_header,
    print_footer,
    print_footer_style,
    revision_table,
)
from site_builder.render.escape import html_text, md_inline
from site_builder.render.frontmatter import page_meta
from site_builder.render.history_links import diff_page, diff_pairs, has_snapshot, history_page, replacement, snapshot_page
from site_builder.render.tables import html_table

_INTEGERS = ("level", "review_period_months")
#: Material's search leaves these pages out (they would repeat a document up to forty times); archive.py
#: does not index them either
NOT_SEARCHED = {"exclude": True}
WATERMARK = '<div class="qms-watermark" aria-hidden="true">作废</div>\n'


def render_versions(ctx: RenderContext, timelines: list[Timeline], timeline: Timeline, archive: dict) -> None:
    """Add the snapshot and diff pages of one document to `archive` (Site.archive: rendered when written)."""
    for version in timeline.versions:
        if has_snapshot(ctx, timeline, version):
            archive[snapshot_page(timeline.id, version.version)] = partial(
                _restricted, render_snapshot, timelines, timeline, version, ctx)
    for old, new in diff_pairs(timeline):
        archive[diff_page(timeline.id, old.version, new.version)] = partial(_restricted, render_diff, timeline, old, new)


def _restricted(render, *args) -> tuple[dict, str]:
    meta, markdown = render(*args)
    return meta, restricted(markdown)


def render_snapshot(timelines: list[Timeline], timeline: Timeline, version: Version,
                    ctx: RenderContext) -> tuple[dict, str]:
    """(front matter, Markdown) of the page.  Links in the body to other documents' source files lead to
    their pages (as on a document page)."""
    content, page = version.content, snapshot_page(timeline.id, version.version)
    document = document_at(content, timeline.item.path) if content is not None else None
    title = (content.field("title") if content is not None else None) or timeline.item.title
    banner = f"作废 / {replacement(timelines, timeline, version)}"
    meta = page_meta(f"{timeline.id} {version.version}（作废）", qms_document=timeline.id, qms_version=version.version,
                     qms_status="obsolete", search=NOT_SEARCHED)
    parts = [
        f"# {md_inline(timeline.id)} {md_inline(title)}（{md_inline(version.version)} 版）\n",
        f'<div class="qms-banner qms-banner-obsolete">{html_text(banner)}</div>\n',
        WATERMARK,
        _snapshot_links(timeline, version, page),
        _period(version),
        control_header(document) if document else "",
        safe_body(content.body, body_link_rewriter(timeline.item, ctx, page)).strip() + "\n"
        if content is not None else _unreadable(version.raw_text),
    ]
    if document:
        parts += ["## 修订履历\n", revision_table(document), print_footer(document)]
    else:
        footer = f"{timeline.id} · 版本 {version.version} · 作废 · 打印件为非受控文件"
        parts.append(print_footer_style(footer))
    return meta, "\n".join(p for p in parts if p) + "\n"


def render_diff(timeline: Timeline, old: Version, new: Version) -> tuple[dict, str]:
    """(front matter, Markdown) of the page."""
    page = diff_page(timeline.id, old.version, new.version)
    entry = new.entry
    meta = page_meta(f"{timeline.id} {old.version} → {new.version} 差异", qms_document=timeline.id, qms_page="diff",
                     search=NOT_SEARCHED)
    parts = [
        f"# {md_inline(timeline.id)}：{md_inline(old.version)} → {md_inline(new.version)} 差异\n",
        f'<p><a href="{html_text(links.relative(page, history_page(timeline.id)))}">返回版本历史</a></p>\n',
    ]
    if entry:
        parts.append(html_table(["版本", "日期", "更改章节", "更改说明", "批准"],
                                [[entry.version, entry.date.isoformat() if entry.date else "", entry.sections,
                                  entry.change, entry.approved_by]], "qms-revisions") + "\n")
    if old.content is None or new.content is None:  # (a committed text that is not readable YAML)
        parts += ["## 全文\n", "其中一个版本的文件头无法读取，以下比较提交中的原文。删除的文字以删除线标出，新增的文字以下划线标出。\n",
                  diff_html(old.raw_text.strip("\n"), new.raw_text.strip("\n")) + "\n"]
        return meta, "\n".join(parts)
    parts += ["## 受控字段\n", _field_changes(old.content, new.content) + "\n",
              "## 正文\n", "删除的文字以删除线标出，新增的文字以下划线标出。\n",
              diff_html(old.content.body.strip("\n"), new.content.body.strip("\n")) + "\n"]
    return meta, "\n".join(parts)


def _unreadable(raw: str) -> str:
    """A committed text whose front matter is not readable YAML: shown as it is, escaped."""
    return ('<p class="qms-banner">本版本的文件头无法按 YAML 读取，以下为提交中的原文。</p>\n\n'
            f'<pre class="qms-raw-text">{html_text(raw).replace(chr(10), "&#10;")}</pre>\n')  # (one line: one HTML block)


def document_at(content: Parsed, path: str) -> Document | None:
    """The model of a committed version, or None when it no longer fits the model."""
    data = dict(content.data)
    for key in _INTEGERS:
        data[key] = _integer(data.get(key))
    data["distribution"] = [{**d, "copies": _integer(d.get("copies"))} if isinstance(d, dict) else d
                            for d in data.get("distribution") or []]
    data["objectives"] = []  # shown on the current page; old targets need not fit today's model
    try:
        return build_model.document_from(data, content.body, path, 1)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _snapshot_links(timeline: Timeline, version: Version, page: str) -> str:
    items = [f'<a href="{html_text(links.relative(page, history_page(timeline.id)))}">版本历史</a>']
    for old, new in diff_pairs(timeline):
        if version in (old, new):
            other = new if old is version else old
            target = links.relative(page, diff_page(timeline.id, old.version, new.version))
            items.append(f'<a href="{html_text(target)}">与 {html_text(other.version)} 版比较</a>')
    return "<p>" + " · ".join(items) + "</p>\n"


def _period(version: Version) -> str:
    start = version.effective_from.isoformat() if version.effective_from else "未生效"
    end = version.effective_to.isoformat() if version.effective_to else "—"
    commit = f"，发布提交 {version.released.short}（{version.released.day}）" if version.released else ""
    return f"<p>生效期间：{html_text(start)} 至 {html_text(end)}{html_text(commit)}</p>\n"


#: the Chinese name a reader sees for a front-matter key (and for the keys inside its values); others as written
KEY_LABELS = {
    "title": "标题", "summary": "摘要", "owner": "制定部门", "level": "文件层级", "distribution": "分发范围",
    "department": "部门", "copies": "份数", "copy_numbers": "分发号", "related_documents": "相关文件",
    "related_forms": "相关表单", "review_period_months": "评审周期（月）", "objectives": "质量目标",
    "quality_policy": "质量方针", "supersedes": "取代文件", "procedure": "所属文件", "description": "填写说明",
    "fields": "栏目", "rules": "规则", "retention": "保存期限", "years": "年", "note": "说明",
    "record_prefix": "记录编号前缀", "label": "名称", "type": "类型", "required": "必填", "choices": "选项",
    "help": "填写提示", "id": "编号", "text": "内容", "target": "目标值", "comparison": "比较", "unit": "单位",
    "period": "统计周期", "metric": "计算方法",
}


def _field_changes(old: Parsed, new: Parsed) -> str:
    keys = [k for k in dict.fromkeys([*old.data, *new.data]) if k not in LIFECYCLE_KEYS and k not in ("revisions", "version")]
    rows = [[KEY_LABELS.get(key, key), _show(old.data.get(key)), _show(new.data.get(key))] for key in keys
            if _show(old.data.get(key)) != _show(new.data.get(key))]
    if not rows:
        return "受控字段（正文以外）没有变化。"
    return html_table(["字段", "原版本", "新版本"], rows, "qms-field-changes")


def _show(value) -> str:
    if isinstance(value, list):
        return "、".join(_show(v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{KEY_LABELS.get(k, k)}：{_show(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def _integer(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value
