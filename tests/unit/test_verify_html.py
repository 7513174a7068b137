"""Post-build HTML verifiers on small hand-made sites: each check has a passing and a failing case."""

from __future__ import annotations

import re
from pathlib import Path

import material
import pytest

from site_builder.site.theme import material_templates
from site_builder.verify.html import HtmlVerifier, SiteAddress, resolve, site_files

THEME = Path(material.__file__).parent / "templates"
VERIFIER = HtmlVerifier(material_templates())
PLAIN = HtmlVerifier(material_templates(), chunks=False)  # (every page read whole by html.parser)
BUNDLE = "assets/javascripts/" + next((THEME / "assets" / "javascripts").glob("bundle.*.min.js")).name
SITE = SiteAddress.from_url("https://qms.example.invalid/manual/")
FILES = frozenset({"index.html", "a/index.html", "b/index.html", "assets/qms.js", "assets/qms.css", BUNDLE,
                   "assets/javascripts/evil.js", "api/documents.json"})


def material_script(partial: str, url: str = "../") -> str:
    """The inline script of a Material partial as Material renders it (template expression -> `url`)."""
    body = re.search(r"<script>(.*?)</script>", (THEME / "partials" / "javascripts" / partial).read_text(), re.S).group(1)
    return "<script>" + re.sub(r"\{\{.*?\}\}", url, body) + "</script>"


def problems(html: str, page: str = "a/index.html") -> list[str]:
    found = VERIFIER.page_problems(page, html, FILES, SITE)
    assert PLAIN.page_problems(page, html, FILES, SITE) == found
    return found


