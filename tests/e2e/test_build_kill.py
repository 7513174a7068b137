"""A build killed with SIGKILL at any point, or hitting a full disk, leaves the published site
byte-identical (bad-inputs B02, B03).

v1 of the fixture manual is published; a v2 build runs in a subprocess and is killed when a
chosen stage of the build becomes visible on disk (the `.site.partial-*` folder, the generated
Markdown, MkDocs' first output, the finished pages, the search index just before publication)
or after a fixed delay.  After every kill the published folder must hash exactly as v1; the
next successful build removes the stale partial folders and publishes v2.

Disk full: the v2 build runs in-process with ENOSPC injected into the writer of the generated
Markdown (emit), into MkDocs' page writer, or into the fsync before publication; the build must
fail with a one-line reason (no traceback), remove its partial folder and leave v1 published.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest_build import TODAY, build, build_command, env, html_pages, make_repo, tree_hashes  # noqa: E402

from site_builder import cli  # noqa: E402
from site_builder.publish import swap as publish

V2_MARKER = "第二版正文标记v2k9"
POLL = 0.002
# Kill point -> path inside the partial folder whose appearance triggers the kill ("" = the folder itself).
STAGES = {
    "partial-created": "",
    "markdown-written": "docs/assets/qms.js",
    "mkdocs-started": "site",
    "pages-written": "site/index.html",
    "search-index-written": "site/search/search_index.json",
}
DELAYS = (0.15, 0.8)


@pytest.fixture(scope="module")
def repos(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("kill")
    v1 = make_repo(base / "v1")
    v2 = base / "v2"
    shutil.copytree(v1, v2)
    path = v2 / "procedures" / "QP-12-record-control.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\n## 3 补充\n\n{V2_MARKER}\n", encoding="utf-8")
    return v1, v2


@pytest.fixture(scope="module")
def v1_site(repos, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("v1-published") / "site"
    done = build(repos[0], out)
    assert done.returncode == 0, done.stdout + done.stderr
    assert V2_MARKER not in (out / "documents" / "QP-12" / "index.html").read_text(encoding="utf-8")
    return out


@pytest.fixture
def published(v1_site, tmp_path) -> tuple[Path, dict[str, str]]:
    """A private copy of the published v1 site and its hashes."""
    out = tmp_path / "www" / "site"
    shutil.copytree(v1_site, out)
    return out, tree_hashes(out)


def _partials(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.partial-*"))


def _start(repo: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(build_command(repo, out), env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def _kill(process: subprocess.Popen) -> int:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # the build and any git child it started
    return process.wait(timeout=60)


def kill_at_stage(repo: Path, out: Path, relative: str, timeout: float = 120) -> int:
    """Start a build and SIGKILL it as soon as `relative` exists inside its (new) partial folder."""
    stale = set(_partials(out))  # left by earlier kills: removed by this build, never a trigger
    process = _start(repo, out)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            for partial in set(_partials(out)) - stale:
                if (partial / relative).exists() if relative else True:
                    return _kill(process)
            if process.poll() is not None:
                pytest.fail(f"the build finished (exit {process.returncode}) before stage {relative or 'partial'} was seen")
            time.sleep(POLL)
        pytest.fail(f"stage {relative or 'partial'} not reached within {timeout} s")
    finally:
        if process.poll() is None:
            _kill(process)


def kill_after(repo: Path, out: Path, delay: float) -> int:
    process = _start(repo, out)
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        return _kill(process)
    pytest.fail(f"the build finished (exit {process.returncode}) within {delay} s; choose a shorter delay")


@pytest.mark.parametrize("stage", list(STAGES))
def test_kill_at_stage_leaves_published_site_unchanged(stage, repos, published):
    out, before = published
    code = kill_at_stage(repos[1], out, STAGES[stage])
    assert code == -signal.SIGKILL
    assert tree_hashes(out) == before
    assert _partials(out), "the killed build left its partial folder (cleaned by the next build)"
    assert V2_MARKER not in (out / "documents" / "QP-12" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("delay", DELAYS)
def test_kill_after_delay_leaves_published_site_unchanged(delay, repos, published):
    out, before = published
    assert kill_after(repos[1], out, delay) == -signal.SIGKILL
    assert tree_hashes(out) == before


def test_next_build_removes_stale_partials_and_publishes_v2(repos, published):
    out, before = published
    first = None
    for stage in ("markdown-written", "pages-written"):
        assert kill_at_stage(repos[1], out, STAGES[stage]) == -signal.SIGKILL
        assert tree_hashes(out) == before
        first = first or _partials(out)[0]
    assert first not in _partials(out), "the second attempt removed the first attempt's stale folder"
    assert len(_partials(out)) == 1
    done = build(repos[1], out)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _partials(out) == []
    assert not list(out.parent.glob(f".{out.name}.old-*"))
    leftovers = sorted(p.name for p in out.parent.iterdir())
    assert leftovers == [f".{out.name}.lock", out.name]
    assert V2_MARKER in (out / "documents" / "QP-12" / "index.html").read_text(encoding="utf-8")
    assert html_pages(out) == {p for p in before if p.endswith(".html")}
    assert tree_hashes(out) != before


# --- disk full (B03) ---------------------------------------------------------------------------------

class DiskFull:
    """Wraps a writer: the `after`-th call that writes inside a partial folder raises ENOSPC."""

    def __init__(self, writer, after: int, path_of) -> None:
        self.writer, self.after, self.path_of, self.calls = writer, after, path_of, 0

    def __call__(self, *args, **kwargs):
        path = str(self.path_of(*args))
        if ".partial-" in path:
            self.calls += 1
            if self.calls >= self.after:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        return self.writer(*args, **kwargs)


def _inject(monkeypatch, point: str) -> DiskFull:
    import mkdocs.utils

    if point == "emit":  # the 3rd generated Markdown page
        fault = DiskFull(Path.write_text, 3, lambda self, *_: self)
        monkeypatch.setattr(Path, "write_text", lambda self, *args, **kwargs: fault(self, *args, **kwargs))
    elif point == "mkdocs-pages":  # the 5th HTML page MkDocs writes
        fault = DiskFull(mkdocs.utils.write_file, 5, lambda _content, path: path)
        monkeypatch.setattr(mkdocs.utils, "write_file", fault)
    else:  # fsync of the finished site just before the switch
        fault = DiskFull(publish._fsync_tree, 1, lambda root: root)
        monkeypatch.setattr(publish, "_fsync_tree", fault)
    return fault


@pytest.mark.parametrize("point", ["emit", "mkdocs-pages", "publish-fsync"])
def test_disk_full_leaves_published_site_unchanged(point, repos, published, monkeypatch):
    out, before = published
    for name, value in env().items():
        monkeypatch.setenv(name, value)
    fault = _inject(monkeypatch, point)
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = cli.main(["build", "--root", str(repos[1]), "--out", str(out), "--today", TODAY, "--quiet"])
    assert fault.calls >= fault.after, "the fault was injected"
    assert code == 1
    message = stderr.getvalue()
    assert "qms: build failed: cannot write the new site: No space left on device" in message
    assert "free some disk space" in message and f"the published site {out} is unchanged" in message
    assert "Traceback" not in message + stdout.getvalue() and "internal error" not in message
    assert tree_hashes(out) == before
    assert _partials(out) == []
