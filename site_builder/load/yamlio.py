"""Strict, position-aware YAML reading.

Every scalar keeps its text: plain (unquoted) scalars become `PlainStr`, which the schema
stage may turn into a number or boolean where the schema asks for one; `0012`, `2.10`,
`NO` and dates therefore survive as written.  Anchors, aliases, merge keys, tags,
duplicate keys, multi-document streams and deep nesting are refused with a `LoadError`
carrying a 1-based line and column.  libyaml's event parser is used when available (it
is iterative, so deep nesting cannot crash it); the tree is built here from the events.

Lines are counted as editors count them: split on LF, CRLF and lone CR only.  YAML also
treats U+2028/U+2029 as line breaks, so they are swapped for placeholders while parsing
(see `_hide_unicode_breaks`) and every reported line stays the one an author sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NULLS = {"", "~", "null", "Null", "NULL"}
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_UNICODE_BREAKS = "\u2028\u2029"


class PlainStr(str):
    """Text of an unquoted YAML scalar (may be coerced to int/float/bool by the schema)."""

    __slots__ = ()


@dataclass
class LoadError(Exception):
    code: str
    message: str
    line: int = 1
    col: int = 1
    hint: str = ""


def decode(raw: bytes) -> tuple[str, bool]:
    """Bytes -> text; returns (text, had_utf8_bom).  Refuses UTF-16/32 and invalid UTF-8."""
    if raw[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff") or raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise LoadError("SB101", "file is UTF-16 or UTF-32 encoded; only UTF-8 is accepted",
                        hint="re-save the file as UTF-8 (without BOM)")
    had_bom = raw.startswith(b"\xef\xbb\xbf")
    if had_bom:
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(raw, exc.start)
        raise LoadError("SB101", f"invalid UTF-8 byte 0x{raw[exc.start]:02x}", line, col,
                        "re-save the file as UTF-8; legacy encodings such as GBK are not accepted") from None
    # Normalise line endings first, so that positions count CR-only and CRLF lines like LF lines.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = _FORBIDDEN_CHARS.search(text)
    if bad:
        line, col = text_position(text, bad.start())
        raise LoadError("SB103", f"forbidden control character U+{ord(bad.group()):04X}", line, col,
                        "delete the character; only tab, line feed and carriage return are allowed")
    return text, had_bom


def load_yaml(text: str, max_depth: int = 32, line_offset: int = 0):
    """Parse one YAML document into dicts, lists, str/PlainStr and None.

    `line_offset` is added to every line a `LoadError` reports, in its position and in its
    message ("first defined at line N"), so that YAML cut out of a file (front matter) is
    reported by file line.
    """
    builder = _TreeBuilder(max_depth, line_offset)
    for event in _events(text, line_offset):
        builder.feed(event)
    return builder.result()


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Markdown with front matter -> (yaml_text, body, first line of the body, 1-based).

    The YAML text starts on line 2 of the file, so YAML line n is file line n + 1.
    """
    if not text.startswith("---\n") and text.rstrip("\n") != "---":
        raise LoadError("SB114", "document does not start with a front matter line '---'", 1, 1,
                        "begin the file with '---', the YAML keys, and a closing '---' line")
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index] in ("---", "..."):
            return "\n".join(lines[1:index]) + "\n", "\n".join(lines[index + 1:]), index + 2
    raise LoadError("SB114", "front matter is not closed by a '---' line", 1, 1,
                    "add a line containing only '---' after the last front-matter key")


def locate(text: str, json_path: tuple, max_depth: int = 64, *, at_key: bool = False) -> tuple[int, int]:
    """1-based (line, col) of the node at `json_path`, or of its deepest existing ancestor.

    A collection inside a mapping is shown at its key (its value may start lines later); a
    scalar at its value, unless `at_key`: when the key itself is wrong (unknown, misspelled)
    the author must be sent to the key whatever the shape of its value.
    """
    best = (1, 1)
    try:
        for path, mark, key_mark, scalar in _walk_paths(text, max_depth):
            if json_path[: len(path)] == path:
                best = _one_based(key_mark if key_mark and (at_key or not scalar) else mark)
                if path == tuple(json_path):
                    return best
    except (yaml.YAMLError, LoadError, RecursionError, ValueError):
        pass
    return best


