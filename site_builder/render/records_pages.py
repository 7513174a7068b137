"""Record summaries, KPIs and findings pages (issue 5).  Adds pages, downloads and api/*.json to the site.

Pages: records/index.md (overview), records/<FORM>/index.md (one summary per form),
records/kpis.md and records/findings.md.  Record lists are raw-HTML tables grouped by
month; a form with more than INLINE_ROWS records gets one page per month (split every
PAGE_ROWS rows) instead, so 100,000 records never make one huge page or one page per record.
Only record numbers, dates and derived values are shown: no personal data.
"""

from __future__ import annotations

import dataclasses
import html
import json
from datetime import datetime

from site_builder.derive import RULE_LABELS, Derived
from site_builder.derive import findings as fd
from site_builder.derive.charts import bar_chart, line_chart
from site_builder.derive.exports import Workbook, cell_text, csv_text
from site_builder.derive.privacy import MaskPlan, visible_fields, visible_values
from site_builder.derive.summaries import FormSummary, Table
from site_builder.render import api, links
from site_builder.render.context import RenderContext
from site_builder.render.escape import html_text, md_inline, url_segment
from site_builder.render.forms_pages import render_form
from site_builder.render.frontmatter import page_header
from site_builder.render.navigation import by_year
from site_builder.render.register import COMPARISON, PERIOD_LABELS
from site_builder.render.tables import Html, html_table, link

RECORDS_INDEX = "records/index.md"
KPI_PAGE = "records/kpis.md"
FINDINGS_PAGE = "records/findings.md"
#: the Chinese name of every finding rule (the rule codes stay in api/findings.json)
RULE_NAMES = RULE_LABELS
NAV_SECTION = "记录与绩效"
INLINE_ROWS = 1000  # at most this many records listed on the summary page itself
PAGE_ROWS = 1000  # at most this many rows on one month page
FINDINGS_SHOWN = 500  # per rule on the findings page; all of them are in the downloads and api/findings.json
MET_LABELS = {True: "达成", False: "未达成", None: "—"}


def summary_page(form_id: str) -> str:
    return f"records/{url_segment(form_id)}/index.md"


def _with_personal_columns(ctx: RenderContext, summary, records_by_id: dict):
    """Add the personal-data columns: masked for staff, complete for auditors (privacy.visible_values)."""
    form = summary.form
    extra = [f for f in visible_fields(form, ctx.audience)
             if f.personal_data or (ctx.audience == "auditor" and f.type == "text")]
    if not extra:
        return summary
    headers = summary.record_headers[:-1] + [f.label for f in extra] + summary.record_headers[-1:]
    rows = []
    plan = MaskPlan(form)
    for row in summary.record_rows:
        shown = visible_values(records_by_id[row[0]], form, ctx.audience, plan)
        rows.append(row[:-1] + [shown.get(f.key) for f in extra] + row[-1:])
    return dataclasses.replace(summary, record_headers=headers, record_rows=rows)


def render_records(ctx: RenderContext, site) -> None:
    """Add record summary pages, KPI page, findings page, downloads and api/records.json etc. to `site`."""
    derived = ctx.derived
    created = datetime.combine(derived.today, datetime.min.time())
    record_pages: dict[str, str] = {}
    records_by_id = {r.id: r for r in ctx.manual.records}
    form_nav = []
    for form in ctx.forms:
        summary = _with_personal_columns(ctx, derived.summaries[form.id], records_by_id)
        pages = _render_form_summary(ctx, site, summary, derived, created, record_pages)
        title = f"{form.id} {form.title}"
        form_nav.append({title: pages[0][1]} if len(pages) == 1 else {title: by_year(pages)})
        site.pages[links.form_page(form.id)] = render_form(form, ctx, summary_page=summary_page(form.id))
    site.pages[RECORDS_INDEX] = _render_index(ctx, derived)
    site.pages[KPI_PAGE] = _render_kpis(ctx, site, derived, created)
    site.pages[FINDINGS_PAGE] = _render_findings(ctx, site, derived, record_pages, created)
    site.pages["api/records.json"] = dump_array(derived.records)
    site.pages["api/findings.json"] = dump_array([f.as_json() for f in derived.findings])
    site.pages["api/kpis.json"] = api.dump(derived.kpis)
    site.nav.append({NAV_SECTION: [{"记录总览": RECORDS_INDEX}, {"质量目标与绩效": KPI_PAGE}, {"不符合项": FINDINGS_PAGE},
                                   *form_nav]})


