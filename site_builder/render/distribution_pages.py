"""文件发放与回收 page and verification codes (issue 10).  Adds pages to the site.

* `distribution/index.md`: for the document-control centre, as of `manual.today`: copies of
  superseded versions awaiting recall (who must return which copy number, how long overdue),
  per department and per document the current copies held, copies not issued in time and copy
  numbers issued twice;
* every document page gets a line `<p class="qms-verify">核对码：QP-01-B0-3fa2c1</p>` right after
  its control header, the same code that is printed on paper copies; typing it into the site's
  search finds the page of the current version.
"""

from __future__ import annotations

import re

from site_builder.derive.distribution import verification_code
from site_builder.derive.distribution.copies import Copy, DistributionStatus, Holding, MissingIssue, distribution_status
from site_builder.model.manual import Document
from site_builder.render import links
from site_builder.render.context import RenderContext
from site_builder.render.escape import html_text, md_inline
from site_builder.render.frontmatter import page_header
from site_builder.render.tables import Html, html_table, link

PAGE = "distribution/index.md"
TITLE = "文件发放与回收"
CONTROL_HEADER = '<table data-qms="qms-control-header">'
OVERDUE_STYLE = "color:#c62828;font-weight:700;white-space:nowrap"
FLAG_STYLE = "color:#c62828;font-weight:700"


def render_distribution(ctx: RenderContext, site) -> None:
    """Add the distribution/recall page and its nav entry; put the verification code on every document page."""
    status = distribution_status(ctx.manual)
    site.pages[PAGE] = render_page(ctx, status, pages_of_records(site, status))
    site.nav.append({TITLE: PAGE})
    for document in ctx.documents:
        page = links.document_page(document.id)
        if page in site.pages:
            site.pages[page] = add_verification_code(site.pages[page], document)


def verification_line(document: Document) -> str:
    return f'<p class="qms-verify">核对码：{html_text(verification_code(document))}</p>\n'


def add_verification_code(text: str, document: Document) -> str:
    """Insert the 核对码 line right after the control header table (after the title when there is none)."""
    line = verification_line(document)
    start = text.find(CONTROL_HEADER)
    end = text.find("</table>", start) if start >= 0 else -1
    if end >= 0:
        end += len("</table>")
        return text[:end] + "\n\n" + line + text[end:].lstrip(" ")
    title = re.search(r"^# .*\n", text, flags=re.MULTILINE)
    if title:
        return text[:title.end()] + "\n" + line + text[title.end():]
    return text + "\n" + line


# ---------------------------------------------------------------- the page

