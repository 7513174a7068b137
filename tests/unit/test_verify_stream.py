"""verify_stream: pages verified in forked children as they are written give the same problems as
verifying the finished site, and the rest of the site is still verified afterwards.

Each scenario runs in a fresh interpreter (this file run as a script): forking is only taken when
no other thread runs, and earlier tests in the same pytest process may leave threads behind."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from site_builder.build import generate
from site_builder.derive.privacy import personal_values
from site_builder.fast import forked
from site_builder.fast.forked import Children
from site_builder.site.theme import material_templates
from site_builder.site.verify_stream import PageStream
from site_builder.verify.html import HtmlVerifier
from site_builder.verify.site import verify_site

ROOT = Path(__file__).resolve().parents[2]
URL = "http://127.0.0.1:8000/"
CHILDREN = Children(2)
VERIFIER = HtmlVerifier(material_templates())


def stream_of(site: Path, g, docs: Path | None = None, children: Children = CHILDREN) -> PageStream:
    return PageStream(site, g, URL, docs, children=children, verifier=VERIFIER)


def verified(site: Path, g, streamed=None) -> list[str]:
    """verify_site with the stream's results (if any), its pages shared out over the children."""
    return verify_site(site, g, URL, streamed, children=CHILDREN, verifier=VERIFIER)


def verified_plain(site: Path, g) -> list[str]:
    """The plain path: every page read here, whole, after the build."""
    return verify_site(site, g, URL, children=Children(1), verifier=HtmlVerifier(material_templates(), chunks=False))


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


def written_twice(tmp_path: Path, g, value: str) -> tuple[PageStream, Path, Path]:
    """(stream, site written with it, the same site written without one)"""
    streamed_site, plain_site = tmp_path / "streamed", tmp_path / "plain"
    streamed_site.mkdir()
    plain_site.mkdir()
    stream = stream_of(streamed_site, g)
    write_site(streamed_site, value, stream)
    write_site(plain_site, value)
    return stream, streamed_site, plain_site


def a_value(generated) -> str:
    return next(v for v in sorted(personal_values(generated.check.manual)) if len(v) >= 3 and "@" not in v)


def scenario_same_problems(tmp_path: Path) -> None:
    g = generated()
    value = a_value(g)
    assert forked.fork_is_safe()
    stream, streamed_site, plain_site = written_twice(tmp_path, g, value)
    streamed = stream.results(hand_back=False)
    assert streamed is not None  # every page went to both children
    assert streamed.checked_pages == streamed.scanned_pages == frozenset(site_pages(value))

    found = verified(streamed_site, g, streamed)
    assert sorted(found) == sorted(verified(plain_site, g)) == sorted(verified_plain(plain_site, g))
    text = "\n".join(found)
    for expected in ("missing/", "event-handler attribute onclick=", "x.js", "javascript: URL", "a/index.html: personal data",
                     "api/extra.json: personal data"):
        assert expected in text, expected
    assert value not in text  # (messages show values masked)


def scenario_no_safe_fork(tmp_path: Path) -> None:
    g = generated()
    value = a_value(g)
    forked.fork_is_safe = lambda: False
    stream = stream_of(tmp_path, g)
    write_site(tmp_path, value, stream)
    assert stream.results() is None
    assert any("a/index.html: personal data" in p for p in verified(tmp_path, g, None))


def scenario_plain(tmp_path: Path) -> None:
    """The plain path (one process): no child, and verify_site reads every page itself."""
    g = generated()
    value = a_value(g)
    stream = stream_of(tmp_path, g, children=Children(1))
    assert not stream._children
    write_site(tmp_path, value, stream)
    assert stream.results() is None
    found = verified_plain(tmp_path, g)
    assert any("a/index.html: personal data" in p for p in found)
    assert sorted(found) == sorted(verified(tmp_path, g))