def dump_array(items: list[dict]) -> str:
    """A JSON array with one object per line (C encoder: fast for 100,000 objects, readable in diffs)."""
    if not items:
        return "[]\n"
    return "[\n" + ",\n".join(json.dumps(item, ensure_ascii=False) for item in items) + "\n]\n"


# ---------------------------------------------------------------- form summaries

def _render_form_summary(ctx: RenderContext, site, summary: FormSummary, derived: Derived, created: datetime,
                         record_pages: dict[str, str]) -> list[tuple[str, str]]:
    """Write the summary page (and month pages); return [(nav label, page)] with the summary first."""
    form = summary.form
    page = summary_page(form.id)
    folder = page.rsplit("/", 1)[0]
    downloads = _form_downloads(site, summary, folder, created)
    parts = [page_header(f"{form.id} {form.title} 记录汇总", qms_form=form.id, qms_page="records"),
             f"# {md_inline(form.id)} {md_inline(form.title)} 记录汇总\n", _form_intro(ctx, summary, derived, page),
             _download_line(page, downloads, "下载")]
    for table in summary.tables:
        parts.append(_table_section(page, table, f"{folder}/{url_segment(form.id)}-{table.key}.csv"))
    parts.append("## 记录清单\n")
    pages = [("汇总", page)]
    if summary.total <= INLINE_ROWS:
        parts.append(_records_by_month(summary, "###") if summary.total else "本表单还没有记录。\n")
        record_pages.update({row[0]: page for row in summary.record_rows})
    else:
        month_pages = _month_pages(ctx, site, summary, folder, record_pages)
        rows = [[link(links.relative(page, p), label), count] for label, p, count in month_pages]
        parts.append(f"记录较多，按月分页列出（每页最多 {PAGE_ROWS} 条）。\n\n" + html_table(["月份", "记录数"], rows) + "\n")
        pages += [(label, p) for label, p, _ in month_pages]
    site.pages[page] = "\n".join(p for p in parts if p)
    return pages


def _form_intro(ctx: RenderContext, summary: FormSummary, derived: Derived, page: str) -> str:
    form = summary.form
    span = f"，{summary.first.isoformat()} 至 {summary.last.isoformat()}" if summary.total else ""
    lines = [f"共 {summary.total} 条记录{span}；统计截至 {derived.today.isoformat()}。"
             "本页中的个人信息已按受众处理：员工版屏蔽（如 张**、138****5678），审核版显示完整记录。"]
    form_link = f"[{md_inline(form.id)} {md_inline(form.title)}]({links.md_link(page, links.form_page(form.id))})"
    procedure = ctx.document(form.procedure)
    owner = (f"[{md_inline(procedure.id)} {md_inline(procedure.title)}]({links.md_link(page, links.document_page(procedure.id))})"
             if procedure else md_inline(form.procedure))
    lines.append(f"空白表单：{form_link}；所属文件：{owner}。")
    count = sum(1 for f in derived.findings if f.form == form.id)
    if count:
        lines.append(f"由本表单记录得出的不符合项 {count} 项，见[不符合项]({links.md_link(page, FINDINGS_PAGE)})。")
    return "\n\n".join(lines) + "\n"


def _table_section(page: str, table: Table, csv_path: str) -> str:
    title = f"## {md_inline(table.title)}\n"
    if not table.rows:
        return title + "\n" + (md_inline(table.note) if table.note else "无数据。") + "\n"
    body = html_table(table.headers, ([_cell(c) for c in row] for row in table.rows), "", f' id="qms-{html_text(table.key)}"')
    if table.chart:
        chart = table.chart
        labels = [cell_text(row[chart.label_column]) for row in table.rows]
        values = [row[chart.value_column] for row in table.rows]
        draw = line_chart if chart.kind == "line" else bar_chart
        svg = draw(f"{table.title}：{table.headers[chart.value_column]}", labels, values, chart.reference, chart.reference_label)
        body = chart_beside(svg, body)
    note = f"<p>{html_text(table.note)}</p>" if table.note else ""
    download = f'<p class="qms-download">{link_download(page, csv_path, "下载本表（CSV）")}</p>'
    return f"{title}\n{body}\n{note}{download}\n"