def text_position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _byte_position(raw: bytes, index: int) -> tuple[int, int]:
    """1-based (line, character column) of byte `index`; lines end at LF, CRLF or a lone CR."""
    before = raw[:index].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, len(before[start:].decode("utf-8", "replace")) + 1


def _one_based(mark, line_offset: int = 0) -> tuple[int, int]:
    return mark.line + 1 + line_offset, mark.column + 1


def _hide_unicode_breaks(text: str) -> tuple[str, dict[int, str] | None]:
    """Swap U+2028/U+2029 for private-use characters absent from `text`.

    YAML counts them as line breaks (and splits plain scalars at them), editors and
    `path:line` consumers do not.  A placeholder is one character too, so every index and
    column is unchanged; `_events` puts the original characters back into scalar values.
    """
    present = [c for c in _UNICODE_BREAKS if c in text]
    if not present:
        return text, None
    spare = (chr(code) for code in range(0xE000, 0xF900) if chr(code) not in text)
    swap = {ord(c): next(spare) for c in present}
    return text.translate(swap), {ord(placeholder): chr(original) for original, placeholder in swap.items()}


def _events(text: str, line_offset: int = 0):
    text, restore = _hide_unicode_breaks(text)
    loader = _Loader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if restore and event.__class__ is yaml.ScalarEvent:
                event.value = event.value.translate(restore)
            yield event
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = _one_based(mark, line_offset) if mark else (1 + line_offset, 1)
        problem = exc.problem or "syntax error"
        if exc.context and exc.context_mark and exc.context_mark is not mark:
            problem += f" ({exc.context} at line {exc.context_mark.line + 1 + line_offset})"
        raise LoadError("SB105", f"YAML syntax error: {problem}", line, col,
                        "check indentation (spaces only), quotes and colons on this line") from None
    except yaml.reader.ReaderError as exc:
        line, col = text_position(text, min(exc.position, len(text)))
        raise LoadError("SB103", f"unreadable character: {exc.reason}", line + line_offset, col) from None
    except RecursionError:
        raise LoadError("SB113", "nesting too deep", 1 + line_offset, 1) from None
    finally:
        loader.dispose()


