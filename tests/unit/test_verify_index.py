"""Post-build verifiers of sitemap, search index, audience and output files, on small hand-made sites."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from site_builder.fast.forked import Children
from site_builder.site.theme import material_templates
from site_builder.verify.html import HtmlVerifier, SiteAddress
from site_builder.verify.index import forbidden_file_problems, search_index_problems, sitemap_problems, staff_forbidden
from site_builder.verify.site import audience_filter, file_problems, verify_site

URL = "https://qms.example.invalid/"
SITE = SiteAddress.from_url(URL)
PAGES = ("index.html", "documents/QP-01/index.html", "documents/QP-08/index.html", "history/QP-01/index.html", "404.html")
STAFF = staff_forbidden({"documents/QP-08/"})


def nothing_forbidden(path: str) -> bool:
    return False


def sitemap(*paths: str) -> str:
    urls = "".join(f"<url><loc>{URL}{p}</loc><lastmod>2026-01-01</lastmod></url>" for p in paths)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def make_site(root: Path, sitemap_text: str | None = None, locations: tuple[str, ...] | None = None) -> Path:
    for page in PAGES:
        (root / page).parent.mkdir(parents=True, exist_ok=True)
        (root / page).write_text("<p>x</p>", encoding="utf-8")
    if sitemap_text is not None:
        (root / "sitemap.xml").write_text(sitemap_text, encoding="utf-8")
        (root / "sitemap.xml.gz").write_bytes(gzip.compress(sitemap_text.encode("utf-8"), mtime=0))
    if locations is not None:
        (root / "search").mkdir(exist_ok=True)
        docs = [{"location": loc, "title": "t", "text": "x"} for loc in locations]
        (root / "search" / "search_index.json").write_text(json.dumps({"config": {}, "docs": docs}), encoding="utf-8")
    return root


# --- sitemap ---------------------------------------------------------------------------------------

def test_sitemap_of_existing_allowed_pages_passes(tmp_path):
    site = make_site(tmp_path, sitemap("", "documents/QP-01/"))
    assert sitemap_problems(site, SITE, STAFF) == []


@pytest.mark.parametrize("listed, expected", [
    (("documents/QP-02/",), "is not a page of the site"),
    (("documents/QP-08/",), "is not allowed for this audience"),
    (("history/QP-01/",), "is not allowed for this audience"),
    (("../etc/",), "leaves the site"),
])
def test_sitemap_listing_missing_or_forbidden_pages_fails(tmp_path, listed, expected):
    found = sitemap_problems(make_site(tmp_path, sitemap("", *listed)), SITE, STAFF)
    assert len(found) == 1 and expected in found[0], found


def test_sitemap_on_another_address_fails(tmp_path):
    found = sitemap_problems(make_site(tmp_path, sitemap("")), SiteAddress.from_url("https://other.invalid/"), STAFF)
    assert found == [f"sitemap.xml: {URL} is not on the site's address https://other.invalid/"]


def test_empty_sitemap_fails_only_when_the_site_has_an_address(tmp_path):
    site = make_site(tmp_path, sitemap())
    assert sitemap_problems(site, SITE, STAFF) == ["sitemap.xml lists no pages (set site_url in qms.yaml)"]
    assert sitemap_problems(site, SiteAddress(), STAFF) == []


def test_gzipped_sitemap_must_equal_the_sitemap(tmp_path):
    site = make_site(tmp_path, sitemap(""))
    (site / "sitemap.xml.gz").write_bytes(gzip.compress(sitemap("", "history/QP-01/").encode("utf-8")))
    assert sitemap_problems(site, SITE, STAFF) == ["sitemap.xml.gz differs from sitemap.xml"]


def test_auditor_may_list_history(tmp_path):
    site = make_site(tmp_path, sitemap("history/QP-01/", "documents/QP-08/"))
    assert sitemap_problems(site, SITE, nothing_forbidden) == []


# --- search index ----------------------------------------------------------------------------------

def test_search_index_of_existing_allowed_pages_passes(tmp_path):
    site = make_site(tmp_path, locations=("", "documents/QP-01/", "documents/QP-01/#1-目的", "404.html"))
    assert search_index_problems(site, STAFF) == []


@pytest.mark.parametrize("location, expected", [
    ("documents/QP-09/", "is not a page of the site"),
    ("documents/QP-08/#1", "is not allowed for this audience"),
    ("history/QP-01/", "is not allowed for this audience"),
])
def test_search_index_listing_missing_or_forbidden_pages_fails(tmp_path, location, expected):
    found = search_index_problems(make_site(tmp_path, locations=("", location)), STAFF)
    assert len(found) == 1 and expected in found[0] and location in found[0], found


# --- audience and files ----------------------------------------------------------------------------

def test_staff_forbidden_files(tmp_path):
    site = make_site(tmp_path)
    assert forbidden_file_problems(site, STAFF) == ["documents/QP-08/index.html: not allowed in this audience's site",
                                                    "history/QP-01/index.html: not allowed in this audience's site"]
    assert forbidden_file_problems(site, nothing_forbidden) == []


def test_audience_filter_hides_documents_and_forms_that_are_not_effective():
    manual = SimpleNamespace(documents=[SimpleNamespace(id="QP-01", status="effective"), SimpleNamespace(id="QP-08", status="obsolete")],
                             forms=[SimpleNamespace(id="QR-01-01", status="draft")])
    staff = audience_filter(SimpleNamespace(info={"audience": "staff"}, check=SimpleNamespace(manual=manual)))
    assert [staff(p) for p in ("documents/QP-01/index.html", "documents/QP-08/index.html", "forms/QR-01-01/index.html",
                                "history/index.html", "api/history.json", "api/documents.json", "documents/QP-08/copy.pdf",
                                "documents/QP-080/index.html")] == [False, True, True, True, True, False, True, False]
    auditor = audience_filter(SimpleNamespace(info={"audience": "auditor"}, check=SimpleNamespace(manual=manual)))
    assert not auditor("history/index.html") and not auditor("documents/QP-08/index.html")


def test_file_problems_refuse_sources_and_symlinks(tmp_path):
    site = make_site(tmp_path)
    assert file_problems(site) == []
    (site / "documents" / "QP-01.md").write_text("---\n", encoding="utf-8")
    (site / "qms.yaml").write_text("a: b\n", encoding="utf-8")
    os.symlink("/etc/hostname", site / "link.html")
    assert sorted(file_problems(site)) == ["documents/QP-01.md: source file copied into the output",
                                           "link.html: symbolic link in the output",
                                           "qms.yaml: source file copied into the output"]


def test_verify_site_runs_every_verifier(tmp_path):
    site = make_site(tmp_path, sitemap("", "history/QP-01/"), locations=("documents/QP-01/",))
    (site / "index.html").write_text('<a href="nowhere/">x</a><script>alert(1)</script>', encoding="utf-8")
    generated = SimpleNamespace(info={"audience": "staff"}, check=SimpleNamespace(manual=None))
    found = verify_site(site, generated, URL, children=Children(2), verifier=HtmlVerifier(material_templates()))
    plain = verify_site(site, generated, URL, children=Children(1), verifier=HtmlVerifier(material_templates(), chunks=False))
    assert found == plain
    assert any("history/QP-01/index.html: not allowed" in p for p in found)
    assert any(p.startswith("index.html:1: broken internal link") for p in found)
    assert any("inline <script>" in p for p in found)
    assert any(p.startswith("sitemap.xml: ") and "history/QP-01/" in p for p in found)


def test_pages_checked_while_written_have_their_links_resolved_in_parts(tmp_path):
    """Links of pages verified as they were written (archive pages) are resolved in parts, one folder's
    pages in one part; every broken link is reported once, in page order."""
    from site_builder.verify.site import _by_folder

    verifier = HtmlVerifier(material_templates())

    site = make_site(tmp_path, sitemap(""), locations=())
    pages = []
    for document in ("QP-01", "QP-02", "QP-03"):
        for version in ("A0", "A1", "A2"):
            relative = f"history/{document}/{version}/index.html"
            (site / relative).parent.mkdir(parents=True)
            (site / relative).write_text("x", encoding="utf-8")
            link = "../A0/" if document != "QP-02" else "../B9/"  # (broken in QP-02's folder only)
            pages.append(verifier.checked_page(relative, f'<a href="{link}">a</a><a href="../../../">h</a>',
                                               SiteAddress.from_url(URL)))
    parts = _by_folder(list(reversed(pages)), 4)
    assert [page.page for part in parts for page in part] == sorted(page.page for page in pages)
    assert all(len({page.page.split("/")[1] for page in part}) == 1 for part in parts)
    generated = SimpleNamespace(info={"audience": "auditor"}, check=SimpleNamespace(manual=None))
    for children in (Children(3), Children(1)):
        found = [p for p in verify_site(site, generated, URL, prechecked=pages, children=children, verifier=verifier)
                 if "broken internal link" in p]
        assert [p.split(":")[0] for p in found] == [f"history/QP-02/{v}/index.html" for v in ("A0", "A1", "A2")]
