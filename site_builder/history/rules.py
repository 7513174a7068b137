"""Change control: SB410-SB413, cross-checking the files against their git history."""

from __future__ import annotations

from site_builder import diagnostics as dg
from site_builder.history.gitlog import GitLog
from site_builder.history.timeline import Timeline
from site_builder.versions import bump

WHERE = "."  # repository-wide findings


def repository_rules(log: GitLog) -> list[dg.Diagnostic]:
    """SB413: no usable history, or a shallow clone."""
    if log.problem:
        return [dg.warning("SB413", WHERE, f"git history unavailable ({log.problem}): change control (SB410-SB412) "
                           "is not checked", line=1, col=1,
                           hint="keep the manual in a git repository with its full history; the auditor build needs it")]
    if log.shallow:
        return [dg.warning("SB413", WHERE, "shallow clone: the git history is incomplete, so versions cannot all be "
                           "verified and the auditor build refuses to run", line=1, col=1,
                           hint="fetch the full history with `git fetch --unshallow`")]
    return []


def timeline_rules(timeline: Timeline) -> list[dg.Diagnostic]:
    """SB410-SB412 for one item of the working tree."""
    return [*_changed_since_release(timeline), *_missing_entries(timeline), *_late_entries(timeline)]


def _changed_since_release(timeline: Timeline):
    item = timeline.item
    version = timeline.version(item.version)
    if item.status != "effective" or version is None or version.released is None or item.parsed is None:
        return
    released = next((s for s in timeline.states if s.commit is version.released and s.parsed), None)
    if released is None or released.parsed.fingerprint == item.parsed.fingerprint:
        return
    commit = version.released
    step = (f"open a new version for the change with `python -m site_builder revise {item.id} --change \"...\"`"
            if item.kind == "document" else "record the change as a new version with its revision entry")
    yield dg.error("SB410", item.path, f"{item.id} is effective at version {item.version}, but its content (body or "
                   f"controlled fields) differs from commit {commit.short} of {commit.day} that released "
                   f"{item.version}", json_path=("version",),
                   hint=f"{step} ({item.version} -> {_next(item.version)}), or revert the file to its content at "
                   f"{commit.short} (`git show {commit.short}:{released.path}`)")


def _missing_entries(timeline: Timeline):
    item = timeline.item
    for version in timeline.versions:
        if version.basis == "missing-entry" and version.released is not None:
            commit = version.released
            yield dg.error("SB411", item.path, f"version {version.version} of {item.id} was released in commit "
                           f"{commit.short} ({commit.day}) but has no revision entry", json_path=("revisions",),
                           hint=f"add the revision entry for {version.version} (date, sections, change, approved_by); "
                           "revision entries are never removed")


def _late_entries(timeline: Timeline):
    item = timeline.item
    for index, entry in enumerate(item.entries):
        version = timeline.version(entry.version)
        commit = version.released if version else None
        if commit is None or entry.date is None or entry.date <= commit.day:
            continue
        yield dg.error("SB412", item.path, f"revision {entry.version} is dated {entry.date}, after commit "
                       f"{commit.short} that introduced it on {commit.day}", json_path=("revisions", index, "date"),
                       hint="a revision entry cannot postdate the commit that released its version; correct the "
                       "date (or the commit date if the clock was wrong)")


def _next(version: str) -> str:
    try:
        return bump(version)
    except ValueError:
        return "the next version"