def make_site(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    return root


# --- scripts ---------------------------------------------------------------------------------------

def test_theme_and_our_scripts_and_materials_inline_scripts_pass():
    html = (f'<script id="__config" type="application/json">{{"base": ".."}}</script>'
            f'<script src="../{BUNDLE}"></script><script src="../assets/qms.js"></script>'
            f'<script src="/manual/assets/qms.js"></script>'
            + material_script("base.html") + material_script("palette.html") + material_script("content.html"))
    assert problems(html) == []


@pytest.mark.parametrize("html, expected", [
    ('<script src="../assets/javascripts/evil.js"></script>', "is not the theme's or ours"),
    ('<script src="https://cdn.example.invalid/x.js"></script>', "is not the theme's or ours"),
    ("<script>alert(1)</script>", "inline <script> that Material does not emit"),
    ('<script>__md_scope=new URL(""+alert(1)+"",location)</script>', "inline <script> that Material does not emit"),
    ('<script src="../assets/qms.js">alert(1)</script>', "<script src> with inline code"),
    ('<script id="__config" type="application/json">alert(1)</script>', "is not JSON"),
])
def test_foreign_scripts_fail(html, expected):
    found = problems(html)
    assert len(found) == 1 and expected in found[0], found
    assert found[0].startswith("a/index.html:1: ")


def test_material_base_script_with_a_quote_in_the_url_fails():
    assert problems(material_script("base.html", url='."+alert(1)+"')) != []


# --- event handlers, forbidden elements ------------------------------------------------------------

def test_harmless_attributes_pass():
    assert problems('<p class="onion" data-on="x" title="onclick=alert(1)">on</p><meta charset="utf-8">'
                    '<meta http-equiv="X-UA-Compatible" content="IE=edge">') == []


@pytest.mark.parametrize("html, expected", [
    ('<img src="../assets/qms.css" onerror="alert(1)">', "event-handler attribute onerror="),
    ('<svg ONLOAD="alert(1)"></svg>', "event-handler attribute onload="),
    ('<p onclick=alert(1)>x</p>', "event-handler attribute onclick="),
    ('<iframe src="../b/"></iframe>', "<iframe> element"),
    ('<object data="../b/"></object>', "<object> element"),
    ('<div srcdoc="&lt;script&gt;"></div>', "srcdoc= attribute"),
    ('<meta http-equiv="Refresh" content="0; url=javascript:alert(1)">', "<meta http-equiv=refresh>"),
])
def test_event_handlers_and_embedding_fail(html, expected):
    found = problems(html)
    assert any(expected in p for p in found), found


# --- URL schemes -----------------------------------------------------------------------------------

def test_ordinary_urls_pass():
    html = ('<a href="https://example.org/x">x</a><a href="mailto:dcc@example.invalid">m</a>'
            '<a href="tel:+10000">t</a><img src="../assets/qms.css">')
    assert problems(html) == []


@pytest.mark.parametrize("html", [
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" JaVa&#x09;Script:alert(1)">x</a>',
    '<img src="data:image/svg+xml,&lt;svg onload=alert(1)&gt;">',
    '<form action="vbscript:msgbox(1)"></form>',
    '<button formaction="javascript:alert(1)">b</button>',
    '<img srcset="../assets/qms.css 1x, javascript:alert(1) 2x">',
])
def test_script_urls_fail(html):
    found = problems(html)
    assert len(found) == 1 and " URL in " in found[0], found


# --- internal links --------------------------------------------------------------------------------

@pytest.mark.parametrize("url, target", [
    ("../b/", "b/index.html"), ("../b/index.html", "b/index.html"), ("#section", "a/index.html"), ("./", "a/index.html"),
    ("../", "index.html"), ("/manual/assets/qms.css", "assets/qms.css"), ("https://qms.example.invalid/manual/b/#x", "b/index.html"),
    ("//qms.example.invalid/manual/api/documents.json", "api/documents.json"), ("../b/?q=1", "b/index.html"),
    ("https://example.org/b/", None), ("mailto:x@example.invalid", None),
])
def test_resolve_internal_links(url, target):
    assert resolve("a/index.html", url, FILES, SITE) == target


@pytest.mark.parametrize("url, reason", [
    ("../missing/", "no such file"), ("../../../etc/passwd", "leaves the site folder"), ("/other/b/", "outside the site's address"),
    ("https://qms.example.invalid/manual/nothing.html", "no such file"),
])
def test_broken_internal_links_fail(url, reason):
    found = problems(f'<a href="{url}">x</a>')
    assert len(found) == 1 and "broken internal link" in found[0] and reason in found[0], found


def test_links_resolved_once_per_folder_still_resolve_for_each_page():
    """Resolutions are shared between pages (`known`), keyed by the page's folder: the same address is
    fine on one page and broken on a page of another folder, and a script on an address without a path
    is still refused."""
    known: dict = {}
    shared = '<a href="../b/">b</a><a href="#x">x</a>'
    scripts = VERIFIER.script_paths
    assert VERIFIER.checked_page("a/index.html", shared, SITE).link_problems(FILES, scripts, known) == []
    assert VERIFIER.checked_page("a/other.html", shared, SITE).link_problems(FILES, scripts, known) == []
    broken = VERIFIER.checked_page("index.html", shared, SITE).link_problems(FILES, scripts, known)
    assert len(broken) == 1 and broken[0].startswith("index.html:1: broken internal link") and "../b/" in broken[0]
    script = VERIFIER.checked_page("a/index.html", '<script src="#x"></script>', SITE).link_problems(FILES, scripts, known)
    assert script == ["a/index.html:1: <script src='#x'> is not the theme's or ours"]
    assert ("a", "../b/") in known and ("", "../b/") in known


def test_site_files_lists_files_and_links_to_files_but_enters_no_linked_folder(tmp_path):
    site = make_site(tmp_path / "site", {"index.html": "x", "a/b/index.html": "y", "a/data.json": "{}"})
    (site / "link.html").symlink_to(site / "index.html")
    (site / "folder").symlink_to(site / "a", target_is_directory=True)
    assert site_files(site) == {"index.html", "a/b/index.html", "a/data.json", "link.html"}


def test_html_problems_walks_every_page(tmp_path):
    site = make_site(tmp_path, {"index.html": '<a href="a/">a</a>', "a/index.html": '<a href="../">home</a>',
                                "b/index.html": '<a href="../c/">c</a><p onmouseover="x">'})
    found = VERIFIER.html_problems(site, SiteAddress.from_url("https://qms.example.invalid/"))
    assert PLAIN.html_problems(site, SiteAddress.from_url("https://qms.example.invalid/")) == found
    assert [p.split(":")[0] for p in found] == ["b/index.html", "b/index.html"]
    make_site(tmp_path, {"b/index.html": '<a href="../a/">a</a>'})
    assert VERIFIER.html_problems(site, SiteAddress.from_url("https://qms.example.invalid/")) == []


def test_remembered_tags_are_checked_every_time_they_occur():
    """The parser remembers how a start tag's text parses; each occurrence is still checked."""
    page = ('<p><a onclick="x()" href="missing/">a</a><td style="x">1</td><td style="x">2</td></p>' * 3
            + '<script src="https://cdn.example/x.js"></script>' * 2 + "<br/><br/><style>p{}</style></style>")
    files = frozenset({"index.html"})
    verifier = HtmlVerifier(THEME)
    warm = verifier.page_problems("index.html", page, files)
    assert verifier._parsed_tags  # (remembered)
    assert verifier.page_problems("index.html", page, files) == warm  # all from the memory now
    forgetful = HtmlVerifier(THEME, memo_limit=0)
    assert forgetful.page_problems("index.html", page, files) == warm  # nothing remembered
    assert not forgetful._parsed_tags and not forgetful._chunk_effects
    assert HtmlVerifier(THEME, chunks=False).page_problems("index.html", page, files) == warm  # the plain path
    assert sum("onclick" in p for p in warm) == 3 and sum("broken internal link" in p for p in warm) == 3
    assert sum("is not the theme" in p for p in warm) == 2


def test_the_theme_facts_come_from_the_folder_the_verifier_is_given(tmp_path):
    """Nothing of the theme is known but what is in `theme_dir`: an unknown layout allows no inline script
    and no theme bundle (fail closed)."""
    assert VERIFIER.script_paths == {BUNDLE, "assets/qms.js"}
    assert len(VERIFIER.inline_scripts) >= 3
    empty = HtmlVerifier(tmp_path / "no-theme")
    assert empty.script_paths == {"assets/qms.js"} and empty.inline_scripts == ()
    assert any("inline <script>" in p for p in empty.page_problems("a/index.html", material_script("base.html"), FILES, SITE))
