"""JSON Schemas: loading with no remote retrieval, schema-guided scalar typing, and the
record schemas derived from form definitions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from site_builder import diagnostics as dg
from site_builder.load.yamlio import PlainStr

SCHEMA_FILES = {
    "document": "procedure.schema.json",
    "form": "form.schema.json",
    "record": "record.schema.json",
    "organisation": "organisation.schema.json",
    "config": "config.schema.json",
    "external": "external.schema.json",
}
DATE_SCHEMA = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date"}
ID_PATTERN = "^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$"
_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_NUMBER = re.compile(r"^[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?$")
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


def _refuse_retrieval(uri: str):
    raise NoSuchResource(ref=uri)


@dataclass
class SchemaSet:
    documents: dict[str, dict]  # file name -> schema
    registry: Registry

    def validator(self, schema: dict) -> Draft202012Validator:
        return Draft202012Validator(schema, registry=self.registry,
                                    format_checker=Draft202012Validator.FORMAT_CHECKER)

    def for_kind(self, kind: str) -> dict:
        return self.documents[SCHEMA_FILES[kind]]

    def coerce_kind(self, value, kind: str):
        return coerce(value, self.for_kind(kind), self, SCHEMA_FILES[kind])


def load_schemas(directory: Path) -> tuple[SchemaSet | None, list[dg.Diagnostic]]:
    problems: list[dg.Diagnostic] = []
    documents: dict[str, dict] = {}
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        relative = f"schemas/{path.name}"
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
            Draft202012Validator.check_schema(schema)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(dg.error("SB204", relative, f"schema file cannot be read: {exc}", line=1, col=1))
            continue
        except Exception as exc:  # jsonschema.SchemaError and friends
            problems.append(dg.error("SB204", relative, f"invalid JSON Schema: {getattr(exc, 'message', exc)}", line=1, col=1))
            continue
        for ref in _refs(schema):
            if not _is_local_ref(ref):
                problems.append(dg.error("SB204", relative, f"$ref {ref!r} points outside schemas/; nothing is fetched",
                                         line=1, col=1, hint="copy the referenced schema into schemas/ and refer to it by file name"))
        documents[path.name] = schema
    for name in SCHEMA_FILES.values():
        if name not in documents and not any(p.path == f"schemas/{name}" for p in problems):
            problems.append(dg.error("SB204", f"schemas/{name}", "schema file missing", line=1, col=1,
                                     hint="restore it from the qms-site repository"))
    if any(p.severity == dg.ERROR for p in problems):
        return None, problems
    registry = Registry(retrieve=_refuse_retrieval).with_resources(
        (name, Resource.from_contents(schema)) for name, schema in documents.items())
    return SchemaSet(documents, registry), problems


def coerce(value, schema: dict, schemas: SchemaSet, document: str = ""):
    """Turn PlainStr scalars into int/float/bool where the schema asks for those types."""
    schema, document = _resolve(schema, schemas, document)
    if isinstance(value, PlainStr):
        return _coerce_scalar(value, schema)
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            sub = properties.get(key, extra if isinstance(extra, dict) else None)
            if sub is not None:
                value[key] = coerce(item, sub, schemas, document)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            value[index] = coerce(item, schema["items"], schemas, document)
    return value


def record_schema(form: dict) -> dict:
    """The JSON Schema of a form's records, derived from its field definitions."""
    properties: dict = {
        "id": {"type": "string", "pattern": ID_PATTERN, "title": "记录编号"},
        "form": {"const": form["id"], "title": "表单编号"},
        "form_version": {"type": "string", "title": "表单版本"},
        "date": dict(DATE_SCHEMA, title="记录日期"),
    }
    required = ["id", "form", "date"]
    for key, field in form.get("fields", {}).items():
        if key in properties:
            # form.schema.json refuses such fields; never let one loosen the record envelope.
            continue
        properties[key] = field_schema(field)
        if field.get("required") is True:
            required.append(key)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{form['id']} {form.get('title', '')}".strip(),
        "description": f"Records of form {form['id']}; generated from forms/ by `python -m site_builder schemas`.",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def field_schema(field: dict) -> dict:
    kind = field.get("type")
    schema = _FIELD_TYPES.get(kind, lambda f: {})(field)
    for source, target in (("minimum", "minimum"), ("maximum", "maximum")):
        if source in field and kind in ("integer", "number"):
            schema[target] = field[source]
    if "max_length" in field and kind in ("string", "text"):
        schema["maxLength"] = field["max_length"]
    schema["title"] = field.get("label", "")
    if field.get("personal_data") is True:
        schema["x-personal-data"] = True
        schema["x-mask"] = field.get("mask", "omit")
    return schema


def _ratings(field: dict) -> dict:
    items, levels = field.get("items", []), field.get("levels", [])
    return {"type": "object", "properties": {item: {"enum": list(levels)} for item in items},
            "required": list(items), "additionalProperties": False}


def _scores(field: dict) -> dict:
    items = field.get("items", [])
    return {"type": "object", "properties": {item: {"type": "number", "minimum": 0, "maximum": 100} for item in items},
            "required": list(items), "additionalProperties": False}


_FIELD_TYPES = {
    "string": lambda f: {"type": "string", "maxLength": 500},
    "text": lambda f: {"type": "string", "maxLength": 20000},
    "integer": lambda f: {"type": "integer"},
    "number": lambda f: {"type": "number"},
    "date": lambda f: dict(DATE_SCHEMA),
    "boolean": lambda f: {"type": "boolean"},
    "choice": lambda f: {"enum": list(f.get("choices", []))},
    "multi_choice": lambda f: {"type": "array", "items": {"enum": list(f.get("choices", []))}, "uniqueItems": True},
    "ratings": _ratings,
    "scores": _scores,
    "record_ref": lambda f: {"type": "string", "pattern": ID_PATTERN},
    "document_ref": lambda f: {"type": "string", "pattern": ID_PATTERN},
    "list": lambda f: {"type": "array", "items": {"type": "string", "minLength": 1}},
}


def _coerce_scalar(value: PlainStr, schema: dict):
    return coerce_scalar_as(value, scalar_types(schema))


def scalar_types(schema: dict) -> list[str]:
    """The JSON types a plain scalar may become under `schema` (fastschema computes this once per schema)."""
    types = schema.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    if not types and "enum" in schema:
        types = sorted({_json_type(v) for v in schema["enum"]})
    return types


def coerce_scalar_as(value: PlainStr, types: list[str]):
    if "integer" in types and _INT.match(value):
        return int(value)
    if "number" in types and _NUMBER.match(value):
        return int(value) if _INT.match(value) else float(value)
    if "boolean" in types and value in _BOOLS:
        return _BOOLS[value]
    return str(value)


def _json_type(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    return {int: "integer", float: "number"}.get(type(value), "string")


def _resolve(schema: dict, schemas: SchemaSet, document: str) -> tuple[dict, str]:
    for _ in range(20):
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if not ref:
            break
        name, _, pointer = ref.partition("#")
        document = name or document
        target = schemas.documents.get(document, {})
        for part in [p for p in pointer.split("/") if p]:
            target = target.get(part, {}) if isinstance(target, dict) else {}
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}} if len(schema) > 1 else target
    return schema if isinstance(schema, dict) else {}, document


def _refs(schema):
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _refs(item)


def _is_local_ref(ref: str) -> bool:
    name = ref.partition("#")[0]
    return name == "" or re.fullmatch(r"[A-Za-z0-9_.-]+\.schema\.json", name) is not None
