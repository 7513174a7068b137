"""The render stage: the manual into generated pages (Markdown + JSON) and a navigation.

Takes the checked manual, the audience, the build stamp and the results of the stages before
(history, requirements map, and the record pages rendered from the derived data by
`records_part`); gives a `Site`: pages, downloads (XLSX still as `Workbook` placeholders, which
emit encodes), navigation and the archive pages.  Pure: no I/O, no processes, no MkDocs; it
never loads files or derives data itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from site_builder.compliance import RequirementsMap
from site_builder.derive import Derived
from site_builder.fast.serve_reuse import NoReuse, Reuse
from site_builder.history import ManualHistory
from site_builder.model.manual import Manual
from site_builder.render import api, links, register
from site_builder.render.banner import add_restricted_banner
from site_builder.render.compliance_page import render_compliance
from site_builder.render.context import AUDITOR, STAFF, RenderContext
from site_builder.render.distribution_pages import render_distribution
from site_builder.render.document_page import render_document
from site_builder.render.escape import plain_title
from site_builder.render.external_pages import render_external
from site_builder.render.forms_pages import FORMS_INDEX, render_form, render_forms_index
from site_builder.render.frontmatter import front_matter
from site_builder.render.history_pages import render_history
from site_builder.render.navigation import by_level_and_department
from site_builder.render.organisation_pages import ORG_INDEX, render_department, render_organisation
from site_builder.render.records_pages import render_records


@dataclass
class Site:
    pages: dict[str, str] = field(default_factory=dict)  # path in docs dir -> text
    nav: list = field(default_factory=list)  # MkDocs nav structure
    #: path in docs dir -> binary download (XLSX); a workbooks.Workbook until encoded (render_site(defer_workbooks=True))
    files: dict[str, bytes] = field(default_factory=dict)
    #: gitignore-style patterns (relative to the docs dir) of pages deliberately left out of `nav`
    not_in_nav: list[str] = field(default_factory=list)
    #: pages MkDocs does not render (auditor: obsolete versions and diffs): path in docs dir -> function
    #: giving the page's (front matter, Markdown); written into the theme's page shell by archive.py, never in `nav`
    archive: dict[str, Callable[[], tuple[dict, str]]] = field(default_factory=dict)
    #: the archive pages made ordinary pages by archive_as_pages (paths in docs dir)
    archived: list[str] = field(default_factory=list)

    def archive_as_pages(self) -> None:
        """Make the archive pages ordinary Markdown pages outside the navigation (MkDocs renders them:
        the plain path of site_builder/site/archive.py)."""
        for path, produce in self.archive.items():
            meta, markdown = produce()
            self.pages[path] = front_matter(meta) + markdown
        self.not_in_nav += [f"/{path}" for path in self.archive]
        self.archived = list(self.archive)
        self.archive = {}


def render_site(manual: Manual, audience: str = STAFF, build_info: dict | None = None, *,
                history: ManualHistory, requirements: RequirementsMap | None, records: Site,
                reuse: Reuse | None = None, preview: bool = False) -> Site:
    """`records`: the record pages (records_part).  `reuse` (serve): take over the previous build's
    document pages where nothing they read changed.  `preview` (serve): the manual holds the versions
    in progress in place (preview_of) and their pages say so."""
    ctx = RenderContext(manual, audience, build_info or {}, history=history, requirements=requirements, preview=preview)
    reuse = reuse or NoReuse()
    site = Site()
    site.pages["index.md"] = register.render_home(ctx)
    site.pages[register.MASTER_LIST] = register.render_master_list(ctx)
    # a document's page reads, besides the document: the paths, numbers, titles and supersedes of the
    # others (links, the replacement of an obsolete one), the numbers and titles of the forms, the
    # departments and the versions in progress
    read = reuse.token("document pages", (audience, preview, [(d.path, d.id, d.title, d.supersedes) for d in manual.documents],
                                          [(f.id, f.title) for f in ctx.forms], manual.organisation,
                                          sorted(manual.in_progress.items()), manual.external))
    pages = reuse.each("document pages", ctx.documents, lambda d: render_document(d, ctx), read)
    for document, page in zip(ctx.documents, pages, strict=True):
        site.pages[links.document_page(document.id)] = page
    site.pages[FORMS_INDEX] = render_forms_index(ctx)
    for form in ctx.forms:
        site.pages[links.form_page(form.id)] = render_form(form, ctx)
    site.pages[ORG_INDEX] = render_organisation(ctx)
    for department in manual.organisation.departments:
        site.pages[links.department_page(department.code)] = render_department(department, ctx)
    site.pages["api/documents.json"] = api.documents_json(ctx)
    site.pages["api/build.json"] = api.dump(ctx.build_info)
    site.nav = _nav(ctx)
    part = records
    site.pages.update(part.pages)
    site.files.update(part.files)
    site.nav += part.nav
    site.not_in_nav += part.not_in_nav
    render_external(ctx, site)
    render_history(ctx, site)
    render_distribution(ctx, site)
    render_compliance(ctx, site)
    if ctx.audience == AUDITOR:
        add_restricted_banner(site.pages)  # last, so that pages added by any renderer above carry it too
    site.nav = _safe_nav(site.nav)
    return site


def records_view(manual: Manual) -> Manual:
    """The manual as the record pages see it: without the bodies of documents that neither own a form
    nor set objectives.  (Findings cite clauses of the procedure owning the form, and of the document
    setting a missed objective; no other body is read, and this makes sure of it, so that `serve`
    may reuse the record pages while such a body is edited.)"""
    cited = {form.procedure for form in manual.forms} | {d.id for d in manual.documents if d.objectives}
    documents = tuple(d if d.id in cited or not d.body else replace(d, body="") for d in manual.documents)
    return replace(manual, documents=documents)


def records_part(manual: Manual, audience: str, derived: Derived, preview: bool = False) -> Site:
    """The record summaries, KPIs, findings and their downloads: pages that read only the records, the
    forms and the procedures owning them (see records_view), their derived data, and neither the build
    stamp nor other pages."""
    part = Site()
    render_records(RenderContext(records_view(manual), audience, derived=derived, preview=preview), part)
    return part


def preview_of(manual: Manual) -> Manual:
    """serve's author preview: every version in progress in place of the version in force."""
    if not manual.in_progress:
        return manual
    documents = tuple(manual.in_progress.get(d.id, d) for d in manual.documents)
    return replace(manual, documents=documents, forms=tuple(manual.in_progress.get(f.id, f) for f in manual.forms))


def _safe_nav(items):
    """Navigation titles come from content: neutralise markup (see escape.plain_title)."""
    if isinstance(items, list):
        return [_safe_nav(item) for item in items]
    if isinstance(items, dict):
        return {plain_title(key): _safe_nav(value) for key, value in items.items()}
    return items


def _nav(ctx: RenderContext) -> list:
    documents = [{"受控文件清单": register.MASTER_LIST}]
    documents += by_level_and_department(ctx.documents, lambda d: {f"{d.id} {d.title}": links.document_page(d.id)})
    forms = [{"表单清单": FORMS_INDEX}] + [{f"{f.id} {f.title}": links.form_page(f.id)} for f in ctx.forms]
    departments = [{"组织与职责": ORG_INDEX}] + [{d.name: links.department_page(d.code)}
                                                for d in ctx.manual.organisation.departments]
    return [{"首页": "index.md"}, {"质量文件": documents}, {"表单": forms}, {"组织": departments}]
