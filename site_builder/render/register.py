"""The home page and the master document list (受控文件清单)."""

from __future__ import annotations

from datetime import timedelta

from site_builder.model.manual import LEVEL_LABELS, STATUS_LABELS
from site_builder.render import links
from site_builder.render.context import RenderContext
from site_builder.render.escape import html_multiline, html_text, md_inline
from site_builder.render.frontmatter import page_header
from site_builder.render.tables import html_table, link

MASTER_LIST = "documents/index.md"
COMPARISON = {"<=": "≤", ">=": "≥"}
PERIOD_LABELS = {"month": "每月", "quarter": "每季度", "half_year": "每半年", "year": "每年"}


def render_home(ctx: RenderContext) -> str:
    config = ctx.manual.config
    parts = [page_header("首页", qms_page="home"), f"# {md_inline(config.site_name)}\n",
             f"{md_inline(config.company)} 受控质量文件的内部发布站点。本站点只发布现行有效版本；打印件为非受控文件。\n"]
    manual_doc = next((d for d in ctx.documents if d.level == 1 and (d.quality_policy or d.objectives)), None)
    if manual_doc:
        page_link = links.md_link("index.md", links.document_page(manual_doc.id))
        parts.append(f"## 质量方针\n\n<div class=\"qms-policy\">{html_multiline(manual_doc.quality_policy)}</div>\n")
        parts.append(f"出自 [{md_inline(manual_doc.id)} {md_inline(manual_doc.title)}]({page_link})。\n")
        rows = [[o.id, o.text, f"{COMPARISON.get(o.comparison, o.comparison)} {_number(o.target)}{o.unit}",
                 PERIOD_LABELS.get(o.period, o.period)] for o in manual_doc.objectives]
        parts.append("## 质量目标\n\n" + html_table(["编号", "目标", "指标", "统计周期"], rows, "qms-objectives") + "\n")
    parts.append("## 近期修订的文件\n\n" + _recent(ctx) + "\n")
    parts.append("## 定期评审到期或逾期的文件\n\n" + _reviews_due(ctx) + "\n")
    return "\n".join(parts)


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _recent(ctx: RenderContext) -> str:
    revised = sorted(ctx.documents, key=lambda d: (d.revisions[-1].date, d.id), reverse=True)[:10]
    rows = [[link(links.relative("index.md", links.document_page(d.id)), d.id), d.title, d.version,
             d.revisions[-1].date.isoformat(), d.revisions[-1].change] for d in revised]
    return html_table(["文件编号", "文件名称", "版本", "修订日期", "更改说明"], rows, "qms-recent")


def _reviews_due(ctx: RenderContext) -> str:
    today = ctx.manual.today
    horizon = today + timedelta(days=ctx.manual.config.due_soon_days)
    due = sorted((d for d in ctx.documents if d.status == "effective" and d.next_review and d.next_review <= horizon),
                 key=lambda d: d.next_review)
    if not due:
        return "当前没有到期或逾期的定期评审。"
    rows = [[link(links.relative("index.md", links.document_page(d.id)), d.id), d.title, d.owner,
             d.next_review.isoformat(), "已逾期" if d.next_review < today else "即将到期"] for d in due]
    return html_table(["文件编号", "文件名称", "制定部门", "下次评审", "状态"], rows, "qms-reviews")


def render_master_list(ctx: RenderContext) -> str:
    rows = []
    for d in sorted(ctx.documents, key=lambda d: (d.level, d.id)):
        rows.append([link(links.relative(MASTER_LIST, links.document_page(d.id)), d.id), d.title,
                     LEVEL_LABELS.get(d.level, d.level), d.version, STATUS_LABELS.get(d.status, d.status),
                     d.effective.isoformat() if d.effective else "", d.owner,
                     d.next_review.isoformat() if d.next_review else ""])
    headers = ["文件编号", "文件名称", "层级", "版本", "状态", "生效日期", "制定部门", "下次评审"]
    filters = "".join(f'<label>{html_text(name)} <select data-qms-filter="{col}"><option value="">全部</option></select></label> '
                      for col, name in ((2, "层级"), (6, "制定部门"), (4, "状态")))
    return "\n".join([
        page_header("受控文件清单", qms_page="master-list", hide=["toc"]),
        "# 受控文件清单\n",
        f"共 {len(rows)} 份文件。点击表头排序，用下列选项筛选。\n",
        f'<div class="qms-filters" data-qms-table="qms-master">{filters}</div>\n',
        html_table(headers, rows, "qms-sortable", ' id="qms-master"') + "\n",
    ])
