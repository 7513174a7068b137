"""The compiled fast path for record schemas (site_builder.fast.compiled_schema) against jsonschema and
schemas.coerce: it may only ever say "valid" when jsonschema finds no error, it must say so
for the shipped records (or it would not be a fast path), and its coercion must be exactly
the generic one."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.check import run as pipeline
from site_builder.fast.compiled_schema import compile_check, compile_coercer
from site_builder.load.files import load_source
from site_builder.load.schemas import coerce
from site_builder.load.sources import discover
from site_builder.load.yamlio import PlainStr

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shipped():
    result = pipeline.check(ROOT, date(2026, 11, 23))
    assert result.record_schemas
    from site_builder.load.schemas import load_schemas

    schemas, _ = load_schemas(ROOT / "schemas")
    return result.record_schemas, schemas


def typed(value):
    """The value with every type made visible (1 == 1.0 == True in Python, not here)."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, value)


def test_every_shipped_record_schema_compiles(shipped):
    record_schemas, _ = shipped
    for form_id, schema in record_schemas.items():
        assert compile_check(schema) is not None, form_id
        assert compile_coercer(schema) is not None, form_id


def test_shipped_records_take_the_fast_path_and_agree(shipped):
    record_schemas, schemas = shipped
    sources, _ = discover(ROOT)
    seen = 0
    for source in (s for s in sources if s.kind == "record"):
        data = load_source(source).data
        schema = record_schemas.get(data.get("form"))
        if schema is None:
            continue
        generic, fast = copy.deepcopy(data), copy.deepcopy(data)
        coerce(generic, schema, schemas)
        compile_coercer(schema)(fast)
        assert typed(fast) == typed(generic), source.path
        valid = not list(schemas.validator(schema).iter_errors(generic))
        assert compile_check(schema)(generic) == valid, source.path
        seen += 1
    assert seen > 100


def test_unknown_keywords_leave_the_schema_to_jsonschema():
    assert compile_check({"type": "object", "oneOf": [{"required": ["a"]}]}) is None
    assert compile_check({"$ref": "common.schema.json#/$defs/date"}) is None
    assert compile_coercer({"properties": {"a": {"$ref": "#/x"}}}) is None
    assert compile_check(False) is None


SCALARS = st.one_of(
    st.sampled_from(["12", "-3", "0", "1.5", "007", "true", "False", "NO", "2024-02-29", "2023-02-29", "2024-2-1",
                     "非常满意", "满意", "产品质量", "CUS-2024-00001", "x y", ""]).map(PlainStr),
    st.sampled_from(["12", "true", "2025-01-02", "满意", "A1"]),  # quoted: stays text
    st.integers(-5, 200), st.floats(-1, 150, allow_nan=False), st.booleans(), st.none(),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.sampled_from(["外观", "尺寸", "包装", "a", "score"]), inner, max_size=4), max_leaves=8)


PLAIN = ["12", "-3", "0", "101", "1.5", "-0.5", "007", "true", "False", "NO", "2024-02-29", "2023-02-29", "2024-2-1",
         "2024-13-01", "非常满意", "满意", "产品质量", "滚动调查", "CUS-2024-00001", "cus-1", "x y", "", "A1"]
CANDIDATES = [*(PlainStr(v) for v in PLAIN), *PLAIN, -1, 0, 5, 100, 101, 2.5, -0.5, True, False, None, [], ["a", "a"],
              ["交付"], {}, {"外观": "满意"}]


def derived(field: dict) -> list:
    """Values at the edges of one field's schema: its choices, repeated choices, lengths at and over the limit."""
    values: list = []
    choices = field.get("enum") or field.get("items", {}).get("enum") or []
    values += [PlainStr(c) for c in choices[:2]] + [[c, c] for c in choices[:1]] + [list(choices[:2])]
    if "maxLength" in field:
        values += ["字" * field["maxLength"], "字" * (field["maxLength"] + 1)]
    for bound in ("minimum", "maximum"):
        if bound in field:
            values += [field[bound], field[bound] - 1, field[bound] + 1, PlainStr(str(field[bound] + 1))]
    return values