def scenario_page_never_written(tmp_path: Path) -> None:
    g = generated()
    value = a_value(g)
    stream = stream_of(tmp_path, g)
    stream.page_written("never/index.html")
    write_site(tmp_path, value, stream)
    streamed = stream.results(hand_back=False)
    assert "never/index.html" not in streamed.checked_pages | streamed.scanned_pages
    assert len(streamed.checked_pages) == len(streamed.scanned_pages) == len(site_pages(value))


def scenario_pages_handed_back(tmp_path: Path) -> None:
    """Children slower than the writer: at the end they leave what they have not started, and verify_site
    finds in it every problem a verification of the finished site finds."""
    import time

    def slowly(verify):
        def slow(self, relative, data):
            time.sleep(0.5)
            verify(self, relative, data)
        return slow

    PageStream._check_html, PageStream._scan = slowly(PageStream._check_html), slowly(PageStream._scan)
    g = generated()
    value = a_value(g)
    stream, streamed_site, plain_site = written_twice(tmp_path, g, value)
    streamed = stream.results()
    assert len(streamed.checked_pages) < len(site_pages(value)) and len(streamed.scanned_pages) < len(site_pages(value))
    found = verified(streamed_site, g, streamed)
    assert found == verified(plain_site, g)
    assert sorted(found) == sorted(verified_plain(plain_site, g))
    assert any("missing/" in p for p in found) and any("a/index.html: personal data" in p for p in found)


def scenario_sources_scanned_before_mkdocs(tmp_path: Path) -> None:
    """Files copied as they are are scanned in the docs folder early, and count only if the site holds the same bytes."""
    g = generated()
    value = a_value(g)
    docs, site = tmp_path / "docs", tmp_path / "site"
    (docs / "dl").mkdir(parents=True)
    site.mkdir()
    sources = {"dl/same.json": f'{{"who": "{value}"}}', "dl/clean.json": '{"who": "nobody"}',
               "dl/changed.json": '{"who": "nobody"}', "dl/not-copied.csv": f"who\n{value}\n"}
    for relative, text in sources.items():
        (docs / relative).write_text(text, encoding="utf-8")
    stream = stream_of(site, g, docs)
    stream.sources_written(sorted(sources))
    (site / "dl").mkdir()
    for relative in ("dl/same.json", "dl/clean.json"):
        stream.page_written(relative)
        (site / relative).write_bytes((docs / relative).read_bytes())
    stream.page_written("dl/changed.json")
    (site / "dl" / "changed.json").write_text(f'{{"who": "{value}"}}', encoding="utf-8")  # not what was scanned early
    write_site(site, value, stream)
    streamed = stream.results(hand_back=False)
    assert {"dl/same.json", "dl/clean.json", "dl/changed.json"} <= streamed.scanned_pages
    assert "dl/not-copied.csv" not in streamed.scanned_pages
    assert {hit.file for hit in streamed.hits} >= {"dl/same.json", "dl/changed.json"}
    assert "dl/clean.json" not in {hit.file for hit in streamed.hits}
    found = verified(site, g, streamed)
    assert sorted(found) == sorted(verified(site, g)) == sorted(verified_plain(site, g))


def scenario_cancel(tmp_path: Path) -> None:
    stream = stream_of(tmp_path, generated())
    children = list(stream._children.values())
    assert children and all(child.pid for child in children)
    stream.page_written("index.html")
    stream.cancel()
    assert all(child.pid is None for child in children)
    streamed = stream.results()
    assert not streamed.checked_pages and not streamed.scanned_pages  # verify_site then reads every page itself


@pytest.mark.parametrize("scenario", ["scenario_same_problems", "scenario_no_safe_fork", "scenario_plain",
                                      "scenario_page_never_written",
                                      "scenario_pages_handed_back", "scenario_sources_scanned_before_mkdocs",
                                      "scenario_cancel"])
def test_scenario_in_a_fresh_process(scenario, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, __file__, scenario, str(tmp_path)], capture_output=True, text=True, timeout=300,
                         cwd=ROOT, env=env)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert run.stdout.strip() == f"{scenario} ok"


if __name__ == "__main__":
    name, folder = sys.argv[1], Path(sys.argv[2])
    globals()[name](folder)
    print(f"{name} ok")