def chart_beside(svg: str, table: str) -> str:
    """A chart with its table of numbers beside it (below it on narrow screens)."""
    return (f'<div class="qms-chart-row" style="display:flex;flex-wrap:wrap;gap:0 1.5em;align-items:flex-start">'
            f'<div class="qms-chart" style="flex:1 1 360px;min-width:0;max-width:640px">{svg}</div>'
            f'<div style="flex:0 1 auto;min-width:0">{table}</div></div>')


def _records_by_month(summary: FormSummary, level: str, rows: list[list] | None = None) -> str:
    rows = summary.record_rows if rows is None else rows
    parts = []
    start = 0
    while start < len(rows):
        month = rows[start][1].isoformat()[:7]
        end = start
        while end < len(rows) and rows[end][1].isoformat()[:7] == month:
            end += 1
        parts.append(f"{level} {month}（{end - start} 条）\n\n" + record_table(summary.record_headers, rows[start:end]) + "\n")
        start = end
    return "\n".join(parts)


def record_table(headers: list[str], rows: list[list]) -> str:
    """Rows with an anchor per record (its number), for links from the findings page; sortable by qms.js."""
    head = "".join(f"<th>{html_text(h)}</th>" for h in headers)
    escape = html.escape
    nowrap = '<td style="white-space:nowrap">'
    body = "".join(f'<tr id="{escape(row[0])}">{nowrap}{escape(row[0])}</td>{nowrap}{escape(cell_text(row[1]))}</td>'
                   + "".join(f"<td>{escape(cell_text(c))}</td>" for c in row[2:]) + "</tr>" for row in rows)
    return f'<table data-qms="qms-records qms-sortable"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _month_pages(ctx: RenderContext, site, summary: FormSummary, folder: str,
                 record_pages: dict[str, str]) -> list[tuple[str, str, int]]:
    form = summary.form
    rows = summary.record_rows
    by_month: dict[str, list[list]] = {}
    for row in rows:
        by_month.setdefault(row[1].isoformat()[:7], []).append(row)
    result = []
    for month, items in by_month.items():
        chunks = [items[i:i + PAGE_ROWS] for i in range(0, len(items), PAGE_ROWS)]
        for number, chunk in enumerate(chunks, start=1):
            suffix = f"-{number}" if len(chunks) > 1 else ""
            page = f"{folder}/{month}{suffix}.md"
            label = month + (f"（{number}/{len(chunks)}）" if len(chunks) > 1 else "")
            back = f"[返回 {md_inline(form.id)} 记录汇总]({links.md_link(page, summary_page(form.id))})"
            site.pages[page] = "\n".join([
                page_header(f"{form.id} {form.title} {label} 记录", qms_form=form.id, qms_page="records",
                            search={"exclude": True}),  # keeps the search index small at 100,000 records
                f"# {md_inline(form.id)} {md_inline(form.title)} {md_inline(label)} 记录\n",
                f"本页 {len(chunk)} 条（本月共 {len(items)} 条）。{back}\n",
                record_table(summary.record_headers, chunk) + "\n"])
            record_pages.update({row[0]: page for row in chunk})
            result.append((label, page, len(chunk)))
    return result


def _form_downloads(site, summary: FormSummary, folder: str, created: datetime) -> list[tuple[str, str]]:
    form = summary.form
    base = f"{folder}/{url_segment(form.id)}"
    for table in summary.tables:
        site.pages[f"{base}-{table.key}.csv"] = csv_text(table.headers, table.rows)
    site.pages[f"{base}-records.csv"] = csv_text(summary.record_headers, summary.record_rows)
    sheets = [(t.title, t.headers, t.rows) for t in summary.tables] + [("记录清单", summary.record_headers, summary.record_rows)]
    site.files[f"{base}.xlsx"] = Workbook(sheets, created, f"{form.id} {form.title} 记录汇总")
    return [(f"{base}.xlsx", "全部汇总表（XLSX）"), (f"{base}-records.csv", "记录清单（CSV）")]


