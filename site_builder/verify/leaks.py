"""The leak scanner: does any of these values occur anywhere in a built site?

Independent of how the site was rendered.  It walks every file and every file or folder
name under the site folder and looks at each through the same decoding a reader (or a
search engine, or a browser) would apply:

* ``*.gz`` is decompressed (``sitemap.xml.gz``), ``.zip``/``.xlsx``/``.docx``/``.ods`` members
  are read (CSV and XLSX downloads), nested up to a few levels;
* ``*.json`` (and source maps) is JSON-decoded and every string (keys too) is examined, so
  ``\\u5f20`` escapes in ``search/search_index.json`` are seen as text; other text gets
  ``\\uXXXX`` / ``\\xXX`` escapes decoded as well;
* HTML entities are unescaped (``&#24352;``, ``&amp;#24352;``), percent-encoding is decoded
  (URLs, ``location`` fields, file names), repeatedly until nothing changes;
* everything is NFKC-normalised (fullwidth letters and digits become ASCII), case-folded,
  zero-width characters (U+200B, which Material's Chinese search segmentation inserts) and
  soft hyphens are removed, and runs of white space become one space.

Values are then compared as substrings.  Phone-like values (7 or more digits; a +86 / 0086
country code and a leading trunk 0 are dropped) are compared digit by digit against digit
runs of the text, where a run is a sequence of digits separated by at most three of
`` -.()/+`` and white space: ``139-1234-5678``, ``+86 139 1234 5678``, ``(0139) 1234 5678`` and
fullwidth ``１３９１２３４５６７８`` all match ``13912345678``.  Markup between digits
(``<td>139</td><td>1234…``) ends a run; masked numbers (``139****5678``) never match.

All values are compiled into one trie-shaped regular expression (an Aho-Corasick-like
combined matcher), so the cost grows with the size of the site, not with the number of values.
"""

from __future__ import annotations

import codecs
import gzip
import html
import io
import json
import os
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from site_builder.derive.privacy.mask import phone_digits

MIN_PHONE_DIGITS = 7
CONTEXT = 40
KEY_LENGTH = 48  # longer values are matched by their first KEY_LENGTH characters, then verified
MAX_DECODED_BYTES = 256 * 1024 * 1024  # of a decompressed file; more is not expanded (and is reported in `skipped`)
MAX_NESTING = 3
TEXT_SUFFIXES = (".html", ".htm", ".xml", ".txt", ".css", ".js", ".mjs", ".svg", ".csv", ".tsv", ".md",
                 ".yaml", ".yml", ".webmanifest", ".json", ".map", ".rss", ".atom", ".ics", ".vcf")
JSON_SUFFIXES = (".json", ".map", ".webmanifest")
ZIP_SUFFIXES = (".zip", ".xlsx", ".xlsm", ".docx", ".pptx", ".ods", ".odt", ".odp", ".epub")
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]+")
_JS_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\u\{([0-9a-fA-F]{1,6})\}|\\x([0-9a-fA-F]{2})")
_LONG_DIGIT_RUN = re.compile(r"\d(?:[\s\-\u2010-\u2015.()/+]{0,3}\d){" + str(MIN_PHONE_DIGITS - 1) + ",}")
_NOT_DIGIT = re.compile(r"\D+")
_PHONE_LIKE = re.compile(r"[+(]?\d[\d\s\-\u2010-\u2015.()/+、,，;；]*")
_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}")
_PHONE_LISTS = re.compile(r"[、,，;；/]|\s{2,}")
_PHONE_IN_TEXT = re.compile(
    r"(?<!\d)(?:(?:\+|00)86[\s-]?)?1[3-9]\d(?:[\s\-.]?\d){8}(?!\d)"  # mobile, +86 optional
    r"|(?<!\d)\(?0\d{2,3}\)?[\s\-.]?\d{3,4}[\s\-.]?\d{4}(?!\d)"  # landline with area code
    r"|(?<!\d)\d{3,4}[\s\-.]\d{4}(?!\d)")  # local number 8026-3082


@dataclass(frozen=True)
class Hit:
    """One value found in one file (content) or in a file or folder name (`in_name`)."""

    file: str  # path relative to the site folder; members of archives as "a.xlsx!xl/sharedStrings.xml"
    value: str  # the value as given to the scanner
    before: str  # context: normalised text before the match
    found: str  # the matching text (normalised)
    after: str
    in_name: bool = False

    @property
    def context(self) -> str:
        return f"{self.before}{self.found}{self.after}"

    def describe(self, shown_value: str | None = None) -> str:
        shown = self.value if shown_value is None else shown_value
        where = "file name" if self.in_name else "content"
        found = self.found if shown_value is None else f"«{shown_value}»"
        return f"{self.file}: {shown!r} in {where}: …{self.before}{found}{self.after}…"


