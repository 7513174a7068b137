"""Git-backed revision history and change control (issue 6).

Takes the repository root and the checked manual; gives a `ManualHistory`: the git log of
procedures/ and forms/ read in one pass (gitlog), and a timeline per document or form number
(timeline).  `change_control_rules(history, manual)` reports SB410-SB414 from it (rules) during
`check`; the same history object goes on to the render stage of the build (CheckResult.history),
so the auditor pages never call git again.  A `HistoryMemo` (owned by the Build) keeps the log of
a HEAD commit and the versions read, so that `serve` does not read them again after every edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from site_builder.history.fingerprint import Parsed, Parser
from site_builder.history.gitlog import GitError, GitLog, read_log, repository_state
from site_builder.history.items import committed_view, current_views, model_views
from site_builder.history.rules import backdated_entries, backdating_rules, repository_rules, timeline_rules
from site_builder.history.signatures import SignatureMemo
from site_builder.history.states import item_states
from site_builder.history.timeline import IN_FORCE, ItemView, Timeline, Version, build_timeline, parse_date
from site_builder.model.manual import Manual
from site_builder.model.versions import sort_key

__all__ = ["HistoryMemo", "ManualHistory", "Timeline", "Version", "backdated_entries", "change_control_rules",
           "compute_history", "released_text", "require_full_history"]


class HistoryMemo:
    """What one build (and a serve session's rebuilds) remembers of the history: the log and item
    states of the last HEAD read, and the file versions read (`fast=False`: nothing but the log)."""

    def __init__(self, fast: bool = True) -> None:
        self.parser = Parser(fast)
        self.logs: dict[tuple, tuple[GitLog, dict]] = {}
        self.signatures = SignatureMemo()


@dataclass
class ManualHistory:
    log: GitLog
    timelines: dict[str, Timeline] = field(default_factory=dict)
    #: (number, version) -> the signature status of its approval (signatures.py; filled in by the check)
    signatures: dict = field(default_factory=dict)

    @property
    def repo_start(self) -> date | None:
        return self.log.commits[0].day if self.log.commits else None

    def of_kind(self, kind: str) -> list[Timeline]:
        return sorted((t for t in self.timelines.values() if t.item.kind == kind), key=lambda t: t.id)


def change_control_rules(history: ManualHistory, manual: Manual) -> list:
    """Diagnostics SB410-SB414 from the git history of the content."""
    found = repository_rules(history.log)
    current = {d.id for d in manual.documents} | {f.id for f in manual.forms}
    for timeline in history.timelines.values():
        if timeline.id in current:
            found += timeline_rules(timeline)
            found += backdating_rules(timeline, history.repo_start, manual.config.backdating_days)
    return found


def compute_history(root: Path | None, manual: Manual, memo: HistoryMemo | None = None) -> ManualHistory:
    """The history of `manual` (root None: a git-less one, from the revision entries only)."""
    memo = memo or HistoryMemo()
    log, states = _log_and_states(root, memo) if root is not None else (GitLog(problem="no repository given"), {})
    views = current_views(root, manual, memo.parser) if root is not None else model_views(manual)
    history = ManualHistory(log)
    start = history.repo_start
    for view in views:
        history.timelines[view.id] = build_timeline(view, states.get(view.id, []), start, True)
    for item_id, item_history in states.items():
        if item_id not in history.timelines:
            view = _last_committed(item_history)
            if view is not None:
                history.timelines[item_id] = build_timeline(view, item_history, start, False)
    return history


def _log_and_states(root: Path, memo: HistoryMemo) -> tuple[GitLog, dict]:
    """The git log and every item's states, read once per commit: `serve` checks again after every edit,
    and a long history takes seconds to read, but what a commit holds never changes.  (Neither is
    modified by what reads them.)"""
    try:
        state = repository_state(root)
    except GitError:
        state = None  # (read_log says why)
    head, shallow = state or (None, False)
    key = (str(root.resolve()), head, shallow)
    if head is not None and key in memo.logs:
        return memo.logs[key]
    log = read_log(root, state=state)
    states = item_states(log, memo.parser)
    log.blobs = {}  # every file version keeps its own bytes; the index is no longer needed
    memo.logs.clear()
    if head is not None and log.head == head and not log.problem:
        memo.logs[key] = (log, states)
    return log, states


def released_text(root: Path, memo: HistoryMemo, item_id: str, newer_than: str, today: date) -> Parsed | None:
    """The last committed text of `item_id` holding a version older than `newer_than` that was in
    force on `today` (effective or obsolete, or approved with an effective date that has come), or
    None.  For the check of records while their form's next version is prepared."""
    _log, states = _log_and_states(root, memo)
    for state in reversed(states.get(item_id, [])):
        version, status = state.version, state.status
        if version is None or sort_key(version) >= sort_key(newer_than):
            continue
        effective = parse_date(state.file.field("effective"))
        if status in IN_FORCE or (status == "approved" and effective is not None and effective <= today):
            return state.parsed
    return None


def require_full_history(root: Path) -> str | None:
    """Why an auditor build must not run (no repository, no commits, shallow clone), or None."""
    try:
        head, shallow = repository_state(root)
    except GitError as exc:
        return f"the auditor build needs the git history, which is unavailable: {exc}"
    if head is None:
        return "the auditor build needs the git history, but the repository has no commits yet"
    if shallow:
        return ("the auditor build refuses a shallow clone: the git history is incomplete, so earlier versions "
                "and their approvals cannot be shown; run `git fetch --unshallow` (in CI: fetch-depth: 0)")
    return None


def _last_committed(item_history) -> ItemView | None:
    last = next((s for s in reversed(item_history) if s.parsed is not None), None)
    return committed_view(last.parsed, last.kind, last.path) if last else None