def render_page(ctx: RenderContext, status: DistributionStatus, record_pages: dict[str, str] | None = None) -> str:
    record_pages = record_pages or {}
    page = PAGE
    parts = [page_header(TITLE, qms_page="distribution", hide=["navigation", "toc"]), f"# {TITLE}\n", _intro(ctx, status, page)]
    if not status.forms:
        parts.append("本手册没有文件发放与回收记录表单（含 document、doc_version、department、copy_number、issued_on "
                     "字段的表单），无法统计受控副本。\n")
        return "\n".join(parts)
    awaiting = status.awaiting
    parts.append(_summary(status))
    parts.append("## 待回收的旧版本受控副本\n")
    if awaiting:
        parts.append(f"下列部门须把旧版本受控副本交回文控中心（共 {len(awaiting)} 份，其中逾期 {len(status.overdue)} 份）。"
                     "回收后在发放记录上登记回收日期。\n")
        rows = [_awaiting_row(ctx, copy, page, record_pages, status) for copy in awaiting]
        parts.append(html_table(["持有部门", "文件", "旧版本", "分发号", "状态", "应回收日期", "替代情况", "发放记录"],
                                rows, "qms-recall") + "\n")
    else:
        parts.append("当前没有待回收的旧版本受控副本。\n")
    parts.append("## 未按期发放的现行版本\n")
    if status.missing:
        parts.append(f"分发范围内的部门应在新版本生效后 {status.issue_within_days} 天内领到现行版本的受控副本。\n")
        rows = [_missing_row(ctx, gap, page, record_pages, status) for gap in status.missing]
        parts.append(html_table(["部门", "文件", "版本", "分发号", "生效日期", "应发放日期", "情况"], rows, "qms-issue-missing")
                     + "\n")
    else:
        parts.append(f"分发范围内的部门均在现行版本生效后 {status.issue_within_days} 天内领到了受控副本。\n")
    if status.duplicates:
        parts.append("## 重复发放的分发号\n")
        rows = [[_document_cell(ctx, d.document, page), d.version, d.copy_number,
                 Html("<br>".join(_record_cell(i.record, page, record_pages) + html_text(f"（{i.department}，"
                                                                                      f"{_day(i.issued_on)}）")
                                  for i in d.issues))] for d in status.duplicates]
        parts.append("同一文件同一版本的分发号只能发放一次；遗失或损坏后补发的副本使用新的分发号。\n")
        parts.append(html_table(["文件", "版本", "分发号", "发放记录"], rows, "qms-copy-duplicate") + "\n")
    # documents this audience does not see (drafts, obsolete on the staff site) only where copies must come back
    holdings = {key: h for key, h in status.holdings().items() if ctx.has_document(key[0]) or h.awaiting}
    parts.append("## 按部门\n")
    parts.append(_by_department(ctx, holdings, page))
    parts.append("## 按文件\n")
    parts.append(_by_document(ctx, status, holdings, page))
    parts.append("## 核对码\n")
    parts.append("每个文件页面在文件头下方显示核对码（文件编号-版本-正文摘要），打印的受控副本和非受控文件每页也印有核对码。"
                 "持有纸质文件的人在本站点的搜索框中输入核对码：打开的文件页面显示相同的核对码，纸质文件即为现行版本；"
                 "核对码不同或找不到页面，说明纸质文件已经过期，应交回文控中心。\n")
    return "\n".join(parts)


def _intro(ctx: RenderContext, status: DistributionStatus, page: str) -> str:
    forms = [ctx.form(f) or ctx.manual.form(f) for f in status.forms]
    named = "、".join(f"[{md_inline(f.id)} {md_inline(f.title)}]({links.md_link(page, links.form_page(f.id))})"
                     if ctx.has_form(f.id) else f"{md_inline(f.id)} {md_inline(f.title)}" for f in forms if f)
    procedures = sorted({f.procedure for f in forms if f})
    cited = "、".join(f"[{md_inline(p)}]({links.md_link(page, links.document_page(p))})" if ctx.has_document(p)
                     else md_inline(p) for p in procedures)
    text = (f"统计截至 {status.today.isoformat()}，依据{named or '文件发放与回收记录'}"
            + (f"（{cited}）" if cited else "") + "。"
            f"新版本须在生效后 {status.issue_within_days} 天内发到分发范围内的全部部门；"
            f"旧版本的受控副本须在新版本生效（或文件作废）后 {status.recall_within_days} 天内交回文控中心。"
            "期限在 qms.yaml 的 distribution 中设定。\n")
    return text


def _summary(status: DistributionStatus) -> str:
    rows = [["在用的现行版本受控副本", f"{len(status.current)} 份"],
            ["待回收的旧版本受控副本", f"{len(status.awaiting)} 份（逾期 {len(status.overdue)} 份）"],
            ["未按期发放", f"{len(status.missing)} 份"],
            ["重复发放的分发号", f"{len(status.duplicates)} 个"]]
    return html_table(["项目", "数量"], rows, "qms-distribution-summary") + "\n"