def normalise(text: str) -> str:
    """NFKC, case-folded, invisible characters removed, white space collapsed."""
    return _unfolded(text).casefold()


def _unfolded(text: str) -> str:
    # split/join collapses white space like \s+ (same characters) several times faster on large pages
    return " ".join(_INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).split())


def decode_layers(text: str, markup: bool = True) -> list[str]:
    """The text as written and after each round of escape decoding (JS escapes, HTML entities,
    percent-encoding), until a round changes nothing."""
    layers = [text]
    if not markup:
        return layers
    current = text
    for _ in range(4):
        following = current
        if "\\u" in following or "\\x" in following:
            following = _JS_ESCAPE.sub(_js_char, following)
        if "&" in following:
            following = html.unescape(following)
        if "%" in following:
            following = unquote(following, errors="replace")
        if following == current:
            break
        layers.append(following)
        current = following
    return layers


def _js_char(match: re.Match) -> str:
    code = int(next(g for g in match.groups() if g is not None), 16)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return match.group(0)
    return chr(code)


class LeakScanner:
    """Compiled matcher for a set of values.  `scan_site`, `scan_file` and `scan_text` return hits;
    files that could not be checked completely are listed in `skipped` as "file: reason"
    (a caller that needs a guarantee treats them as failures)."""

    def __init__(self, values: Iterable[str]) -> None:
        self.values = sorted({v for v in values if isinstance(v, str) and v.strip()})
        self.skipped: list[str] = []
        self._text_needles: dict[str, list[tuple[str, str]]] = {}  # key -> [(needle, value)]
        self._digit_needles: dict[str, list[str]] = {}  # digits -> [value]
        for value in self.values:
            digit_needles = phone_needles(value)
            for digits in digit_needles:
                self._digit_needles.setdefault(digits, []).append(value)
            needle = normalise(value).strip()
            if needle and not (digit_needles and _PHONE_LIKE.fullmatch(needle)):
                # (a phone-like value is found by its digits in every format; no text needle needed)
                self._text_needles.setdefault(needle[:KEY_LENGTH], []).append((needle, value))
        self._text_trie = _Trie(self._text_needles)
        self._digit_trie = _Trie(self._digit_needles)
        # a site repeats the same digit runs (dates, record numbers) hundreds of thousands of times
        self._values_in_run: dict[str, list[str]] = {}

    # -- sites and files -------------------------------------------------------------------

    def scan_site(self, site_dir: Path | str, skip_content: frozenset[str] = frozenset(), names: bool = True) -> list[Hit]:
        """Hits in every file and (with `names`) every file or folder name; the content of files in
        `skip_content` (relative paths) is left out (scanned elsewhere)."""
        site_dir = Path(site_dir)
        hits: list[Hit] = []
        for directory, dirnames, filenames in os.walk(site_dir, onerror=lambda e: self.skipped.append(
                f"{Path(e.filename).relative_to(site_dir).as_posix() if e.filename else '.'}: cannot be listed ({e.strerror})")):
            dirnames.sort()
            files = set(filenames)
            for name in sorted(dirnames + filenames):
                path = Path(directory) / name
                relative = path.relative_to(site_dir).as_posix()
                if names:
                    hits += self.scan_name(relative, name)
                if name in files and relative not in skip_content and not path.is_symlink():
                    hits += self.scan_file(path, relative)
        return _unique(hits)

    def scan_name(self, relative: str, name: str) -> list[Hit]:
        hits = self.scan_text(name, relative, markup=True)
        return [Hit(h.file, h.value, h.before, h.found, h.after, in_name=True) for h in hits]

    def scan_file(self, path: Path, relative: str) -> list[Hit]:
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.skipped.append(f"{relative}: cannot be read ({exc.strerror})")
            return []
        return self.scan_bytes(data, relative)

    def scan_bytes(self, data: bytes, label: str, depth: int = 0, name: str | None = None) -> list[Hit]:
        """Hits in `data`, reported under `label`; `name` (default: the label) decides how it is
        decoded, e.g. the content of ``sitemap.xml.gz`` is read as ``sitemap.xml``."""
        lower = (name or label).lower().rsplit("!", 1)[-1]
        if depth >= MAX_NESTING and (data[:2] == b"\x1f\x8b" or data[:4] == b"PK\x03\x04"):
            self.skipped.append(f"{label}: compressed more than {MAX_NESTING} levels deep; the inner content was not checked")
        if depth < MAX_NESTING and (lower.endswith(".gz") or data[:2] == b"\x1f\x8b"):
            inner = _gunzip(data)
            if inner is not None:
                if len(inner) >= MAX_DECODED_BYTES:
                    self.skipped.append(f"{label}: decompressed content larger than {MAX_DECODED_BYTES} bytes; only the start was checked")
                return self.scan_bytes(inner, label, depth + 1, lower[:-3] if lower.endswith(".gz") else lower)
        if depth < MAX_NESTING and (lower.endswith(ZIP_SUFFIXES) or data[:4] == b"PK\x03\x04"):
            members = _unzip(data)
            if members is not None:
                if sum(len(content) for _, content in members) >= MAX_DECODED_BYTES:
                    self.skipped.append(f"{label}: decompressed content larger than {MAX_DECODED_BYTES} bytes; only the start was checked")
                hits = []
                for member, content in members:
                    hits += [Hit(h.file, h.value, h.before, h.found, h.after, True)
                             for h in self.scan_text(member, f"{label}!{member}")]
                    hits += self.scan_bytes(content, f"{label}!{member}", depth + 1)
                return hits
        text = _decode(data)
        if lower.endswith(JSON_SUFFIXES):
            strings = _json_strings(text)
            if strings is not None:
                return self.scan_text("\n".join(strings), label)
        is_text = lower.endswith(TEXT_SUFFIXES) or "\ufffd" not in text[:4096]
        return self.scan_text(text, label, markup=is_text)

    # -- text ------------------------------------------------------------------------------

    def scan_text(self, text: str, label: str, markup: bool = True) -> list[Hit]:
        if not self.values or not text:
            return []
        hits: list[Hit] = []
        seen: set[str] = set()
        for layer in decode_layers(text, markup):
            unfolded = _unfolded(layer)
            normal = unfolded.casefold()
            shown = unfolded if len(unfolded) == len(normal) else normal  # context in the original case
            for hit in self._text_hits(normal, label, shown):
                if hit.value not in seen:
                    seen.add(hit.value)
                    hits.append(hit)
            if self._digit_needles:
                for hit in self._digit_hits(normal, label, shown):
                    if hit.value not in seen:
                        seen.add(hit.value)
                        hits.append(hit)
        return hits

    def _text_hits(self, text: str, label: str, shown: str) -> Iterator[Hit]:
        for start, keys in self._text_trie.find(text):
            for key in keys:
                for needle, value in self._text_needles[key]:
                    if text.startswith(needle, start):
                        yield _hit(label, value, shown, start, start + len(needle))

    def _digit_hits(self, text: str, label: str, shown: str) -> Iterator[Hit]:
        memo = self._values_in_run
        runs = set(_LONG_DIGIT_RUN.findall(text))  # positions are looked up only when a run holds a value (rare)
        for run in runs:
            if run not in memo:  # (not `runs - memo.keys()`: that walks the whole memo on every page)
                memo[run] = self._values_in_digits(run)
        if not any(memo[run] for run in runs):
            return
        for match in _LONG_DIGIT_RUN.finditer(text):
            for value in memo[match.group(0)]:
                yield _hit(label, value, shown, match.start(), match.end())

    def _values_in_digits(self, run: str) -> list[str]:
        digits = _NOT_DIGIT.sub("", run)
        digits = "".join(str(unicodedata.decimal(c)) for c in digits) if not digits.isascii() else digits
        return [value for _, keys in self._digit_trie.find(digits) for key in keys for value in self._digit_needles[key]]


