"""One page per blank form, laid out for printing, plus the forms index."""

from __future__ import annotations

from site_builder.model.manual import Form, FormField
from site_builder.render import links
from site_builder.render.context import RenderContext
from site_builder.render.document_page import PREVIEW_BANNER, in_progress_section
from site_builder.render.escape import html_text, md_inline
from site_builder.render.frontmatter import page_header
from site_builder.render.tables import html_table, link

TYPE_LABELS = {"string": "文本", "text": "多行文本", "integer": "整数", "number": "数值", "date": "日期 YYYY-MM-DD",
               "boolean": "是 / 否", "choice": "单选", "multi_choice": "多选", "ratings": "逐项评价",
               "scores": "逐项打分（0–100）", "record_ref": "记录编号", "document_ref": "文件编号", "list": "清单"}
FORMS_INDEX = "forms/index.md"


def render_forms_index(ctx: RenderContext) -> str:
    rows = [[link(links.relative(FORMS_INDEX, links.form_page(f.id)), f.id), f.title, f.version, f.owner,
             f"{f.retention_years} 年", f.procedure] for f in ctx.forms]
    return "\n".join([page_header("表单清单", qms_page="forms"), "# 表单清单\n",
                      html_table(["表单编号", "表单名称", "版本", "保管部门", "保存期限", "所属文件"], rows) + "\n"])


def render_form(form: Form, ctx: RenderContext, summary_page: str | None = None) -> str:
    page = links.form_page(form.id)
    procedure = ctx.document(form.procedure)
    owner_line = (f"[{md_inline(procedure.id)} {md_inline(procedure.title)}]({links.md_link(page, links.document_page(procedure.id))})"
                  if procedure else md_inline(form.procedure))
    parts = [
        page_header(f"{form.id} {form.title}", qms_form=form.id),
        f"# {md_inline(form.id)} {md_inline(form.title)}\n",
        PREVIEW_BANNER if ctx.previewed(form) else "",
        html_table(["表单编号", "版本", "生效日期", "保管部门", "保存期限"],
                   [[form.id, form.version, form.effective.isoformat() if form.effective else "—", form.owner,
                     f"{form.retention_years} 年" + (f"（{form.retention_note}）" if form.retention_note else "")]],
                   "qms-control-header") + "\n",
        f"所属文件：{owner_line}\n",
    ]
    if form.description:
        parts.append(f"<p>{html_text(form.description)}</p>\n")
    if summary_page:
        parts.append(f"[查看本表单的记录汇总]({links.md_link(page, summary_page)})\n")
    parts.append("## 填写栏目\n\n" + _fields_table(form) + "\n")
    for field in form.fields:
        if field.type == "ratings":
            parts.append(f"## {md_inline(field.label)}\n\n" + _ratings_grid(field) + "\n")
    score = form.rules.get("score")
    if score:
        parts.append("## 评分规则\n\n" + _points_table(score) + "\n\n" + _grades_table(score) + "\n")
    parts.append(_rules_text(form))
    parts.append(in_progress_section(form.id, ctx, page))
    return "\n".join(p for p in parts if p)


def _fields_table(form: Form) -> str:
    rows = []
    for f in form.fields:
        options = "、".join(f.choices or f.items)
        rows.append([f.label, TYPE_LABELS.get(f.type, f.type) + (f"：{options}" if options else ""),
                     "必填" if f.required else "", "个人信息" if f.personal_data else "", ""])
    return html_table(["栏目", "填写方式", "必填", "分类", "填写内容"], rows, "qms-form-fields")


def _ratings_grid(field: FormField) -> str:
    rows = [[item, *["□" for _ in field.levels]] for item in field.items]
    return html_table(["项目", *field.levels], rows, "qms-ratings")


def _points_table(score: dict) -> str:
    points = score.get("points", {})
    levels = list(next(iter(points.values()), {}).keys()) if points else []
    rows = [[level, *[_fmt(points[item].get(level, "")) for item in points]] for level in levels]
    return html_table(["评价等级", *points.keys()], rows, "qms-points")


def _grades_table(score: dict) -> str:
    grades = score.get("grades", [])
    rows = []
    for index, g in enumerate(grades):
        upper = grades[index - 1]["min"] if index else None
        span = f"≥ {_fmt(g['min'])}" + (f" 且 < {_fmt(upper)}" if upper is not None else "")
        rows.append([g["grade"], span, g.get("meaning", "")])
    capa = f"<p>得分低于 {html_text(_fmt(score.get('capa_below')))} 分时须开具纠正预防措施报告。</p>"
    return html_table(["评定等级", "得分范围", "含义"], rows, "qms-grades") + "\n" + capa


def _rules_text(form: Form) -> str:
    lines = []
    rules = form.rules
    if "item_threshold" in rules:
        r = rules["item_threshold"]
        lines.append(f"任一项目得分低于 {_fmt(r['below'])} 分时，须进行电话回访并记录回访日期。")
    if "reply_deadline" in rules:
        r = rules["reply_deadline"]
        lines.append(f"自收到之日起 {_fmt(r['days'])} 天内答复；客户另定期限的，按客户期限答复。")
    if "follow_up" in rules:
        r = rules["follow_up"]
        windows = "；".join(f"{k}：{_fmt(v)} 天内" for k, v in r["windows"].items())
        targets = "；".join(f"{'总体' if k == 'overall' else k} ≥ {_fmt(v)}%" for k, v in r["targets"].items())
        lines.append(f"回访时限——{windows}。回访率目标——{targets}。")
    if "sampling" in rules:
        r = rules["sampling"]
        coverage = "，".join(f"{k} 级 {_fmt(v)}%" for k, v in r["coverage"].items())
        lines.append(f"每半年抽样调查比例：{coverage}。")
    if not lines:
        return ""
    return "## 规则\n\n" + "\n".join(f"- {md_inline(line)}" for line in lines) + "\n"


def _fmt(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
