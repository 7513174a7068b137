"""Fingerprints of the controlled content of a document or form.

The fingerprint is the sha256 of a canonical JSON text built from

* the body (documents only): line endings as LF (the loader converts CRLF and CR), Unicode
  NFC, leading and trailing blank lines removed;
* every front-matter field (or, for forms, every top-level key) except the lifecycle and
  distribution fields listed in `LIFECYCLE_KEYS`: values as loaded (every scalar is its text,
  so `level: 2` and `level: "2"` are the same), NFC, keys sorted.

So these changes do **not** alter the fingerprint, and need no revision: line endings, a
byte-order mark, quoting style, key order, flow or block style, YAML comments, and edits of
the lifecycle fields (`status`, `prepared_by`, `reviewed_by`, `approved_by`, `effective`,
`obsoleted`, `last_reviewed`, `supersedes`), which the revise / approve / make-effective /
obsolete steps and the periodic review write.  **Distribution-only edits are not content changes either:** issuing
or recalling a controlled copy changes who holds the document, not what it says; the change
is still recorded by git and shown in the auditor's commit list.  Everything else — the body,
title, summary, level, owner, review period, references, quality policy and objectives, and
the revision entries themselves — is controlled: changing it on an effective document needs
a new version (`python -m site_builder revise`).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata

from site_builder.fast.yaml_pieces import load_yaml_reusing
from site_builder.load.yamlio import LoadError, decode, load_yaml, split_front_matter

QUICK_KEYS = ("id", "version", "status", "effective")
_QUICK_LINE = re.compile(r"^(id|version|status|effective)[ \t]*:[ \t]*(.*?)[ \t]*(?:[ \t]#.*)?\r?$")
_QUICK_VALUE = re.compile(r"^(?:'([^']*)'|\"([^\"\\]*)\"|([A-Za-z0-9][A-Za-z0-9_.:+-]*))$")
LIFECYCLE_KEYS = frozenset({"status", "prepared_by", "reviewed_by", "approved_by", "effective", "obsoleted",
                            "last_reviewed", "distribution", "supersedes"})


class Parsed:
    """A document or form as stored in one file version (never modified).  Its fingerprint is computed
    when first asked for: the auditor's snapshots of old versions never need one."""

    __slots__ = ("data", "body", "text", "_fingerprint")

    def __init__(self, data: dict, body: str, text: str) -> None:
        self.data, self.body, self.text, self._fingerprint = data, body, text, None

    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = fingerprint(self.data, self.body)
        return self._fingerprint

    @property
    def id(self) -> str | None:
        value = self.data.get("id")
        return str(value) if isinstance(value, str) else None

    def field(self, key: str) -> str | None:
        value = self.data.get(key)
        return str(value) if isinstance(value, str) else None


def kind_of(path: str) -> str | None:
    if path.startswith("procedures/") and path.endswith(".md"):
        return "document"
    if path.startswith("forms/") and path.endswith((".yaml", ".yml")):
        return "form"
    return None


def parse(kind: str, raw: bytes) -> Parsed | None:
    """The file's data and fingerprint, or None when it is not readable YAML (front matter).
    Nothing is remembered: `Parser` reads the many versions of a history."""
    return Parser(fast=False).parse(kind, raw)


class Parser:
    """Reads committed file versions for one build.

    With `fast` (the default), each distinct text is read once (most documents are the same at
    their release as in the working tree, and the change-control rules read both), and old front
    matters are read one top-level entry at a time, each distinct entry once (fast/yaml_pieces.py).
    `fast=False` (`--plain`) reads every text whole, every time.  (A Parsed and its data are never
    modified, so sharing them is safe.)"""

    def __init__(self, fast: bool = True) -> None:
        self.fast = fast
        self._parsed: dict[tuple[str, bytes], Parsed | None] = {}
        self._pieces: dict = {}

    def parse(self, kind: str, raw: bytes) -> Parsed | None:
        if not self.fast:
            return _parse(kind, raw, None)
        key = (kind, raw)
        if key not in self._parsed:
            if len(self._parsed) >= _PARSED_LIMIT:
                self._parsed.clear()
            self._parsed[key] = _parse(kind, raw, self._pieces)
        return self._parsed[key]


_PARSED_LIMIT = 10_000


def _parse(kind: str, raw: bytes, pieces: dict | None) -> Parsed | None:
    try:
        text, _bom = decode(raw)
        yaml_text, body = text, ""
        if kind == "document":
            yaml_text, body, _line = split_front_matter(text)
        data = load_yaml(yaml_text) if pieces is None else load_yaml_reusing(yaml_text, pieces=pieces)
    except (LoadError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    return Parsed(data, body, text)


def quick_fields(kind: str, raw: bytes) -> dict[str, str] | None:
    """`id`, `version`, `status` and `effective` read from their lines without a YAML parse.

    Only for simple one-line values (plain identifiers and dates, or quoted without escapes);
    None when the file needs the full parser to be read reliably (the caller then uses `parse`).
    """
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None
    lines = text.split("\n")
    if kind == "document":
        if lines[0].rstrip("\r") != "---":
            return None
        end = next((i for i in range(1, len(lines)) if lines[i].rstrip("\r") in ("---", "...")), None)
        if end is None:
            return None
        lines = lines[1:end]
    found: dict[str, str] = {}
    for index, line in enumerate(lines):
        match = _QUICK_LINE.match(line) if line[:1] in "ivse" else None
        if match is None:
            continue
        value = _QUICK_VALUE.match(match.group(2))
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if value is None or match.group(1) in found or following[:1] in (" ", "\t"):
            return None
        found[match.group(1)] = next(v for v in value.groups() if v is not None)
    return found if "id" in found else None


def fingerprint(data: dict, body: str) -> str:
    controlled = {k: _normal(v) for k, v in data.items() if k not in LIFECYCLE_KEYS}
    canonical = json.dumps({"fields": controlled, "body": normal_body(body)}, ensure_ascii=False, sort_keys=True,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def normal_body(body: str) -> str:
    text = unicodedata.normalize("NFC", body.replace("\r\n", "\n").replace("\r", "\n"))
    return text.strip("\n")


def _normal(value):
    if isinstance(value, dict):
        return {unicodedata.normalize("NFC", str(k)): _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    return value
