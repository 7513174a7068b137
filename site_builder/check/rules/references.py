"""Cross-file references: documents, forms, supersedes chains."""

from __future__ import annotations

from site_builder import diagnostics as dg
from site_builder.check.rules.documents import unsigned_entries
from site_builder.model.body import linked_document, local_page_links
from site_builder.model.manual import Document, Form, Organisation

CURRENT = ("effective", "approved")


def reference_rules(documents: list[Document], forms: list[Form], known_ids: set[str], organisation: Organisation):
    by_id = {d.id: d for d in documents}
    form_ids = {f.id for f in forms}
    by_path = {d.path: d for d in documents}
    for document in documents:
        yield from _document_references(document, by_id, form_ids, known_ids)
        yield from _body_links(document, by_path)
    yield from _supersedes_cycles(by_id)
    for form in forms:
        yield from _form_references(form, by_id, known_ids, organisation)


def _document_references(document: Document, by_id: dict, form_ids: set, known_ids: set):
    fields = [("related_documents", ref) for ref in document.related_documents]
    fields += [("supersedes", ref) for ref in document.supersedes]
    for index_key, ref in fields:
        index = getattr(document, index_key).index(ref)
        target = by_id.get(ref)
        if target is None:
            if ref not in known_ids:
                yield dg.error("SB303", document.path, f"{index_key} names unknown document {ref!r}",
                               json_path=(index_key, index), hint="check the document number")
        elif index_key == "related_documents" and document.status == "effective" and target.status not in CURRENT:
            replacements = [d.id for d in by_id.values() if ref in d.supersedes and d.id != document.id]
            yield dg.error("SB308", document.path, f"effective document refers to {ref}, which is {target.status}",
                           json_path=(index_key, index),
                           hint=(f"refer to {' or '.join(replacements)}, which supersedes {ref}, or remove the reference"
                                 if replacements else f"refer to the document that replaces {ref}, or remove the reference"))
        elif (index_key == "supersedes" and document.status == "effective" and target.status == "effective"
              and _shortest_cycle(document.id, by_id) is None):  # in a cycle SB310 names the real mistake
            # Both in force: staff could work to either text, the very thing document control prevents.
            yield dg.error("SB316", document.path, f"{document.id} is effective and supersedes {ref}, which is still "
                           f"effective: two documents are in force for the same purpose", json_path=(index_key, index),
                           hint=f"make {ref} obsolete (status: obsolete, obsoleted: {_day(document.effective)}) in the "
                           f"same change that makes {document.id} effective")
    for index, ref in enumerate(document.related_forms):
        if ref not in form_ids and ref not in known_ids:
            yield dg.error("SB304", document.path, f"related_forms names unknown form {ref!r}",
                           json_path=("related_forms", index), hint="check the form number (forms/<number>.yaml)")


def _day(day) -> str:
    return day.isoformat() if day else "the day it takes effect"


def _supersedes_cycles(by_id: dict):
    """SB310 on every document that (indirectly) supersedes itself, through any supersedes entry."""
    for start in by_id.values():
        cycle = _shortest_cycle(start.id, by_id)
        if cycle:
            yield dg.error("SB310", start.path, "supersedes forms a cycle: " + " -> ".join(cycle),
                           json_path=("supersedes",), hint="a document cannot (indirectly) replace itself")


def _shortest_cycle(start: str, by_id: dict) -> list[str] | None:
    """Breadth-first over all supersedes entries: the shortest chain from `start` back to itself."""
    came_from: dict[str, str] = {}
    queue = [start]
    for current in queue:  # the list grows while it is walked: a FIFO queue without pops
        document = by_id.get(current)
        for nxt in document.supersedes if document else ():
            if nxt == start:
                chain = [current]
                while chain[-1] != start:
                    chain.append(came_from[chain[-1]])
                return [*reversed(chain), start]
            if nxt not in came_from and nxt in by_id:
                came_from[nxt] = current
                queue.append(nxt)
    return None


def _form_references(form: Form, by_id: dict, known_ids: set, organisation: Organisation):
    if form.procedure not in by_id and form.procedure not in known_ids:
        yield dg.error("SB303", form.path, f"procedure {form.procedure!r} is not a known document",
                       json_path=("procedure",), hint="name the controlled document that owns this form")
    if organisation.department(form.owner) is None:
        yield dg.error("SB306", form.path, f"unknown department {form.owner!r}", json_path=("owner",),
                       hint="use a department listed in organisation.yaml")
    yield from unsigned_entries(form)
    for index, revision in enumerate(form.revisions):
        if revision.approved_by is not None and organisation.person(revision.approved_by) is None:
            yield dg.error("SB307", form.path, f"{revision.approved_by!r} is not listed in organisation.yaml",
                           json_path=("revisions", index, "approved_by"), hint="correct the name or add the person")
    for rule, spec in form.rules.items():
        for key, value in spec.items():
            if key.endswith("_field") or key == "field":
                if rule == "sampling" and key == "customer_field":
                    continue
                if form.field(value) is None:
                    yield dg.error("SB502", form.path, f"rules.{rule}.{key} names field {value!r}, which the form "
                                   "does not define", json_path=("rules", rule, key),
                                   hint="define the field under fields, or correct the name")


def _body_links(document: Document, by_path: dict):
    for index, col, target in local_page_links(document.body):
        if linked_document(document, target, by_path) is None:
            yield dg.error("SB303", document.path, f"the body links to {target!r}, which is not a controlled document",
                           line=document.body_line + index, col=col,
                           hint="link to another document's source file (e.g. QP-02-complaint-handling.md), or remove the link")
