"""The core pipeline: load -> validate -> model -> rules.  No MkDocs, no CLI, no writes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from site_builder import build_model, rules
from site_builder import diagnostics as dg
from site_builder.distribution import distribution_rules
from site_builder.history import change_control_rules
from site_builder.load import LoadedFile, load_source
from site_builder.model import Config, Manual
from site_builder.rules.record_values import record_value_rules
from site_builder.schemas import SchemaSet, coerce, load_schemas, record_schema
from site_builder.sources import SourceFile, discover
from site_builder.validate import schema_diagnostics
from site_builder.yamlio import locate


@dataclass
class CheckResult:
    manual: Manual | None
    diagnostics: list[dg.Diagnostic]
    #: form id -> record schema derived from the form (what `schemas` writes to schemas/records/)
    record_schemas: dict | None = None

    @property
    def errors(self) -> int:
        return dg.count_errors(self.diagnostics)


def check(root: Path, today: date) -> CheckResult:
    root = Path(root)
    found: list[dg.Diagnostic] = []
    schemas, problems = load_schemas(root / "schemas")
    found += problems
    sources, problems = discover(root)
    found += problems
    if schemas is None:
        return CheckResult(None, _positioned(found, {}, root))
    config_file = _load_single(sources, "config", schemas, found)
    config = build_model.config_from(config_file.data) if config_file.data else None
    limits = (config.max_file_bytes, config.max_depth) if config else (1_048_576, 32)
    org_file = _load_single(sources, "organisation", schemas, found)
    organisation = build_model.organisation_from(org_file.data) if org_file.data else None
    loaded = [load_source(s, *limits) for s in sources if s.kind in ("document", "form", "record")]
    valid = _validate_all(loaded, schemas, found)
    record_schemas = {f.data["id"]: record_schema(f.data) for f in valid["form"]}
    found += _stale_record_schemas(root, valid["form"], record_schemas)
    found += rules.identity_rules(loaded, config)
    manual = None
    if config and organisation:
        manual = _build_manual(valid, config, organisation, today, loaded, found)
        found += record_value_rules(manual)
        found += distribution_rules(manual)
        found += change_control_rules(root, manual)
    files = {f.path: f for f in [config_file, org_file, *loaded]}
    return CheckResult(manual, _positioned(found, files, root), record_schemas)


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
    loaded = load_source(next(s for s in sources if s.kind == kind))
    found += loaded.diagnostics
    if loaded.data is not None:
        schemas.coerce_kind(loaded.data, kind)
        problems = schema_diagnostics(loaded.path, loaded.data, schemas.validator(schemas.for_kind(kind)))
        found += problems
        if dg.count_errors(problems):
            loaded.data = None
    return loaded


def _validate_all(loaded: list[LoadedFile], schemas: SchemaSet, found: list) -> dict[str, list[LoadedFile]]:
    valid: dict[str, list[LoadedFile]] = {"document": [], "form": [], "record": []}
    validators = {kind: schemas.validator(schemas.for_kind(kind)) for kind in ("document", "form", "record")}
    for item in (f for f in loaded if f.source.kind in ("document", "form")):
        found += item.diagnostics
        if item.data is None:
            continue
        kind = item.source.kind
        schemas.coerce_kind(item.data, kind)
        problems = schema_diagnostics(item.path, item.data, validators[kind])
        found += problems
        if not dg.count_errors(problems):
            valid[kind].append(item)
    record_validators = {f.data["id"]: _record_validator(f.data, schemas) for f in valid["form"]}
    for item in (f for f in loaded if f.source.kind == "record"):
        found += item.diagnostics
        if item.data is None:
            continue
        form_id = item.data.get("form")
        schema, validator = record_validators.get(form_id, (None, None)) if isinstance(form_id, str) else (None, None)
        if validator is None:
            schemas.coerce_kind(item.data, "record")
            found += schema_diagnostics(item.path, item.data, validators["record"])
            if isinstance(form_id, str):
                found.append(dg.error("SB304", item.path, f"form {form_id!r} does not exist (or is invalid)",
                                      json_path=("form",), hint="check the form number; forms live in forms/"))
            continue
        coerce(item.data, schema, schemas)
        problems = schema_diagnostics(item.path, item.data, validator)
        found += problems
        if not dg.count_errors(problems):
            valid["record"].append(item)
    return valid


def _record_validator(form_data: dict, schemas: SchemaSet):
    schema = record_schema(form_data)
    return schema, schemas.validator(schema)


def _build_manual(valid: dict, config: Config, organisation, today: date, loaded: list, found: list) -> Manual:
    documents = [build_model.document_from(f.data, f.body, f.path, f.body_line) for f in valid["document"]]
    forms = [build_model.form_from(f.data, f.path) for f in valid["form"]]
    records = [build_model.record_from(f.data, f.path) for f in valid["record"]]
    known_ids = {f.data["id"] for f in loaded if isinstance(f.data, dict) and isinstance(f.data.get("id"), str)}
    for document in documents:
        found += rules.document_rules(document, config, organisation, today)
    found += rules.reference_rules(documents, forms, known_ids, organisation)
    forms_by_id = {f.id: f for f in forms}
    record_forms = {r.id: r.form for r in records}
    record_forms.update({f.data["id"]: f.data.get("form") for f in loaded
                         if f.source.kind == "record" and isinstance(f.data, dict) and isinstance(f.data.get("id"), str)})
    document_ids = {d.id for d in documents} | set(known_ids)
    for record in records:
        found += rules.record_rules(record, forms_by_id, record_forms, document_ids)
    return Manual(config=config, organisation=organisation, documents=tuple(sorted(documents, key=lambda d: d.id)),
                  forms=tuple(sorted(forms, key=lambda f: f.id)), records=tuple(records), today=today)


def _positioned(found: list[dg.Diagnostic], files: dict[str, LoadedFile], root: Path) -> list[dg.Diagnostic]:
    result = []
    for diagnostic in found:
        if diagnostic.line == 0:
            diagnostic = dg.with_position(diagnostic, *_position(diagnostic, files.get(diagnostic.path), root))
        result.append(diagnostic)
    return sorted(set(result), key=dg.sort_key)


def _position(diagnostic: dg.Diagnostic, loaded: LoadedFile | None, root: Path) -> tuple[int, int]:
    if loaded is None or not loaded.text:
        return (1, 1)
    text = loaded.text
    if loaded.source.kind == "document":
        from site_builder.yamlio import split_front_matter
        text = split_front_matter(text)[0]
    line, col = locate(text, diagnostic.json_path)
    return line + loaded.line_offset, col
