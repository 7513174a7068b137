"""`--plain` turns every speed-up off (forked children, memos, compiled schemas, piecewise YAML,
HTML chunking, Markdown shortcuts, archive pages written outside MkDocs, search indexed in a
child, collector tuning); the site must be byte for byte the one the fast path builds.

Two fixtures, both audiences: the shipped manual (as committed: a clone of this repository) and
a generated small manual whose documents have three committed revisions each (bench/generate.py),
so that the auditor site holds obsolete versions and diffs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402

TODAY = "2026-12-06"
EPOCH = "1795000000"


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "QMS_"))}
    return {**env, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": EPOCH, "PYTHONDONTWRITEBYTECODE": "1"}


def _build(repo: Path, out: Path, audience: str, *extra: str) -> dict[str, bytes]:
    done = subprocess.run([sys.executable, "-m", "site_builder", "build", "--root", str(repo), "--today", TODAY,
                           "--audience", audience, "--out", str(out), "--quiet", *extra],
                          capture_output=True, text=True, cwd=repo, env=_env(), timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("shipped") / "repo"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(repo)], check=True, env=_env())
    return repo


@pytest.fixture(scope="module")
def small_with_history(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("generated") / "repo"
    generate(repo, "tiny", revisions=3, history=True)
    return repo


@pytest.mark.parametrize("audience", ["staff", "auditor"])
@pytest.mark.parametrize("fixture", ["shipped", "small_with_history"])
def test_plain_and_fast_builds_are_byte_identical(request, tmp_path, fixture, audience):
    repo = request.getfixturevalue(fixture)
    fast = _build(repo, tmp_path / "fast", audience)
    plain = _build(repo, tmp_path / "plain", audience, "--plain")
    assert len(fast) > 20
    if audience == "auditor":  # (obsolete versions, and for the generated manual diffs, written outside MkDocs)
        assert any(path.startswith("history/") and path.count("/") == 3 for path in fast), "no version pages"
        assert fixture == "shipped" or any("/diff-" in path for path in fast), "the fixture should have versions to compare"
    assert sorted(plain) == sorted(fast), "the two builds wrote different files"
    different = sorted(path for path in fast if fast[path] != plain[path])
    assert not different, f"{len(different)} file(s) differ between --plain and the fast path, e.g. {different[:10]}"


def _check(repo: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "site_builder", "check", "--root", str(repo), "--today", TODAY,
                           "--format", "json", "--no-cache", *extra],
                          capture_output=True, text=True, cwd=repo, env=_env(), timeout=600)


def test_plain_and_fast_checks_report_the_same(shipped, tmp_path):
    """The check of a broken manual: the same diagnostics, in the same order, the same exit code."""
    repo = tmp_path / "broken"
    subprocess.run(["git", "clone", "--quiet", str(shipped), str(repo)], check=True, env=_env())
    procedure = next((repo / "procedures").glob("QP-06-*.md"))
    text = procedure.read_text(encoding="utf-8")
    procedure.write_text(text.replace("status: effective", "status: effectiv", 1), encoding="utf-8")
    record = sorted((repo / "records").rglob("*.yaml"))[0]
    record.write_text(record.read_text(encoding="utf-8").replace("date: ", "date: 2025-02-30 #", 1), encoding="utf-8")
    fast, plain = _check(repo), _check(repo, "--plain")
    assert fast.returncode == plain.returncode == 1, fast.stderr + plain.stderr
    assert fast.stdout == plain.stdout
    assert '"SB200"' in fast.stdout
