"""SB315: bidirectional controls and zero-width characters in free text.

They are valid Unicode, so the loader keeps them, but no editor or review diff shows them:
a right-to-left override in a title makes the page read differently from the approved
source ("Trojan Source"), and a zero-width space splits a word that search then misses.
Identifiers get the stricter SB301 (rules/identity.py); this is the warning for everything
else (titles, summaries, revision text, record values, comments and document bodies).
"""

from __future__ import annotations

import re
import unicodedata

from site_builder import diagnostics as dg
from site_builder.load.yamlio import locate, text_position

_CHARACTERS = "\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
_RAW = re.compile(f"[{_CHARACTERS}]")
# A double-quoted YAML scalar can carry the same characters as escapes, equally invisible once published.
_ESCAPED = re.compile(r"\\(?:u|U0000)(061[cC]|200[b-fB-F]|202[a-eA-E]|2060|206[6-9]|[fF][eE][fF][fF])")
_ZWJ = "\u200d"
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
#: More than this many in one file are summarised: a pasted text can hold hundreds.
MAX_PER_FILE = 10
_HINT = ("delete the character (editors do not show it; retype the text around it if unsure); it can make the "
         "published text read differently from the approved source")


def free_text_warnings(loaded) -> list[dg.Diagnostic]:
    """SB315 for a loaded file (load.LoadedFile, before its text is dropped).  YAML escapes count
    in the YAML part only: a whole YAML file, or front matter from line 2 to the line before the
    closing '---'."""
    text = loaded.text
    if not text:
        return []
    if loaded.source.kind != "document":
        yaml_text, yaml_lines = text, range(1, text.count("\n") + 2)
    elif loaded.body_line > 1:
        yaml_text, yaml_lines = "\n".join(text.split("\n")[1:loaded.body_line - 2]) + "\n", range(2, loaded.body_line - 1)
    else:  # no front matter: SB114 already
        yaml_text, yaml_lines = "", range(0)
    skip = _identifier_line(yaml_text, loaded.data, loaded.line_offset)
    return invisible_characters(loaded.path, text, yaml_lines, skip)


def invisible_characters(path: str, text: str, yaml_lines: range, skip_line: int = 0) -> list[dg.Diagnostic]:
    """One warning per invisible character of `text`; escapes count on `yaml_lines` only
    (in a Markdown body `\\u202e` is just text).  `skip_line` holds an identifier that SB301 reports."""
    found = []
    for match in _RAW.finditer(text):
        if not _emoji_joiner(text, match.start()):
            found.append((*text_position(text, match.start()), match.group(), ""))
    for match in _ESCAPED.finditer(text):
        line, col = text_position(text, match.start())
        if line in yaml_lines:
            found.append((line, col, chr(int(match.group(1), 16)), f" (written as the escape {match.group()})"))
    found = sorted(f for f in found if f[0] != skip_line)
    problems = [dg.warning("SB315", path, f"{_kind(char)} U+{ord(char):04X} {unicodedata.name(char, '')} in the "
                           f"text{how}", line=line, col=col, hint=_HINT) for line, col, char, how in found[:MAX_PER_FILE]]
    if len(found) > MAX_PER_FILE:
        line, col = found[MAX_PER_FILE][:2]
        problems.append(dg.warning("SB315", path, f"{len(found) - MAX_PER_FILE} more invisible characters in this file "
                                   "not shown", line=line, col=col, hint=_HINT))
    return problems


def _identifier_line(yaml_text: str, data, line_offset: int) -> int:
    """The file line of an `id` that itself holds such a character (0 if none), to leave it to SB301."""
    identifier = data.get("id") if isinstance(data, dict) else None
    if not isinstance(identifier, str) or not _RAW.search(identifier):
        return 0
    return locate(yaml_text, ("id",))[0] + line_offset


def _kind(char: str) -> str:
    return "zero-width character" if char in _ZERO_WIDTH else "bidirectional control character"


def _emoji_joiner(text: str, index: int) -> bool:
    """A zero-width joiner between emoji (man, ZWJ, woman, ZWJ, girl: the family emoji) is how those emoji are written."""
    if text[index] != _ZWJ or index == 0 or index + 1 >= len(text):
        return False
    before, after = text[index - 1], text[index + 1]
    return (unicodedata.category(before) == "So" or before == "\ufe0f" or "\U0001f3fb" <= before <= "\U0001f3ff") \
        and unicodedata.category(after) == "So"
