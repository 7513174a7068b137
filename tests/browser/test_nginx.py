"""Issue 25: both builds of the shipped manual served by a real nginx with the configuration
`deploy-config nginx --standalone` writes (Debian's nginx-light; a password file made with openssl).

The staff site is open; the auditor site answers only with the password; nothing auditor-only,
no source and no password file is reachable through the staff server; the security headers are
present; and in Chromium both sites work under their Content-Security-Policy with search.
Loopback addresses only, bounded waits, and nginx is stopped however the tests end.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from base64 import b64encode
from pathlib import Path

import pytest
from conftest import PYTHON, ROOT, _env, _skip_or_fail

pytestmark = pytest.mark.browser

USER, PASSWORD = "auditor", "Prüfer-2026-secret"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(shipped_site):
    if NGINX is None or shutil.which("openssl") is None:
        _skip_or_fail("the publishing test needs nginx and openssl (apt-get install nginx-light openssl; ./dev test does it)")
    # nginx's workers run as `nobody` when the tests run as root: a world-readable folder outside pytest's
    # private tmp (removed at the end)
    base = Path(tempfile.mkdtemp(prefix="qms-nginx-"))
    base.chmod(0o755)
    try:
        yield _start(base, shipped_site)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _start(base: Path, staff_built: Path):
    staff, auditor, prefix = base / "staff", base / "auditor", base / "nginx"
    shutil.copytree(staff_built, staff)
    done = subprocess.run([PYTHON, "-m", "site_builder", "build", "--audience", "auditor", "--out", str(auditor), "--quiet",
                           "--root", str(ROOT)], capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    hashed = subprocess.run(["openssl", "passwd", "-6", "-stdin"], input=PASSWORD, capture_output=True, text=True,
                            check=True).stdout.strip()
    htpasswd = base / "auditors.htpasswd"
    htpasswd.write_text(f"{USER}:{hashed}\n", encoding="utf-8")
    htpasswd.chmod(0o644)
    for folder in (staff, auditor):
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    ports = _free_port(), _free_port()
    config = prefix / "nginx.conf"
    done = subprocess.run([PYTHON, "-m", "site_builder", "deploy-config", "nginx", "--staff-root", str(staff),
                           "--auditor-root", str(auditor), "--staff-listen", f"127.0.0.1:{ports[0]}",
                           "--auditor-listen", f"127.0.0.1:{ports[1]}", "--htpasswd", str(htpasswd),
                           "--standalone", str(prefix), "--out", str(config)],
                          capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    test = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(config)], capture_output=True, text=True, timeout=60)
    assert test.returncode == 0, test.stderr
    server = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(config), "-g", "daemon off;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    urls = tuple(f"http://127.0.0.1:{port}/" for port in ports)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and server.poll() is None and _status(urls[0]) != 200:
            time.sleep(0.1)
        assert server.poll() is None and _status(urls[0]) == 200, server.stderr.read().decode() if server.poll() else ""
        yield_value = {"staff": urls[0], "auditor": urls[1], "staff_root": staff, "auditor_root": auditor,
                       "config": config.read_text(encoding="utf-8")}
        return _Running(server, yield_value)
    except BaseException:
        _stop(server)
        raise


class _Running(dict):
    """The served URLs and folders; stops nginx when the module's tests are done (see `nginx`)."""

    def __init__(self, server, values):
        super().__init__(values)
        self.server = server


@pytest.fixture(scope="module")
def nginx(served):
    try:
        yield served
    finally:
        _stop(served.server)


def _stop(server) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=20)


def _request(url: str, auth: tuple[str, str] | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, headers=dict(headers or {}))
    if auth:
        token = b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (127.0.0.1 only)
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _status(url: str, auth=None) -> int | None:
    try:
        return _request(url, auth)[0]
    except OSError:
        return None


def _raw_status(url: str, path: str) -> int:
    """The status for a request path sent exactly as written (urllib would normalise ../)."""
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        first = sock.recv(4096).split(b"\r\n", 1)[0].decode()
    return int(first.split()[1])


def test_auditor_site_requires_the_password(nginx):
    assert _status(nginx["staff"]) == 200
    assert _status(nginx["auditor"]) == 401
    assert _status(nginx["auditor"], (USER, "wrong")) == 401
    assert _status(nginx["auditor"], ("intruder", PASSWORD)) == 401
    assert _status(nginx["auditor"], (USER, PASSWORD)) == 200
    assert _status(nginx["auditor"] + "api/history.json", (USER, PASSWORD)) == 200
    assert _status(nginx["auditor"] + "api/history.json") == 401


