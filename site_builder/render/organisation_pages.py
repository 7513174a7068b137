"""The organisation page and one page per department."""

from __future__ import annotations

from site_builder.model.manual import Department
from site_builder.render import links
from site_builder.render.context import RenderContext
from site_builder.render.escape import md_inline
from site_builder.render.frontmatter import page_header
from site_builder.render.tables import html_table, link

ORG_INDEX = "departments/index.md"


def render_organisation(ctx: RenderContext) -> str:
    org = ctx.manual.organisation
    rows = [[link(links.relative(ORG_INDEX, links.department_page(d.code)), d.name), d.parent or "", d.head or "",
             "；".join(d.responsibilities)] for d in org.departments]
    people = [[p.name, p.department, p.title, "、".join(f"{level} 级" for level in p.approves_levels)] for p in org.people]
    return "\n".join([
        page_header("组织与职责", qms_page="organisation"), "# 组织与职责\n",
        "## 部门与职责\n", html_table(["部门", "上级部门", "负责人", "职责"], rows, "qms-departments") + "\n",
        "## 人员与批准权限\n", html_table(["姓名", "部门", "职务", "可批准的文件层级"], people, "qms-people") + "\n",
    ])


def render_department(department: Department, ctx: RenderContext) -> str:
    page = links.department_page(department.code)
    owned = [[link(links.relative(page, links.document_page(d.id)), d.id), d.title, d.version]
             for d in ctx.documents if d.owner == department.name]
    held = [[link(links.relative(page, links.document_page(d.id)), d.id), d.title, d.version, e.copies,
             "、".join(e.copy_numbers)]
            for d in ctx.documents for e in d.distribution if e.department == department.name]
    parts = [page_header(department.name, qms_department=department.code), f"# {md_inline(department.name)}\n"]
    if department.responsibilities:
        parts.append("## 职责\n\n" + "\n".join(f"- {md_inline(r)}" for r in department.responsibilities) + "\n")
    parts.append("## 本部门制定的文件\n\n" + (html_table(["文件编号", "文件名称", "版本"], owned) if owned else "无。") + "\n")
    parts.append("## 本部门持有的受控副本\n\n" + (html_table(["文件编号", "文件名称", "版本", "份数", "分发号"], held)
                                                   if held else "无。") + "\n")
    return "\n".join(parts)
