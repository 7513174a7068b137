"""The audit bundle: a built auditor site plus the requirements map, the build stamp and the last
test results, as one dated zip archive.  No MkDocs here (commands_audit.py builds the site).

* Links are rewritten for opening from disk: the site is built with directory URLs
  (`documents/QP-01/`), which a browser on file:// shows as a folder listing, so every relative
  link to a folder gets `index.html` appended (`documents/QP-01/index.html`).
* Entries are written in sorted order with the build time as their timestamp, so the same site
  and inputs give the same archive bytes.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

RESULTS_FILE = ".qms/test-results.json"
NO_RESULTS = "no test results recorded"
_ATTRIBUTE = re.compile(r'((?:href|src)=")([^"]*)(")')
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class BundleError(Exception):
    """The archive cannot be written (the message says why and what to do)."""


@dataclass(frozen=True, slots=True)
class TestResults:
    finished_at: str | None
    outcomes: dict[str, str]  # pytest node id -> passed | failed | skipped | error | xfailed | xpassed
    problem: str | None = None  # why no results could be read

    @property
    def recorded(self) -> bool:
        return self.problem is None


def read_test_results(root: Path) -> TestResults:
    path = root / RESULTS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return TestResults(None, {}, NO_RESULTS)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return TestResults(None, {}, f"{NO_RESULTS} ({RESULTS_FILE} is unreadable: {exc})")
    outcomes = data.get("tests") if isinstance(data, dict) else None
    if not isinstance(outcomes, dict):
        return TestResults(None, {}, f"{NO_RESULTS} ({RESULTS_FILE} has no 'tests' mapping)")
    return TestResults(str(data.get("finished_at") or ""), {str(k): str(v) for k, v in outcomes.items()})


def offline_html(text: str) -> str:
    """Append index.html to relative links that end at a folder (see module docstring)."""
    return _ATTRIBUTE.sub(lambda m: m.group(1) + offline_url(m.group(2)) + m.group(3), text)


def offline_url(url: str) -> str:
    if not url or url.startswith(("#", "//", "/")) or _SCHEME.match(url):
        return url
    cut = min((i for i in (url.find("#"), url.find("?")) if i >= 0), default=len(url))
    path, rest = url[:cut], url[cut:]
    if path in (".", "..") or path.endswith(("/.", "/..")):
        path += "/"
    if path.endswith("/"):
        return path + "index.html" + rest
    return url


def tests_report(results: TestResults, mapped: dict[str, list[str]]) -> str:
    """Plain text: every test the requirements map names, with its outcome in the last run."""
    lines = ["Tests named by the requirements map and their result in the last test run", ""]
    if not results.recorded:
        lines += [results.problem or NO_RESULTS, "Run the test suite (./dev test or python -m pytest) and build the bundle again.", ""]
    else:
        lines += [f"last test run finished at {results.finished_at} (UTC); {len(results.outcomes)} tests ran", ""]
    for test in sorted(mapped):
        outcome = _outcome(results, test) if results.recorded else "no result"
        lines.append(f"{outcome:10} {test}    [{', '.join(sorted(mapped[test]))}]")
    return "\n".join(lines) + "\n"


def _outcome(results: TestResults, test: str) -> str:
    """A node id of the map names a test function; parametrised tests count as failed if any case failed."""
    found = [o for node, o in results.outcomes.items() if node == test or node.startswith(test + "[")]
    if not found:
        return "not run"
    for worst in ("failed", "error", "xpassed", "skipped", "xfailed"):
        if worst in found:
            return worst
    return "passed"


def readme_text(built_at: str, commit: str | None) -> str:
    return f"""qms-site audit bundle
=====================

Built {built_at} (UTC) from commit {commit or "(no git commit)"}.

site/                  the auditor site.  Open site/index.html in a browser: every page and link
                       works from disk, without a web server.  The search box needs a web server
                       (browsers do not let pages read the search index from disk):
                         python3 -m http.server --directory site 8000
                       then open http://127.0.0.1:8000/
site/compliance/index.html   the checklist 「文件控制合规检查表」
site/api/compliance.json     the same checklist as data
build.json             the build stamp (commit, working-tree state, build time, tool version)
requirements.yaml      the requirements map the checklist was built from
test-results.txt       the tests the map names, with their result in the last test run
test-results.json      all results of the last test run (absent when none was recorded)
"""


def write_bundle(out: Path, site_dir: Path, members: dict[str, bytes], when: datetime, comment: str = "") -> int:
    """Write site_dir (as site/, links made offline) and `members` into `out` atomically; returns the entry count.
    `comment` becomes the archive comment (shown by `unzip -l`)."""
    entries = dict(members)
    for path in sorted(site_dir.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".html":
            data = offline_html(data.decode("utf-8")).encode("utf-8")
        entries["site/" + path.relative_to(site_dir).as_posix()] = data
    index = entries.get("site/search/search_index.json")
    if index is not None:
        # Opened from disk, Material loads the index as a script that sets __index (what its offline
        # plugin writes); without it every page logs a failed request.
        entries["site/search/search_index.js"] = b"var __index = " + index + b";\n"
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.comment = comment.encode("utf-8")[:65535]
            for name in sorted(entries):
                info = zipfile.ZipInfo(name, stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, entries[name])
        os.replace(partial, out)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return len(entries)
