"""The children a `build` forks (record pages while the check ends, and while MkDocs renders:
search index, XLSX downloads, page verification) change nothing in the site: the shipped manual built with them and with
everything done in the build process itself is the same, byte for byte.

Both builds run in fresh interpreters: forking is only taken when no other thread runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest_build import ROOT, tree_hashes  # noqa: E402

BUILD = """
import sys
from datetime import date
from pathlib import Path
from site_builder.fast import forked
from site_builder import build as generate
from site_builder.site import driver as mkdocs_build
from site_builder.site import search_offload
started, early = [], []
result = generate.EarlyRecords.result
generate.EarlyRecords.result = lambda self: early.append(result(self)) or early[-1]
if sys.argv[2] == "in-process":
    forked.fork_is_safe = lambda: False
else:
    original = search_offload.SearchOffload.start.__func__
    search_offload.SearchOffload.start = classmethod(
        lambda cls, plugin, children: started.append(original(cls, plugin, children)) or started[-1])
run = generate.Build(generate.Options(Path(sys.argv[3]), date(2026, 12, 6), "staff"))
code = mkdocs_build.build(run, Path(sys.argv[1]), quiet=True)
print("exit", code, "offloaded", sum(1 for s in started if s is not None), "early records", sum(e is not None for e in early))
"""


def build(out: Path, mode: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", BUILD, str(out), mode, str(ROOT)], capture_output=True, text=True,
                         timeout=600, cwd=ROOT, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout.strip().splitlines()[-1]


def test_the_site_is_the_same_with_and_without_the_children(tmp_path):
    assert build(tmp_path / "forked", "forked") == "exit 0 offloaded 1 early records 1"
    assert build(tmp_path / "alone", "in-process") == "exit 0 offloaded 0 early records 0"
    forked_site, alone_site = tree_hashes(tmp_path / "forked"), tree_hashes(tmp_path / "alone")
    assert forked_site == alone_site
    assert "search/search_index.json" in forked_site and any(name.endswith(".xlsx") for name in forked_site)
