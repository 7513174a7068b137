"""The build stamp: commit, working-tree state and source date (SOURCE_DATE_EPOCH honoured).

The stamp's date is `SOURCE_DATE_EPOCH` when set, else the committer date of HEAD, else the
wall clock (no git).  So two builds of the same commit carry the same stamp and compare equal
byte for byte; only a build outside git differs, and only in the stamp (see STAMP_PATTERNS).
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from site_builder import __version__

#: What a build reads: a change in any of these makes the tree "dirty" for the build stamp.
CONTENT_PATHS = ("procedures", "forms", "records", "external", "schemas", "organisation.yaml", "qms.yaml", "mkdocs.yml")
SOURCE_DATE_ENV = "SOURCE_DATE_EPOCH"
#: Recorded in api/build.json ("tools"): what turned the content into this site.
TOOLS = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "pyyaml", "jinja2", "jsonschema", "nh3", "xlsxwriter",
         "jieba")
#: The only bytes allowed to differ between two builds of the same input made at different
#: times outside git without SOURCE_DATE_EPOCH: the date in the footer stamp and in api/build.json.
STAMP_PATTERNS = (
    re.compile(rb"\xe6\x9e\x84\xe5\xbb\xba\xe6\x97\xb6\xe9\x97\xb4 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"),  # "构建时间 <date>"
    re.compile(rb'"built_at": "[^"]*"'),
    re.compile(rb'"source_date_epoch": \d+'),
)
#: api/build.json also names the site a build replaced (previous_commit, rebaseline): it differs
#: between a first build into an empty folder and a rebuild over it, and is no content.


@dataclass(frozen=True)
class GitState:
    commit: str | None = None
    commit_time: int | None = None  # committer date of HEAD, seconds since the epoch
    branch: str | None = None  # None when HEAD is detached (or there is no repository)
    tag: str | None = None  # a tag pointing at HEAD (how a detached release checkout is usually named)
    shallow: bool = False
    changed: tuple[str, ...] = ()  # tracked content files with uncommitted changes
    untracked: tuple[str, ...] = ()  # content files git does not know (not ignored)

    @property
    def dirty(self) -> bool:
        return bool(self.changed or self.untracked)


def build_info(root: Path, audience: str) -> dict:
    state = git_state(root)
    epoch = source_date_epoch(state)
    return {
        "commit": state.commit, "dirty": state.dirty, "shallow": state.shallow, "audience": audience,
        "branch": state.branch, "detached": state.commit is not None and state.branch is None, "tag": state.tag,
        "built_at": datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "source_date_epoch": epoch,
        "tool_version": __version__, "tools": tool_versions(),
    }


def tool_versions() -> dict[str, str]:
    """Versions of Python and of the packages that parse and render the site (bad-inputs B08)."""
    found = {"python": platform.python_version()}
    for name in TOOLS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def source_date_epoch(state: GitState) -> int:
    """SOURCE_DATE_EPOCH if set (reproducible-builds.org), else HEAD's committer date, else now."""
    value = os.environ.get(SOURCE_DATE_ENV, "").strip()
    if value.isdigit():
        return int(value)
    if state.commit_time is not None:
        return state.commit_time
    return int(datetime.now(UTC).timestamp())


def stamp_text(info: dict) -> str:
    commit = (info.get("commit") or "无 git 提交")[:12]
    state = "，工作区有未提交的修改" if info.get("dirty") else ""
    restricted = "受限：仅限审核与质量部门 · " if info.get("audience") == "auditor" else ""  # also on the theme's 404 page
    return f"{restricted}构建自提交 {commit}{state} · 构建时间 {info.get('built_at')} (UTC) · qms-site {info.get('tool_version')}"


def mask_stamp(data: bytes) -> bytes:
    """`data` with the allowlisted build-date bytes blanked (for comparing two builds)."""
    for pattern in STAMP_PATTERNS:
        data = pattern.sub(b"<stamp>", data)
    return data


def git(root: Path, *args: str) -> subprocess.CompletedProcess | None:
    """Run git in `root` with a stable locale; None when git cannot run at all."""
    try:
        return subprocess.run(["git", "-c", "core.quotepath=off", "-C", str(root), *args], capture_output=True,
                              timeout=60, env={**os.environ, "LC_ALL": "C"})
    except (OSError, subprocess.TimeoutExpired):
        return None


def git_state(root: Path) -> GitState:
    def out(*args: str) -> str | None:
        done = git(root, *args)
        return done.stdout.decode("utf-8", "surrogateescape").strip() if done and done.returncode == 0 else None

    commit = out("rev-parse", "--verify", "-q", "HEAD")
    if not commit:
        return GitState()
    commit_time = out("log", "-1", "--format=%ct", "HEAD")
    branch = out("symbolic-ref", "-q", "--short", "HEAD")
    tag = out("describe", "--tags", "--exact-match", "HEAD")
    changed, untracked = _status(root)
    return GitState(commit=commit, commit_time=int(commit_time) if commit_time and commit_time.isdigit() else None,
                    branch=branch or None, tag=tag or None, shallow=out("rev-parse", "--is-shallow-repository") == "true",
                    changed=changed, untracked=untracked)


def _status(root: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    # -z: NUL separated, paths verbatim (non-ASCII, spaces); a rename entry is followed by its old path.
    done = git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *CONTENT_PATHS)
    if done is None or done.returncode != 0:
        return (), ()
    changed, untracked = [], []
    entries = iter(done.stdout.decode("utf-8", "surrogateescape").split("\0"))
    for entry in entries:
        if len(entry) < 4:
            continue
        code, path = entry[:2], entry[3:]
        if code == "??":
            untracked.append(path)
        else:
            changed.append(path)
            if "R" in code or "C" in code:
                next(entries, None)
    return tuple(sorted(changed)), tuple(sorted(untracked))
