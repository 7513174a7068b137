"""Auditor page 「文件控制合规检查表」 and api/compliance.json (issue #11).  Adds pages to the site.

Every item of the requirements map (compliance/requirements.yaml) with its clause, requirement,
mechanism (diagnostic codes, pages, commands), tests, evidence links and the live figure computed
from the content of this build.  Auditor audience only; runs after the other renderers so that
evidence links are made only to pages that exist, and the findings are those of api/findings.json.
"""

from __future__ import annotations

import json

from site_builder import diagnostics as dg
from site_builder.compliance import Facts, RequirementsMap, checklist
from site_builder.derive.distribution import distribution_status
from site_builder.render import api, links
from site_builder.render.banner import add_restricted_banner
from site_builder.render.context import AUDITOR, RenderContext
from site_builder.render.escape import html_text, md_inline
from site_builder.render.frontmatter import page_header
from site_builder.render.tables import Html, html_table, link

PAGE = "compliance/index.md"
API = "api/compliance.json"
TITLE = "文件控制合规检查表"
NAV_TITLE = "审核：合规检查表"
STATUS_LABELS = {"ok": "符合", "attention": "需关注", "not covered": "未覆盖"}
STATUS_STYLES = {"ok": "color:#2e7d32;font-weight:700", "attention": "color:#c62828;font-weight:700",
                 "not covered": "color:#6d4c41;font-weight:700"}
COVERAGE_LABELS = {"full": "覆盖", "partial": "部分覆盖", "none": "未覆盖"}
HEADERS = ["编号", "条款", "要求", "控制手段", "测试", "证据", "实时指标", "状态"]


def render_compliance(ctx: RenderContext, site) -> None:
    """Add the compliance checklist page, api/compliance.json and a nav entry (auditor audience only)."""
    if ctx.audience != AUDITOR:
        return
    requirements = ctx.requirements
    items = checklist(requirements, _facts(ctx, site)) if requirements else []
    pages = {PAGE: render_page(ctx, requirements, items, set(site.pages) | set(site.files))}
    add_restricted_banner(pages)
    site.pages.update(pages)
    site.pages[API] = api.dump({"title": requirements.title if requirements else TITLE,
                                "source": requirements.path if requirements else None,
                                "today": ctx.manual.today.isoformat(), "build": ctx.build_info, "items": items})
    site.nav.append({NAV_TITLE: PAGE})


def _facts(ctx: RenderContext, site) -> Facts:
    try:
        findings = json.loads(site.pages.get("api/findings.json", "[]"))
    except ValueError:
        findings = []
    deployment = ctx.requirements.deployment if ctx.requirements is not None else None
    return Facts(ctx.manual, ctx.history, distribution_status(ctx.manual), findings, ctx.build_info, deployment)


def render_page(ctx: RenderContext, requirements: RequirementsMap | None, items: list[dict], existing: set[str]) -> str:
    parts = [page_header(TITLE, qms_page="compliance", hide=["navigation", "toc"]), f"# {TITLE}\n"]
    if requirements is None:
        parts.append("没有找到要求映射表（compliance/requirements.yaml），无法列出检查表。\n")
        return "\n".join(parts)
    if requirements.intro:
        parts.append(f"<p>{html_text(requirements.intro)}</p>\n")
    parts.append(f"<p>{html_text(_stamp(ctx, requirements))}</p>\n")
    parts.append(_summary(items))
    for standard in dict.fromkeys(item["standard"] for item in items):
        parts.append(f"## {md_inline(standard)}\n")
        rows = [_row(item, existing) for item in items if item["standard"] == standard]
        parts.append(html_table(HEADERS, rows, "qms-compliance") + "\n")
    parts.append("## 下载\n")
    parts.append(f"同样的数据（机器可读）：{link(links.relative(PAGE, API), API)}。"
                 "用 `python -m site_builder audit-bundle --out 文件.zip` 可把审核员站点、本映射表、构建标记和"
                 "最近一次测试结果打包成一个带日期的压缩包，离线保存。\n")
    return "\n".join(parts)


def _stamp(ctx: RenderContext, requirements: RequirementsMap) -> str:
    info = ctx.build_info
    commit = (info.get("commit") or "无 git 提交")[:12]
    return (f"指标按 {ctx.manual.today.isoformat()} 的受控内容计算（构建自提交 {commit}，构建时间 {info.get('built_at', '—')}）；"
            f"要求映射表：{requirements.path}。")


def _summary(items: list[dict]) -> str:
    counts = {status: sum(1 for i in items if i["status"] == status) for status in STATUS_LABELS}
    rows = [[_status_cell(status), counts[status]] for status in STATUS_LABELS]
    return f"<p>共 {len(items)} 项要求。</p>\n" + html_table(["状态", "项数"], rows, "qms-compliance-summary") + "\n"


def _row(item: dict, existing: set[str]) -> list:
    requirement = html_text(item["text"])
    if item["note"]:
        requirement += f'<br><small>{html_text(item["note"])}</small>'
    requirement += f'<br><small>覆盖程度：{html_text(COVERAGE_LABELS.get(item["coverage"], item["coverage"]))}</small>'
    return [item["id"], item["clause"], Html(requirement), _mechanism_cell(item["mechanism"], existing),
            _tests_cell(item["tests"]),
            _evidence_cell(item["evidence"], existing), item["figure"], _status_cell(item["status"])]


def _mechanism_cell(mechanism: dict, existing: set[str]) -> Html:
    parts = [f'<span title="{html_text(dg.CODES.get(code, ""))}">{html_text(code)}</span>' for code in mechanism["rules"]]
    parts += [_page_link(page, page, existing) for page in mechanism["pages"]]
    parts += [f"<code>{html_text(command)}</code>" for command in mechanism["commands"]]
    return Html("<br>".join(parts) or "—")


def _tests_cell(tests: list[str]) -> Html:
    """Test functions grouped by file (the full node id is in the title and in api/compliance.json)."""
    by_file: dict[str, list[str]] = {}
    for test in tests:
        file, _, name = test.partition("::")
        by_file.setdefault(file, []).append(f'<code title="{html_text(test)}">{html_text(name)}</code>')
    return Html("<br>".join(f"<small>{html_text(file)}</small><br>" + "<br>".join(names)
                            for file, names in by_file.items()) or "—")


def _evidence_cell(evidence: list[dict], existing: set[str]) -> Html:
    return Html("<br>".join(_page_link(e["page"], e["label"], existing) for e in evidence) or "—")


def _page_link(page: str, label: str, existing: set[str]) -> str:
    """A link when this build generated the page; otherwise plain text saying it is absent."""
    if page in existing:
        return link(links.relative(PAGE, page), label)
    return html_text(f"{label}（本站点无此页面）")


def _status_cell(status: str) -> Html:
    style = STATUS_STYLES.get(status, "")
    return Html(f'<span class="qms-status" data-status="{html_text(status)}" style="{style}">'
                f"{html_text(STATUS_LABELS.get(status, status))}</span>")