def scan_site(site_dir: Path | str, values: Iterable[str]) -> list[Hit]:
    """Every value (of `values`) found in the site, at most one hit per file and value."""
    return LeakScanner(values).scan_site(site_dir)


def phone_needles(value: str) -> set[str]:
    """Digit strings to look for in digit runs of the site.

    A phone-like value (only digits, spaces and ``+-.()/``, with 7 or more digits; lists split
    at ``、,;/``) gives its digits; any other value gives the digits of the mobile and landline
    numbers written inside it (so a narrative's phone number is found in any format, but its
    dates and amounts are not treated as phone numbers).  A +86 / 0086 country code and a
    leading trunk 0 are dropped, so ``0571-80263082`` also matches ``+86 571 8026 3082``.
    """
    normal = unicodedata.normalize("NFKC", value).strip()
    if _PHONE_LIKE.fullmatch(normal):
        candidates = _PHONE_LISTS.split(normal)
    else:
        candidates = [m.group(0) for m in _PHONE_IN_TEXT.finditer(normal)]
    result = set()
    for candidate in candidates:
        if _DATE.fullmatch(candidate.strip()):
            continue  # 2025-01-14 is a date, not a phone number
        digits = phone_digits(candidate)
        if digits.startswith("0") and not digits.startswith("00") and len(digits) > MIN_PHONE_DIGITS:
            digits = digits[1:]
        if len(digits) >= MIN_PHONE_DIGITS:
            result.add(digits)
    return result


