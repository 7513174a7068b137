"""Schema validation of loaded files, reported as positioned diagnostics."""

from __future__ import annotations

import difflib

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing.exceptions import Unresolvable

from site_builder import diagnostics as dg

MAX_ERRORS_PER_FILE = 20


def schema_diagnostics(path: str, data: dict, validator: Draft202012Validator) -> list[dg.Diagnostic]:
    found: list[dg.Diagnostic] = []
    try:
        errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    except Unresolvable as exc:
        return [dg.error("SB204", path, f"schema reference cannot be resolved: {exc}", line=1, col=1,
                         hint="schemas may only refer to files in schemas/")]
    for error in errors[:MAX_ERRORS_PER_FILE]:
        found.extend(_to_diagnostics(path, error))
    if len(errors) > MAX_ERRORS_PER_FILE:
        found.append(dg.error("SB200", path, f"{len(errors) - MAX_ERRORS_PER_FILE} more schema errors not shown",
                              line=1, col=1))
    return found


def _to_diagnostics(path: str, error: ValidationError) -> list[dg.Diagnostic]:
    where = tuple(error.absolute_path)
    label = _label(where)
    if error.validator == "required":
        missing = [k for k in error.validator_value if isinstance(error.instance, dict) and k not in error.instance]
        return [dg.error("SB201", path, f"{label}required key {key!r} is missing", json_path=where,
                         hint=f"add '{key}:' ({_describe(error.schema, key)})") for key in missing]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(error.schema.get("properties", {}))
        extras = [k for k in error.instance if k not in allowed]
        return [dg.error("SB202", path, f"{label}unknown key {key!r}", json_path=where + (key,), at_key=True,
                         hint=_suggest(key, allowed)) for key in extras]
    if "propertyNames" in error.schema_path:
        # The failing "value" is a key: point at the key and explain with the schema's own description.
        return [dg.error("SB200", path, f"{label}key {error.instance!r} is not allowed here", json_path=where + (error.instance,),
                         at_key=True, hint=error.schema.get("description") or f"keys must match {error.schema}")]
    if error.validator == "format" and error.validator_value == "regex":
        return [dg.error("SB200", path, f"{label}{error.instance!r} is not a valid regular expression ({error.cause})",
                         json_path=where, hint="use Python regular-expression syntax, e.g. '^QP-[0-9]{2}$'")]
    if error.validator == "format" and error.validator_value == "date":
        return [dg.error("SB203", path, f"{label}{error.instance!r} is not a real calendar date", json_path=where,
                         hint="write a real date as YYYY-MM-DD, e.g. 2024-02-29 exists but 2023-02-29 does not")]
    hint = ""
    if error.validator == "enum":
        hint = "allowed values: " + ", ".join(str(v) for v in error.validator_value) + " (exact spelling, no spaces)"
    elif error.validator == "type":
        hint = f"expected {error.validator_value}; quote text values, write numbers without quotes"
    elif error.validator == "pattern":
        hint = f"the value must match {error.validator_value}"
    return [dg.error("SB200", path, f"{label}{error.message}", json_path=where, hint=hint)]


def _label(where: tuple) -> str:
    if not where:
        return ""
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in where).lstrip(".")
    return f"{text}: "


def _describe(schema: dict, key: str) -> str:
    sub = schema.get("properties", {}).get(key, {})
    return sub.get("description") or sub.get("title") or "see the schema"


def _suggest(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    if close:
        return f"did you mean '{close[0]}'? allowed keys: {', '.join(allowed)}"
    return f"allowed keys: {', '.join(allowed)}"
