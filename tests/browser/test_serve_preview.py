"""Issue 27: `serve` is the author's preview.  In a clone of the shipped manual, served by
`python -m site_builder serve`, Chromium watches QP-06 while the document controller works:

* revising it and editing the draft updates the open page, which shows the draft marked
  「草稿预览，未生效」 (a build never shows it: tests/e2e/test_revisions_in_flight.py);
* a duplicate key saved in a record makes serve print the diagnostic with its file and line, and the
  browser shows a page listing it instead of waiting; after the fix the preview comes back by itself.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(shutil.which("git") is None, reason="revise and the versions in force need git")]

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ("procedures", "forms", "records", "schemas", "qms.yaml", "organisation.yaml", "mkdocs.yml")
TODAY = "2026-12-06"
MARKER = "本段为预览中的修订内容"
RECORD = Path("records") / "QR-06-01" / "CSS-2025-006.yaml"


def _env() -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "QMS_"))}, "NO_MKDOCS_2_WARNING": "1",
            "PYTHONDONTWRITEBYTECODE": "1", "LC_ALL": "C.UTF-8"}


def _run(where: Path, *args: str) -> str:
    done = subprocess.run(list(args), cwd=where, capture_output=True, text=True, env=_env(), timeout=600)
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture
def manual(tmp_path) -> Path:
    repo = tmp_path / "manual"
    _run(ROOT, "git", "clone", "-q", "--no-hardlinks", str(ROOT), str(repo))
    for name in CONTENT:
        target = repo / name
        shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, target)
    _run(repo, "git", "config", "user.name", "何雨桐")
    _run(repo, "git", "config", "user.email", "dcc@example.invalid")
    _run(repo, "git", "add", "-A")
    _run(repo, "git", "-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-m", "content")
    return repo


@pytest.fixture
def served(manual, tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = (tmp_path / "serve.log").open("w+", encoding="utf-8")
    server = subprocess.Popen([sys.executable, "-m", "site_builder", "serve", "--port", str(port), "--root", str(manual),
                               "--today", TODAY], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=_env())
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url + "documents/QP-06/", timeout=2):  # noqa: S310 (127.0.0.1 only)
                break
        except OSError:
            time.sleep(0.2)
    try:
        assert server.poll() is None, Path(log.name).read_text(encoding="utf-8")
        yield url, Path(log.name)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_the_preview_shows_the_draft_and_the_errors_while_editing(served, manual, browser):
    url, log = served
    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(60000)
    page.goto(url + "documents/QP-06/")
    assert "草稿预览" not in page.content()

    _run(ROOT, sys.executable, "-m", "site_builder", "revise", "QP-06", "--change", "预览测试", "--root", str(manual),
         "--today", TODAY)
    source = next((manual / "procedures").glob("QP-06-*.md"))
    source.write_text(source.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{MARKER}。\n", encoding="utf-8")
    page.wait_for_function(f"() => document.body.innerText.includes('{MARKER}')")  # live reload, no click
    assert page.locator(".qms-banner-preview").inner_text() == "草稿预览，未生效"

    record = manual / RECORD
    good = record.read_text(encoding="utf-8")
    record.write_text(good + "surveyed_by: 重复\n", encoding="utf-8")
    page.wait_for_function("() => document.body.innerText.includes('内容有错误，预览未更新')")
    listing = page.locator(".qms-errors").inner_text()
    assert f"{RECORD.as_posix()}:12:1: error SB106 duplicate key 'surveyed_by'" in listing
    deadline = time.monotonic() + 30
    while "SB106" not in log.read_text(encoding="utf-8") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert f"{RECORD.as_posix()}:12:1: error SB106" in log.read_text(encoding="utf-8")

    record.write_text(good, encoding="utf-8")
    page.wait_for_function(f"() => document.body.innerText.includes('{MARKER}')")
    assert "内容有错误" not in page.content()
