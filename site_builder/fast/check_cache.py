"""The on-disk check cache in `.qms-cache/` (never committed: it ignores itself).

Replaces: every file read, parsed and validated afresh, and every rule run, on each check (what
`--no-cache` and `--plain` run: the caller then makes no CheckCache).  tests/unit/test_cache.py
proves a warm check reports exactly what a cold check reports, whatever changed in between.

Two levels, both plain JSON (never pickle):

* `files.jsonl`: one row per content file with the result of the per-file stage (filecheck):
  data, body and positioned diagnostics.  A row is used only when the file's content hash,
  the context (tool code, schemas, limits) and, for a record, the digest of its form's
  schema are all unchanged.  New rows are appended (the last row of a file wins); the file is
  rewritten without stale rows once they make up half of it.
* `result.json`: the final diagnostics of the whole check, keyed by one hash over everything
  a check reads: the tool code, today's date, the git HEAD and shallowness, every file in
  schemas/, the compliance requirements map, the discovery findings and the content hash of
  every source file.  A new input read by `check` must be added to this key.

The content hash of a file is found without reading it when its stat signature (size, mtime,
ctime, inode, mode) is the one recorded with the hash, as git's index does.  A signature
is recorded only when the file was last changed more than RACY_NS before it was read, so a
change within the file system's timestamp granularity can never hide behind an old
signature; such files are hashed again on the next run.  Any unreadable or malformed cache
file counts as empty.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path

from site_builder import diagnostics as dg
from site_builder.load.sources import SourceFile

CACHE_DIR = ".qms-cache"
FORMAT = 1
RACY_NS = 2_000_000_000
#: the whole tool (this module sits in site_builder/fast/): a change anywhere in it invalidates the cache
_PACKAGE = Path(__file__).resolve().parents[1]


def digest_of(*parts) -> str:
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=20).hexdigest()


def code_files() -> list[Path]:
    return sorted(_PACKAGE.rglob("*.py"))


def code_fingerprint() -> str:
    """Every source file of site_builder plus the versions of Python and the parsing libraries:
    any change to the tool, released or not, invalidates the cache.  (Read afresh on each call:
    a CheckCache takes it once.)"""
    hasher = hashlib.blake2b(digest_size=20)
    for path in code_files():
        hasher.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for name in ("PyYAML", "jsonschema", "referencing", "jsonschema-specifications"):
        try:
            hasher.update(f"{name}={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            hasher.update(f"{name}=none\0".encode())
    hasher.update(sys.version.encode())
    return hasher.hexdigest()


def _tree_digest(folder: Path) -> str:
    """Names and contents of every file under `folder` (schemas/ is small)."""
    hasher = hashlib.blake2b(digest_size=20)
    for directory, dirnames, filenames in sorted(os.walk(folder)):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(directory) / name
            try:
                content = path.read_bytes()
            except OSError as exc:
                content = f"unreadable:{exc.errno}".encode()
            hasher.update(path.relative_to(folder).as_posix().encode() + b"\0" + content + b"\0")
    return hasher.hexdigest()


def _compliance_map(found: tuple[Path, str] | None) -> str:
    """The requirements map the compliance rules read (the repository's, else the tool's own), as
    compliance.requirements.map_location names it (None: none)."""
    if found is None:
        return "none"
    try:
        return f"{found[0]}:{hashlib.blake2b(found[0].read_bytes(), digest_size=20).hexdigest()}"
    except OSError as exc:
        return f"{found[0]}:unreadable:{exc.errno}"


def _git_state(root: Path) -> str:
    try:
        done = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel", "--is-shallow-repository", "HEAD"],
                              capture_output=True, timeout=30, env={**os.environ, "LC_ALL": "C"})
    except (OSError, subprocess.SubprocessError) as exc:
        return f"no git: {exc.__class__.__name__}"
    return f"{done.returncode}\n{done.stdout.decode(errors='replace')}\n{done.stderr.decode(errors='replace')}"


@dataclass
class CachedResult:
    diagnostics: list[dg.Diagnostic]
    counts: tuple[int, int, int] | None


class CheckCache:
    """One check's view of the cache: signatures taken at the start, rows and result read lazily.

    `compliance_map`: where the requirements map is (compliance.requirements.map_location(root)), part
    of the key of the whole result."""

    def __init__(self, root: Path, today: date, sources: list[SourceFile], discovered: list[dg.Diagnostic],
                 compliance_map: tuple[Path, str] | None):
        self.root = Path(root)
        self.folder = self.root / CACHE_DIR
        self.signatures = {source.path: _signature(source) for source in sources}
        self.sources = sources
        self.code = code_fingerprint()
        self._schemas = _tree_digest(self.root / "schemas")
        self.global_key = digest_of(FORMAT, self.code, today.isoformat(), _git_state(self.root), self._schemas,
                                    _compliance_map(compliance_map), [d.as_dict() for d in discovered])
        self._rows: dict[str, tuple[str | None, str, str]] | None = None  # path -> (signature, context, JSON row)
        self._context = ""
        self._new_rows: dict[str, tuple[str | None, str, str]] = {}
        self._lines = 0  # lines in files.jsonl when read

    # --- whole result ---

    def signature_key(self) -> str | None:
        if any(signature is None for signature in self.signatures.values()):
            return None
        return digest_of(self.global_key, [(s.path, s.kind, self.signatures[s.path]) for s in self.sources])

    def content_key(self, digests: dict[str, str]) -> str | None:
        parts = []
        for source in self.sources:
            digest = digests.get(source.path) or ""
            if not digest:  # not read (missing, too large): its stat signature stands for it
                signature = self.signatures.get(source.path)
                if signature is None:
                    return None
                digest = "unread:" + signature
            parts.append((source.path, source.kind, digest))
        return digest_of(self.global_key, parts)

    def result(self, key: str | None, which: str = "signature") -> CachedResult | None:
        if key is None:
            return None
        stored = _read_json(self.folder / "result.json")
        if not isinstance(stored, dict) or stored.get("format") != FORMAT or stored.get(which) != key:
            return None
        try:
            diagnostics = [dg.Diagnostic(d["code"], d["severity"], d["message"], d["path"], d["line"], d["col"], d["hint"])
                           for d in stored["diagnostics"]]
            counts = tuple(stored["counts"]) if stored["counts"] is not None else None
        except (KeyError, TypeError, ValueError):
            return None
        if which != "signature":
            self.save_result(diagnostics, counts, self.signature_key(), key)
        return CachedResult(diagnostics, counts)

    def save_result(self, diagnostics: list[dg.Diagnostic], counts, signature_key: str | None, content_key: str | None) -> None:
        if signature_key is None and content_key is None:
            return
        rows = [{"code": d.code, "severity": d.severity, "message": d.message, "path": d.path, "line": d.line,
                 "col": d.col, "hint": d.hint} for d in diagnostics]
        self._write("result.json", json.dumps({"format": FORMAT, "signature": signature_key, "content": content_key,
                                              "counts": list(counts) if counts else None, "diagnostics": rows},
                                             ensure_ascii=False))

    # --- per-file rows ---

    def use_context(self, *context) -> None:
        """Rows are valid only for this context: tool code, schemas and `context` (the limits).
        Per-file results depend on neither the date nor git."""
        self._context = digest_of(FORMAT, self.code, self._schemas, context)

    @property
    def context(self) -> str:
        return self._context

    def row(self, source: SourceFile) -> str | None:
        """The cached JSON row of this file if it is certainly still right, else None."""
        signature = self.signatures.get(source.path)
        if signature is None:  # (too recent to vouch for: no need to read the rows at all)
            return None
        found = self._load_rows().get(source.path)
        if found is None or found[0] != signature or found[1] != self._context:
            return None
        return found[2]

    def remember(self, source: SourceFile, row_text: str) -> None:
        self._new_rows[source.path] = (self.signatures.get(source.path), self._context, row_text)

    def save_rows(self) -> None:
        """New rows are appended (a later line replaces an earlier one of the same file); the file
        is rewritten without stale rows once it holds rows of files or contexts that are gone, or
        twice as many lines as files."""
        usable = {path: value for path, value in self._new_rows.items() if value[0] is not None}
        if self._rows is None:  # not read by this check
            if usable:
                self._append(usable)
            return
        current = {source.path for source in self.sources}
        stale = any(path not in current or value[1] != self._context for path, value in self._rows.items())
        if not stale and self._lines <= 2 * len(self.sources):
            changed = {path: value for path, value in usable.items() if self._rows.get(path) != value}
            if changed:
                self._append(changed)
            return
        merged = {**self._rows, **self._new_rows}
        lines = [_HEADER]
        for source in self.sources:
            value = merged.get(source.path)
            if value is not None and value[1] == self._context:
                lines.append(_row_line(source.path, value))
        self._write("files.jsonl", "".join(lines))

    def _append(self, rows: dict[str, tuple[str | None, str, str]]) -> None:
        path = self.folder / "files.jsonl"
        text = "".join(_row_line(name, value) for name, value in rows.items())
        try:
            with open(path, encoding="utf-8", newline="\n") as handle:
                readable = handle.readline() == _HEADER
        except (OSError, ValueError):
            readable = False
        if not readable:
            self._write("files.jsonl", _HEADER + text)
            return
        try:  # one write: a torn last line makes the reader discard the file, never misread it
            with open(path, "a", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        except OSError:
            pass

    def _load_rows(self) -> dict[str, tuple[str | None, str, str]]:
        if self._rows is None:
            self._rows, self._lines = {}, 0
            try:
                with open(self.folder / "files.jsonl", encoding="utf-8", newline="\n") as handle:
                    header = json.loads(handle.readline() or "null")
                    if isinstance(header, dict) and header.get("format") == FORMAT:
                        for line in handle:
                            head, _, row = line.rstrip("\n").partition("\t")
                            if not line.endswith("\n") or "\t" in row:  # torn by an interrupted append
                                raise ValueError(line[:80])
                            path, signature, context = json.loads(head)
                            self._rows[path] = (signature, context, row)
                            self._lines += 1
            except (OSError, ValueError, TypeError):
                self._rows, self._lines = {}, 0
        return self._rows

    def _write(self, name: str, text: str) -> None:
        """Atomically (write, then rename); a cache that cannot be written is simply not kept."""
        try:
            own_folder(self.root)
            temporary = self.folder / f".{name}.{os.getpid()}.tmp"
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, self.folder / name)
        except OSError:
            pass


_HEADER = json.dumps({"format": FORMAT}) + "\n"


def own_folder(root: Path) -> Path:
    """`.qms-cache/` of the repository at `root`, created if need be, ignoring itself for git (what the
    tool keeps between runs: the check cache, the build lock)."""
    folder = root / CACHE_DIR
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# qms-site check cache and build lock: safe to delete, never commit\n*\n", encoding="utf-8")
    return folder


def _row_line(path: str, value: tuple[str | None, str, str]) -> str:
    return json.dumps([path, value[0], value[1]], ensure_ascii=False) + "\t" + value[2] + "\n"


def _signature(source: SourceFile) -> str | None:
    """Stat signature of a file, or None when it is too recent to vouch for its content."""
    now = time.time_ns()
    try:
        stat = os.lstat(source.absolute)
    except OSError as exc:
        return f"missing:{exc.errno}"
    if max(stat.st_mtime_ns, stat.st_ctime_ns) > now - RACY_NS:
        return None
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}:{stat.st_mode}"


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
