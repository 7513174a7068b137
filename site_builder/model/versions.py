"""Version labels such as A0, A1, B0: parsing, ordering and bumping (never as floats)."""

from __future__ import annotations

import re

_PARTS = re.compile(r"[0-9]+|[A-Za-z]+")


def sort_key(label: str) -> tuple:
    """A1 < A2 < A10 < B0; digits compare as numbers, letters as text."""
    return tuple((1, int(p)) if p.isdigit() else (0, p) for p in _PARTS.findall(label))


def matches(label: str, pattern: str) -> bool:
    return re.fullmatch(pattern, label) is not None


def bump(label: str, major: bool = False) -> str:
    """A1 -> A2; with major, A2 -> B0.  Raises ValueError for labels it cannot bump."""
    match = re.fullmatch(r"([A-Z])([0-9]+)", label)
    if not match:
        raise ValueError(f"cannot bump version {label!r}: expected a letter followed by digits, such as A1")
    letter, digits = match.groups()
    if major:
        if letter == "Z":
            raise ValueError(f"cannot bump {label!r} to a new major version after Z")
        return f"{chr(ord(letter) + 1)}{'0' * len(digits)}"
    return f"{letter}{int(digits) + 1:0{len(digits)}d}"