def _awaiting_row(ctx: RenderContext, copy: Copy, page: str, record_pages: dict[str, str], status: DistributionStatus) -> list:
    issue = copy.issue
    replaced = (f"{copy.superseded_by} 版于 {copy.superseded_on.isoformat()} 生效" if copy.superseded_by
                else f"文件于 {copy.superseded_on.isoformat()} 作废")
    return [_department_cell(ctx, issue.department, page), _document_cell(ctx, issue.document, page), issue.version,
            issue.copy_number, _recall_state(copy, status), _nowrap(copy.recall_due.isoformat()), replaced,
            _record_cell(issue.record, page, record_pages)]


def _recall_state(copy: Copy, status: DistributionStatus) -> Html:
    if copy.days_overdue > 0:
        return Html(f'<span class="qms-overdue" style="{OVERDUE_STYLE}">逾期 {copy.days_overdue} 天</span>')
    left = (copy.recall_due - status.today).days
    return Html(html_text("今天到期" if left == 0 else f"还有 {left} 天"))


def _missing_row(ctx: RenderContext, gap: MissingIssue, page: str, record_pages: dict[str, str], status: DistributionStatus) -> list:
    days = gap.days_late(status.today)
    if gap.issued_on is None:
        state = Html(f'<span class="qms-overdue" style="{OVERDUE_STYLE}">未发放，逾期 {days} 天</span>')
    else:
        state = Html(html_text(f"{gap.issued_on.isoformat()} 发放，晚 {days} 天 ") + _record_cell(gap.record, page, record_pages))
    return [_department_cell(ctx, gap.department, page), _document_cell(ctx, gap.document, page), gap.version,
            gap.copy_number, gap.effective.isoformat(), gap.deadline.isoformat(), state]


def _by_department(ctx: RenderContext, holdings: dict[tuple[str, str], Holding], page: str) -> str:
    """A matrix: one row per department, one column per document; a cell holds the copy numbers of the current
    version the department holds, and in red what it must return or has not received."""
    if not holdings:
        return "没有分发范围，也没有发放记录。\n"
    order = [d.name for d in ctx.manual.organisation.departments]
    departments = sorted({department for _, department in holdings},
                         key=lambda n: (order.index(n) if n in order else len(order), n))
    documents = sorted({document for document, _ in holdings})
    headers = ["部门", "现行副本（份）"]
    for document_id in documents:
        source = ctx.manual.document(document_id)
        headers.append(f"{document_id} {source.version}" if source and source.status != "obsolete" else document_id)
    rows = []
    for name in departments:
        items = [holdings.get((d, name)) for d in documents]
        held = sum(len(h.current) for h in items if h)
        rows.append([_department_cell(ctx, name, page), held, *[_matrix_cell(h) for h in items]])
    return ("<p>每格为该部门持有的现行版本受控副本的分发号；红字为须交回的旧版本副本或未按期发到的分发号。</p>\n"
            + html_table(headers, rows, "qms-distribution-matrix") + "\n")


def _matrix_cell(holding: Holding | None) -> Html:
    if holding is None:
        return Html("")
    parts = [html_text("、".join(c.issue.copy_number for c in holding.current))] if holding.current else []
    parts += [f'<span style="{FLAG_STYLE}">{html_text(f"未发 {g.copy_number}")}</span>' for g in holding.missing]
    for copy in holding.awaiting:
        late = f"逾期 {copy.days_overdue} 天" if copy.days_overdue else f"{copy.recall_due.isoformat()} 前"
        parts.append(f'<span style="{FLAG_STYLE}">{html_text(f"交回 {copy.issue.version} 版 {copy.issue.copy_number}")}<br>'
                     f"{html_text(late)}</span>")
    return Html("<br>".join(parts) or "—")


