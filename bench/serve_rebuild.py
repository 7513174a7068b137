"""Rebuild time of `serve` after editing one procedure, as `python -m site_builder serve` runs it
(MkDocs dirty reload with the qms plugin attached to the command line's Build), without the web server.

    python bench/serve_rebuild.py REPO [--json FILE]

Steps: the initial build, then two edits of one procedure (an uncommitted revision, then one
more sentence), each followed by the rebuild MkDocs' file watcher would run.  The first edit
changes the footer stamp (the working tree becomes dirty), so every page is rewritten; the
second is the steady state while an author edits.  Restores nothing: use a scratch copy.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.generate import revise_first_synthetic  # noqa: E402

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
TODAY = "2026-12-06"


def revise_one_procedure(repo: Path) -> Path:
    """The same controlled change as run.py's, left uncommitted (as while previewing)."""
    return revise_first_synthetic(repo, "预览修订", "预览时追加的一句话。")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--site", type=Path, help="build into this folder (default: a temporary one)")
    args = parser.parse_args()
    from datetime import date

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from site_builder.build import Build, Options

    repo = args.repo.resolve()
    site_dir = str(args.site.resolve()) if args.site else tempfile.mkdtemp(prefix="qms-serve-bench-")
    serve_url = "http://127.0.0.1:8000/"

    def rebuild(first: bool = False) -> float:
        started = time.perf_counter()
        config = load_config(config_file=str(repo / "mkdocs.yml"), site_dir=site_dir)
        if first:  # (as site_builder/site/serve.py: MkDocs keeps the plugin instance across rebuilds)
            config.plugins["qms"].attach(Build(Options(repo, date.fromisoformat(TODAY), serve=True)))
            config.plugins.on_startup(command="serve", dirty=True)
        config.site_url = serve_url
        build(config, serve_url=serve_url, dirty=True)
        return round(time.perf_counter() - started, 2)

    figures = {"serve_initial_s": rebuild(first=True)}
    path = revise_one_procedure(repo)
    figures["serve_first_edit_s"] = rebuild()
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n预览时再追加一句话。\n")
    figures["serve_rebuild_s"] = rebuild()
    figures["edited"] = path.stem.split("-synthetic")[0]
    print(json.dumps(figures))
    if args.json:
        args.json.write_text(json.dumps(figures), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