def _download_line(page: str, downloads: list[tuple[str, str]], label: str) -> str:
    items = " · ".join(link_download(page, path, text) for path, text in downloads)
    return f'<p class="qms-download">{html_text(label)}：{items}</p>\n'


def link_download(page: str, path: str, text: str) -> str:
    return f'<a href="{html_text(links.relative(page, path))}" download>{html_text(text)}</a>'


def _cell(value):
    return value if isinstance(value, Html) else cell_text(value)


# ---------------------------------------------------------------- overview

def _render_index(ctx: RenderContext, derived: Derived) -> str:
    counts: dict[str, int] = {}
    for finding in derived.findings:
        counts[finding.form] = counts.get(finding.form, 0) + 1
    rows = []
    for form in ctx.forms:
        s = derived.summaries[form.id]
        rows.append([link(links.relative(RECORDS_INDEX, summary_page(form.id)), form.id), form.title, s.total,
                     s.first.isoformat() if s.first else "", s.last.isoformat() if s.last else "", counts.get(form.id, 0)])
    total = sum(s.total for s in derived.summaries.values())
    return "\n".join([
        page_header("记录总览", qms_page="records"), "# 记录总览\n",
        f"共 {total} 条记录，统计截至 {derived.today.isoformat()}。"
        f"质量目标的达成情况见[质量目标与绩效]({links.md_link(RECORDS_INDEX, KPI_PAGE)})，"
        f"由记录得出的不符合项见[不符合项]({links.md_link(RECORDS_INDEX, FINDINGS_PAGE)})（{len(derived.findings)} 项）。\n",
        html_table(["表单编号", "表单名称", "记录数", "最早记录", "最近记录", "不符合项"], rows, "qms-sortable") + "\n",
        '<p class="qms-download">机器可读数据：'
        f'{link_download(RECORDS_INDEX, "api/records.json", "api/records.json")} · '
        f'{link_download(RECORDS_INDEX, "api/findings.json", "api/findings.json")} · '
        f'{link_download(RECORDS_INDEX, "api/kpis.json", "api/kpis.json")}</p>\n',
    ])


# ---------------------------------------------------------------- KPIs

KPI_HEADERS = ["编号", "质量目标", "目标值", "统计周期", "最近统计期", "实际值", "达成"]
KPI_EXPORT_HEADERS = KPI_HEADERS + ["计算方法"]


def _render_kpis(ctx: RenderContext, site, derived: Derived, created: datetime) -> str:
    page = KPI_PAGE
    rows = [_kpi_row(k) for k in derived.kpis]
    export_rows = [row + [k["method"] or "不在受控记录中，由统计部门在本站点之外统计"] for row, k in zip(rows, derived.kpis)]
    parts = [page_header("质量目标与绩效", qms_page="kpis"), "# 质量目标与绩效\n",
             f"统计截至 {derived.today.isoformat()}。实际值取最近一个已结束且有数据的统计期（没有时取当前统计期）；"
             "各统计期的数值、样本数和计算方法见下文。\n"]
    period_rows = [[k["id"], p["period"], p["value"], p["observations"], p["complete"], MET_LABELS[p["met"]]]
                   for k in derived.kpis for p in k["periods"]]
    site.pages["records/kpis.csv"] = csv_text(KPI_EXPORT_HEADERS, export_rows)
    period_headers = ["编号", "统计期", "实际值", "样本数", "统计期已结束", "达成"]
    site.files["records/kpis.xlsx"] = Workbook([("质量目标达成情况", KPI_EXPORT_HEADERS, export_rows),
                                                ("各统计期数值", period_headers, period_rows)], created, "质量目标与绩效")
    parts.append(_download_line(page, [("records/kpis.xlsx", "全部（XLSX）"), ("records/kpis.csv", "达成情况（CSV）"),
                                       ("api/kpis.json", "api/kpis.json")], "下载"))
    if not derived.kpis:
        parts.append("质量手册中没有登记可测量的质量目标。\n")
    else:
        parts.append("## 质量目标达成情况\n\n" + html_table(KPI_HEADERS, rows, "", ' id="qms-kpis"') + "\n")
        unmeasured = [k for k in derived.kpis if not k["measured"]]
        if unmeasured:
            parts.append("以下目标的数据不在受控记录中，由统计部门在本站点之外统计："
                         + "、".join(md_inline(k["id"]) for k in unmeasured) + "。\n")
        parts.append("## 各统计期数值\n")
        for kpi in derived.kpis:
            if kpi["measured"]:
                parts.append(_kpi_detail(kpi))
    parts.append(_rule_targets(ctx, derived, page))
    return "\n".join(p for p in parts if p)


