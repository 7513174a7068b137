"""Read the history of the content folders from git in one pass.

One `git log` over procedures/ and forms/ lists every commit of the mainline (first-parent
chain of HEAD, topological order, oldest first) with the blob id of every file it changed
(`--raw --no-abbrev -M -z`); one `git cat-file --batch` then reads all those blobs.  That is
three git processes in all (rev-parse, log, cat-file), whatever the number of files.

Changes made on a branch count from the merge commit that brought them into the mainline.
Output is parsed with LC_ALL=C, NUL separators and core.quotepath=off, so non-ASCII paths and
odd commit subjects are read as they are.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

FOLDERS = ("procedures", "forms")
_FORMAT = "%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cI%x1f%s"
_LOG_ARGS = ("log", "--first-parent", "--diff-merges=first-parent", "--topo-order", "--reverse", "-M", "--raw",
             "--no-abbrev", "-z", "--relative", f"--format={_FORMAT}")


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author: str
    email: str
    authored: datetime
    committed: datetime
    subject: str

    @property
    def short(self) -> str:
        return self.sha[:10]

    @property
    def day(self):
        """Calendar date of the authoring, in the author's own time zone."""
        return self.authored.date()


@dataclass(frozen=True, slots=True)
class Change:
    """One file changed by one commit: status A/M/D/R/C/T, paths relative to the root, new blob id."""

    commit: int
    status: str
    path: str
    old_path: str | None
    blob: str | None


@dataclass
class GitLog:
    commits: list[Commit] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    blobs: dict[str, bytes] = field(default_factory=dict)
    head: str | None = None
    shallow: bool = False
    #: Why there is no history (not a repository, git missing, no commits yet), or None.
    problem: str | None = None


class GitError(Exception):
    pass


def read_log(root: Path, folders: tuple[str, ...] = FOLDERS, state: tuple[str | None, bool] | None = None) -> GitLog:
    """The mainline history of `folders` under `root`; `problem` says why it is empty if it is.
    `state`: repository_state(root), when the caller has just asked for it."""
    try:
        head, shallow = state if state is not None else repository_state(root)
    except GitError as exc:
        return GitLog(problem=str(exc))
    if head is None:
        return GitLog(shallow=shallow, problem="the repository has no commits yet")
    try:
        commits, changes = parse_log(git(root, *_LOG_ARGS, "--", *folders))
        blobs = read_blobs(root, {c.blob for c in changes if c.blob and _wanted(c.path)})
    except GitError as exc:
        return GitLog(head=head, shallow=shallow, problem=str(exc))
    return GitLog(commits, changes, blobs, head, shallow)


def git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", "-c", "core.quotepath=off", "-C", str(root), *args], input=stdin,
                              capture_output=True, env={**os.environ, "LC_ALL": "C"}, timeout=600)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git could not run: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[0] if message else f"git {args[0]} failed")
    return done.stdout


def parse_log(output: bytes) -> tuple[list[Commit], list[Change]]:
    commits: list[Commit] = []
    changes: list[Change] = []
    tokens = output.split(b"\0")
    index = 0
    while index < len(tokens):
        token = tokens[index].lstrip(b"\n")
        index += 1
        if token.startswith(b"\x1e"):
            commits.append(_commit(token[1:]))
        elif token.startswith(b":") and commits:
            status = token.rsplit(b" ", 1)[-1].decode("ascii", "replace")[:1]
            blob = token.split(b" ")[3].decode("ascii")
            paths = [_path(t) for t in tokens[index:index + (2 if status in "RC" else 1)]]
            index += len(paths)
            changes.append(Change(len(commits) - 1, status, paths[-1], paths[0] if len(paths) == 2 else None,
                                  None if status == "D" else blob))
    return commits, changes


def read_blobs(root: Path, blob_ids: set[str]) -> dict[str, bytes]:
    """Contents of many blobs from one `git cat-file --batch`."""
    if not blob_ids:
        return {}
    ordered = sorted(blob_ids)
    output = git(root, "cat-file", "--batch", stdin=("\n".join(ordered) + "\n").encode("ascii"))
    blobs: dict[str, bytes] = {}
    position = 0
    while position < len(output):
        header_end = output.index(b"\n", position)
        parts = output[position:header_end].split(b" ")
        position = header_end + 1
        if len(parts) != 3:  # "<id> missing"
            continue
        size = int(parts[2])
        blobs[parts[0].decode("ascii")] = output[position:position + size]
        position += size + 1
    return blobs


def repository_state(root: Path) -> tuple[str | None, bool]:
    """(HEAD commit or None, shallow); raises GitError when there is no usable repository."""
    try:
        lines = git(root, "rev-parse", "--is-inside-work-tree", "--is-shallow-repository").decode().split()
    except GitError as exc:
        if "not a git repository" in str(exc):
            raise GitError("not a git repository") from None
        raise
    if lines[:1] != ["true"]:
        raise GitError("not inside a git working tree")
    try:
        head = git(root, "rev-parse", "--verify", "-q", "HEAD").decode().strip() or None
    except GitError:
        head = None
    return head, lines[1:2] == ["true"]


def _commit(header: bytes) -> Commit:
    sha, parents, author, email, authored, committed, subject = header.decode("utf-8", "replace").split("\x1f", 6)
    return Commit(sha, tuple(parents.split()), author, email, datetime.fromisoformat(authored),
                  datetime.fromisoformat(committed), subject)


def _path(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _wanted(path: str) -> bool:
    return path.endswith(".md") if path.startswith("procedures/") else path.endswith((".yaml", ".yml"))
