"""Surgical edits of the top-level keys of a YAML front matter (or of a whole YAML file).

Only the lines of the keys being changed are touched; every other byte — comments, key order,
quoting, line endings (LF or CRLF), a byte-order mark and the Markdown body — stays as it was.
It understands what controlled documents use: one-line scalars (`version: A1  # note`), flow
mappings (`approved_by: {name: X, date: D}`) and block mappings, and sequences of mappings in
block style (`- {version: A0, ...}` or `- version: A0` items) or flow style
(`revisions: [{...}, {...}]`, on one or several lines).  Callers re-read the result with the
strict loader to confirm the edit (see revise.py).
"""

from __future__ import annotations

import json
import re

_SEPARATOR = re.compile(r"(\r\n|\r|\n)")
_TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?=[ \t]|$)")
_SCALAR_LINE = re.compile(r"""^(?P<head>[^:]*:[ \t]*)(?P<value>"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^#]*?)(?P<tail>[ \t]+#.*|[ \t]*)$""")
_PLAIN_SAFE = re.compile(r"^[\w\u00a0-\uffff][^#:,\[\]{}\n\r\t]*$")
_NULLS = {"~", "null", "Null", "NULL"}


class EditError(Exception):
    """The front matter has a shape this editor does not handle; nothing was changed."""