def _kpi_row(kpi: dict) -> list:
    target = f"{COMPARISON.get(kpi['comparison'], kpi['comparison'])} {_number(kpi['target'])}{kpi['unit'] or ''}"
    value = "" if kpi["value"] is None else f"{_number(kpi['value'])}{kpi['unit'] or ''}"
    met = "未测量" if not kpi["measured"] else MET_LABELS[kpi["met"]]
    return [kpi["id"], kpi["text"], target, PERIOD_LABELS.get(kpi["period"], kpi["period"]), kpi["value_period"] or "", value, met]


def _kpi_detail(kpi: dict) -> str:
    periods = kpi["periods"]
    title = f"{kpi['id']} {kpi['text']}"
    method = f"<p>计算方法：{html_text(kpi['method'])}。</p>"
    if not periods:
        return f"### {md_inline(title)}\n\n{method}\n<p>还没有可计算的记录。</p>\n"
    labels = [p["period"] for p in periods]
    values = [p["value"] for p in periods]
    draw = bar_chart if all(isinstance(v, int) for v in values) else line_chart  # counts as bars, rates and means as lines
    svg = draw(title, labels, values, kpi["target"], "目标", kpi["unit"] or "")
    rows = [[p["period"], p["value"], p["observations"], "是" if p["complete"] else "否（进行中）", MET_LABELS[p["met"]]] for p in periods]
    table = html_table(["统计期", "实际值", "样本数", "已结束", "达成"], rows)
    return f"### {md_inline(title)}\n\n{method}\n{chart_beside(svg, table)}\n"


def _rule_targets(ctx: RenderContext, derived: Derived, page: str) -> str:
    parts = []
    for form_id, data in derived.forms.items():
        target_page = links.relative(page, summary_page(form_id))
        if data.follow_up_rates:
            rows = [[r.period, "总体" if r.group == "overall" else r.group, r.required, r.made,
                     None if r.rate is None else round(float(r.rate), 1), r.target, MET_LABELS[r.met]]
                    for r in data.follow_up_rates if r.target is not None]
            parts.append(f"### {md_inline(form_id)} {md_inline(data.form.title)}：回访率目标\n\n"
                         + html_table(["季度", "类别", "应回访", "已回访", "回访率（%）", "目标（%）", "达成"], rows)
                         + f'\n\n<p>{link(target_page + "#qms-follow-up-rates", "查看全部类别和回访情况")}</p>\n')
        if data.sampling:
            rows = [[s.half, s.grade, len(s.customers), s.required, len(s.surveyed),
                     None if s.coverage is None else round(float(s.coverage), 1), s.target,
                     MET_LABELS[s.met] if s.assessed else "进行中"] for s in data.sampling]
            parts.append(f"### {md_inline(form_id)} {md_inline(data.form.title)}：满意度调查抽样比例\n\n"
                         + html_table(["半年度", "客户等级", "客户数", "应调查数", "已调查数", "覆盖率（%）", "目标（%）", "达成"],
                                      rows)
                         + f'\n\n<p>{link(target_page + "#qms-sampling", "查看抽样明细")}</p>\n')
    if not parts:
        return ""
    return "## 表单规定的指标\n\n这些目标写在表单的规则中（回访时限和回访率、抽样比例）。\n\n" + "\n".join(parts)


