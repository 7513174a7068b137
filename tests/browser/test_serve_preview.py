"""Issue 27: `serve` is the author's preview.  In a clone of the shipped manual, served by
`python -m site_builder serve`, Chromium watches QP-06 while the document controller works:

* revising it and editing the draft updates the open page, which shows the draft marked
  「草稿预览，未生效」 (a build never shows it: tests/e2e/test_revisions_in_flight.py);
* a duplicate key saved in a record makes serve print the diagnostic with its file and line, and the
  browser shows a page listing it instead of waiting; after the fix the preview comes back by itself.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import shipped_clone  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(shutil.which("git") is None, reason="revise and the versions in force need git")]

ROOT = shipped_clone.ROOT
TODAY = "2026-12-06"
MARKER = "本段为预览中的修订内容"
RECORD = Path("records") / "QR-06-01" / "CSS-2025-006.yaml"


def _env() -> dict[str, str]:
    return shipped_clone.env(date.fromisoformat(TODAY))


def _run(where: Path, *args: str) -> str:
    return shipped_clone.run(where, *args, day=date.fromisoformat(TODAY)).stdout


@pytest.fixture
def manual(tmp_path) -> Path:
    return shipped_clone.clone_shipped(tmp_path / "manual", "何雨桐", date.fromisoformat(TODAY))


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
    wait_for_text(page, MARKER)  # live reload, no click
    assert page.locator(".qms-banner-preview").inner_text() == "草稿预览，未生效"

    record = manual / RECORD
    good = record.read_text(encoding="utf-8")
    record.write_text(good + "surveyed_by: 重复\n", encoding="utf-8")
    wait_for_text(page, "内容有错误，预览未更新")
    listing = page.locator(".qms-errors").inner_text()
    assert f"{RECORD.as_posix()}:12:1: error SB106 duplicate key 'surveyed_by'" in listing
    deadline = time.monotonic() + 30
    while "SB106" not in log.read_text(encoding="utf-8") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert f"{RECORD.as_posix()}:12:1: error SB106" in log.read_text(encoding="utf-8")

    record.write_text(good, encoding="utf-8")
    wait_for_text(page, MARKER)
    assert "内容有错误" not in page.content()


def wait_for_text(page, text: str, seconds: float = 90) -> None:
    """Until the open page shows `text`.  The live reload replaces the page at any moment, which ends
    any script running in it (so no wait_for_function across a reload): read the body again and again."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if text in page.inner_text("body", timeout=2000):
                return
        except Error:
            pass  # (the page was being replaced)
        time.sleep(0.2)
    raise AssertionError(f"the preview did not show {text!r} within {seconds} s:\n{page.content()[:2000]}")
