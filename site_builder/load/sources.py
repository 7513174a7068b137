"""Discover the content files of a repository."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from site_builder import diagnostics as dg

#: content folder -> (kind, accepted suffixes)
CONTENT_FOLDERS = {
    "procedures": ("document", (".md",)),
    "forms": ("form", (".yaml", ".yml")),
    "records": ("record", (".yaml", ".yml")),
    "external": ("external", (".yaml", ".yml")),
}
#: Files kept with the entries of a content folder (kind "kept"): never loaded, only looked at by the rules
#: that name them (their size); listed so that the check cache sees them change.
KEPT_FILES = ("external/files/",)
SINGLE_FILES = {"qms.yaml": "config", "organisation.yaml": "organisation"}
#: Folders read by other means (schemas.py) that must hold no symbolic links either.
LINK_FREE_FOLDERS = ("schemas",)
_LINK_HINT = {False: "replace the link by the file itself", True: "replace the link by the folder itself (a real "
              "folder with the files in the repository)"}
#: Harmless files that may sit in content folders without a warning.
IGNORED_NAMES = {"README.md", ".gitkeep", ".meta.yml"}


@dataclass(frozen=True, slots=True)
class SourceFile:
    kind: str
    path: str  # relative to the repository root, POSIX separators
    absolute: str | Path  # what to open: a str from discovery (100,000 Path objects cost a second)


def discover(root: Path) -> tuple[list[SourceFile], list[dg.Diagnostic]]:
    """All content files, sorted by path, plus diagnostics for files that do not belong."""
    files: list[SourceFile] = []
    problems: list[dg.Diagnostic] = []
    for name, kind in SINGLE_FILES.items():
        files.append(SourceFile(kind, name, os.path.join(root, name)))
    for folder in (*CONTENT_FOLDERS, *LINK_FREE_FOLDERS):
        if (root / folder).is_symlink():
            problems.append(dg.error("SB100", folder, f"{folder}/ is a symbolic link; content folders must be real "
                                     "folders of the repository", line=1, col=1, hint=_LINK_HINT[True]))
    for folder in LINK_FREE_FOLDERS:
        if not (root / folder).is_symlink():
            problems += [_link(entry, relative) for entry, relative in _walk(root / folder, folder) if entry.is_symlink()]
    for folder, (kind, suffixes) in CONTENT_FOLDERS.items():
        base = root / folder
        if base.is_symlink() or not base.is_dir():
            continue
        for entry, relative in _walk(base, folder):
            filename = entry.name
            if entry.is_symlink():
                problems.append(_link(entry, relative))
            elif relative.startswith(KEPT_FILES):
                files.append(SourceFile("kept", relative, entry.path))  # never loaded; its stat keys the check cache
            elif filename in IGNORED_NAMES or (folder == "procedures" and filename == "index.md"):
                continue
            elif filename.endswith(suffixes) and not filename.startswith("."):
                files.append(SourceFile(kind, relative, entry.path))
            else:
                problems.append(dg.warning("SB115", relative, f"unexpected file in {folder}/ is ignored",
                                           line=1, col=1, hint=f"{folder}/ holds only {' or '.join(suffixes)} files; "
                                           "move or delete editor backups and stray files"))
    return files, problems


def _link(entry: os.DirEntry, relative: str) -> dg.Diagnostic:
    try:
        folder = entry.is_dir()  # follows the link: whether it points at a folder
    except OSError:
        folder = False
    what = "links to folders" if folder else "links"
    return dg.error("SB100", relative, f"symbolic {what} are not allowed in content folders", line=1, col=1,
                    hint=_LINK_HINT[folder])


def _walk(directory: str | Path, relative: str):
    """(entry, relative path) of every non-directory and every symbolic link under
    `directory`, as os.walk visits them (a folder's files sorted by name, then its sub-folders
    sorted, hidden folders skipped; links to folders are listed, never followed, so that the
    caller can refuse them), with os.scandir: 100,000 records are listed in a fraction of the
    time os.walk and Path objects per file take."""
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:
        return
    folders = []
    for entry in entries:
        try:
            is_folder = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_folder = False
        if is_folder:
            folders.append(entry)
        else:
            yield entry, f"{relative}/{entry.name}"
    for entry in folders:
        if not entry.name.startswith("."):
            yield from _walk(entry.path, f"{relative}/{entry.name}")