# ---------------------------------------------------------------- findings

FINDING_HEADERS = ["规则", "记录或文件", "表单", "日期", "说明", "依据条款"]


def _render_findings(ctx: RenderContext, site, derived: Derived, record_pages: dict[str, str], created: datetime) -> str:
    page = FINDINGS_PAGE
    found = derived.findings
    export_rows = [[RULE_NAMES.get(f.rule, f.rule), f.record or f.document, f.form, f.date, f.message,
                    f.clause.label if f.clause else ""] for f in found]
    site.pages["records/findings.csv"] = csv_text(FINDING_HEADERS, export_rows)
    site.files["records/findings.xlsx"] = Workbook([("不符合项", FINDING_HEADERS, export_rows)], created, "不符合项")
    by_rule: dict[str, list[fd.Finding]] = {}
    for finding in found:
        by_rule.setdefault(finding.rule, []).append(finding)
    parts = [page_header("不符合项", qms_page="findings"), "# 不符合项\n",
             f"统计截至 {derived.today.isoformat()}，由表单规则从记录中得出 {len(found)} 项不符合。"
             "每一项列出记录（链接到记录汇总中的该行）和要求它的文件条款。\n",
             _download_line(page, [("records/findings.xlsx", "全部（XLSX）"), ("records/findings.csv", "全部（CSV）"),
                                   ("api/findings.json", "api/findings.json")], "下载")]
    if not found:
        parts.append("当前没有不符合项。\n")
        return "\n".join(parts)
    summary_rows = [[RULE_NAMES.get(rule, rule), len(items),
                     "、".join(sorted({f.clause.label for f in items if f.clause}))] for rule, items in by_rule.items()]
    parts.append("## 汇总\n\n" + html_table(["规则", "数量", "依据条款"], summary_rows) + "\n")
    for rule, items in by_rule.items():
        shown = sorted(items, key=lambda f: (f.date.isoformat() if f.date else "", f.record or ""), reverse=True)[:FINDINGS_SHOWN]
        rows = [_finding_row(ctx, f, record_pages, page) for f in shown]
        more = (f"<p>仅列出最近的 {FINDINGS_SHOWN} 项，共 {len(items)} 项；全部见上方下载文件。</p>\n"
                if len(items) > FINDINGS_SHOWN else "")
        parts.append(f"## {md_inline(RULE_NAMES.get(rule, rule))}（{len(items)} 项）\n\n"
                     + html_table(["记录或文件", "日期", "说明", "依据条款"], rows, "qms-sortable") + "\n" + more)
    return "\n".join(parts)


def _finding_row(ctx: RenderContext, finding: fd.Finding, record_pages: dict[str, str], page: str) -> list:
    if finding.record:
        target = record_pages.get(finding.record)
        subject = link(links.relative(page, target) + "#" + finding.record, finding.record) if target else finding.record
    elif not finding.form and finding.document:  # (the register of external documents: an entry or a document)
        subject = _document_subject(ctx, finding.document, page)
    else:
        anchor = "#qms-sampling" if finding.rule == fd.SAMPLING_SHORT else ""
        label = f"{finding.form} {finding.period or ''} {finding.grade or ''} 级".strip() if finding.grade else finding.form
        subject = link(links.relative(page, summary_page(finding.form)) + anchor, label) if ctx.has_form(finding.form) else label
    clause = finding.clause
    if clause and ctx.has_document(clause.document):
        title = f"{clause.label} {clause.title}".strip()
        cited = link(links.relative(page, links.document_page(clause.document)), title)
    else:
        cited = clause.label if clause else ""
    when = Html(f'<span style="white-space:nowrap">{finding.date.isoformat()}</span>') if finding.date else ""
    return [subject, when, finding.message, cited]


def _document_subject(ctx: RenderContext, number: str, page: str):
    if ctx.has_external(number):
        return link(links.relative(page, links.external_page(number)), number)
    if ctx.has_document(number):
        return link(links.relative(page, links.document_page(number)), number)
    return number


def _number(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
