"""The auditor's "in force on a date" year page: choosing a date marks the versions in force then."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from history_support import two_versions  # noqa: E402


@pytest.fixture(scope="module")
def auditor_site(tmp_path_factory) -> Path:
    repo = two_versions(tmp_path_factory.mktemp("asof") / "repo")
    site = repo.path.parent / "site"
    done = repo.qms("build", "--audience", "auditor", "--out", str(site), "--quiet")
    assert done.returncode == 0, done.stdout + done.stderr
    return site


@pytest.mark.parametrize(("day", "bold"), [("2025-02-28", "A0"), ("2025-03-01", "A1")])
def test_choosing_a_date_marks_the_version_in_force(browser, auditor_site, day, bold):
    page = browser.new_page()
    try:
        page.goto((auditor_site / "history" / "as-of" / "2025" / "index.html").as_uri())
        page.fill("input[data-qms-as-of]", day)
        page.dispatch_event("input[data-qms-as-of]", "change")
        marked = page.eval_on_selector_all("span.qms-in-force a", "els => els.map(e => e.textContent)")
        assert marked == [bold]
    finally:
        page.close()