class _Trie:
    """One regular expression shaped like a trie of the keys; `find` yields every position at which
    one or more keys start (overlapping and nested occurrences included)."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.root: dict = {}
        for key in keys:
            node = self.root
            for char in key:
                node = node.setdefault(char, {})
            node[""] = True
        self.pattern = re.compile(_trie_pattern(self.root, root=True)) if self.root else None

    def find(self, text: str) -> Iterator[tuple[int, list[str]]]:
        if self.pattern is None:
            return
        search, position = self.pattern.search, 0
        while True:
            match = search(text, position)
            if match is None:
                return
            start = match.start()
            yield start, self._keys_along(match.group(0))
            position = start + 1

    def _keys_along(self, matched: str) -> list[str]:
        """The keys that are prefixes of `matched` (the regex prefers the longest one)."""
        keys, node = [], self.root
        for index, char in enumerate(matched):
            node = node.get(char)
            if node is None:
                break
            if "" in node:
                keys.append(matched[: index + 1])
        return keys


def _trie_pattern(node: dict, root: bool = False) -> str:
    """The regular expression of a trie node.

    Many alternatives are grouped under character-class tests (a tree of fan-out 16), so that
    the regex engine tries a few groups and then a few alternatives at each position instead
    of every alternative.  The root consumes its first character with one class (``[abc…]``,
    which lets the engine skip positions that cannot start a match) and then dispatches with
    look-behinds; inner nodes dispatch with look-aheads.
    """
    branches = []  # (first character, pattern of the rest, pattern including the first character)
    for char in sorted(c for c in node if c):
        child = node[char]
        chain = [char]
        while len(child) == 1 and "" not in child:  # a chain of single children: no group needed
            (next_char, child), = child.items()
            chain.append(next_char)
        rest = re.escape("".join(chain[1:])) + _trie_pattern(child)
        branches.append((char, rest, re.escape(char) + rest))
    if not branches:
        return ""
    if root:
        first = "".join(_class_char(c) for c, _, _ in branches)
        return f"[{first}](?:{_dispatch([(c, f'(?<={re.escape(c)}){rest}') for c, rest, _ in branches], '?<=')})"
    body = _dispatch([(c, whole) for c, _, whole in branches], "?=")
    if "" in node:
        return f"(?:{body})?"
    return body if len(branches) == 1 else f"(?:{body})"


def _dispatch(alternatives: list[tuple[str, str]], look: str) -> str:
    if len(alternatives) <= _FANOUT:
        return "|".join(pattern for _, pattern in alternatives)
    size = -(-len(alternatives) // _FANOUT)
    groups = [alternatives[i:i + size] for i in range(0, len(alternatives), size)]
    return "|".join(f"({look}[{''.join(_class_char(c) for c, _ in group)}])(?:{_dispatch(group, look)})"
                    for group in groups)


def _class_char(char: str) -> str:
    return "\\" + char if char in "\\]^-[" else char


_FANOUT = 16


def _hit(label: str, value: str, text: str, start: int, end: int) -> Hit:
    before = text[max(0, start - CONTEXT):start].replace("\n", " ")
    after = text[end:end + CONTEXT].replace("\n", " ")
    return Hit(label, value, before, text[start:end], after)


def _unique(hits: list[Hit]) -> list[Hit]:
    seen, result = set(), []
    for hit in hits:
        key = (hit.file, hit.value, hit.in_name)
        if key not in seen:
            seen.add(key)
            result.append(hit)
    return result


def _decode(data: bytes) -> str:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    return data.decode("utf-8", errors="replace")


def _gunzip(data: bytes) -> bytes | None:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            inner = stream.read(MAX_DECODED_BYTES + 1)
    except (OSError, EOFError, zlib.error):
        return None
    return inner[:MAX_DECODED_BYTES]


def _unzip(data: bytes) -> list[tuple[str, bytes]] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members, total = [], 0
            for info in archive.infolist():
                if info.is_dir():
                    members.append((info.filename, b""))
                    continue
                with archive.open(info) as stream:
                    content = stream.read(MAX_DECODED_BYTES - total + 1)
                total += len(content)
                members.append((info.filename, content[:MAX_DECODED_BYTES]))
                if total > MAX_DECODED_BYTES:
                    break
            return members
    except (OSError, EOFError, zipfile.BadZipFile, RuntimeError, NotImplementedError):
        return None


def _json_strings(text: str) -> list[str] | None:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    strings: list[str] = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            strings.append(item)
        elif isinstance(item, dict):
            for key, value in item.items():
                strings.append(key)
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(reversed(item))
        elif item is not None and not isinstance(item, bool):
            strings.append(str(item))
    return strings