def test_staff_server_never_serves_auditor_pages_or_sources(nginx):
    staff_root, auditor_root = nginx["staff_root"], nginx["auditor_root"]
    only_auditor = sorted(p.relative_to(auditor_root).as_posix() for p in auditor_root.rglob("*")
                          if p.is_file() and not (staff_root / p.relative_to(auditor_root)).exists())
    assert "api/history.json" in only_auditor and any(p.startswith("history/") for p in only_auditor)
    assert any(p.startswith("compliance") or "/compliance/" in p for p in only_auditor)
    served = [p for p in only_auditor if _status(nginx["staff"] + p) == 200]
    assert served == [], served[:20]
    for path in ("/auditors.htpasswd", "/../auditors.htpasswd", "/%2e%2e/auditors.htpasswd", "/.git/config", "/.qms-cache/",
                 "/qms.yaml", "/procedures/QP-01-document-control.md", "/../auditor/index.html", "/%2e%2e/auditor/",
                 "/assets/"):
        assert _raw_status(nginx["staff"], path) != 200, path
    assert not (nginx["staff_root"] / "assets" / "javascripts" / "index.html").exists()
    assert _raw_status(nginx["staff"], "/assets/javascripts/") in (403, 404)  # no directory listing


def test_security_headers_and_caching(nginx):
    for base, auth in ((nginx["staff"], None), (nginx["auditor"], (USER, PASSWORD))):
        status, headers, _ = _request(base, auth)
        assert status == 200
        policy = headers["Content-Security-Policy"]
        script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script and "'sha256-" in script and "frame-ancestors 'none'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"]
        assert headers["Cache-Control"] == "no-cache"
        status, headers, _ = _request(base + "api/documents.json", auth)
        assert headers["Content-Type"].startswith("application/json") and "Content-Security-Policy" in headers
        status, headers, _ = _request(base + "search/search_index.json", auth, {"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("Content-Encoding") == "gzip"
        status, headers, _ = _request(base + "assets/qms.css", auth)
        assert "max-age=2592000" in headers["Cache-Control"] and headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("audience", ["staff", "auditor"])
def test_the_sites_work_in_chromium_under_their_policy(nginx, browser, audience):
    credentials = {"username": USER, "password": PASSWORD} if audience == "auditor" else None
    context = browser.new_context(locale="zh-CN", http_credentials=credentials)
    page = context.new_page()
    page.set_default_timeout(20000)
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    try:
        response = page.goto(nginx[audience])
        assert response is not None and response.status == 200
        page.click("label.md-search__icon, .md-search__input")
        page.fill("input.md-search__input", "满意度")
        page.press("input.md-search__input", "End")
        page.wait_for_function("() => document.querySelectorAll('.md-search-result__item').length > 0", timeout=20000)
        assert page.locator(".md-search-result__item").count() > 0
    finally:
        context.close()
    assert [m for m in messages if "Content Security Policy" in m or m.startswith(("error", "pageerror"))] == []


def test_the_checklist_reads_the_generated_configuration(tmp_path, nginx):
    from site_builder.compliance.deployment import read_deployment

    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "nginx.conf").write_text(nginx["config"], encoding="utf-8")
    found = read_deployment(tmp_path)
    assert found is not None and found.auditor_found and found.auditor_protected
    (tmp_path / "deploy" / "nginx.conf").write_text(nginx["config"].replace("auth_basic ", "# auth_basic "), encoding="utf-8")
    assert not read_deployment(tmp_path).auditor_protected



def test_server_blocks_for_conf_d_pass_nginx_t_beside_a_distribution_nginx_conf(nginx, tmp_path):
    """Without --standalone: server blocks that an http block like Debian's (which has its own
    `gzip on;` and mime types) includes from conf.d/."""
    blocks = tmp_path / "qms.conf"
    htpasswd = tmp_path / "auditors.htpasswd"
    htpasswd.write_text("auditor:$6$x$y\n", encoding="utf-8")
    done = subprocess.run([PYTHON, "-m", "site_builder", "deploy-config", "nginx", "--staff-root", str(nginx["staff_root"]),
                           "--auditor-root", str(nginx["auditor_root"]), "--staff-listen", "127.0.0.1:1080",
                           "--auditor-listen", "127.0.0.1:1081", "--htpasswd", str(htpasswd), "--out", str(blocks)],
                          capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    (tmp_path / "logs").mkdir()
    main = tmp_path / "nginx.conf"
    main.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/logs/error.log;\nevents {{}}\n"
                    f"http {{\n    types {{ text/html html; application/json json; }}\n    gzip on;\n"
                    f"    access_log off;\n    include {blocks};\n}}\n", encoding="utf-8")
    test = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(main)], capture_output=True, text=True, timeout=60)
    assert test.returncode == 0, test.stderr


def test_deploy_config_refuses_a_password_file_inside_a_site(nginx, tmp_path):
    inside = nginx["auditor_root"] / "auditors.htpasswd"
    done = subprocess.run([PYTHON, "-m", "site_builder", "deploy-config", "nginx", "--staff-root", str(nginx["staff_root"]),
                           "--auditor-root", str(nginx["auditor_root"]), "--staff-listen", "127.0.0.1:1080",
                           "--auditor-listen", "127.0.0.1:1081", "--htpasswd", str(inside), "--out", str(tmp_path / "x")],
                          capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=600)
    assert done.returncode == 1 and "inside the site folder" in done.stderr and not (tmp_path / "x").exists()