class FrontMatterEditor:
    def __init__(self, text: str, whole_file: bool = False) -> None:
        self.bom = "\ufeff" if text.startswith("\ufeff") else ""
        pieces = _SEPARATOR.split(text[len(self.bom):])
        self.lines, self.ends = pieces[0::2], pieces[1::2] + [""]
        endings = [e for e in self.ends if e]
        self.newline = max(set(endings), key=endings.count) if endings else "\n"
        self.start, self.stop = (0, len(self.lines)) if whole_file else self._region()

    def text(self) -> str:
        return self.bom + "".join(line + end for line, end in zip(self.lines, self.ends))

    def has(self, key: str) -> bool:
        return self._find(key) is not None

    def set_scalar(self, key: str, value: str) -> None:
        first, last = self._extent(key)
        if last - first != 1:
            raise EditError(f"'{key}' spans several lines; edit it by hand")
        self.lines[first] = _replace_scalar(self.lines[first], value)

    def set_mapping(self, key: str, values: dict[str, str], after: tuple[str, ...] = ()) -> None:
        """Set fields of a mapping; add the key (as a flow mapping) after the first of `after` present."""
        if self._find(key) is None:
            self._insert_after(after, f"{key}: {flow_mapping(values)}")
            return
        first, last = self._extent(key)
        value = _SCALAR_LINE.match(self.lines[first])
        if last - first == 1 and value and not value.group("value").startswith("{"):
            self.lines[first] = f"{key}: {flow_mapping(values)}{value.group('tail')}"
        elif "{" in self.lines[first]:
            self._edit_joined(first, last, lambda text: set_flow_fields(text, text.index("{"), values))
        else:
            self._set_block_fields(first + 1, last, values)

    def set_or_add_scalar(self, key: str, value: str, after: tuple[str, ...]) -> None:
        if self._find(key) is None:
            self._insert_after(after, f"{key}: {scalar(value)}")
        else:
            self.set_scalar(key, value)

    def remove(self, key: str) -> None:
        if self._find(key) is not None:
            first, last = self._extent(key)
            del self.lines[first:last], self.ends[first:last]
            self.stop -= last - first

    def set_list(self, key: str, values: list[str], after: tuple[str, ...] = ()) -> None:
        """Set a list of plain values (e.g. supersedes) as one flow-style line; a comment after a one-line
        value stays; add the key after the first of `after` present."""
        line = f"{key}: [{', '.join(scalar(v) for v in values)}]"
        if self._find(key) is None:
            self._insert_after(after, line)
            return
        first, last = self._extent(key)
        value = _SCALAR_LINE.match(self.lines[first]) if last - first == 1 else None
        tail = value.group("tail") if value else ""
        self.lines[first:last], self.ends[first:last] = [line + tail], [self.ends[last - 1]]
        self.stop -= last - first - 1

    def append_item(self, key: str, item: dict[str, str]) -> None:
        """Append a mapping to a sequence of mappings, in the style of the sequence."""
        first, last = self._extent(key)
        if _value_of(self.lines[first]).startswith("["):
            self._edit_joined(first, last, lambda text: _append_flow(text, item))
            return
        dash = self._last_item(first, last)
        indent = self.lines[dash][: len(self.lines[dash]) - len(self.lines[dash].lstrip())]
        if self.lines[dash].lstrip()[2:].lstrip().startswith("{"):
            new = [f"{indent}- {flow_mapping(item)}"]
        else:
            pad = indent + " " * (len(self.lines[dash]) - len(self.lines[dash].lstrip()[1:].lstrip()) - len(indent))
            pairs = [f"{k}: {scalar(v, flow=False)}" for k, v in item.items()]
            new = [f"{indent}- {pairs[0]}"] + [pad + p for p in pairs[1:]]
        self._insert_lines(last, new)

    def set_last_item_field(self, key: str, field: str, value: str) -> None:
        """Set one field of the last mapping of a sequence (e.g. the last revision's approved_by)."""
        first, last = self._extent(key)
        if _value_of(self.lines[first]).startswith("["):
            self._edit_joined(first, last, lambda text: set_flow_fields(text, _last_open(text, "{"), {field: value}))
            return
        dash = self._last_item(first, last)
        if "{" in self.lines[dash]:
            self._edit_joined(dash, last, lambda text: set_flow_fields(text, text.index("{"), {field: value}))
            return
        at = self.lines[dash].index("- ")
        self.lines[dash] = self.lines[dash][:at] + "  " + self.lines[dash][at + 2:]
        try:
            self._set_block_fields(dash, last, {field: value})
        finally:
            self.lines[dash] = self.lines[dash][:at] + "- " + self.lines[dash][at + 2:]

    # -- helpers ---------------------------------------------------------------------------

    def _region(self) -> tuple[int, int]:
        if not self.lines or self.lines[0] != "---":
            raise EditError("the file does not start with a front matter line '---'")
        for index in range(1, len(self.lines)):
            if self.lines[index] in ("---", "..."):
                return 1, index
        raise EditError("the front matter is not closed by a '---' line")

    def _find(self, key: str) -> int | None:
        for index in range(self.start, self.stop):
            match = _TOP_KEY.match(self.lines[index])
            if match and match.group(1) == key:
                return index
        return None

    def _extent(self, key: str) -> tuple[int, int]:
        first = self._find(key)
        if first is None:
            raise EditError(f"the front matter has no '{key}' key")
        last = first + 1
        while last < self.stop and not _TOP_KEY.match(self.lines[last]):
            last += 1
        while last > first + 1 and (not self.lines[last - 1].strip() or self.lines[last - 1].startswith("#")):
            last -= 1
        return first, last

    def _last_item(self, first: int, last: int) -> int:
        items = [i for i in range(first + 1, last) if self.lines[i].lstrip().startswith("- ")]
        if not items:
            raise EditError("cannot find the items of the sequence; edit it by hand")
        depth = min(len(self.lines[i]) - len(self.lines[i].lstrip()) for i in items)
        return [i for i in items if len(self.lines[i]) - len(self.lines[i].lstrip()) == depth][-1]

    def _set_block_fields(self, first: int, last: int, values: dict[str, str]) -> None:
        for field, value in values.items():
            pattern = re.compile(rf"^[ \t]+{re.escape(field)}[ \t]*:(?=[ \t]|$)")
            found = next((i for i in range(first, last) if pattern.match(self.lines[i])), None)
            if found is None:
                indent = re.match(r"^[ \t]*", self.lines[last - 1]).group(0) or "  "
                self._insert_lines(last, [f"{indent}{field}: {scalar(value, flow=False)}"])
                last += 1
            else:
                self.lines[found] = _replace_scalar(self.lines[found], value)

    def _insert_after(self, keys: tuple[str, ...], line: str) -> None:
        for key in keys:
            if self._find(key) is not None:
                self._insert_lines(self._extent(key)[1], [line])
                return
        self._insert_lines(self.stop, [line])

    def _insert_lines(self, at: int, lines: list[str]) -> None:
        self.lines[at:at] = lines
        self.ends[at:at] = [self.newline] * len(lines)
        self.stop += len(lines)

    def _edit_joined(self, first: int, last: int, change) -> None:
        ends = self.ends[first:last]
        lines = change("\n".join(self.lines[first:last])).split("\n")
        if len(lines) < len(ends):
            raise EditError("unexpected change in the number of lines")
        ends = ends[:-1] + [self.newline] * (len(lines) - len(ends)) + ends[-1:]
        self.lines[first:last], self.ends[first:last] = lines, ends
        self.stop += len(lines) - (last - first)


def scalar(value: str, style: str = "", flow: bool = True) -> str:
    """`value` as a YAML scalar: plain when that reads back as the same text, else quoted."""
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style != '"' and _PLAIN_SAFE.match(value) and value == value.strip() and value not in _NULLS:
        return value
    return json.dumps(value, ensure_ascii=False)


def flow_mapping(values: dict[str, str]) -> str:
    return "{" + ", ".join(f"{k}: {scalar(v)}" for k, v in values.items()) + "}"


