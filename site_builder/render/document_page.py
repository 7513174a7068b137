"""One page per controlled document: control header, body, links, distribution, revision history."""

from __future__ import annotations

from site_builder.model.body import link_target, linked_document, safe_body
from site_builder.model.manual import LEVEL_LABELS, STATUS_LABELS, Document
from site_builder.render import links
from site_builder.render.context import AUDITOR, RenderContext
from site_builder.render.escape import css_string, html_text, md_inline
from site_builder.render.frontmatter import page_header
from site_builder.render.history_links import diff_page
from site_builder.render.tables import Html, html_table, link


def render_document(document: Document, ctx: RenderContext) -> str:
    """Of the rest of `ctx` this reads only the paths, numbers and titles of the documents, the numbers
    and titles of the forms and the departments: `serve` reuses a page while those are unchanged
    (render_site), so a new read of ctx must be added to that key."""
    page = links.document_page(document.id)
    parts = [
        page_header(f"{document.id} {document.title}", qms_document=document.id, qms_version=document.version,
                    qms_status=document.status),
        f"# {md_inline(document.id)} {md_inline(document.title)}\n",
        status_banner(document, ctx),
        control_header(document),
        safe_body(document.body, body_link_rewriter(document, ctx, page)).strip() + "\n",
        _related(document, ctx, page),
        "## 分发清单\n",
        distribution_table(document, ctx, page),
        "## 修订履历\n",
        revision_table(document),
        in_progress_section(document.id, ctx, page),
        print_footer(document),
    ]
    return "\n".join(p for p in parts if p) + "\n"


def in_progress_section(item_id: str, ctx: RenderContext, page: str) -> str:
    """Auditor pages: the version being prepared, its sign-offs so far and its difference from the
    version in force (staff pages never show a version in progress)."""
    newer = ctx.manual.in_progress.get(item_id)
    current = ctx.manual.document(item_id) or ctx.manual.form(item_id)
    if ctx.audience != AUDITOR or newer is None or current is None:
        return ""
    def sig(s):
        return f"{s.name}（{s.date.isoformat()}）" if s else "—"

    planned = newer.effective.isoformat() if newer.effective else "未定"
    rows = [[newer.version, STATUS_LABELS.get(newer.status, newer.status), sig(newer.prepared_by),
             sig(getattr(newer, "reviewed_by", None)), sig(newer.approved_by), planned,
             link(links.relative(page, diff_page(item_id, current.version, newer.version)), f"与 {current.version} 比较")]]
    entry = newer.revisions[-1] if newer.revisions and newer.revisions[-1].version == newer.version else None
    change = f"\n更改说明：{md_inline(entry.change)}（{md_inline(entry.sections)}）\n" if entry else ""
    return ("## 修订中的版本\n\n"
            f"以上为现行有效的 {md_inline(current.version)} 版；下一版本正在修订，生效前不发布给员工。\n{change}\n"
            + html_table(["版本", "状态", "编制", "审核", "批准", "计划生效日期", "差异"], rows, "qms-in-progress") + "\n")


def body_link_rewriter(document: Document, ctx: RenderContext, page: str):
    """Links between source files (QP-02-complaint-handling.md) become links between the built pages."""
    by_path = {d.path: d for d in ctx.documents}

    def rewrite(destination: str) -> str | None:
        target = link_target(destination)
        linked = linked_document(document, target, by_path) if target.endswith(".md") else None
        if linked is None:
            return None
        anchor = destination.strip().lstrip("<").split(">", 1)[0].split(None, 1)[0].partition("#")[2]
        return links.md_link(page, links.document_page(linked.id)) + (f"#{anchor}" if anchor else "")

    return rewrite


PREVIEW_BANNER = '<div class="qms-banner qms-banner-preview">草稿预览，未生效</div>\n'


def status_banner(document: Document, ctx: RenderContext) -> str:
    if ctx.previewed(document):
        return PREVIEW_BANNER
    if document.status == "effective":
        return ""
    label = STATUS_LABELS.get(document.status, document.status)
    if document.status == "obsolete":
        by = [d.id for d in ctx.manual.documents if document.id in d.supersedes]
        label += (f"（{document.obsoleted.isoformat()} 起作废" if document.obsoleted else "（") + (
            f"，由 {'、'.join(by)} 取代）" if by else "）")
    return f'<div class="qms-banner qms-banner-{html_text(document.status)}">本文件状态：{html_text(label)}</div>\n'


