"""Cell values as people really type them, turned into the values of a record field.

Takes what a reader gives for one cell (text, a number, a boolean, a date or datetime, or None)
and the column it sits in; gives the field's value, or None for an empty cell.  A value that cannot
be understood is passed on as its text, so that the record schema reports it the way `check` would.

* text: leading and trailing blanks go (spaces, tabs, non-breaking and ideographic spaces), CRLF
  becomes LF, and full-width digits, letters and spaces become ASCII (NFKC, for those characters
  only: full-width punctuation in Chinese text stays as it is);
* numbers stored as text (`"12"`, `"1,250"`, `"１２"`) become numbers in number columns, and numbers
  become text in text columns (a phone number typed as a number, `13812345678.0`);
* dates: a date cell, an Excel date serial, or text as `2025-04-18`, `2025/4/18`, `2025.4.18`,
  `2025年4月18日`;
* yes/no: 是/否, TRUE/FALSE, Y/N, 1/0, √/×;
* choices and rating levels: matched after the same normalisation (`ＡＢ` is `AB`);
* multiple choices and lists: separated by 、 , ， ; ； or line breaks.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta

from site_builder.sheets.layout import FALSE_TEXT, SPLIT_ON, TRUE_TEXT, Column

_EXCEL_EPOCH = date(1899, 12, 30)
_NARROW = {c: unicodedata.normalize("NFKC", chr(c)) for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                                                                 *range(0xFF41, 0xFF5B)]}
_NARROW |= {0x3000: " ", 0x00A0: " ", 0x202F: " "}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?$")
_INT = re.compile(r"^[-+]?\d+$")
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_TRUE = {"是", "true", "yes", "y", "1", "√", "✓", "✔", "对"}
_FALSE = {"否", "false", "no", "n", "0", "×", "✗", "✘", "错"}
_SPLIT = re.compile("[" + re.escape(SPLIT_ON) + "]")


def narrow(text: str) -> str:
    """Trimmed text with full-width digits, letters and spaces as ASCII, line ends as LF."""
    return text.translate(_NARROW).replace("\r\n", "\n").replace("\r", "\n").strip()


def value_of(column: Column, raw):
    """The value of `raw` in `column`, or None when the cell is empty."""
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = narrow(raw)
        if raw == "":
            return None
    kind = column.kind
    if kind == "ratings" or kind == "choice":
        return _choice(raw, column.choices)
    if kind == "date":
        return _date(raw)
    if kind in ("integer", "number", "scores"):
        return _number(raw, kind == "integer")
    if kind == "boolean":
        return _boolean(raw)
    if kind in ("multi_choice", "list"):
        choices = column.field.choices if column.field is not None else ()
        items = [narrow(part) for part in _SPLIT.split(_text(raw))]
        return [_choice(item, choices) for item in items if item] or None
    text = _text(raw)
    if kind in ("id", "record_ref", "document_ref"):
        text = unicodedata.normalize("NFKC", text).strip()
    return text


def _text(raw) -> str:
    if isinstance(raw, bool):
        return TRUE_TEXT if raw else FALSE_TEXT
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == time(0) else raw.isoformat(sep=" ")
    if isinstance(raw, date | time):
        return raw.isoformat()
    return str(raw)


def _choice(raw, choices: tuple[str, ...]):
    text = _text(raw)
    if text in choices:
        return text
    folded = unicodedata.normalize("NFKC", text).casefold()
    for choice in choices:
        if unicodedata.normalize("NFKC", choice).casefold() == folded:
            return choice
    return text


def _date(raw):
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == time(0) else _text(raw)
    if isinstance(raw, date):
        return raw.isoformat()
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if 1 <= raw < 2958466 and float(raw).is_integer():  # an Excel date serial (1900 date system)
            return (_EXCEL_EPOCH + timedelta(days=int(raw))).isoformat()
        return _text(raw)
    text = unicodedata.normalize("NFKC", _text(raw)).strip()
    match = _DATE.match(text)
    if match:
        year, month, day = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"  # (an impossible date is reported by the schema)
    return text


def _number(raw, whole: bool):
    if isinstance(raw, bool):
        return _text(raw)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if whole and raw.is_integer() else raw
    text = unicodedata.normalize("NFKC", _text(raw)).replace(",", "").replace(" ", "")
    if _INT.match(text):
        return int(text)
    if _NUMBER.match(text):
        number = float(text)
        return int(number) if whole and number.is_integer() else number
    return _text(raw)


def _boolean(raw):
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    text = unicodedata.normalize("NFKC", _text(raw)).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return _text(raw)
