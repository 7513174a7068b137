"""Change control: SB410-SB414, cross-checking the files against their git history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from site_builder import diagnostics as dg
from site_builder.history.gitlog import Commit, GitLog
from site_builder.history.timeline import Timeline
from site_builder.model.versions import bump

WHERE = "."  # repository-wide findings


def repository_rules(log: GitLog) -> list[dg.Diagnostic]:
    """SB413: no usable history, or a shallow clone."""
    if log.problem:
        return [dg.warning("SB413", WHERE, f"git history unavailable ({log.problem}): change control (SB410-SB412, SB414) "
                           "is not checked", line=1, col=1,
                           hint="keep the manual in a git repository with its full history; the auditor build needs it")]
    if log.shallow:
        return [dg.warning("SB413", WHERE, "shallow clone: the git history is incomplete, so versions cannot all be "
                           "verified and the auditor build refuses to run", line=1, col=1,
                           hint="fetch the full history with `git fetch --unshallow`")]
    return []


#: what the sign-offs of a version are: fixed once the version is released (status and distribution
#: are not: they record what happens to the version; `effective` may still be added after an approval)
SIGN_OFFS = ("prepared_by", "reviewed_by", "approved_by", "effective")


def timeline_rules(timeline: Timeline) -> list[dg.Diagnostic]:
    """SB410-SB412 and SB415 for one item of the working tree."""
    return [*_changed_since_release(timeline), *_in_force_changed(timeline), *_missing_entries(timeline),
            *_late_entries(timeline), *_signoffs_rewritten(timeline)]


def _in_force_changed(timeline: Timeline):
    """SB410 while a newer version is prepared: a commit after the release of the version in force
    changed that version's content (the site keeps showing it as released: in_force.py)."""
    item = timeline.item
    if item.status not in ("draft", "in_review", "approved"):
        return
    older = [v for v in timeline.versions if v.released is not None and v.version != item.version]
    if not older:
        return
    version = older[-1]
    edited = changed_after_release(timeline, version.version)
    if edited is None:
        return
    release = version.released
    yield dg.error("SB410", item.path, f"commit {edited.commit.short} of {edited.commit.day} changed the content of "
                   f"{item.id} {version.version}, which commit {release.short} of {release.day} released and which is "
                   f"still in force while {item.version} is prepared", json_path=("version",),
                   hint=f"make the change in {item.version} (the site shows {version.version} as released until "
                   f"{item.version} takes effect); a released version's text is never changed")


def changed_after_release(timeline: Timeline, label: str):
    """The first commit after the release of version `label` whose text of that version differs from
    the released text (body or controlled fields), or None."""
    states = [s for s in timeline.states if s.version == label and s.parsed is not None]
    version = timeline.version(label)
    released = next((s for s in states if version is not None and s.commit is version.released), None)
    if released is None:
        return None
    later = states[states.index(released) + 1:]
    return next((s for s in later if s.parsed.fingerprint != released.parsed.fingerprint), None)


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


def _signoffs_rewritten(timeline: Timeline):
    """SB415: who prepared, reviewed and approved a released version, its effective date and its
    revision entry are the record of its approval; a later commit may add what was not there yet
    (the effective date after an approval) but never change what the releasing commit held."""
    item = timeline.item
    current = item.parsed.data if item.parsed is not None else None
    if current is None:
        return
    version = timeline.version(item.version)
    released = _released_data(timeline, version)
    if released is not None:
        for key in SIGN_OFFS:
            if key in released and current.get(key) != released[key]:
                yield _rewritten(item, version, (key,), f"{key} of {item.version}")
    entries = current.get("revisions")
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        label = entry.get("version") if isinstance(entry, dict) else None
        released_version = timeline.version(label) if isinstance(label, str) else None
        release = _released_data(timeline, released_version)
        at_release = _entry_of(release, label)
        if at_release is not None and entry != at_release and not _effective_date_added(entry, at_release, release,
                                                                                        released_version):
            yield _rewritten(item, timeline.version(label), ("revisions", index), f"the revision entry of {label}")


def _effective_date_added(entry: dict, at_release: dict, release: dict, version) -> bool:
    """The entry as released plus the version's own effective date (what `revise` writes into the entry
    of the version it supersedes): adding what was already recorded is not a rewrite."""
    recorded = {str(day) for day in (release.get("effective"), version.effective_from if version is not None else None) if day}
    return ("effective" in entry and "effective" not in at_release and str(entry["effective"]) in recorded
            and {k: v for k, v in entry.items() if k != "effective"} == at_release)


def _released_data(timeline: Timeline, version) -> dict | None:
    """The front matter of the commit that released `version`, when git holds it readable."""
    if version is None or version.released is None:
        return None
    state = next((s for s in timeline.states if s.commit is version.released and s.parsed), None)
    return state.parsed.data if state is not None else None


def _entry_of(data: dict | None, label: str | None) -> dict | None:
    entries = data.get("revisions") if data else None
    return next((e for e in entries if isinstance(e, dict) and e.get("version") == label), None) \
        if isinstance(entries, list) else None


def _rewritten(item, version, json_path: tuple, what: str) -> dg.Diagnostic:
    commit = version.released
    return dg.error("SB415", item.path, f"{what} differs from commit {commit.short} of {commit.day} that released "
                    f"{version.version}: a released version's sign-offs are a record and cannot be rewritten",
                    json_path=json_path, hint=f"restore it as committed (`git show {commit.short}:{item.path}`); a "
                    "change of the content or of who approves it needs a new version (`revise`)")


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


@dataclass(frozen=True, slots=True)
class Backdated:
    index: int  # of the entry in `revisions`
    version: str
    date: date
    commit: Commit  # where the version (or, for a version never committed, the file) first appeared
    days: int
    file_first: bool  # the commit is the file's first appearance, not the version's


def backdated_entries(timeline: Timeline, repo_start: date | None, max_days: int) -> list[Backdated]:
    """Revision entries dated more than `max_days` before their version first appeared in git.

    An entry older than the repository is history brought over from paper (declared), never
    backdating.  A version that was never committed is measured against the file's first commit.
    """
    states = [s for s in timeline.states if not s.removed]
    if repo_start is None or not states:
        return []
    found = []
    for index, entry in enumerate(timeline.item.entries):
        version = timeline.version(entry.version)
        commit = version.first_seen if version else None
        reference = commit or states[0].commit
        if entry.date is None or entry.date < repo_start or (reference.day - entry.date).days <= max_days:
            continue
        found.append(Backdated(index, entry.version, entry.date, reference, (reference.day - entry.date).days,
                               commit is None))
    return found


def backdating_rules(timeline: Timeline, repo_start: date | None, max_days: int) -> list[dg.Diagnostic]:
    """SB414: an approval recorded long before git saw the version is likely entered later with an earlier date."""
    item = timeline.item
    found = []
    for late in backdated_entries(timeline, repo_start, max_days):
        what = f"{item.id} first appeared" if late.file_first else f"version {late.version} first appeared"
        found.append(dg.warning(
            "SB414", item.path, f"revision {late.version} is dated {late.date}, {late.days} days before {what} in git "
            f"(commit {late.commit.short} of {late.commit.day}): possibly backdated",
            json_path=("revisions", late.index, "date"),
            hint="if it was approved on that date (e.g. on paper), keep the signed record as evidence; otherwise "
            f"correct the date. Allowed gap: change_control.backdating_days in qms.yaml ({max_days} days)"))
    return found
