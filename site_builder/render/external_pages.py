"""外来文件清单 (issue 23): the register page, a page per external document and api/external.json.

The staff site lists the current editions; the auditor site also the superseded and withdrawn ones,
each with its edition history (every edition of the same issuer's number), its review and the
issue and recall of its controlled copies (records of the distribution form).
"""

from __future__ import annotations

from site_builder.derive.distribution.copies import STATUS_LABELS as COPY_LABELS
from site_builder.derive.distribution.copies import distribution_status
from site_builder.derive.external import (
    DECISION_LABELS,
    ORIGIN_LABELS,
    REVIEW_LABELS,
    STATUS_LABELS,
    EntryStatus,
    RegisterStatus,
    register_status,
)
from site_builder.model.manual import ExternalDocument
from site_builder.render import api, links
from site_builder.render.context import AUDITOR, RenderContext
from site_builder.render.distribution_pages import pages_of_records
from site_builder.render.escape import html_text, md_inline
from site_builder.render.frontmatter import page_header
from site_builder.render.tables import Html, html_table, link

PAGE = links.EXTERNAL_INDEX
TITLE = "外来文件清单"


def render_external(ctx: RenderContext, site) -> None:
    """Add the register, one page per visible entry, api/external.json and their navigation (after the
    record pages, whose rows the copies link to)."""
    copies = distribution_status(ctx.manual)
    status = register_status(ctx.manual, copies)
    record_pages = pages_of_records(site, copies)
    site.pages[PAGE] = render_register(ctx, status)
    for entry in ctx.external:
        site.pages[links.external_page(entry.id)] = render_entry(ctx, status, status.of(entry.id), record_pages)
    site.pages["api/external.json"] = external_json(ctx, status)
    entries = [{f"{e.id} {e.citation} {e.title}": links.external_page(e.id)} for e in ctx.external]
    site.nav.insert(min(2, len(site.nav)), {TITLE: [{TITLE: PAGE}, *entries]})


def entry_label(entry: ExternalDocument) -> str:
    return f"{entry.citation}《{entry.title}》"


def review_state(item: EntryStatus) -> str:
    state = REVIEW_LABELS[item.review_state]
    if item.entry.review is not None:
        return f"{state}（{DECISION_LABELS[item.entry.review.decision]}，{item.entry.review.date.isoformat()}）"
    return state


def render_register(ctx: RenderContext, status: RegisterStatus) -> str:
    rows = []
    for entry in ctx.external:
        item = status.of(entry.id)
        rows.append([link(links.relative(PAGE, links.external_page(entry.id)), entry.id), entry.title,
                     ORIGIN_LABELS[entry.origin], entry.number, entry.edition, STATUS_LABELS[entry.status],
                     review_state(item), "、".join(item.holders) or "—"])
    scope = ("本清单列出全部外来文件的各个版本，包括已被替代和已废止的版本。" if ctx.audience == AUDITOR
             else "本清单只列出现行有效的版本；已被替代和已废止的版本见审核员站点。")
    days = ctx.manual.config.review_working_days
    headers = ["登记号", "文件名称", "来源", "原编号", "版本", "状态", "评审", "持有部门"]
    filters = "".join(f'<label>{html_text(name)} <select data-qms-filter="{col}"><option value="">全部</option></select></label> '
                      for col, name in ((2, "来源"), (5, "状态")))
    return "\n".join([
        page_header(TITLE, qms_page="external-register", hide=["toc"]),
        f"# {TITLE}\n",
        f"文控中心按《文件控制程序》（QP-01）5.11 维护的外来文件电子台账：标准、法律法规、客户和供应商的技术文件，"
        f"每个版本一条登记，注明原编号、版本、来源、评审结论和持有部门。客户文件在收到后 {days} 个工作日内评审"
        f"（按法定节假日和调休安排计算）。{scope}共 {len(rows)} 条。\n",
        f'<div class="qms-filters" data-qms-table="qms-external">{filters}</div>\n',
        html_table(headers, rows, "qms-sortable", ' id="qms-external"') + "\n",
    ])


