"""Git preflight of a build (bad-inputs H05-H08, H10): is the commit we build trustworthy?

* uncommitted or untracked content (H07): a warning; an error for `build --release`, because a
  release must be reproducible from its commit;
* commit dates that git accepted but cannot be true (H03/H10): in the future, or before the
  parent's: a warning naming the commit (history is ordered by topology, never by date);
* history rewritten since the published build (H08): the commit in the published site's
  api/build.json is no ancestor of HEAD: an error unless `--rebaseline "reason"` records why;
* detached HEAD (H06) is allowed and recorded in the stamp; a shallow clone (H05) is refused by
  the auditor build (history.require_full_history) and reported by `check` (SB413).

Pure apart from reading git and the published api/build.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from site_builder import diagnostics as dg
from site_builder.history.stamp import GitState, git, git_state

MAX_DATE_WARNINGS = 10
_LOG_FORMAT = "%H%x1f%P%x1f%cI%x1f%aI%x1f%s"


@dataclass
class Preflight:
    diagnostics: list[dg.Diagnostic] = field(default_factory=list)
    #: Extra keys for api/build.json: previous_commit, rebaseline, release.
    stamp: dict = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return dg.count_errors(self.diagnostics)


def git_preflight(root: Path, out: Path, today: date, *, release: bool = False, rebaseline: str | None = None,
                  state: GitState | None = None) -> Preflight:
    state = state or git_state(root)
    result = Preflight(stamp={"release": release})
    if state.commit is None:
        if release:
            result.diagnostics.append(dg.error(
                "SB600", ".", "a release build needs a git repository with at least one commit, so the site can be "
                "traced to a commit", hint="run the build in a clone of the manual's repository"))
        return result
    result.diagnostics += _uncommitted(state, release)
    result.diagnostics += _implausible_dates(root, today)
    result.diagnostics += _rewritten(root, out, state, rebaseline, result.stamp)
    return result


def _uncommitted(state: GitState, release: bool) -> list[dg.Diagnostic]:
    make = dg.error if release else dg.warning
    hint = ("commit it (git add, git commit) or undo it; a --release build refuses uncommitted content" if not release
            else "commit it (git add, git commit) or undo it, then build again")
    found = [make("SB600", path, "uncommitted change: the site would not match any commit", line=1, col=1, hint=hint)
             for path in state.changed]
    found += [make("SB600", path, "untracked file: it would be built but is in no commit", line=1, col=1, hint=hint)
              for path in state.untracked]
    return found


def _implausible_dates(root: Path, today: date) -> list[dg.Diagnostic]:
    done = git(root, "log", "-z", f"--format={_LOG_FORMAT}", "HEAD")
    if done is None or done.returncode != 0:
        return []
    commits = {}
    for entry in done.stdout.decode("utf-8", "replace").split("\0"):
        parts = entry.strip("\n").split("\x1f", 4)
        if len(parts) == 5:
            sha, parents, committed, authored, subject = parts
            commits[sha] = (parents.split(), datetime.fromisoformat(committed), datetime.fromisoformat(authored), subject)
    found = []
    for sha, (parents, committed, authored, subject) in commits.items():
        latest = max(committed, authored, key=lambda moment: moment.date())
        if latest.date() > today:
            found.append(_date_warning(sha, subject, f"is dated {latest.date().isoformat()}, after today ({today.isoformat()})"))
        for parent in parents:
            if parent in commits and committed < commits[parent][1]:
                found.append(_date_warning(sha, subject, f"was committed ({committed.isoformat()}) before its parent "
                                           f"{parent[:12]} ({commits[parent][1].isoformat()})"))
    if len(found) > MAX_DATE_WARNINGS:
        more = len(found) - MAX_DATE_WARNINGS
        found = found[:MAX_DATE_WARNINGS] + [dg.warning("SB601", ".", f"... and {more} more commits with implausible dates")]
    return found


def _date_warning(sha: str, subject: str, problem: str) -> dg.Diagnostic:
    return dg.warning("SB601", ".", f"commit {sha[:12]} ({subject[:60]!r}) {problem}; git accepts any date, so dates "
                      "from this commit cannot be trusted", hint="check the clock of the machine that made the commit; "
                      "the history is ordered by commit topology, not by date")


def _rewritten(root: Path, out: Path, state: GitState, rebaseline: str | None, stamp: dict) -> list[dg.Diagnostic]:
    previous = published_commit(out)
    if previous is None:
        return []
    stamp["previous_commit"] = previous
    done = git(root, "merge-base", "--is-ancestor", previous, state.commit)
    if done is not None and done.returncode == 0:
        return []
    where = "is not an ancestor of HEAD" if done is not None and done.returncode == 1 else "is not in this repository"
    message = (f"the published site {out} was built from commit {previous[:12]}, which {where}: the history was "
               "rewritten (rebase, amend, force-push) or this is another repository")
    if rebaseline and rebaseline.strip():
        stamp["rebaseline"] = {"previous_commit": previous, "reason": rebaseline.strip()}
        return [dg.warning("SB602", ".", message + f"; re-baselined: {rebaseline.strip()}")]
    return [dg.error("SB602", ".", message, hint='restore the published history, or record why with --rebaseline "reason"')]


def published_commit(out: Path) -> str | None:
    """Commit recorded in the published site's api/build.json, or None (no site, no git, unreadable)."""
    try:
        info = json.loads((out / "api" / "build.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    commit = info.get("commit") if isinstance(info, dict) else None
    return commit if isinstance(commit, str) and len(commit) >= 7 and all(c in "0123456789abcdef" for c in commit) else None


def format_diagnostics(diagnostics: list[dg.Diagnostic]) -> str:
    """Like dg.format_text; repository-wide findings (path '.') show no line and column."""
    lines = []
    for diagnostic in diagnostics:
        if diagnostic.path == "." and diagnostic.line == 0:
            text = f"(git): {diagnostic.severity} {diagnostic.code} {diagnostic.message}"
            lines.append(text + (f"\n    hint: {diagnostic.hint}" if diagnostic.hint else ""))
        else:
            lines.append(diagnostic.format_text())
    return "\n".join(lines)