def _by_document(ctx: RenderContext, status: DistributionStatus, holdings: dict[tuple[str, str], Holding], page: str) -> str:
    by_document: dict[str, list[Holding]] = {}
    for (document, _), holding in holdings.items():
        by_document.setdefault(document, []).append(holding)
    order = [d.name for d in ctx.manual.organisation.departments]
    parts = []
    summary = []
    for document_id in sorted(by_document):
        items = sorted(by_document[document_id], key=lambda h: (order.index(h.department) if h.department in order
                                                                else len(order), h.department))
        document = ctx.document(document_id)  # None when this audience does not see it: number only, no title
        source = ctx.manual.document(document_id)
        version = source.version if source else "—"
        in_force = _in_force_label(source)
        listed = sum(len(h.listed) for h in items)
        current = sum(len(h.current) for h in items)
        awaiting = sum(len(h.awaiting) for h in items)
        missing = sum(len(h.missing) for h in items)
        summary.append([_document_cell(ctx, document_id, page), document.title if document else "", version, in_force, listed,
                        current, _flagged(awaiting) if awaiting else 0, _flagged(missing) if missing else 0])
        rows = []
        for h in items:
            rows.append([_department_cell(ctx, h.department, page), "、".join(h.listed) or "—",
                         "、".join(f"{c.issue.copy_number}（{c.issue.version}，{_day(c.issue.issued_on)}）" for c in h.current)
                         or "—",
                         _flagged("、".join(f"{c.issue.version} 版 {c.issue.copy_number}"
                                           + (f"，逾期 {c.days_overdue} 天" if c.days_overdue else f"，{c.recall_due} 前交回")
                                           for c in h.awaiting)) if h.awaiting else "—",
                         _flagged("、".join(g.copy_number for g in h.missing)) if h.missing else "—"])
        title = f"{document_id} {document.title}" if document else document_id
        parts.append(f"### {md_inline(title)}\n\n"
                     + html_table(["部门", "分发号", "现行版本副本（版本，发放日期）", "待回收", "未按期发放"], rows,
                                  "qms-distribution-document") + "\n")
    if not summary:
        return "没有分发范围，也没有发放记录。\n"
    table = html_table(["文件", "名称", "现行版本", "生效日期", "分发范围（份）", "已发现行版本（份）", "待回收（份）", "未按期发放（份）"],
                       summary, "qms-distribution-documents") + "\n"
    return table + "\n" + "\n".join(parts)


def _in_force_label(document: Document | None) -> str:
    if document is None:
        return "—"
    if document.status == "obsolete":
        return f"{document.obsoleted.isoformat()} 作废" if document.obsoleted else "作废"
    return document.effective.isoformat() if document.effective else "—"


# ---------------------------------------------------------------- cells

def _document_cell(ctx: RenderContext, document_id: str, page: str):
    if ctx.has_document(document_id):
        return link(links.relative(page, links.document_page(document_id)), document_id)
    return document_id


def _department_cell(ctx: RenderContext, name: str, page: str):
    department = ctx.manual.organisation.department(name)
    if department:
        return link(links.relative(page, links.department_page(department.code)), name)
    return name


def _record_cell(record: str | None, page: str, record_pages: dict[str, str]) -> Html:
    if not record:
        return Html("")
    target = record_pages.get(record)
    if target:
        return link(links.relative(page, target) + "#" + record, record)
    return Html(html_text(record))


def _nowrap(value) -> Html:
    return Html(f'<span style="white-space:nowrap">{html_text(value)}</span>')


def _flagged(value) -> Html:
    return Html(f'<span style="{OVERDUE_STYLE}">{html_text(value)}</span>')


def _day(value) -> str:
    return value.isoformat() if value else "—"


def pages_of_records(site, status: DistributionStatus) -> dict[str, str]:
    """record id -> the generated page whose table has its row (records pages of the distribution form)."""
    wanted = {c.issue.record for c in status.copies}
    found: dict[str, str] = {}
    prefixes = tuple(f"records/{form}/" for form in status.forms)
    for path, text in site.pages.items():
        if not path.startswith(prefixes) or not path.endswith(".md"):
            continue
        for record in re.findall(r'<tr id="([^"]+)">', text):
            if record in wanted:
                found.setdefault(record, path)
    return found
