"""Read one source file into data: bytes -> text -> (front matter) -> strict YAML."""

from __future__ import annotations

import errno
import hashlib
import os
from dataclasses import dataclass, field

from site_builder import diagnostics as dg
from site_builder.load.sources import SourceFile
from site_builder.load.yamlio import LoadError, decode, load_yaml, split_front_matter


@dataclass(slots=True)
class LoadedFile:
    source: SourceFile
    data: dict | None = None
    body: str = ""
    body_line: int = 1
    #: YAML line n is file line n + line_offset (front matter starts on line 2).
    line_offset: int = 0
    text: str = ""
    diagnostics: list[dg.Diagnostic] = field(default_factory=list)
    #: Hash of the bytes read ("" when the file could not be read); keys the check cache.
    digest: str = ""

    @property
    def path(self) -> str:
        return self.source.path


def load_source(source: SourceFile, max_bytes: int = 1_048_576, max_depth: int = 32, raw: bytes | None = None) -> LoadedFile:
    """`raw`: the file's bytes when they are not on disk yet (a record `import` is about to write)."""
    loaded = LoadedFile(source)
    try:
        if raw is None:
            raw = _read(source, max_bytes)
        elif len(raw) > max_bytes:
            raise LoadError("SB104", f"file is {len(raw)} bytes, more than the limit of {max_bytes}",
                            hint="shorten the values, or raise limits.max_file_bytes in qms.yaml")
        loaded.digest = content_digest(raw)
        text, had_bom = decode(raw)
        loaded.text = text
        if had_bom:
            loaded.diagnostics.append(dg.warning("SB102", source.path, "UTF-8 byte-order mark ignored", line=1, col=1,
                                                 hint="save the file as UTF-8 without BOM"))
        yaml_text = text
        if source.kind == "document":
            yaml_text, loaded.body, loaded.body_line = split_front_matter(text)
            loaded.line_offset = 1
        # load_yaml reports file lines (position and message) once it knows the offset.
        data = load_yaml(yaml_text, max_depth, loaded.line_offset)
        if not isinstance(data, dict):
            raise LoadError("SB111", f"expected a mapping of keys at the top level, found a {_kind(data)}",
                            1 + loaded.line_offset, 1, "write the file as 'key: value' lines")
        loaded.data = data
    except LoadError as exc:
        loaded.diagnostics.append(dg.error(exc.code, source.path, exc.message, line=exc.line, col=exc.col, hint=exc.hint))
    return loaded


def content_digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def _read(source: SourceFile, max_bytes: int) -> bytes:
    # One open (refusing a symbolic link with O_NOFOLLOW), fstat and read: 100,000 records are
    # read with half the system calls of lstat + stat + read_bytes.
    try:
        handle = os.open(source.absolute, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        raise LoadError("SB100", "file not found", hint="create it (see README, Repository layout)") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LoadError("SB100", "symbolic links are not allowed", hint="replace the link by the file itself") from None
        raise LoadError("SB100", f"cannot read file: {exc.strerror}") from None
    try:
        size = os.fstat(handle).st_size
        if size > max_bytes:
            raise LoadError("SB104", f"file is {size} bytes, more than the limit of {max_bytes}",
                            hint="split the file, or raise limits.max_file_bytes in qms.yaml")
        chunks = []
        while chunk := os.read(handle, max(size, 65536) + 1):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise LoadError("SB100", f"cannot read file: {exc.strerror}") from None
    finally:
        os.close(handle)


def _kind(data) -> str:
    return {list: "list", str: "text value"}.get(type(data), "text value" if isinstance(data, str) else "value")