def control_header(document: Document) -> str:
    def sig(s):
        return f"{s.name}（{s.date.isoformat()}）" if s else "—"

    rows = [
        ("文件编号", document.id, "文件名称", document.title),
        ("版本", document.version, "状态", STATUS_LABELS.get(document.status, document.status)),
        ("生效日期", document.effective.isoformat() if document.effective else "—", "制定部门", document.owner),
        ("文件层级", LEVEL_LABELS.get(document.level, str(document.level)), "下次评审",
         document.next_review.isoformat() if document.next_review else "—"),
        ("编制", sig(document.prepared_by), "审核", sig(document.reviewed_by)),
        ("批准", sig(document.approved_by), "", ""),
    ]
    body = "".join(
        f'<tr><th>{html_text(a)}</th><td>{html_text(b)}</td><th>{html_text(c)}</th><td>{html_text(d)}</td></tr>'
        for a, b, c, d in rows)
    return f'<table data-qms="qms-control-header"><tbody>{body}</tbody></table>\n'


def _related(document: Document, ctx: RenderContext, page: str) -> str:
    sections = (("文件链接", document.related_documents, ctx.document, links.document_page, "（不在本站点中）"),
                ("表单链接", document.related_forms, ctx.form, links.form_page, ""))
    out = []
    for heading, refs, find, page_of, missing in sections:
        lines = []
        for ref in refs:
            target = find(ref)
            if heading == "文件链接" and ctx.manual.external_document(ref) is not None:
                continue  # (a register entry: listed under 外来文件链接)
            if target:
                lines.append(f"- [{md_inline(target.id)} {md_inline(target.title)}]({links.md_link(page, page_of(ref))})")
            else:
                lines.append(f"- {md_inline(ref)}{missing}")
        if lines:
            out.append(f"## {heading}\n\n" + "\n".join(lines) + "\n")
    external = _external_links(document, ctx, page)
    if external:
        out.append("## 外来文件链接\n\n" + external + "\n")
    return "\n".join(out)


def _external_links(document: Document, ctx: RenderContext, page: str) -> str:
    """The register entries the document cites (related_documents or the issuer's number in the body)."""
    lines, seen = [], set()
    for citation in ctx.cited_external(document.id):
        entry = ctx.manual.external_document(citation.external)
        if entry is None or entry.id in seen:
            continue
        seen.add(entry.id)
        text = f"{md_inline(entry.citation)}《{md_inline(entry.title)}》（{md_inline(entry.id)}）"
        state = "" if entry.status == "current" else "（已被替代）" if entry.status == "superseded" else "（已废止）"
        if ctx.has_external(entry.id):
            lines.append(f"- [{text}]({links.md_link(page, links.external_page(entry.id))}){state}")
        else:
            lines.append(f"- {text}{state}")
    return "\n".join(lines)


def distribution_table(document: Document, ctx: RenderContext, page: str) -> str:
    rows = []
    for entry in document.distribution:
        department = ctx.manual.organisation.department(entry.department)
        name = link(links.relative(page, links.department_page(department.code)), entry.department) if department else entry.department
        rows.append([name, entry.copies, "、".join(entry.copy_numbers)])
    return html_table(["部门", "份数", "分发号"], rows, "qms-distribution") + "\n"


def revision_table(document: Document) -> str:
    rows = [[r.version, r.date.isoformat(), r.sections, r.change, r.approved_by or ""] for r in reversed(document.revisions)]
    return html_table(["版本", "日期", "更改章节", "更改说明", "批准"], rows, "qms-revisions") + "\n"


def print_footer(document: Document) -> str:
    return print_footer_style(f"{document.id} · 版本 {document.version} · 打印件为非受控文件")


def print_footer_style(text: str) -> str:
    """The printed-page footer as a CSS page-margin box of this page only.

    A margin box sits in the bottom page margin that qms.css reserves, so unlike a `position: fixed`
    element it never covers body text, and it repeats on every printed page next to qms.css's
    「第 x 页 / 共 y 页」.  Style elements are skipped by the search index; the `print` command
    removes this one (data-qms) and puts its own controlled-copy marking in the margins."""
    rule = f"@media print {{ @page {{ @bottom-left {{ content: {css_string(text)}; }} }} }}"
    return f'<style data-qms="qms-print-footer">{rule}</style>\n'


def status_label(status: str) -> Html:
    return Html(f'<span class="qms-status qms-status-{html_text(status)}">{html_text(STATUS_LABELS.get(status, status))}</span>')
