"""Writing the record files of an import: all of them or none.

Takes the repository root and the planned files (path -> text); writes every text to a temporary
file beside its target first, and only when all are written renames each over its target
(`os.replace`, atomic on one file system: a reader sees the old file or the new one, never a part;
as the editing commands do, without an fsync per file, which at 10,000 records costs more than the
import).  A failure while writing removes the temporary files and leaves every record as it was.
"""

from __future__ import annotations

import os
from pathlib import Path


class WriteFailed(Exception):
    """A record file could not be written; nothing was changed."""


def write_files(root: Path, files: dict[str, str]) -> None:
    staged: list[tuple[Path, Path]] = []
    records = (Path(root) / "records").resolve()
    for relative in files:  # (the record numbers were checked; this guards the paths made of them anyway)
        if not (Path(root) / relative).resolve().is_relative_to(records):
            raise WriteFailed(f"{relative} is not a file under records/")
    try:
        for relative, text in sorted(files.items()):
            target = Path(root) / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            with open(temporary, "w", encoding="utf-8", newline="\n") as stream:
                staged.append((temporary, target))
                stream.write(text)
    except OSError as exc:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise WriteFailed(f"cannot write {exc.filename}: {exc.strerror}") from None
    for temporary, target in staged:
        os.replace(temporary, target)
