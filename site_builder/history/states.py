"""From file changes to the successive states of each document or form, keyed by its number.

History follows the `id` in the file, not the path: a file moved or renamed keeps its history,
and two paths that held the same number over time form one history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from site_builder.history.fingerprint import Parsed, Parser, kind_of, quick_fields
from site_builder.history.gitlog import Commit, GitLog


class FileVersion:
    """One committed version of a file: its key fields at once, the full parse only when asked.

    Reading `id`, `version`, `status` and `effective` from their lines is ~30 times faster than
    the strict YAML parse, which only the versions shown or compared need (see fingerprint.py).
    """

    __slots__ = ("kind", "raw", "fields", "_parser", "_parsed", "_done")

    def __init__(self, kind: str, raw: bytes, parser: Parser) -> None:
        self.kind, self.raw, self._parser, self._parsed, self._done = kind, raw, parser, None, False
        quick = quick_fields(kind, raw)
        if quick is None:
            parsed = self.parsed
            quick = {k: parsed.field(k) for k in ("id", "version", "status", "effective")} if parsed else {}
        self.fields = quick

    @property
    def parsed(self) -> Parsed | None:
        if not self._done:
            self._parsed, self._done = self._parser.parse(self.kind, self.raw), True
        return self._parsed

    def field(self, key: str) -> str | None:
        return self.fields.get(key)


@dataclass(frozen=True, slots=True)
class ItemState:
    """The content of one item after one commit; `file` is None when the commit removed it."""

    commit: Commit
    path: str
    kind: str
    file: FileVersion | None

    @property
    def parsed(self) -> Parsed | None:
        return self.file.parsed if self.file else None

    @property
    def removed(self) -> bool:
        return self.file is None

    @property
    def version(self) -> str | None:
        return self.file.field("version") if self.file else None

    @property
    def status(self) -> str | None:
        return self.file.field("status") if self.file else None


def item_states(log: GitLog, parser: Parser | None = None) -> dict[str, list[ItemState]]:
    """Every state of every item, oldest first (mainline topological order).  `parser` reads the
    versions (default: a new one, which remembers what it read for this call only)."""
    walker = _Walker(log, parser or Parser())
    for change in log.changes:
        walker.apply(change)
    walker.flush()
    return dict(walker.states)


class _Walker:
    def __init__(self, log: GitLog, parser: Parser) -> None:
        self.log, self.parser = log, parser
        self.states: dict[str, list[ItemState]] = defaultdict(list)
        self.holders: dict[str, tuple[str, str]] = {}  # path -> (id, kind)
        self.paths_of: dict[str, int] = defaultdict(int)  # id -> number of paths holding it
        self.lost: dict[str, tuple[str, str]] = {}  # id -> (path, kind) released in the current commit
        self.commit = -1
        self.cache: dict[tuple[str, str], FileVersion | None] = {}

    def apply(self, change) -> None:
        if change.commit != self.commit:
            self.flush()
            self.commit = change.commit
        if change.old_path:
            self._release(change.old_path)
        if change.status == "D":
            self._release(change.path)
            return
        kind = kind_of(change.path)
        file = self._read(kind, change.blob) if kind and change.blob else None
        item_id = file.field("id") if file else None
        if item_id is None:
            return
        if change.path in self.holders and self.holders[change.path][0] != item_id:
            self._release(change.path)
        if change.path not in self.holders:
            self.paths_of[item_id] += 1
        self.holders[change.path] = (item_id, kind)
        self.lost.pop(item_id, None)
        self.states[item_id].append(ItemState(self.log.commits[change.commit], change.path, kind, file))

    def flush(self) -> None:
        for item_id, (path, kind) in self.lost.items():
            if self.paths_of[item_id] == 0:
                self.states[item_id].append(ItemState(self.log.commits[self.commit], path, kind, None))
        self.lost = {}

    def _release(self, path: str) -> None:
        held = self.holders.pop(path, None)
        if held:
            self.paths_of[held[0]] -= 1
            self.lost[held[0]] = (path, held[1])

    def _read(self, kind: str, blob: str) -> FileVersion | None:
        key = (kind, blob)
        if key not in self.cache:
            raw = self.log.blobs.get(blob)
            self.cache[key] = FileVersion(kind, raw, self.parser) if raw is not None else None
        return self.cache[key]
