"""YAML of many versions of one file, read one top-level entry at a time, each distinct entry once.

A document's history holds its front matter at every version, and a version changes a few
entries of it (version, dates, one more revision row).  So the text is cut before every line
that starts in column 0 (a key of the top-level mapping), and a top-level block list is cut
further into its items; each piece is read on its own by `yamlio.load_yaml` and remembered by
its text.  Whatever does not read as one entry of a mapping (or one item of a list), or
repeats a key, is read whole instead, so the result, and every error, is load_yaml's.

The values are shared between the versions that hold the same piece: they are never modified
(as fingerprint.Parser already assumes of what it remembers).

Replaces: `yamlio.load_yaml` of the whole text (what `--plain` runs).  Proved equal by
tests/unit/test_yaml_reuse.py (property test against whole-text reading, data and errors) and
by the plain-versus-fast site comparison (tests/e2e/test_plain_builds.py).
"""

from __future__ import annotations

import re

from site_builder.load.yamlio import LoadError, load_yaml

#: document markers and directives start a line in column 0 too; such texts are read whole
_WHOLE = re.compile(r"^(?:---|\.\.\.|%)", re.M)
_ITEM = re.compile(r"( +)-(?: |\n|$)")
#: a key alone on its line (a list under it can be cut into items); not `? key`, which a list would continue
_KEY_ALONE = re.compile(r"[^\s?#][^#]*:[ \t]*")
_FAILED = object()
_LIMIT = 50_000


def load_yaml_reusing(text: str, max_depth: int = 32, pieces: dict | None = None):
    """What `load_yaml(text, max_depth)` gives (or raises).  `pieces`: the caller's memo of the
    pieces read so far (piece text -> value), shared by the versions of a history."""
    pieces = {} if pieces is None else pieces
    data = _by_entries(text, max_depth, pieces) if text and not _WHOLE.search(text) else None
    return data if data is not None else load_yaml(text, max_depth)


def _by_entries(text: str, max_depth: int, pieces: dict) -> dict | None:
    entries: list[list[str]] = []
    for line in _lines(text):
        if line[:1] not in ("\n", " ", "\t", "#"):
            entries.append([line])
        elif entries:
            entries[-1].append(line)
        elif line.strip(" \t\n") and not line.lstrip(" \t").startswith("#"):
            return None  # (indented text before the first key)
    data: dict = {}
    for lines in entries:
        entry = _entry(lines, max_depth, pieces)
        if entry is None or entry[0] in data:
            return None
        data[entry[0]] = entry[1]
    return data or None


def _lines(text: str) -> list[str]:
    """The lines of `text`, each with its line feed (the last one may have none)."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _entry(lines: list[str], max_depth: int, pieces: dict) -> tuple[str, object] | None:
    """(key, value) of one top-level entry, or None when it does not read as exactly one."""
    items = _items(lines[1:]) if _KEY_ALONE.fullmatch(lines[0].rstrip("\n")) else None
    if items is not None:
        head = _piece(lines[0], max_depth, pieces)
        values = [_piece(item, max_depth - 1, pieces) for item in items]  # (a list one level nearer the top)
        if isinstance(head, dict) and len(head) == 1 and next(iter(head.values())) is None and all(
                isinstance(value, list) and len(value) == 1 for value in values):
            return next(iter(head)), [value[0] for value in values]
        return None
    piece = _piece("".join(lines), max_depth, pieces)
    return next(iter(piece.items())) if isinstance(piece, dict) and len(piece) == 1 else None


def _items(lines: list[str]) -> list[str] | None:
    """The items of a block list written under its key (`key:` then `  - item` lines), each as a list
    of its own; None when the lines are not only that."""
    first = _ITEM.match(lines[0]) if lines else None
    if first is None:
        return None
    indent = len(first.group(1))
    items: list[list[str]] = []
    for line in lines:
        if not line.strip(" \t\n"):
            if "\t" in line:
                return None
            items[-1].append(line[indent:] or line.lstrip(" "))  # (spaces beyond the indent can be text of a block scalar)
        elif len(line) - len(line.lstrip(" ")) < indent:
            return None
        elif _ITEM.match(line) and len(line) - len(line.lstrip(" ")) == indent:
            items.append([line[indent:]])
        else:
            items[-1].append(line[indent:])
    return ["".join(item) for item in items]


def _piece(text: str, max_depth: int, pieces: dict):
    key = (text, max_depth)
    value = pieces.get(key)
    if value is None:
        if len(pieces) >= _LIMIT:
            pieces.clear()
        try:
            value = load_yaml(text, max_depth)
        except (LoadError, RecursionError, ValueError):
            value = _FAILED
        pieces[key] = value
    return None if value is _FAILED else value
