"""The JSON Schemas in schemas/: valid 2020-12 schemas, documented properties, local references
only, and record schemas derived from forms that mark personal data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from site_builder.load.files import load_source
from site_builder.load.schemas import SCHEMA_FILES, load_schemas, record_schema
from site_builder.load.sources import SourceFile

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = ROOT / "schemas"
HAND_WRITTEN = sorted(SCHEMA_DIR.glob("*.json"))
DERIVED = sorted((SCHEMA_DIR / "records").glob("*.json"))
ALL = HAND_WRITTEN + DERIVED


def ids(paths):
    return [p.relative_to(SCHEMA_DIR).as_posix() for p in paths]


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def walk(node, where=""):
    """Yield (json pointer, schema object) for every object in a schema document."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{where}/{index}")


def resolve_local(ref: str, current: str) -> dict | None:
    name, _, pointer = ref.partition("#")
    target = load(SCHEMA_DIR / (name or current))
    for part in [p for p in pointer.split("/") if p]:
        if not isinstance(target, dict) or part not in target:
            return None
        target = target[part]
    return target if isinstance(target, dict) else None


def test_the_schema_folder_holds_every_core_schema():
    assert {p.name for p in HAND_WRITTEN} >= set(SCHEMA_FILES.values()) | {"common.schema.json"}


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_schema_is_valid_draft_2020_12(path):
    schema = load(path)
    assert schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_only_local_refs(path):
    for where, node in walk(load(path)):
        ref = node.get("$ref")
        if not isinstance(ref, str):
            continue
        name = ref.partition("#")[0]
        assert not re.match(r"^[a-z][a-z0-9+.-]*:", ref, re.I), f"{path.name}{where}: remote $ref {ref}"
        assert "/" not in name and "\\" not in name, f"{path.name}{where}: $ref {ref} leaves schemas/"
        current = path.name
        assert resolve_local(ref, current) is not None, f"{path.name}{where}: $ref {ref} does not resolve"


def undocumented(path: Path) -> list[str]:
    """Properties (at any depth) with neither a description nor a title, directly or through their $ref."""
    missing = []
    for where, node in walk(load(path)):
        properties = node.get("properties")
        if not isinstance(properties, dict) or where.endswith("/properties"):
            continue
        for key, sub in properties.items():
            if not isinstance(sub, dict):
                continue
            target = resolve_local(sub["$ref"], path.name) if isinstance(sub.get("$ref"), str) else None
            if not any(s and (s.get("description") or s.get("title")) for s in (sub, target)):
                missing.append(f"{where}/properties/{key}")
    return missing


@pytest.mark.parametrize("path", HAND_WRITTEN, ids=ids(HAND_WRITTEN))
def test_every_property_has_a_description(path):
    assert undocumented(path) == []


@pytest.mark.parametrize("path", DERIVED, ids=ids(DERIVED))
def test_derived_record_schema_fields_have_titles(path):
    schema = load(path)
    for key, sub in schema["properties"].items():
        assert sub.get("title") or sub.get("description"), f"{path.name}: {key}"


FORM = {
    "id": "QR-09-01",
    "title": "测试表",
    "fields": {
        "customer": {"label": "客户", "type": "string", "required": True},
        "contact": {"label": "联系人", "type": "string", "personal_data": True, "mask": "name"},
        "phone": {"label": "电话", "type": "string", "personal_data": True, "mask": "phone"},
        "story": {"label": "经过", "type": "text", "personal_data": True},
        "public": {"label": "备注", "type": "text", "personal_data": False},
        "score": {"label": "得分", "type": "integer", "minimum": 0, "maximum": 100},
    },
}


def test_derived_schema_marks_personal_data():
    schema = record_schema(FORM)
    properties = schema["properties"]
    assert properties["contact"]["x-personal-data"] is True and properties["contact"]["x-mask"] == "name"
    assert properties["phone"]["x-personal-data"] is True and properties["phone"]["x-mask"] == "phone"
    assert properties["story"]["x-personal-data"] is True and properties["story"]["x-mask"] == "omit"  # the default
    for key in ("customer", "public", "score", "id", "form", "date"):
        assert "x-personal-data" not in properties[key], key
    Draft202012Validator.check_schema(schema)


def test_derived_schema_shape():
    schema = record_schema(FORM)
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["id", "form", "date", "customer"]
    assert schema["properties"]["form"] == {"const": "QR-09-01", "title": "表单编号"}
    assert schema["properties"]["score"]["minimum"] == 0 and schema["properties"]["score"]["maximum"] == 100
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    good = {"id": "TST-2026-001", "form": "QR-09-01", "date": "2026-01-05", "customer": "甲", "score": 80}
    assert list(validator.iter_errors(good)) == []
    assert list(validator.iter_errors(dict(good, form="QR-09-02")))
    assert list(validator.iter_errors(dict(good, date="2026-02-30")))
    assert list(validator.iter_errors(dict(good, extra="x")))


SHIPPED_FORMS = sorted((ROOT / "forms").glob("*.yaml")) + sorted((ROOT / "tests/fixtures/minimal/forms").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED_FORMS, ids=[p.relative_to(ROOT).as_posix() for p in SHIPPED_FORMS])
def test_shipped_forms_personal_data_is_marked_in_their_derived_schema(path):
    loaded = load_source(SourceFile("form", f"forms/{path.name}", path))
    if loaded.data is None or not isinstance(loaded.data.get("fields"), dict):
        pytest.skip(f"forms/{path.name} does not load yet (content is being written)")
    written = {key: field.get("personal_data") for key, field in loaded.data["fields"].items()}
    schemas, problems = load_schemas(SCHEMA_DIR)
    assert schemas is not None, problems
    data = schemas.coerce_kind(loaded.data, "form")  # as check does: 'true' becomes True where the schema says boolean
    schema = record_schema(data)
    for key, spelled in written.items():
        marked = schema["properties"][key].get("x-personal-data") is True
        assert marked == (spelled in ("true", "True", "TRUE")), f"{path.name}: {key} (personal_data: {spelled})"