def test_every_field_with_every_candidate_value(shipped, shipped_records):
    """Exhaustive over one shipped record per form: each key set to each candidate value."""
    record_schemas, schemas = shipped
    bases = {r["form"]: r for r in shipped_records}
    fast_and_valid = 0
    for form_id, base in sorted(bases.items()):
        schema = record_schemas[form_id]
        check, coercer, validator = compile_check(schema), compile_coercer(schema), schemas.validator(schema)
        for key in [*schema["properties"], "unknown_key"]:
            for value in CANDIDATES + derived(schema["properties"].get(key, {})):
                record = copy.deepcopy(base)
                record[key] = copy.deepcopy(value)
                generic, fast = copy.deepcopy(record), copy.deepcopy(record)
                coerce(generic, schema, schemas)
                coercer(fast)
                assert typed(fast) == typed(generic), (form_id, key, value)
                valid = not list(validator.iter_errors(generic))
                if check(generic):
                    assert valid, (form_id, key, value)
                    fast_and_valid += 1
    assert fast_and_valid > 100


@pytest.fixture(scope="module")
def shipped_records():
    sources, _ = discover(ROOT)
    return [load_source(s).data for s in sources if s.kind == "record"]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_records_never_pass_the_fast_path_when_jsonschema_objects(shipped, shipped_records, data):
    """A valid shipped record with one key replaced, removed or added: the fast path and the
    generic path coerce alike, and the fast path vouches only for records jsonschema accepts."""
    record_schemas, schemas = shipped
    record = copy.deepcopy(data.draw(st.sampled_from(shipped_records)))
    schema = record_schemas[record["form"]]
    key = data.draw(st.sampled_from([*schema["properties"], "unknown_key"]))
    action = data.draw(st.sampled_from(["scalar", "nested", "remove", "keep"]))
    if action == "scalar":
        record[key] = data.draw(SCALARS)
    elif action == "nested":
        record[key] = data.draw(VALUES)
    elif action == "remove":
        record.pop(key, None)
    generic, fast = copy.deepcopy(record), copy.deepcopy(record)
    coerce(generic, schema, schemas)
    compile_coercer(schema)(fast)
    assert typed(fast) == typed(generic)
    errors = list(schemas.validator(schema).iter_errors(generic))
    if compile_check(schema)(generic):
        assert not errors
    if action == "keep":
        assert not errors and compile_check(schema)(generic)


def mappings(value, path=()):
    """Paths of every mapping inside `value` (the document itself, prepared_by, revisions[0], ...)."""
    if isinstance(value, dict):
        yield path
        for key, item in value.items():
            yield from mappings(item, (*path, key))
    elif isinstance(value, list) and value:
        yield from mappings(value[0], (*path, 0))


def at(value, path):
    for part in path:
        value = value[part]
    return value


def test_document_schema_with_references_never_passes_what_jsonschema_refuses(shipped):
    """procedure.schema.json refers into common.schema.json; every key of every mapping of two
    shipped documents is set to every candidate value."""
    _, schemas = shipped
    schema = schemas.for_kind("document")
    check = compile_check(schema, schemas.documents, "procedure.schema.json")
    assert check is not None
    validator = schemas.validator(schema)
    sources, _ = discover(ROOT)
    documents = [load_source(s).data for s in sources if s.kind == "document"]
    for document in documents:
        valid = copy.deepcopy(document)
        schemas.coerce_kind(valid, "document")
        assert check(valid) == (not list(validator.iter_errors(valid))), document["id"]
    extra = [1, 2.0, 3, 4, True, {"name": "唐振宇", "date": "2025-12-01"}, {"name": "唐振宇"}, [{"department": "质量部", "copies": 1}],
             [{"version": "A1", "date": "2025-01-01", "sections": "全文", "change": "x", "approved_by": "林秀琴"}]]
    accepted = 0
    for base in documents[:2]:
        for path in mappings(base):
            for key in [*at(base, path), "unknown_key"]:
                for value in CANDIDATES + extra:
                    document = copy.deepcopy(base)
                    at(document, path)[key] = copy.deepcopy(value)
                    schemas.coerce_kind(document, "document")
                    if check(document):
                        assert not list(validator.iter_errors(document)), (base["id"], path, key, value)
                        accepted += 1
    assert accepted > 50
