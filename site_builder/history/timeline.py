"""The versions of one document or form: when each was in force, which commit released it,
and whether git backs its revision entry.

* A version is **released** by the first mainline commit in which the file carries it with
  status approved, effective or obsolete.
* Its revision entry is **verified** when such a commit exists; **declared** when the entry is
  dated before the repository's first content commit (history brought over from paper) or no
  commit backs it; **pending** for the current version until a commit releases it.
* `effective_from` comes from the working tree for the current version, else from the
  `effective` field of the last commit in which the version was in force, else from the
  entry's `effective`, else (declared entries only) from the entry date.  A version stays in
  force until the next version takes effect, the document is made obsolete, or its file is
  removed from the repository.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from site_builder.history.fingerprint import Parsed
from site_builder.history.gitlog import Commit
from site_builder.history.states import ItemState
from site_builder.model.versions import sort_key

RELEASED = ("approved", "effective", "obsolete")
IN_FORCE = ("effective", "obsolete")


@dataclass(frozen=True, slots=True)
class Entry:
    """One revision entry as declared in the file (dates None when unreadable)."""

    version: str
    date: date | None
    sections: str = ""
    change: str = ""
    approved_by: str = ""
    effective: date | None = None


@dataclass(frozen=True, slots=True)
class ItemView:
    """What the current file (or, for a removed file, its last committed version) says."""

    id: str
    kind: str
    title: str
    path: str
    version: str
    status: str
    effective: date | None
    obsoleted: date | None
    entries: tuple[Entry, ...]
    parsed: Parsed | None
    supersedes: tuple[str, ...] = ()


@dataclass(slots=True)
class Version:
    version: str
    entry: Entry | None
    basis: str  # verified | declared | pending | missing-entry
    released: Commit | None = None
    first_seen: Commit | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    current: bool = False
    #: Where the text of this version comes from: a committed file version, or the working tree.
    source: ItemState | None = None
    working: Parsed | None = None

    @property
    def content(self) -> Parsed | None:
        """The text of this version (parsed on first use), or None when only declared."""
        if self.working is not None:
            return self.working
        return self.source.parsed if self.source else None

    @property
    def has_text(self) -> bool:
        """Whether the text of this version is in git or the working tree (known without parsing it;
        `content` may still be None if it cannot be read as YAML)."""
        return self.working is not None or (self.source is not None and self.source.file is not None)

    @property
    def raw_text(self) -> str:
        """The text as committed (or in the working tree), undecoded bytes replaced; "" without a text."""
        if self.working is not None:
            return self.working.text
        if self.source is not None and self.source.file is not None:
            return self.source.file.raw.decode("utf-8", errors="replace")
        return ""

    @property
    def verified(self) -> bool:
        return self.basis == "verified"

    @property
    def change(self) -> str:
        return self.entry.change if self.entry else ""

    def in_force_on(self, day: date) -> bool:
        return self.effective_from is not None and self.effective_from <= day and (
            self.effective_to is None or day < self.effective_to)


@dataclass(slots=True)
class Timeline:
    item: ItemView
    versions: list[Version]
    states: list[ItemState] = field(default_factory=list)
    removed: Commit | None = None  # the commit that removed the file (item no longer in the working tree)

    @property
    def id(self) -> str:
        return self.item.id

    def version(self, label: str) -> Version | None:
        return next((v for v in self.versions if v.version == label), None)

    def successor(self, version: Version) -> Version | None:
        later = self.versions[self.versions.index(version) + 1:]
        return next((v for v in later if v.effective_from is not None), None)


def build_timeline(item: ItemView, states: list[ItemState], repo_start: date | None, in_tree: bool) -> Timeline:
    seen = _git_versions(states)
    labels = {e.version for e in item.entries} | {v for v, s in seen.items() if s.released} | {item.version}
    entries = {e.version: e for e in item.entries}
    versions = [_version(label, entries.get(label), seen.get(label), item, repo_start, in_tree)
                for label in sorted(labels, key=sort_key)]
    removed = states[-1].commit if states and states[-1].removed and not in_tree else None
    _close_periods(versions, item, removed)
    return Timeline(item, versions, states, removed)


@dataclass(slots=True)
class _Seen:
    first: ItemState
    released: ItemState | None = None
    last: ItemState | None = None
    last_in_force: ItemState | None = None


def _git_versions(states: list[ItemState]) -> dict[str, _Seen]:
    seen: dict[str, _Seen] = {}
    for state in states:
        label = state.version
        if label is None:
            continue
        record = seen.setdefault(label, _Seen(first=state))
        record.last = state
        if state.status in RELEASED and record.released is None:
            record.released = state
        if state.status in IN_FORCE and state.file.field("effective"):
            record.last_in_force = state
    return seen


def _version(label: str, entry: Entry | None, seen: _Seen | None, item: ItemView, repo_start: date | None,
             in_tree: bool) -> Version:
    current = label == item.version
    released = seen.released if seen else None
    version = Version(label, entry, _basis(entry, released, current, repo_start), current=current,
                      released=released.commit if released else None, first_seen=seen.first.commit if seen else None)
    version.effective_from = _effective_from(version, seen, item)
    if current and in_tree:
        version.working = item.parsed
    elif seen:
        version.source = seen.released or seen.last
    return version


def _basis(entry: Entry | None, released: ItemState | None, current: bool, repo_start: date | None) -> str:
    if entry is None:
        return "missing-entry"
    if repo_start is None or entry.date is None or entry.date < repo_start:
        return "declared"
    if released is not None:
        return "verified"
    return "pending" if current else "declared"


def _effective_from(version: Version, seen: _Seen | None, item: ItemView) -> date | None:
    if version.current and (item.status in IN_FORCE or (item.status == "approved" and item.effective)):
        return item.effective  # (an approved version with a date comes into force on that date)
    if seen and seen.last_in_force:
        return parse_date(seen.last_in_force.file.field("effective"))
    if version.entry and version.entry.effective:
        return version.entry.effective
    if version.basis == "declared" and not version.current:
        return version.entry.date
    return None


def _close_periods(versions: list[Version], item: ItemView, removed: Commit | None) -> None:
    in_force = [v for v in versions if v.effective_from is not None]
    for earlier, later in zip(in_force, in_force[1:]):
        earlier.effective_to = later.effective_from
    if in_force:
        last = in_force[-1]
        if item.status == "obsolete" and item.obsoleted:
            last.effective_to = item.obsoleted
        elif removed is not None:
            last.effective_to = removed.day


def parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def entry_from(data: dict) -> Entry | None:
    """A revision entry from raw file data (a committed version), or None if it has no version."""
    if not isinstance(data, dict) or not isinstance(data.get("version"), str):
        return None
    text = {k: str(v) if isinstance(v, str) else "" for k, v in data.items()}
    return Entry(text["version"], parse_date(text.get("date")), text.get("sections", ""), text.get("change", ""),
                 text.get("approved_by", ""), parse_date(text.get("effective")))
