"""Headless-Chromium fixtures for the browser tests of the shipped manual (issue 3).

One build of the shipped manual (the repository root) per session, served by
`python -m http.server` on a free port of 127.0.0.1; one Chromium per session (Debian's
`/usr/bin/chromium` driven by Playwright with `executable_path`, never a downloaded browser);
a fresh context and page per test that records every request, dialog and page error.
Everything is skipped with a clear reason when chromium or playwright is missing, or when the
shipped content does not pass `check` yet.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
LOCAL_SCHEMES = ("data:", "blob:")
ZWSP = "\u200b"


def _env() -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def _skip_or_fail(reason: str):
    """CI sets QMS_REQUIRE_BROWSER=1 so that a missing install step fails instead of hiding behind a skip."""
    if os.environ.get("QMS_REQUIRE_BROWSER") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        _skip_or_fail("browser tests need Debian's chromium (apt-get install chromium fonts-noto-cjk; ./dev test does it): "
                    "shutil.which('chromium') found nothing")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _skip_or_fail("browser tests need the playwright Python package (pip install -e '.[test]')")
    return path


@pytest.fixture(scope="session")
def shipped_site(chromium_path, tmp_path_factory) -> Path:
    """The shipped manual built once per session (skipped while its content does not pass check)."""
    checked = subprocess.run([PYTHON, "-m", "site_builder", "check", "--root", str(ROOT)], capture_output=True, text=True,
                             env=_env(), cwd=ROOT, timeout=600)
    if checked.returncode != 0:
        errors = [line for line in checked.stdout.splitlines() if ": error " in line]
        _skip_or_fail(f"the shipped manual does not pass `check` yet (exit {checked.returncode}, {len(errors)} error(s)), "
                    f"so it cannot be built for the browser tests; first: {errors[:3] or checked.stderr.strip()[-300:]}")
    out = tmp_path_factory.mktemp("shipped") / "site"
    started = time.monotonic()
    done = subprocess.run([PYTHON, "-m", "site_builder", "build", "--root", str(ROOT), "--out", str(out), "--quiet"],
                          capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"the shipped manual passes check but its build failed (exit {done.returncode}):\n"
                    f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    print(f"\nshipped manual built in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return out


@pytest.fixture(scope="session")
def shipped_documents(shipped_site) -> dict[str, dict]:
    items = json.loads((shipped_site / "api" / "documents.json").read_text(encoding="utf-8"))
    return {item["id"]: item for item in items}


@pytest.fixture(scope="session")
def site_name() -> str:
    import yaml

    return yaml.safe_load((ROOT / "qms.yaml").read_text(encoding="utf-8"))["site_name"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serves(url: str, marker: bytes) -> bool:
    try:
        with urllib.request.urlopen(url + "api/build.json", timeout=2) as response:  # noqa: S310 (127.0.0.1 only)
            return marker in response.read()
    except OSError:
        return False


@pytest.fixture(scope="session")
def shipped_url(shipped_site) -> str:
    """http://127.0.0.1:<port>/ serving the shipped build (our own server: checked by content, not just by port)."""
    marker = (shipped_site / "api" / "build.json").read_bytes()
    for _ in range(5):
        port = _free_port()
        server = subprocess.Popen([PYTHON, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory",
                                   str(shipped_site)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and server.poll() is None and not _serves(url, marker):
            time.sleep(0.05)
        if server.poll() is None and _serves(url, marker):
            try:
                yield url
            finally:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
            return
        server.terminate()
        server.wait()
    pytest.fail("could not start python -m http.server on a free port of 127.0.0.1")


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Browse:
    """A fresh page plus everything it did: every request URL, dialogs (alert etc.) and script errors."""

    page: object
    base: str
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def goto(self, relative: str = ""):
        response = self.page.goto(self.base + relative)
        assert response is not None and response.ok, f"{relative}: HTTP {response.status if response else '?'}"
        return response

    def outside_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.base) and not url.startswith(LOCAL_SCHEMES)]

    def search(self, query: str) -> list[str]:
        """Material search: click the icon, type, press End (Material listens for keyup); result titles, U+200B removed."""
        page = self.page
        page.click("label.md-search__icon, .md-search__input")
        page.fill("input.md-search__input", query)
        page.press("input.md-search__input", "End")
        page.wait_for_function(
            "() => { const m = document.querySelector('.md-search-result__meta');"
            " return m && /找到|符合条件|没有|result|match/i.test(m.textContent); }", timeout=15000)
        page.wait_for_function("() => document.querySelectorAll('.md-search-result__item').length > 0", timeout=15000)
        titles = page.locator(".md-search-result__item > .md-search-result__link h1").all_inner_texts()
        return [title.replace(ZWSP, "").strip() for title in titles]


@pytest.fixture
def browse(browser, shipped_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    session = Browse(page=page, base=shipped_url)
    context.on("request", lambda request: session.requests.append(request.url))
    page.on("dialog", lambda dialog: (session.dialogs.append(f"{dialog.type}: {dialog.message}"), dialog.dismiss()))
    page.on("pageerror", lambda error: session.errors.append(str(error)))
    try:
        yield session
    finally:
        context.close()
    # Checked for every browser test: nothing left 127.0.0.1 and no alert() ran.  Script errors are
    # recorded here and asserted by test_pages_run_without_script_errors.
    assert session.requests, "no request was recorded"
    assert session.outside_requests() == [], f"requests left 127.0.0.1: {session.outside_requests()}"
    assert session.dialogs == [], f"dialogs opened (script from content?): {session.dialogs}"
