"""The benchmark harness keeps working: bench/generate.py and bench/run.py at the tiny size, and
the serve dirty-reload measurement (bench/serve_rebuild.py).  Timings are never asserted; only
that every figure is there and that the rebuilt preview shows the edit."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEYS = ("check_cold_s", "check_warm_s", "build_cold_s", "build_warm_s", "auditor_s", "bare_mkdocs_s", "peak_mb")
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def test_run_at_tiny_size_reports_every_figure(tmp_path):
    figures_file = tmp_path / "tiny.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--size", "tiny", "--json", str(figures_file),
                           "--keep", str(tmp_path / "work")], capture_output=True, text=True, timeout=900, env=ENV)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(figures_file.read_text(encoding="utf-8"))
    for key in KEYS:
        assert isinstance(figures[key], int | float) and math.isfinite(figures[key]) and figures[key] >= 0, (key, figures[key])
    for name, step in figures["steps"].items():
        assert step["exit"] == 0, (name, step["stderr_tail"])
    assert figures["serve_rebuild_s"] >= 0 and figures["serve_first_edit_s"] >= 0
    assert (tmp_path / "work" / "repo" / ".qms-cache" / "result.json").is_file()


def test_generator_writes_the_requested_size(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(tmp_path / "m"), "--size", "tiny", "--no-git"],
                   check=True, capture_output=True, timeout=300)
    assert len(list((tmp_path / "m" / "procedures").glob("*.md"))) == 20
    assert len(list((tmp_path / "m" / "records").rglob("*.yaml"))) == 500


def test_generator_with_history_commits_each_revision_and_the_manual_passes_check(tmp_path):
    repo = tmp_path / "h"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(repo), "--size", "tiny", "--revisions", "3",
                    "--history"], check=True, capture_output=True, timeout=300)
    log = subprocess.run(["git", "-C", str(repo), "log", "--format=%ad %s", "--date=short"], check=True, capture_output=True,
                         text=True).stdout.splitlines()
    assert len(log) == 4 and [line.split(" ", 1)[0] for line in log[1:]] == ["2020-03-02", "2020-02-01", "2020-01-02"]
    document = sorted((repo / "procedures").glob("*-synthetic.md"))[0].relative_to(repo).as_posix()
    versions = subprocess.run(["git", "-C", str(repo), "log", "--format=%h", "--", document], check=True,
                              capture_output=True, text=True).stdout.split()
    assert len(versions) == 3  # each revision of the document is its own commit
    first = subprocess.run(["git", "-C", str(repo), "show", f"{versions[-1]}:{document}"], check=True, capture_output=True,
                           text=True).stdout
    assert "version: A0" in first and "第2次修订补充" not in first
    check = subprocess.run([sys.executable, "-m", "site_builder", "check", "--root", str(repo), "--today", "2026-12-06"],
                           capture_output=True, text=True, timeout=300, cwd=ROOT, env=ENV)
    assert check.returncode == 0 and check.stderr.startswith("0 error(s)"), check.stderr[-2000:]


def test_serve_dirty_reload_shows_the_edit_and_keeps_one_search_entry_per_location(tmp_path):
    sys.path.insert(0, str(ROOT))
    from bench.generate import generate

    repo = generate(tmp_path / "repo", "tiny", revisions=2)
    site = tmp_path / "site"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "serve_rebuild.py"), str(repo), "--site", str(site)],
                          capture_output=True, text=True, timeout=900, env=ENV, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    page = site / "documents" / figures["edited"] / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "预览时追加的一句话" in html and "预览时再追加一句话" in html
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = [entry["location"] for entry in index["docs"]]
    assert len(locations) == len(set(locations))
    assert any(location.startswith(f"documents/{figures['edited']}/") for location in locations)