class _TreeBuilder:
    """Builds plain Python data from parser events, enforcing the strict rules."""

    def __init__(self, max_depth: int, line_offset: int = 0):
        self.max_depth = max_depth
        self.line_offset = line_offset
        self.stack: list[list] = []  # frames: [container, pending_key, key_lines]
        self.documents = 0
        self.root = None
        self.has_root = False

    def feed(self, event) -> None:
        kind = event.__class__  # (class identity, not names: this runs once per YAML node of 100,000 files)
        if kind is _Scalar:
            if event.anchor is not None or event.tag is not None:
                self._check_node(event)
            self._attach(_scalar(event), event)
        elif kind is _MappingStart or kind is _SequenceStart:
            self._check_node(event)
            if len(self.stack) >= self.max_depth:
                raise LoadError("SB113", f"nesting deeper than {self.max_depth} levels",
                                *self._at(event.start_mark), "flatten the structure")
            self.stack.append([{} if kind is _MappingStart else [], _NO_KEY, {}, event])
        elif kind is _MappingEnd or kind is _SequenceEnd:
            container, _, _, start = self.stack.pop()
            self._attach(container, start)
        elif kind is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                raise LoadError("SB109", "more than one YAML document in the file",
                                *self._at(event.start_mark), "keep one document per file; remove the extra '---'")
        elif kind is yaml.AliasEvent:
            raise LoadError("SB107", "aliases (*name) are not allowed", *self._at(event.start_mark),
                            "write the value out in full")

    def result(self):
        if not self.has_root or self.root is None:
            raise LoadError("SB110", "file is empty", 1 + self.line_offset, 1, "add the required keys")
        return self.root

    def _at(self, mark) -> tuple[int, int]:
        return _one_based(mark, self.line_offset)

    def _check_node(self, event) -> None:
        if event.anchor is not None:
            raise LoadError("SB107", f"anchors (&{event.anchor}) are not allowed",
                            *self._at(event.start_mark), "write values out in full; remove the anchor")
        if event.tag is not None:
            raise LoadError("SB108", f"explicit tag {event.tag!r} is not allowed",
                            *self._at(event.start_mark), "remove the tag; values are plain text, lists or mappings")

    def _attach(self, value, event) -> None:
        if not self.stack:
            self.root, self.has_root = value, True
            return
        frame = self.stack[-1]
        container = frame[0]
        if container.__class__ is list:
            container.append(value)
        elif frame[1] is _NO_KEY:
            self._accept_key(frame, value, event)
        else:
            container[frame[1]] = value
            frame[1] = _NO_KEY

    def _accept_key(self, frame, key, event) -> None:
        # keys keep their start mark; a line number is worked out only for a message
        if not isinstance(key, str):
            raise LoadError("SB112", "mapping keys must be plain strings, not lists, mappings or empty values",
                            *self._at(event.start_mark), "use a simple word as the key")
        if key == "<<" and isinstance(key, PlainStr):  # only the plain spelling is a merge key; '<<' is text
            raise LoadError("SB107", "merge keys (<<) are not allowed", *self._at(event.start_mark),
                            "write the keys out in full")
        key = str(key)
        seen = frame[2]
        if key in seen:
            first, _ = self._at(seen[key])
            raise LoadError("SB106", f"duplicate key {key!r} (first defined at line {first})",
                            *self._at(event.start_mark), "remove one of the two entries")
        seen[key] = event.start_mark
        frame[1] = key


_NO_KEY = object()
_Scalar, _MappingStart, _SequenceStart = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
_MappingEnd, _SequenceEnd = yaml.MappingEndEvent, yaml.SequenceEndEvent


def _scalar(event):
    if event.style in (None, ""):
        return None if event.value in _NULLS else PlainStr(event.value)
    return event.value


def _walk_paths(text: str, max_depth: int):
    """Yield (json_path, value_mark, key_mark, is_scalar) for every node, in document order
    (key_mark None for the root and list items)."""
    stack: list[list] = []  # [container_kind, index_or_key, expecting_key]
    key_mark = None
    skipping = 0  # depth inside a collection used as a key ('[a, b]: 1'); the loader refuses those, locate skips them
    for event in _events(text):
        kind = type(event).__name__
        if kind not in ("ScalarEvent", "SequenceStartEvent", "MappingStartEvent", "SequenceEndEvent", "MappingEndEvent"):
            continue
        if skipping:
            skipping += 1 if kind.endswith("StartEvent") else -1 if kind.endswith("EndEvent") else 0
            continue
        if kind.endswith("EndEvent"):
            stack.pop()
            _advance(stack)
            continue
        if stack and stack[-1][0] == "map" and stack[-1][2]:
            stack[-1][1] = event.value if kind == "ScalarEvent" else None
            stack[-1][2] = False
            key_mark = event.start_mark
            skipping = 0 if kind == "ScalarEvent" else 1
            continue
        path = tuple(frame[1] for frame in stack)
        in_map = bool(stack) and stack[-1][0] == "map"
        yield path, event.start_mark, key_mark if in_map else None, kind == "ScalarEvent"
        if kind == "ScalarEvent":
            _advance(stack)
        else:
            stack.append(["map", None, True] if kind == "MappingStartEvent" else ["seq", 0, False])
        if len(stack) > max_depth:
            return


def _advance(stack) -> None:
    if not stack:
        return
    frame = stack[-1]
    if frame[0] == "seq":
        frame[1] += 1
    else:
        frame[2] = True
