"""The shipped manual's staff and auditor sites pass every post-build verifier (issue 9).

Both sites are built with `python -m site_builder build` (which runs the verifiers before it
publishes); the verifiers are then run again on the published folders, and the sitemap, search
index and scripts they checked are counted, so a verifier that checks nothing would be noticed.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest_build import ROOT, SHIPPED_TODAY, build  # noqa: E402

from site_builder.build import generate  # noqa: E402
from site_builder.fast.forked import Children, default_processes  # noqa: E402
from site_builder.site.archive import dest_uri  # noqa: E402
from site_builder.site.driver import site_url  # noqa: E402
from site_builder.site.theme import material_templates  # noqa: E402
from site_builder.verify.html import HtmlVerifier, SiteAddress, chunk_reader  # noqa: E402
from site_builder.verify.site import verify_site  # noqa: E402


@pytest.fixture(scope="module", params=["staff", "auditor"])
def shipped(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"shipped-{request.param}") / "site"
    done = build(ROOT, out, "--audience", request.param, "--quiet", "--today", SHIPPED_TODAY)
    assert done.returncode == 0, done.stdout + done.stderr
    generated = generate(ROOT, date.fromisoformat(SHIPPED_TODAY), request.param)
    return request.param, out, generated


def test_shipped_site_passes_every_verifier(shipped):
    _audience, out, generated = shipped
    assert verify_site(out, generated, site_url(generated), children=Children(default_processes()),
                       verifier=HtmlVerifier(material_templates())) == []
    assert verify_site(out, generated, site_url(generated), children=Children(1),
                       verifier=HtmlVerifier(material_templates(), chunks=False)) == []  # (the plain path)


def test_every_built_page_takes_the_html_verifiers_shortcut_and_finds_what_a_whole_parse_finds(shipped):
    _audience, out, _generated = shipped
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 20
    reader, shortcut, plain = chunk_reader(), HtmlVerifier(material_templates()), HtmlVerifier(material_templates(), False)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert reader.verifiable_chunks(text) is not None, page
        problems, links = plain.parsed(text)
        checked = shortcut.checked_page("p.html", text)
        assert (checked.problems, checked.links) == ([f"p.html:{n}: {m}" for n, m in problems], links)


def test_the_verifiers_had_something_to_check(shipped):
    audience, out, generated = shipped
    url = site_url(generated)
    assert url.startswith("https://"), "qms.yaml sets site_url"
    pages = {p.relative_to(out).as_posix() for p in out.rglob("*.html")} - {"404.html"}
    locations = re.findall(r"<loc>([^<]+)</loc>", (out / "sitemap.xml").read_text(encoding="utf-8"))
    assert len(locations) == len(pages) > 20
    assert all(loc.startswith(url) for loc in locations)
    index = json.loads((out / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    archive = {dest_uri(source, True) for source in generated.site.archive}  # (never in the search index)
    assert archive <= pages and (audience == "auditor") == bool(archive)
    assert len({entry["location"].split("#")[0] for entry in index}) == len(pages - archive)
    home = (out / "index.html").read_text(encoding="utf-8")
    assert home.count("<script") >= 5 and 'src="assets/qms.js"' in home
    assert (out / "history").is_dir() == (audience == "auditor")


def test_an_injected_script_in_the_shipped_site_is_caught(shipped, tmp_path):
    _audience, out, generated = shipped
    page = out / "documents" / "QP-01" / "index.html"
    original = page.read_text(encoding="utf-8")
    try:
        page.write_text(original.replace("</article>", '<img src="../" onerror="alert(1)"></article>', 1), encoding="utf-8")
        found = HtmlVerifier(material_templates()).html_problems(out, SiteAddress.from_url(site_url(generated)))
    finally:
        page.write_text(original, encoding="utf-8")
    assert len(found) == 1 and found[0].startswith("documents/QP-01/index.html:") and "onerror=" in found[0]


def test_a_fuzz_found_bypass_is_rendered_as_text(repo_factory, tmp_path):
    """A body the old sanitiser let through (an indented line continuing a paragraph) now builds,
    with the script shown as text; and the link to a source file becomes a link to its page."""
    root = repo_factory()
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    source = root / "procedures" / "QP-01-document-control.md"
    source.write_text(source.read_text(encoding="utf-8") + "\n段落第一行\n    <script>alert('bypass')</script>\n", encoding="utf-8")
    out = tmp_path / "www" / "site"
    done = build(root, out, "--quiet")
    assert done.returncode == 0, done.stdout + done.stderr
    page = (out / "documents" / "QP-01" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert('bypass')" not in page and "&lt;script&gt;alert(" in page
    assert 'href="../QP-02/"' in page


def test_the_register_of_external_documents_is_built(shipped):
    """Issue 23: the built register, its entry pages, api/external.json and the search index (an issuer's number)."""
    audience, out, _generated = shipped
    register = (out / "external" / "index.html").read_text(encoding="utf-8")
    assert "<title>外来文件清单" in register and "GB 5749" in register
    entries = json.loads((out / "api" / "external.json").read_text(encoding="utf-8"))
    statuses = {e["id"]: e["status"] for e in entries}
    assert statuses["EXT-2022-001"] == "current"
    assert ("EXT-2021-001" in statuses) == (audience == "auditor") == (out / "external" / "EXT-2021-001" / "index.html").exists()
    assert audience == "auditor" or set(statuses.values()) == {"current"}
    index = json.loads((out / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    assert any(e["location"].startswith("external/EXT-2022-001/") and "GB 5749" in e["title"] for e in index)
