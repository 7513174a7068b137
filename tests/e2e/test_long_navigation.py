"""A long manual's navigation: past the group limit, the auditor history lists only each document's
history page and MkDocs is told that the version and diff pages are deliberately not in the nav
(strict mode would refuse them otherwise), through `build` and through the plain `mkdocs build` plugin."""

from __future__ import annotations

import contextlib
import io
import re
import sys
from pathlib import Path

import pytest

from site_builder import cli
from site_builder.render import navigation

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from history_support import two_versions  # noqa: E402

TODAY = "2025-06-01"


@pytest.fixture
def long_manual(tmp_path, monkeypatch):
    """The two-version scenario with the group limit lowered so that its one document counts as a long manual."""
    monkeypatch.setattr(navigation, "GROUP_LIMIT", 0)
    return two_versions(tmp_path / "repo")


def nav_links(page: Path) -> list[str]:
    """Targets of the navigation's links on `page` (Material marks them md-nav__link)."""
    return re.findall(r'<a href="([^"]*)" class="md-nav__link', page.read_text(encoding="utf-8"))


def test_build_lists_only_history_pages_and_still_writes_versions_and_diffs(long_manual, tmp_path):
    out = tmp_path / "auditor"
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["build", "--root", str(long_manual.path), "--audience", "auditor", "--out", str(out),
                         "--quiet", "--today", TODAY])
    assert code == 0, err.getvalue()
    history = out / "history" / "QP-90"
    assert (history / "A0" / "index.html").is_file() and (history / "diff-A0-A1" / "index.html").is_file()
    index = (history / "index.html").read_text(encoding="utf-8")
    assert 'href="A0/"' in index or 'href="./A0/"' in index  # versions are reached from the history page
    listed = nav_links(history / "index.html")
    assert "./" in listed or "" in listed or "." in listed, listed  # the history page itself is in the nav
    assert not any("A0" in link or "A1" in link or "diff-" in link for link in listed), listed


def test_plain_mkdocs_build_through_the_plugin_accepts_the_unlisted_pages(long_manual, tmp_path, monkeypatch):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config_file = long_manual.path / "mkdocs.yml"  # (the plugin's options: a bare `mkdocs build` has no command line)
    text = config_file.read_text(encoding="utf-8")
    assert "  - qms\n" in text
    config_file.write_text(text.replace("  - qms\n", f"  - qms:\n      audience: auditor\n      today: '{TODAY}'\n"),
                           encoding="utf-8")
    out = tmp_path / "mkdocs-site"
    config = load_config(str(config_file), site_dir=str(out), strict=True)
    try:
        build(config)
    finally:
        for plugin in config.plugins.values():
            if hasattr(plugin, "on_shutdown"):
                plugin.on_shutdown()
    assert (out / "history" / "QP-90" / "A0" / "index.html").is_file()
