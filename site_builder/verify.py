"""Post-build verification of a new site, independent of MkDocs' exit code."""

from __future__ import annotations

import os
from pathlib import Path

SOURCE_SUFFIXES = (".md", ".yaml", ".yml")


def verify_site(site_dir: Path, generated) -> list[str]:
    problems: list[str] = []
    if not (site_dir / "index.html").is_file():
        problems.append("index.html is missing")
    for directory, dirnames, files in os.walk(site_dir):
        for name in dirnames + files:
            path = Path(directory) / name
            relative = path.relative_to(site_dir).as_posix()
            if path.is_symlink():
                problems.append(f"{relative}: symbolic link in the output")
            elif name.endswith(SOURCE_SUFFIXES):
                problems.append(f"{relative}: source file copied into the output")
    return problems
