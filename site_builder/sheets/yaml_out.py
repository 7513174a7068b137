"""A record as the text of its YAML file, laid out like the hand-written records.

Takes the record's data (id, form, date, then the fields in the form's order); gives the file's text:
the schema modeline first, one `key: value` line per key, ratings and scores as one flow mapping,
multiple choices and lists as one flow list, text plain where it reads back as the same text and in
double quotes otherwise (digits-only text such as a telephone number or a copy number `"01"`, text
with `@`, `: `, ` #`, a leading indicator such as `-`, `=`, `@`, or a line break).  Also gives the
line of each key, so that a problem reported at a line of the text can be shown at its cell.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

#: plain text the strict loader reads back unchanged and a YAML 1.1 reader reads as text too
_PLAIN = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`=+~.0-9][^\n\r\t#@]*$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_FLOW_BREAKERS = re.compile(r"[,\[\]{}]")
_PLAIN_DIGITS_START = re.compile(r"^[0-9.][^\n\r\t#@]*$")
_LOOKS_TYPED = re.compile(
    r"^(?:[-+]?[0-9_.,:]+(?:[eE][-+]?[0-9]+)?|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?|"
    r"y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|"
    r"\.inf|\.Inf|\.INF|\.nan|\.NaN|\.NAN)$")


def record_text(data: dict, schema_ref: str, memo: dict | None = None) -> tuple[str, dict[int, str]]:
    """The file's text and {line: top-level key}.  `memo`: the texts of values seen before (the same
    names, choices and levels recur in the rows of one import)."""
    lines = [f"# yaml-language-server: $schema={schema_ref}"]
    where: dict[int, str] = {}
    memo = {} if memo is None else memo
    for key, value in data.items():
        where[len(lines) + 1] = key
        if isinstance(value, str):
            text = memo.get(value)
            if text is None:
                text = memo[value] = _scalar(value, False)
        else:
            text = _value(value, memo=memo)
        lines.append(f"{key}: {text}")
    return "\n".join(lines) + "\n", where


def _value(value, flow: bool = False, memo: dict | None = None) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        text = repr(value)  # the shortest text that reads back as the same number, without an exponent
        return format(Decimal(text), "f") if "e" in text or "E" in text else text
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flow(str(k), memo)}: {_value(v, True, memo)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v, True, memo) for v in value) + "]"
    return _flow(str(value), memo) if flow else _scalar(str(value), flow)


def _flow(text: str, memo: dict | None) -> str:
    if memo is None:
        return _scalar(text, True)
    key = ("flow", text)
    if key not in memo:
        memo[key] = _scalar(text, True)
    return memo[key]


def _scalar(text: str, flow: bool) -> str:
    if _DATE.match(text):
        return text  # a date, written as the hand-written records write them
    plain = (_PLAIN.match(text) or (_PLAIN_DIGITS_START.match(text) and not _LOOKS_TYPED.match(text)))
    if (plain and text == text.strip() and ": " not in text and not text.endswith(":") and " #" not in text
            and not _LOOKS_TYPED.match(text) and not (flow and _FLOW_BREAKERS.search(text))):
        return text
    return json.dumps(text, ensure_ascii=False)
