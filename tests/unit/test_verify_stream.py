"""verify_stream: pages verified in a forked child as they are written give the same problems as
verifying the finished site, and the rest of the site is still verified afterwards."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from site_builder import forked
from site_builder.generate import generate
from site_builder.privacy import personal_values
from site_builder.verify import verify_site
from site_builder.verify_stream import PageStream

ROOT = Path(__file__).resolve().parents[2]
URL = "http://127.0.0.1:8000/"


@pytest.fixture(scope="module")
def generated():
    return generate(ROOT, date(2026, 11, 23), "staff")


def page(body: str) -> str:
    return f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>\n"


def site_pages(value: str) -> dict[str, str]:
    return {
        "index.html": page('<a href="a/">a</a> <a href="missing/">broken</a>'),
        "a/index.html": page(f'<p onclick="x()">联系人 {value}</p><a href="../index.html">home</a>'),
        "b/index.html": page('<script src="https://cdn.example/x.js"></script><a href="../a/#top">a</a>'),
        "c/index.html": page("<p>clean</p>"),
    }


def write_site(site: Path, value: str, stream: PageStream | None = None) -> None:
    """Write like MkDocs: the pages one by one (each reported just before it is written), then other files."""
    for relative, text in site_pages(value).items():
        if stream is not None:
            stream.page_written(relative)
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(text, encoding="utf-8")
    (site / "api").mkdir()
    (site / "api" / "extra.json").write_text(f'{{"who": "{value}"}}', encoding="utf-8")
    (site / "404.html").write_text(page('<img src="javascript:alert(1)">'), encoding="utf-8")


@pytest.fixture
def value(generated) -> str:
    return next(v for v in sorted(personal_values(generated.check.manual)) if len(v) >= 3 and "@" not in v)


def test_streamed_verification_finds_what_a_verification_after_the_build_finds(tmp_path, generated, value):
    streamed_site, plain_site = tmp_path / "streamed", tmp_path / "plain"
    streamed_site.mkdir()
    plain_site.mkdir()
    stream = PageStream(streamed_site, generated, URL)
    write_site(streamed_site, value, stream)
    write_site(plain_site, value)
    streamed = stream.results()
    assert streamed is not None  # every page went to both children
    assert streamed.checked_pages == streamed.scanned_pages == frozenset(site_pages(value))

    found = verify_site(streamed_site, generated, URL, streamed)
    assert sorted(found) == sorted(verify_site(plain_site, generated, URL))
    text = "\n".join(found)
    for expected in ("missing/", "event-handler attribute onclick=", "x.js", "javascript: URL", "a/index.html: personal data",
                     "api/extra.json: personal data"):
        assert expected in text
    assert value not in text  # (messages show values masked)


def test_without_a_safe_fork_there_is_no_child_and_everything_is_verified_after(tmp_path, generated, value, monkeypatch):
    monkeypatch.setattr(forked, "fork_is_safe", lambda: False)
    stream = PageStream(tmp_path, generated, URL)
    write_site(tmp_path, value, stream)
    assert stream.results() is None
    assert any("a/index.html: personal data" in p for p in verify_site(tmp_path, generated, URL, None))


def test_a_page_reported_but_never_written_is_left_to_the_verification_after(tmp_path, generated, value):
    stream = PageStream(tmp_path, generated, URL)
    stream.page_written("never/index.html")
    write_site(tmp_path, value, stream)
    streamed = stream.results()
    assert "never/index.html" not in streamed.checked_pages | streamed.scanned_pages
    assert len(streamed.checked_pages) == len(streamed.scanned_pages) == len(site_pages(value))


def test_cancel_stops_the_child(tmp_path, generated):
    stream = PageStream(tmp_path, generated, URL)
    stream.page_written("index.html")
    stream.cancel()
    streamed = stream.results()
    assert not streamed.checked_pages and not streamed.scanned_pages  # verify_site then reads every page itself