def render_entry(ctx: RenderContext, status: RegisterStatus, item: EntryStatus, record_pages: dict[str, str]) -> str:
    entry = item.entry
    page = links.external_page(entry.id)
    parts = [
        page_header(f"{entry.id} {entry.citation} {entry.title}", qms_page="external", qms_external=entry.id),
        f"# {md_inline(entry.id)} {md_inline(entry.citation)} {md_inline(entry.title)}\n",
        _banner(ctx, entry, page),
        _header(entry, item),
        "## 评审\n",
        _review(ctx, item, page),
        "## 持有部门\n",
        _holders(ctx, item, page, record_pages),
        _editions(ctx, entry, page),
        _cited_by(ctx, item, page),
        f"## 备注\n\n{md_inline(entry.note)}\n" if entry.note else "",
        f"<p>原件电子版：{html_text(entry.file)}（文控中心保管，不在站点发布）</p>\n" if entry.file else "",
        f'<p>{link(links.relative(page, PAGE), "返回外来文件清单")}</p>\n',
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _banner(ctx: RenderContext, entry: ExternalDocument, page: str) -> str:
    if entry.status == "current":
        return ""
    if entry.status == "superseded":
        newer = ctx.manual.external_document(entry.superseded_by)
        by = f"，由 {entry.superseded_by}{' ' + newer.citation if newer else ''} 取代" if entry.superseded_by else ""
        text = f"本版本已被替代（{entry.superseded_on.isoformat()} 起{by}），不得再作为依据使用"
    else:
        text = f"本文件已废止（{entry.withdrawn_on.isoformat()} 起），不得再作为依据使用"
    return f'<div class="qms-banner qms-banner-obsolete">{html_text(text)}</div>\n'


def _header(entry: ExternalDocument, item: EntryStatus) -> str:
    def day(value):
        return value.isoformat() if value else "—"

    check = entry.currency_check
    rows = [
        ("登记号", entry.id, "文件名称", entry.title),
        ("原编号", entry.number, "版本", entry.edition),
        ("来源", ORIGIN_LABELS[entry.origin], "发布单位", entry.issuer),
        ("发布日期", day(entry.issued), "状态", STATUS_LABELS[entry.status]),
        ("收到日期", day(entry.received), "登记人", entry.received_by),
        ("上次查新", f"{check.date.isoformat()} {check.by or ''} {check.result}".strip() if check else "—",
         "下次查新", day(item.currency_due) + ("（已逾期）" if item.currency_overdue else "")),
    ]
    body = "".join(
        f'<tr><th>{html_text(a)}</th><td>{html_text(b)}</td><th>{html_text(c)}</th><td>{html_text(d)}</td></tr>'
        for a, b, c, d in rows)
    return f'<table data-qms="qms-control-header"><tbody>{body}</tbody></table>\n'


def _review(ctx: RenderContext, item: EntryStatus, page: str) -> str:
    review = item.entry.review
    due = (f"客户文件应在收到后 {ctx.manual.config.review_working_days} 个工作日内（最迟 {item.review_due.isoformat()}）评审。"
           if item.review_due else "")
    late = f"超过期限 {item.review_days_late} 个工作日。" if item.review_days_late else ""
    lines = [f"评审状态：{REVIEW_LABELS[item.review_state]}。{due}{late}\n"]
    if review is not None:
        affected = [link(links.relative(page, links.document_page(n)), n) if ctx.has_document(n) else n
                    for n in review.affected_documents]
        rows = [[review.by, review.date.isoformat(), DECISION_LABELS[review.decision],
                 Html("、".join(affected)) if affected else "—", review.note]]
        lines.append(html_table(["评审人", "评审日期", "评审结论", "受影响的本公司文件", "说明"], rows, "qms-external-review"))
        if item.unrevised:
            lines.append(f"\n<p>尚未修订：{html_text('、'.join(item.unrevised))}（评审之后没有修订的版本）</p>")
    return "\n".join(lines) + "\n"


def _holders(ctx: RenderContext, item: EntryStatus, page: str, record_pages: dict[str, str]) -> str:
    entry = item.entry
    rows = []
    for listed in entry.distribution:
        department = ctx.manual.organisation.department(listed.department)
        name = (link(links.relative(page, links.department_page(department.code)), listed.department) if department
                else listed.department)
        rows.append([name, listed.copies, "、".join(listed.copy_numbers)])
    parts = [html_table(["部门", "份数", "分发号"], rows, "qms-distribution")]
    if item.copies:
        copy_rows = []
        for copy in item.copies:
            issue = copy.issue
            target = record_pages.get(issue.record)
            record = link(links.relative(page, target) + "#" + issue.record, issue.record) if target else issue.record
            copy_rows.append([record, issue.department, issue.copy_number,
                              issue.issued_on.isoformat() if issue.issued_on else "",
                              issue.recalled_on.isoformat() if issue.recalled_on else "",
                              COPY_LABELS.get(copy.status, copy.status) + (f"，逾期 {copy.days_overdue} 天" if copy.overdue else "")])
        parts.append("\n### 受控副本的发放与回收\n\n" + html_table(
            ["记录", "持有部门", "分发号", "发放日期", "回收日期", "状态"], copy_rows, "qms-external-copies"))
    return "\n".join(parts) + "\n"


def _editions(ctx: RenderContext, entry: ExternalDocument, page: str) -> str:
    same = [e for e in ctx.external if e.number == entry.number]
    if len(same) < 2:
        return ""
    rows = []
    for edition in sorted(same, key=lambda e: (e.received, e.id), reverse=True):
        ended = edition.ended.isoformat() if edition.ended else ""
        name = edition.id if edition.id == entry.id else link(links.relative(page, links.external_page(edition.id)), edition.id)
        rows.append([name, edition.edition, edition.received.isoformat(), STATUS_LABELS[edition.status], ended])
    return "## 版本沿革\n\n" + html_table(["登记号", "版本", "收到日期", "状态", "停止使用日期"], rows,
                                         "qms-external-editions") + "\n"


def _cited_by(ctx: RenderContext, item: EntryStatus, page: str) -> str:
    seen = []
    for citation in item.cited_by:
        if citation.document not in seen and ctx.has_document(citation.document):
            seen.append(citation.document)
    if not seen:
        return ""
    lines = [f"- [{md_inline(d)} {md_inline(ctx.document(d).title)}]({links.md_link(page, links.document_page(d))})"
             for d in seen]
    return "## 引用本文件的本公司文件\n\n" + "\n".join(lines) + "\n"


def external_json(ctx: RenderContext, status: RegisterStatus) -> str:
    """Per visible entry: id, title, origin, number, edition, status, received, review_decision,
    review_date, holders (departments), plus issuer, citation, review_due, review_state,
    superseded_by, distribution and url."""
    items = []
    for entry in ctx.external:
        item = status.of(entry.id)
        review = entry.review
        items.append({
            "id": entry.id, "title": entry.title, "origin": entry.origin, "number": entry.number,
            "edition": entry.edition, "status": entry.status, "received": entry.received.isoformat(),
            "review_decision": review.decision if review else None,
            "review_date": review.date.isoformat() if review else None,
            "holders": item.holders,
            "issuer": entry.issuer, "citation": entry.citation,
            "review_due": item.review_due.isoformat() if item.review_due else None,
            "review_state": item.review_state,
            "affected_documents": list(review.affected_documents) if review else [],
            "superseded_by": entry.superseded_by,
            "currency_due": item.currency_due.isoformat() if item.currency_due else None,
            "distribution": [{"department": d.department, "copies": d.copies, "copy_numbers": list(d.copy_numbers)}
                             for d in entry.distribution],
            "url": links.page_url(links.external_page(entry.id)),
        })
    return api.dump(items)
