"""Readable differences between two versions, character by character for Chinese text.

Lines are matched first; inside a changed run of lines the characters are compared with
`difflib.SequenceMatcher(autojunk=False)` (autojunk would treat frequent characters such as
的 or ， as noise and give poor results on Chinese).  The result is escaped HTML with <del> and
<ins>, with no blank line (a blank line would end the raw-HTML block in Markdown).
"""

from __future__ import annotations

from difflib import SequenceMatcher
from html import escape

#: Above this product of lengths a changed run is shown as removed + added instead of
#: character by character (SequenceMatcher is quadratic in the worst case).
MAX_CHARACTER_WORK = 4_000_000
CONTEXT_LINES = 2


def diff_html(old: str, new: str, css_class: str = "qms-diff") -> str:
    """`old` -> `new` as one HTML block: unchanged lines (long runs folded), <del> and <ins>."""
    old_lines, new_lines = old.split("\n"), new.split("\n")
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    parts: list[str] = []
    opcodes = matcher.get_opcodes()
    if all(tag == "equal" for tag, *_ in opcodes):
        return f'<div class="{html_text(css_class)}"><p>（无差异）</p></div>'
    for index, (tag, a1, a2, b1, b2) in enumerate(opcodes):
        if tag == "equal":
            parts.append(_equal(old_lines[a1:a2], first=index == 0, last=index == len(opcodes) - 1))
        else:
            parts.append(_changed(old_lines[a1:a2], new_lines[b1:b2]))
    return f'<div class="{html_text(css_class)}">{"".join(parts)}</div>'


def char_segments(old: str, new: str) -> list[tuple[str, str]]:
    """(kind, text) pieces with kind "=", "-" or "+", character-level."""
    if len(old) * len(new) > MAX_CHARACTER_WORK:
        return [(k, t) for k, t in (("-", old), ("+", new)) if t]
    segments: list[tuple[str, str]] = []
    for tag, a1, a2, b1, b2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            segments.append(("=", old[a1:a2]))
            continue
        if a2 > a1:
            segments.append(("-", old[a1:a2]))
        if b2 > b1:
            segments.append(("+", new[b1:b2]))
    return segments


def changed_count(old: str, new: str) -> int:
    """How many lines differ (0 when the texts are the same)."""
    matcher = SequenceMatcher(None, old.split("\n"), new.split("\n"), autojunk=False)
    return sum(max(a2 - a1, b2 - b1) for tag, a1, a2, b1, b2 in matcher.get_opcodes() if tag != "equal")


def _equal(lines: list[str], first: bool, last: bool) -> str:
    keep_head = 0 if first else CONTEXT_LINES
    keep_tail = 0 if last else CONTEXT_LINES
    if len(lines) <= keep_head + keep_tail + 1:
        return "".join(_line(line) for line in lines)
    folded = len(lines) - keep_head - keep_tail
    head = "".join(_line(line) for line in lines[:keep_head])
    tail = "".join(_line(line) for line in lines[len(lines) - keep_tail:])
    return f'{head}<div class="qms-diff-fold">…（{folded} 行未改动）…</div>{tail}'


def _changed(old_lines: list[str], new_lines: list[str]) -> str:
    if len(old_lines) == len(new_lines):
        return "".join(_mixed(a, b) for a, b in zip(old_lines, new_lines))
    return _mixed("\n".join(old_lines), "\n".join(new_lines))


def _mixed(old: str, new: str) -> str:
    html = []
    for kind, text in char_segments(old, new):
        escaped = html_text(text).replace("\n", "<br>")
        html.append(escaped if kind == "=" else f"<{'del' if kind == '-' else 'ins'}>{escaped}</{'del' if kind == '-' else 'ins'}>")
    return f'<div class="qms-diff-line qms-diff-changed">{"".join(html) or "&nbsp;"}</div>'


def html_text(value: str) -> str:
    return escape(value, quote=True)


def _line(text: str) -> str:
    return f'<div class="qms-diff-line">{html_text(text) or "&nbsp;"}</div>'
