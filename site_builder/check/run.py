"""The check stage: every file loaded and validated, the manual built, every rule run.

Takes the repository root, the date to check against and the build's memos (history, serve
reuse, the cache folder, the worker processes); gives a `CheckResult`: the manual in force on the
day (None when it cannot be built; history/in_force.py), the manual of the working tree, every
diagnostic positioned and sorted, the record schemas derived from the forms, the history (git
log and timelines, for the change-control rules and the auditor pages) and the requirements map
of the compliance checklist.  No MkDocs, no CLI, no writes except the check cache (.qms-cache/,
fast/check_cache.py).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

from site_builder import diagnostics as dg
from site_builder.check import rules
from site_builder.check.files import FileChecker, FileResult, check_files, decode, position
from site_builder.check.invisible import free_text_warnings
from site_builder.check.rules.external import external_rules
from site_builder.check.rules.keys import key_rules
from site_builder.check.rules.record_values import record_value_rules
from site_builder.check.unreadable import invalid_forms, named_ids, unchecked_records
from site_builder.compliance import RequirementsMap, compliance_rules
from site_builder.compliance.requirements import map_location
from site_builder.derive.distribution import distribution_rules
from site_builder.fast.check_cache import CheckCache
from site_builder.fast.collector import LONG_LIVED_GC_THRESHOLDS
from site_builder.fast.forked import Children
from site_builder.fast.serve_reuse import NoReuse, Reuse
from site_builder.history import HistoryMemo, ManualHistory, change_control_rules, compute_history, released_text
from site_builder.history.fingerprint import Parsed
from site_builder.history.gitlog import GitError
from site_builder.history.in_force import in_force
from site_builder.history.signatures import approval_signatures, signature_rules
from site_builder.load.files import LoadedFile, content_digest, load_source
from site_builder.load.schema_errors import schema_diagnostics
from site_builder.load.schemas import SchemaSet, load_schemas, record_schema
from site_builder.load.sources import SourceFile, discover
from site_builder.load.yamlio import LoadError
from site_builder.load.yamlio import decode as decode_text
from site_builder.model import build as build_model
from site_builder.model.manual import Config, Manual


@dataclass
class CheckResult:
    manual: Manual | None
    diagnostics: list[dg.Diagnostic]
    #: form id -> record schema derived from the form (what `schemas` writes to schemas/records/)
    record_schemas: dict | None = None
    #: see `counts` (also what the cache keeps of a result)
    tally: tuple[int, ...] | None = None
    #: the git history of the content (None when the manual could not be built or came from the cache)
    history: ManualHistory | None = None
    #: the compliance requirements map (None when invalid)
    requirements: RequirementsMap | None = None
    #: the manual as the working tree has it (`manual` is the manual in force on the day, with the
    #: versions in progress beside it): what revise, approve and make-effective edit
    worktree: Manual | None = None

    @property
    def errors(self) -> int:
        return dg.count_errors(self.diagnostics)

    @property
    def counts(self) -> tuple[int, ...] | None:
        """(valid documents, forms and records, files that could not be read, records not checked
        because their form could not be read, 1 when the manual could not be built)."""
        return self.tally


def check(root: Path, today: date, *, use_cache: bool = False, need_manual: bool = True,
          reuse: Reuse | None = None, on_manual: Callable[[Manual], None] | None = None,
          history_memo: HistoryMemo | None = None, children: Children | None = None, fast: bool = True,
          manual_only: bool = False) -> CheckResult:
    """Check the repository.  With `use_cache`, per-file results and (when `need_manual` is
    False, as for the `check` command) the whole result come from `.qms-cache/` where nothing
    they depend on has changed; see fast/check_cache.py.  With `reuse` (serve), results of the previous
    check are taken over in memory where their inputs are unchanged (fast/serve_reuse.py).  `on_manual` is
    called with the manual as soon as it is built, before the rules that only read it have run
    (the result may still hold errors).  `history_memo`: the build's memo of the git history;
    `children`: the build's worker processes (default: none, everything in this process); `fast=False`
    (`--plain`): jsonschema instead of the compiled validators, the default collector thresholds.
    `manual_only` (a spreadsheet `import`, which checks its own rows against the manual): stop once the
    manual in force is built; the rules across files are not run, the diagnostics are not positioned
    and the result is not cached."""
    if not fast:
        return _check(Path(root), today, use_cache, need_manual, reuse, on_manual,
                      _Memos(history_memo or HistoryMemo(fast=False), children or Children(1), False, manual_only))
    # Loading 100,000 files builds millions of long-lived objects and almost no reference cycles;
    # at the default thresholds the cyclic collector keeps rescanning them (about 15 % of a large
    # check).  Collect less often (cycles are still collected), for this call and its workers.
    thresholds = gc.get_threshold()
    gc.set_threshold(*LONG_LIVED_GC_THRESHOLDS)
    try:
        return _check(Path(root), today, use_cache, need_manual, reuse, on_manual,
                      _Memos(history_memo or HistoryMemo(), children or Children(1), True, manual_only))
    finally:
        gc.set_threshold(*thresholds)


@dataclass
class _Memos:
    """What the check stage takes from the build: its history memo, its worker processes,
    whether the speed-ups are on, and whether the manual alone is wanted (see `check`)."""

    history: HistoryMemo
    children: Children
    fast: bool
    manual_only: bool = False


def _check(root: Path, today: date, use_cache: bool, need_manual: bool, reuse: Reuse | None,
           on_manual: Callable[[Manual], None] | None, memos: _Memos) -> CheckResult:
    found: list[dg.Diagnostic] = []
    schemas, problems = load_schemas(root / "schemas")
    found += problems
    sources, problems = discover(root)
    found += problems
    if schemas is None:
        return CheckResult(None, _positioned(found, {}, root))
    store = CheckCache(root, today, sources, found, compliance_map=map_location(root)) if use_cache else None
    if store and not need_manual and (hit := store.result(store.signature_key())):
        return CheckResult(None, hit.diagnostics, tally=hit.counts)
    config_file = _load_single(sources, "config", schemas, found)
    config = build_model.config_from(config_file.data) if config_file.data else None
    limits = (config.max_file_bytes, config.max_depth) if config else (1_048_576, 32)
    org_file = _load_single(sources, "organisation", schemas, found)
    organisation = build_model.organisation_from(org_file.data) if org_file.data else None
    if organisation is not None:
        found += key_rules(organisation)
    checker = FileChecker(schemas, *limits, compiled=memos.fast)
    if store:
        store.use_context(*limits)
    checked = _check_files(checker, [s for s in sources if s.kind in ("document", "form")], store, reuse, memos.children)
    forms = [r.loaded for r in checked if r.valid and r.loaded.source.kind == "form"]
    record_schemas = {f.data["id"]: record_schema(_form_in_force(root, f, today, schemas, memos.history))
                      for f in forms}
    named = named_ids([r.loaded for r in checked if r.loaded.data is None], config)
    unreadable_forms = frozenset(number for number, (kind, _) in named.items() if kind == "form") | invalid_forms(checked)
    checker.use_forms(record_schemas, unreadable_forms)
    record_results = _check_files(checker, [s for s in sources if s.kind == "record"], store, reuse, memos.children)
    checked += record_results
    named |= named_ids([r.loaded for r in record_results if r.loaded.data is None], config)
    unchecked, problems = unchecked_records(record_results, unreadable_forms,
                                            {n: f"forms/{n}.yaml" for n in unreadable_forms} | _paths(checked))
    found += problems
    external_files = [_load_checked(s, schemas, found, limits) for s in sources if s.kind == "external"]
    loaded = [r.loaded for r in checked] + external_files
    content_key = None
    if store:
        store.save_rows()
        digests = {f.path: f.digest for f in [config_file, org_file, *loaded]}
        content_key = store.content_key(digests)
        if not need_manual and (hit := store.result(content_key, "content")):
            return CheckResult(None, hit.diagnostics, tally=hit.counts)
    valid: dict[str, list[LoadedFile]] = {"document": [], "form": [], "record": []}
    for result in checked:
        found += result.loaded.diagnostics
        if result.valid:
            valid[result.loaded.source.kind].append(result.loaded)
    found += _stale_record_schemas(root, valid["form"], record_schemas)
    identity_at = len(found)  # (the identity rules' diagnostics go here; they run once the manual is on its way)
    manual = None
    if config and organisation:
        valid["external"] = [f for f in external_files if f.data is not None]
        manual = _build_manual(valid, config, organisation, today, loaded, named, found, reuse or NoReuse(),
                               run_rules=not memos.manual_only)
    if not memos.manual_only:
        found[identity_at:identity_at] = rules.identity_rules(loaded, config, reuse)
    history = worktree = None
    if manual is not None:
        worktree = manual
        history = compute_history(root, worktree, memos.history)
        manual = in_force(worktree, history.timelines, today, _materialiser(schemas))
        if on_manual is not None:
            on_manual(manual)
        if memos.manual_only:
            return CheckResult(manual, found, record_schemas, history=history, worktree=worktree)
        found += rules.reference_rules(worktree, manual, known_ids_of(loaded) | set(named))
        found += record_value_rules(manual)
        found += distribution_rules(manual)
        found += external_rules(root, worktree, manual)
        found += change_control_rules(history, worktree)
        history.signatures = approval_signatures(root, history.timelines, worktree, memos.history.signatures,
                                                 use_disk=use_cache and memos.fast)
        current = {d.id for d in worktree.documents} | {f.id for f in worktree.forms}
        found += signature_rules(history.timelines, history.signatures, worktree, current)
    requirements, problems = compliance_rules(root)
    found += problems
    files = {f.path: f for f in [config_file, org_file, *loaded]}
    result = CheckResult(manual, _positioned(found, files, root), record_schemas, history=history,
                         requirements=requirements, worktree=worktree)
    unread = len({d.path for d in result.diagnostics if d.code in dg.READ_ERRORS and d.severity == dg.ERROR})
    result.tally = (*(len(valid[kind]) for kind in ("document", "form", "record")), unread, unchecked,
                            int(manual is None))
    if store:
        store.save_result(result.diagnostics, result.counts, store.signature_key(), content_key)
    return result


def _check_files(checker: FileChecker, sources: list[SourceFile], store: CheckCache | None,
                 reuse: Reuse | None, children: Children) -> list[FileResult]:
    """The per-file stage: from the previous check in memory (serve) or the cache where possible,
    the rest in parallel (filecheck)."""
    results: list[FileResult | None] = [None] * len(sources)
    if store and reuse:
        for index, source in enumerate(sources):
            result = reuse.file(source.path, store.signatures.get(source.path), store.context)
            if result is not None and result.dep == checker.dep(result.form):
                results[index] = result
    if store:
        hits = [(index, text) for index, source in enumerate(sources)
                if results[index] is None and (text := store.row(source)) is not None]
        try:
            rows = json.loads("[" + ",".join(text for _, text in hits) + "]")
            for (index, _), row in zip(hits, rows, strict=True):
                result = decode(sources[index], row)
                if result.dep == checker.dep(result.form):  # a record's form schema may have changed
                    results[index] = result
        except (ValueError, TypeError):
            results = [None] * len(sources)  # a damaged cache is ignored
    todo = [index for index, result in enumerate(results) if result is None]
    fresh, rows = check_files(checker, [sources[i] for i in todo], children, want_rows=store is not None)
    for done, index in enumerate(todo):
        results[index] = fresh[done]
        if store:
            store.remember(sources[index], rows[done])
    if store and reuse:
        for source, result in zip(sources, results, strict=True):
            reuse.remember_file(source.path, store.signatures.get(source.path), store.context, result)
    return results


def record_schema_text(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def _stale_record_schemas(root: Path, forms: list[LoadedFile], record_schemas: dict) -> list[dg.Diagnostic]:
    stale = []
    for form in forms:
        path = root / "schemas" / "records" / f"{form.data['id']}.schema.json"
        try:
            current = path.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != record_schema_text(record_schemas[form.data["id"]]):
            stale.append(dg.warning("SB205", form.path, f"schemas/records/{form.data['id']}.schema.json is missing or out of "
                                    "date, so editors check records against an old schema", line=1, col=1,
                                    hint="run `python -m site_builder schemas`"))
    return stale


def _load_single(sources: list[SourceFile], kind: str, schemas: SchemaSet, found: list) -> LoadedFile:
    return _load_checked(next(s for s in sources if s.kind == kind), schemas, found)


def _load_checked(source: SourceFile, schemas: SchemaSet, found: list, limits: tuple[int, int] | None = None) -> LoadedFile:
    """A file read and validated against its kind's schema, without the per-file stage's cache and
    workers (the few settings files and the register of external documents); `data` is None when invalid."""
    kind = source.kind
    loaded = load_source(source, *limits) if limits else load_source(source)
    found += loaded.diagnostics + free_text_warnings(loaded)
    if loaded.data is not None:
        schemas.coerce_kind(loaded.data, kind)
        problems = schema_diagnostics(loaded.path, loaded.data, schemas.validator(schemas.for_kind(kind)))
        found += problems
        if dg.count_errors(problems):
            loaded.data = None
    return loaded


def _build_manual(valid: dict, config: Config, organisation, today: date, loaded: list, named: dict, found: list,
                  reuse: Reuse, run_rules: bool = True) -> Manual:
    """`named`: the numbers of the files that could not be read (check/unreadable.py): present for references.
    `run_rules=False`: the model alone, without the document and record rules (check's `manual_only`)."""
    # the model objects of unchanged files are the previous check's (serve), so rules keyed on them are reused too
    documents = reuse.each("document", valid["document"],
                           lambda f: build_model.document_from(f.data, f.body, f.path, f.body_line))
    forms = reuse.each("form", valid["form"], lambda f: build_model.form_from(f.data, f.path))
    records = reuse.each("record", valid["record"], lambda f: build_model.record_from(f.data, f.path))
    if not run_rules:
        return Manual(config=config, organisation=organisation, documents=tuple(sorted(documents, key=lambda d: d.id)),
                      forms=tuple(sorted(forms, key=lambda f: f.id)), records=tuple(records), today=today)
    known_ids = known_ids_of(loaded) | set(named)
    document_context = reuse.token("document rules", (config, organisation, today))
    for problems in reuse.each("document rules", documents,
                               lambda d: list(rules.document_rules(d, config, organisation, today)), document_context):
        found += problems
    forms_by_id = {f.id: f for f in forms}
    record_forms = {number: form for number, (kind, form) in named.items() if kind == "record"}
    record_forms.update({r.id: r.form for r in records})
    record_forms.update({f.data["id"]: f.data.get("form") for f in loaded
                         if f.source.kind == "record" and isinstance(f.data, dict) and isinstance(f.data.get("id"), str)})
    document_ids = {d.id for d in documents} | set(known_ids)
    record_context = reuse.token("record rules", (forms, record_forms, document_ids, today))
    periods = {f.id: rules.form_periods(f) for f in forms}
    for problems in reuse.each("record rules", records,
                               lambda r: list(rules.record_rules(r, forms_by_id, record_forms, document_ids, today, periods)),
                               record_context):
        found += problems
    external = tuple(sorted((build_model.external_from(f.data, f.path) for f in valid.get("external", ())),
                            key=lambda e: e.id))
    return Manual(config=config, organisation=organisation, documents=tuple(sorted(documents, key=lambda d: d.id)),
                  forms=tuple(sorted(forms, key=lambda f: f.id)), records=tuple(records), today=today, external=external)


def _form_in_force(root: Path, form: LoadedFile, today: date, schemas: SchemaSet, memo: HistoryMemo) -> dict:
    """The data of the form version records are checked against: while a newer version is prepared
    (draft, in review, approved for a later day), the version in force, from git; a draft must not
    make every record fail.  (A record dated on or after the new version's effective date is still
    checked against the version in force today.)"""
    data = form.data
    status, effective = data.get("status"), data.get("effective")
    if status in ("effective", "obsolete") or (status == "approved" and effective and str(effective) <= today.isoformat()):
        return data
    try:
        committed = released_text(root, memo, data["id"], data["version"], today)
    except GitError:
        committed = None
    older = _valid_data(schemas, "form", committed, form.path) if committed is not None else None
    return older if older is not None else data


def _paths(checked: list[FileResult]) -> dict[str, str]:
    """number -> path of every form file (read or not)."""
    return {PurePosixPath(r.loaded.path).stem: r.loaded.path for r in checked if r.loaded.source.kind == "form"}


def known_ids_of(loaded: list[LoadedFile]) -> set[str]:
    """The numbers of every file read, valid or not (a reference to an invalid file is not "unknown")."""
    return {f.data["id"] for f in loaded if isinstance(f.data, dict) and isinstance(f.data.get("id"), str)}


def _materialiser(schemas: SchemaSet):
    """Model objects from committed texts (history/in_force.py), for versions that pass today's schema."""
    def materialise(kind: str, parsed: Parsed, path: str):
        data = _valid_data(schemas, kind, parsed, path)
        if data is None:
            return None
        if kind == "form":
            return build_model.form_from(data, path)
        body_line = parsed.text[:len(parsed.text) - len(parsed.body)].count("\n") + 1
        return build_model.document_from(data, parsed.body, path, body_line)
    return materialise


def _valid_data(schemas: SchemaSet, kind: str, parsed: Parsed, path: str) -> dict | None:
    """A committed text's data, coerced as the loader coerces it, or None when today's schema rejects it."""
    data = _copied(parsed.data)
    schemas.coerce_kind(data, kind)
    if dg.count_errors(schema_diagnostics(path, data, schemas.validator(schemas.for_kind(kind)))):
        return None
    return data


def _copied(value):
    """A copy of parsed YAML (coercion changes it in place; a Parsed is shared)."""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copied(v) for v in value]
    return value


def _positioned(found: list[dg.Diagnostic], files: dict[str, LoadedFile], root: Path) -> list[dg.Diagnostic]:
    result = []
    for diagnostic in found:
        if diagnostic.line == 0:
            loaded = files.get(diagnostic.path)
            diagnostic = position(diagnostic, loaded, _text(loaded))
        result.append(diagnostic)
    return sorted(set(result), key=dg.sort_key)


def _text(loaded: LoadedFile | None) -> str:
    """The file's text; the per-file stage drops it, so read it again for the few files a rule reports on."""
    if loaded is None or loaded.text or not loaded.digest:
        return loaded.text if loaded else ""
    try:
        raw = Path(loaded.source.absolute).read_bytes()
        loaded.text = decode_text(raw)[0] if content_digest(raw) == loaded.digest else ""
    except (OSError, LoadError):
        loaded.text = ""
    return loaded.text
