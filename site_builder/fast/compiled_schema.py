"""Compiled fast paths for the record schemas derived from forms (100,000 records per run)
and for the document schema (1,000 documents, with `$ref`s into common.schema.json).

jsonschema validates about 2,500 records a second; most records are valid, so a closure
compiled once per form answers "certainly valid" for the bulk, and only the records it
cannot vouch for go through jsonschema, which then produces the diagnostics exactly as
before.  The compiled check is therefore one-sided: it returns True only when jsonschema
would find no error, and False whenever in doubt (an unknown keyword makes the whole schema
uncompiled, so jsonschema handles every record of that form).

`compile_coercer` does what `schemas.coerce` does for a schema without `$ref`, with the
per-field type lists worked out once instead of for every value.

Replaces: jsonschema alone (Draft202012Validator) and `schemas.coerce` for every file, what
`--plain` runs (FileChecker(compiled=False)).  Proved equal by tests/unit/test_fastschema.py
(property tests against jsonschema), tests/unit/test_check_files.py and the plain-versus-fast
site comparison (tests/e2e/test_plain_builds.py).
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable

from jsonschema import Draft202012Validator

from site_builder.load.schemas import coerce_scalar_as, scalar_types
from site_builder.load.yamlio import PlainStr

Check = Callable[[object], bool]
#: Keywords that never make an instance invalid.
_ANNOTATIONS = {"$schema", "$defs", "title", "description", "default", "examples", "$comment", "deprecated", "readOnly",
                "writeOnly"}
_TYPES: dict[str, Callable[[object], bool]] = {
    "object": lambda v: type(v) is dict,
    "array": lambda v: type(v) is list,
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: type(v) is int,
    "number": lambda v: type(v) in (int, float),
    "boolean": lambda v: type(v) is bool,
    "null": lambda v: v is None,
}
_FORMATS = Draft202012Validator.FORMAT_CHECKER


class _Uncompilable(Exception):
    """The schema uses something the fast path does not model; jsonschema handles it."""


def compile_check(schema, documents: dict[str, dict] | None = None, document: str = "") -> Check | None:
    """A predicate that is True only for instances jsonschema (2020-12, formats checked) accepts.

    With `documents` (file name -> schema, as in schemas/) `$ref`s to those files and within
    them are followed; `document` is the file name of `schema` itself."""
    try:
        return _Context(documents, document, {}).compile(schema)
    except _Uncompilable:
        return None


def compile_coercer(schema) -> Callable[[object], object] | None:
    """The same conversion as `schemas.coerce(value, schema, ...)`, for schemas without `$ref`."""
    if _has_ref(schema):
        return None
    return _coercer(schema)


class _Context:
    """Where a schema sits (for relative `$ref`s) and the references compiled so far."""

    def __init__(self, documents: dict[str, dict] | None, document: str, compiled: dict):
        self.documents, self.document, self.compiled = documents, document, compiled

    def compile(self, schema) -> Check:
        if schema is True:
            return lambda value: True
        if not isinstance(schema, dict):
            raise _Uncompilable
        checks: list[Check] = []
        for keyword, argument in schema.items():
            if keyword in _ANNOTATIONS or keyword.startswith("x-"):
                continue
            make = _KEYWORDS.get(keyword)
            if make is None:
                raise _Uncompilable
            check = make(argument, schema, self)
            if check is not None:
                checks.append(check)
        if not checks:
            return lambda value: True
        if len(checks) == 1:
            return checks[0]

        def every(value) -> bool:
            for check in checks:  # noqa: SIM110 - a plain loop is measurably faster than all() over a generator
                if not check(value):
                    return False
            return True
        return every

    def reference(self, ref) -> Check:
        """A `$ref` to `file.schema.json#/json/pointer` or `#/json/pointer` (nothing else is modelled)."""
        if not isinstance(ref, str) or self.documents is None:
            raise _Uncompilable
        name, _, pointer = ref.partition("#")
        document = name or self.document
        if (name and not _FILE_NAME.fullmatch(name)) or document not in self.documents or "%" in pointer \
                or (pointer and not pointer.startswith("/")):
            raise _Uncompilable
        key = (document, pointer)
        if key not in self.compiled:
            self.compiled[key] = None  # a recursive reference finds this entry filled in by call time
            target = self.documents[document]
            for part in pointer.split("/")[1:]:
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, dict) or part not in target:
                    raise _Uncompilable
                target = target[part]
            self.compiled[key] = _Context(self.documents, document, self.compiled).compile(target)
        compiled = self.compiled
        return lambda value: compiled[key](value)


_FILE_NAME = re.compile(r"[A-Za-z0-9_.-]+\.schema\.json")


def _type(argument, schema, context) -> Check:
    names = [argument] if isinstance(argument, str) else argument
    if not isinstance(names, list) or any(name not in _TYPES for name in names):
        raise _Uncompilable
    tests = [_TYPES[name] for name in names]
    return tests[0] if len(tests) == 1 else (lambda value: any(test(value) for test in tests))


def _properties(argument, schema, context) -> Check:
    if not isinstance(argument, dict):
        raise _Uncompilable
    compiled = {key: context.compile(sub) for key, sub in argument.items()}

    def check(value) -> bool:
        if type(value) is not dict:
            return not isinstance(value, dict)  # the keyword applies to objects only
        for key, item in value.items():
            sub = compiled.get(key)
            if sub is not None and not sub(item):
                return False
        return True
    return check


def _additional(argument, schema, context) -> Check | None:
    if argument is True:
        return None
    known = set(schema.get("properties", {}))
    if "patternProperties" in schema:
        raise _Uncompilable
    if argument is False:
        return lambda value: not isinstance(value, dict) or all(key in known for key in value)
    extra = context.compile(argument)
    return lambda value: not isinstance(value, dict) or all(key in known or extra(item) for key, item in value.items())


def _required(argument, schema, context) -> Check:
    if not isinstance(argument, list):
        raise _Uncompilable
    return lambda value: not isinstance(value, dict) or all(key in value for key in argument)


def _items(argument, schema, context) -> Check:
    if "prefixItems" in schema:
        raise _Uncompilable
    item_check = context.compile(argument)
    return lambda value: not isinstance(value, list) or all(item_check(item) for item in value)


def _min_items(argument, schema, context) -> Check:
    if type(argument) is not int:
        raise _Uncompilable
    return lambda value: not isinstance(value, list) or len(value) >= argument


def _unique(argument, schema, context) -> Check | None:
    if argument is False:
        return None
    # Only lists of text are judged here; anything else goes to jsonschema.
    return lambda value: not isinstance(value, list) or (all(isinstance(i, str) for i in value) and len(set(value)) == len(value))


def _enum(argument, schema, context) -> Check:
    if not isinstance(argument, list):
        raise _Uncompilable
    texts = frozenset(v for v in argument if isinstance(v, str))
    numbers_ = frozenset(v for v in argument if type(v) in (int, float))
    # jsonschema compares text with text and numbers with numbers (never bool) by ==; other
    # instance types are left to it.
    return lambda value: value in texts if isinstance(value, str) else (type(value) in (int, float) and value in numbers_)


def _const(argument, schema, context) -> Check:
    if not isinstance(argument, str):
        raise _Uncompilable
    return lambda value: isinstance(value, str) and value == argument


def _pattern(argument, schema, context) -> Check:
    search = re.compile(argument).search
    return lambda value: not isinstance(value, str) or search(value) is not None


def _format(argument, schema, context) -> Check:
    return lambda value: _FORMATS.conforms(value, argument)


def _bound(compare: Callable[[object, object], bool]):
    def make(argument, schema, context) -> Check:
        if type(argument) not in (int, float):
            raise _Uncompilable
        # jsonschema compares every number but bool; types other than int and float are left to it.
        return lambda value: compare(value, argument) if type(value) in (int, float) else not _is_number(value)
    return make


def _length(compare: Callable[[int, int], bool]):
    def make(argument, schema, context) -> Check:
        if type(argument) is not int:
            raise _Uncompilable
        return lambda value: not isinstance(value, str) or compare(len(value), argument)
    return make


def _is_number(value) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


_KEYWORDS = {
    "type": _type, "properties": _properties, "additionalProperties": _additional, "required": _required,
    "items": _items, "minItems": _min_items, "uniqueItems": _unique, "enum": _enum, "const": _const,
    "pattern": _pattern, "format": _format, "$ref": lambda argument, schema, context: context.reference(argument),
    "minimum": _bound(lambda v, a: v >= a), "maximum": _bound(lambda v, a: v <= a),
    "minLength": _length(lambda n, a: n >= a), "maxLength": _length(lambda n, a: n <= a),
}


def _coercer(schema):
    schema = schema if isinstance(schema, dict) else {}
    types = scalar_types(schema)
    extra = schema.get("additionalProperties")
    properties = {key: _coercer(sub) for key, sub in schema.get("properties", {}).items()}
    other = _coercer(extra) if isinstance(extra, dict) else None
    items = _coercer(schema["items"]) if isinstance(schema.get("items"), dict) else None

    def coerce(value):
        if isinstance(value, PlainStr):
            return coerce_scalar_as(value, types)
        if isinstance(value, dict):
            for key, item in value.items():
                sub = properties.get(key, other)
                if sub is not None:
                    value[key] = sub(item)
        elif isinstance(value, list) and items is not None:
            for index, item in enumerate(value):
                value[index] = items(item)
        return value
    return coerce


def _has_ref(schema) -> bool:
    if isinstance(schema, dict):
        return "$ref" in schema or any(_has_ref(v) for v in schema.values())
    if isinstance(schema, list):
        return any(_has_ref(v) for v in schema)
    return False
