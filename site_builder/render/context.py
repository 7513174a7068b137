"""What every page renderer needs: the manual, the audience, which pages exist, and the results
of the stages before render (history, requirements map, derived record data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from site_builder.derive.external.register import citations as external_citations
from site_builder.model.manual import Document, Form, Manual

if TYPE_CHECKING:
    from site_builder.compliance import RequirementsMap
    from site_builder.derive import Derived
    from site_builder.history import ManualHistory

STAFF = "staff"
AUDITOR = "auditor"


@dataclass
class RenderContext:
    manual: Manual
    audience: str = STAFF
    build_info: dict = field(default_factory=dict)
    #: the history stage's result (auditor pages, compliance figures)
    history: ManualHistory | None = None
    #: the compliance requirements map (None when invalid)
    requirements: RequirementsMap | None = None
    #: the derive stage's result for the record pages (summaries, KPIs, findings)
    derived: Derived | None = None
    #: serve's author preview: versions in progress are rendered in place of the versions in force,
    #: each page marked 「草稿预览，未生效」 (never in a build)
    preview: bool = False

    def __post_init__(self) -> None:
        self.documents = [d for d in self.manual.documents if self.visible(d)]
        self.forms = [f for f in self.manual.forms if self.visible(f)]
        self._document_ids = {d.id for d in self.documents}
        self._form_ids = {f.id for f in self.forms}
        #: the register of external documents: staff see the current editions, auditors every edition
        self.external = [e for e in self.manual.external if self.audience == AUDITOR or e.status == "current"]
        self._external_ids = {e.id for e in self.external}
        self._citations: dict | None = None

    def visible(self, item: Document | Form) -> bool:
        if self.audience == AUDITOR:
            return True
        return item.status == "effective" or (self.preview and item.status != "obsolete")

    def previewed(self, item: Document | Form) -> bool:
        """A page of the preview showing a version being prepared (not in force)."""
        return self.preview and item.status in ("draft", "in_review", "approved")

    def has_document(self, doc_id: str) -> bool:
        return doc_id in self._document_ids

    def cited_external(self, doc_id: str) -> list:
        """The citations of register entries in document `doc_id` (derive/external), in order."""
        if self._citations is None:
            self._citations = {}
            for citation in external_citations(self.manual):
                self._citations.setdefault(citation.document, []).append(citation)
        return self._citations.get(doc_id, [])

    def has_external(self, external_id: str) -> bool:
        return external_id in self._external_ids

    def has_form(self, form_id: str) -> bool:
        return form_id in self._form_ids

    def form(self, form_id: str) -> Form | None:
        return next((f for f in self.forms if f.id == form_id), None)

    def document(self, doc_id: str) -> Document | None:
        return next((d for d in self.documents if d.id == doc_id), None)
