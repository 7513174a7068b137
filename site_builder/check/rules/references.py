"""Cross-file references: documents, forms, supersedes chains."""

from __future__ import annotations

import re

from site_builder import diagnostics as dg
from site_builder.check.rules.documents import unsigned_entries
from site_builder.model.body import citations, linked_document, local_page_links
from site_builder.model.manual import Document, Form, Manual, Organisation


def reference_rules(worktree: Manual, in_force: Manual, known_ids: set[str]) -> list:
    """References between the files of the working tree.  Whether a reference is to something in
    force is a question about the document, not its newest file: a document cited while its next
    version is drafted still has its version in force (`in_force`, history/in_force.py)."""
    by_id = {d.id: d for d in worktree.documents}
    standing = {d.id: d.status for d in in_force.documents}
    form_ids = {f.id for f in worktree.forms}
    by_path = {d.path: d for d in worktree.documents}
    found = []
    for document in worktree.documents:
        in_force_now = standing.get(document.id) == "effective" and document.id not in in_force.in_progress
        found += _document_references(document, in_force_now, by_id, standing, form_ids, known_ids)
        found += _body_links(document, by_path)
        found += _body_citations(document, in_force_now, by_id, standing, known_ids, worktree.config.document_patterns)
    found += _supersedes_cycles(by_id)
    for form in worktree.forms:
        found += _form_references(form, by_id, known_ids, worktree.organisation, form_ids)
        found += _form_owner_in_force(form, by_id, standing)
    return found


def _replacements(ref: str, by_id: dict, but: str = "") -> list[str]:
    """The documents whose `supersedes` names `ref`."""
    return [d.id for d in by_id.values() if ref in d.supersedes and d.id != but]


def _body_citations(document: Document, in_force_now: bool, by_id: dict, standing: dict, known_ids: set,
                    patterns: dict):
    """SB317 (a warning; an error under `build --release`): a document number written in the body that
    is unknown, obsolete, or (in a document in force) has no version in force.  Code is not read."""
    if document.status == "obsolete":
        return
    for index, col, number in citations(document.body, patterns.values()):
        if number == document.id:
            continue
        where = {"line": document.body_line + index, "col": col}
        if number not in by_id:
            if number not in known_ids:
                yield dg.warning("SB317", document.path, f"the body cites {number}, which is not a document of this "
                                 "manual", hint="check the number, or write it as code (`...`) if it is not a citation",
                                 **where)
        elif standing.get(number) == "obsolete":
            replaced = _replacements(number, by_id, document.id)
            yield dg.warning("SB317", document.path, f"the body cites {number}, which is obsolete", **where,
                             hint=f"cite {' or '.join(replaced)} instead" if replaced else
                             "cite the document that replaces it, or remove the citation")
        elif in_force_now and standing.get(number) != "effective":
            yield dg.warning("SB317", document.path, f"the body cites {number}, which has no version in force "
                             f"({standing.get(number)})", **where,
                             hint=f"cite it once {number} is effective, or remove the citation")


def _form_owner_in_force(form: Form, by_id: dict, standing: dict):
    """A form in force belongs to a document in force."""
    if form.status == "effective" and standing.get(form.procedure) == "obsolete":
        replaced = _replacements(form.procedure, by_id)
        yield dg.error("SB308", form.path, f"effective form belongs to {form.procedure}, which is obsolete",
                       json_path=("procedure",),
                       hint=(f"revise the form to belong to {' or '.join(replaced)}, or make it obsolete" if replaced
                             else "revise the form to belong to a document in force, or make it obsolete"))


def _document_references(document: Document, in_force_now: bool, by_id: dict, standing: dict, form_ids: set,
                         known_ids: set):
    """`in_force_now`: the working tree holds the document's version in force; `standing`: number ->
    the status of each document's version in force (effective), or of its file when none is in force."""
    fields = [("related_documents", ref) for ref in document.related_documents]
    fields += [("supersedes", ref) for ref in document.supersedes]
    for index_key, ref in fields:
        index = getattr(document, index_key).index(ref)
        target = by_id.get(ref)
        if target is None:
            if ref not in known_ids:
                yield dg.error("SB303", document.path, f"{index_key} names unknown document {ref!r}",
                               json_path=(index_key, index), hint="check the document number")
        elif index_key == "related_documents" and in_force_now and standing[ref] != "effective":
            replacements = [d.id for d in by_id.values() if ref in d.supersedes and d.id != document.id]
            yield dg.error("SB308", document.path, f"effective document refers to {ref}, which is {standing[ref]} "
                           "(no version in force)",
                           json_path=(index_key, index),
                           hint=(f"refer to {' or '.join(replacements)}, which supersedes {ref}, or remove the reference"
                                 if replacements else f"refer to the document that replaces {ref}, or remove the reference"))
        elif (index_key == "supersedes" and in_force_now and standing[ref] == "effective"
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


def _form_references(form: Form, by_id: dict, known_ids: set, organisation: Organisation, form_ids: set):
    if form.procedure not in by_id and form.procedure not in known_ids:
        yield dg.error("SB303", form.path, f"procedure {form.procedure!r} is not a known document",
                       json_path=("procedure",), hint="name the controlled document that owns this form")
    if organisation.department(form.owner) is None:
        yield dg.error("SB306", form.path, f"unknown department {form.owner!r}", json_path=("owner",),
                       hint="use a department listed in organisation.yaml")
    yield from unsigned_entries(form)
    if form.status in ("effective", "obsolete") and form.effective is None:
        yield dg.error("SB407", form.path, f"a form with status {form.status} has no effective date",
                       json_path=("status",), hint="add effective: YYYY-MM-DD (make-effective writes it)")
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
    yield from _rule_values(form, form_ids | known_ids, organisation)


def _rule_values(form: Form, forms: set, organisation: Organisation):
    """The titles, forms and patterns the obligation rules name exist and are valid."""
    titles = {person.title for person in organisation.people}
    for rule, spec in form.rules.items():
        for key in ("titles", "approver_titles"):
            for index, title in enumerate(spec.get(key, ())):
                if title not in titles:
                    yield dg.error("SB504", form.path, f"rules.{rule}.{key} names title {title!r}, which nobody in "
                                   "organisation.yaml holds", json_path=("rules", rule, key, index),
                                   hint="use a title of a person in organisation.yaml")
        source = spec.get("source_form")
        if source is not None and source not in forms:
            yield dg.error("SB504", form.path, f"rules.{rule}.source_form names {source!r}, which is not a form",
                           json_path=("rules", rule, "source_form"), hint="name a form in forms/")
        if "when_pattern" in spec:
            try:
                re.compile(spec["when_pattern"])
            except re.error as error:
                yield dg.error("SB504", form.path, f"rules.{rule}.when_pattern is not a valid regular expression: {error}",
                               json_path=("rules", rule, "when_pattern"), hint="correct the pattern (Python syntax)")


def _body_links(document: Document, by_path: dict):
    for index, col, target in local_page_links(document.body):
        if linked_document(document, target, by_path) is None:
            yield dg.error("SB303", document.path, f"the body links to {target!r}, which is not a controlled document",
                           line=document.body_line + index, col=col,
                           hint="link to another document's source file (e.g. QP-02-complaint-handling.md), or remove the link")