def set_flow_fields(text: str, open_at: int, values: dict[str, str]) -> str:
    """Set fields of the flow mapping opening at `open_at`, keeping the style of each old value."""
    close_at = _matching(text, open_at)
    inside = text[open_at + 1:close_at]
    for field, value in values.items():
        pattern = re.compile(rf"""((?:^|,)\s*{re.escape(field)}\s*:\s*)("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,]*?)(\s*(?:,|$))""")
        match = pattern.search(inside)
        if match:
            new = scalar(value, match.group(2)[:1] if match.group(2)[:1] in "'\"" else "")
            inside = inside[:match.start(2)] + new + inside[match.end(2):]
        else:
            inside = inside.rstrip() + f", {field}: {scalar(value)}" + inside[len(inside.rstrip()):]
    return text[:open_at + 1] + inside + text[close_at:]


def _append_flow(text: str, item: dict[str, str]) -> str:
    close_at = _last_close(text)
    before = text[:close_at]
    new = flow_mapping(item)
    if not before.rstrip().endswith("["):
        line_start = before.rfind("\n") + 1
        if not before[line_start:].strip() and line_start > 0:  # "]" alone on its line
            previous = before[:line_start - 1]
            indent = re.match(r"[ \t]*", previous[previous.rfind("\n") + 1:]).group(0)
            comma = "" if _strip_comment(previous).rstrip().endswith(",") else ","
            return _add_before_comment(previous, comma) + f"\n{indent}{new}\n" + text[line_start:]
        new = ", " + new
        return before.rstrip() + new + before[len(before.rstrip()):] + text[close_at:]
    return before + new + text[close_at:]


def _replace_scalar(line: str, value: str) -> str:
    match = _SCALAR_LINE.match(line)
    if not match or match.group("value").startswith(("{", "[", "|", ">")):
        raise EditError(f"cannot edit the line {line.strip()!r}; edit it by hand")
    old = match.group("value")
    style = old[:1] if old[:1] in "'\"" else ""
    return match.group("head") + scalar(value, style, flow=False) + match.group("tail")


def _value_of(line: str) -> str:
    return line.split(":", 1)[1].strip() if ":" in line else ""


def _scan(text: str):
    """(index, char, quoted) for every character outside comments; quote marks count as quoted.

    A quote mark opens a quoted scalar only where a scalar starts (after `:`, `,`, `[`, `{`,
    `-` or at the start of a line), so the apostrophe in `it's` stays plain text."""
    quote, index, previous = "", 0, "\n"
    while index < len(text):
        char = text[index]
        if quote:
            yield index, char, True
            if quote == '"' and char == "\\" and index + 1 < len(text):
                index += 1
                yield index, text[index], True
            elif char == quote:
                quote, previous = "", char
        elif char in "'\"" and previous in "\n:,[{-?":
            quote = char
            yield index, char, True
        elif char == "#" and (index == 0 or text[index - 1] in " \t\n"):
            index = text.find("\n", index)
            if index < 0:
                return
            continue
        else:
            yield index, char, False
            if not char.isspace() or char == "\n":
                previous = char
        index += 1


def _code(text: str):
    """(index, char) of the characters that are YAML syntax (not quoted, not in a comment)."""
    return ((i, c) for i, c, quoted in _scan(text) if not quoted)


def _matching(text: str, open_at: int) -> int:
    depth = 0
    for index, char in _code(text):
        if index < open_at:
            continue
        depth += {"{": 1, "[": 1, "}": -1, "]": -1}.get(char, 0)
        if depth == 0 and char in "}]":
            return index
    raise EditError("unbalanced brackets in the front matter")


def _last_close(text: str) -> int:
    closes = [i for i, c in _code(text) if c == "]"]
    if not closes:
        raise EditError("the flow sequence is not closed")
    return closes[-1]


def _last_open(text: str, bracket: str) -> int:
    depth, found = 0, None
    for index, char in _code(text):
        if char in "[{":
            depth += 1
            if char == bracket and depth == 2:
                found = index
        elif char in "]}":
            depth -= 1
    if found is None:
        raise EditError("cannot find the last item of the sequence")
    return found


def _strip_comment(line_text: str) -> str:
    last_line = line_text[line_text.rfind("\n") + 1:]
    positions = [i for i, _c, _q in _scan(last_line) if not _c.isspace()]
    return last_line[:max(positions) + 1] if positions else ""


def _add_before_comment(text: str, addition: str) -> str:
    start = text.rfind("\n") + 1
    last_line = text[start:]
    content = _strip_comment(last_line)
    code = content.rstrip()
    return text[:start] + code + addition + last_line[len(code):]
