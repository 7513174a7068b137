"""End-to-end builds of a fixture manual (issue 3: pages, staff visibility, safety, atomic failure).

The fixture repository (tests/e2e/conftest_build.py) holds three effective documents, a draft,
a document in review, an approved-but-not-yet-effective and an obsolete document, a form and a
record, with injection payloads wherever the schemas allow them.  Everything runs the real
command line (`python -m site_builder build`, `mkdocs build`) in subprocesses.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest_build import (  # noqa: E402
    CHOICE_A,
    CHOICE_B,
    DEPARTMENTS,
    EFFECTIVE,
    FORM,
    HIDDEN,
    IMG,
    MARKDOWN,
    PYTHON,
    RAW,
    SCRIPT,
    TEMPLATE,
    build,
    env,
    html_pages,
    make_repo,
    qms,
    tree_hashes,
)

API_KEYS = ["id", "title", "level", "version", "status", "effective", "owner", "next_review", "distribution"]
CONTROL_LABELS = ("文件编号", "文件名称", "版本", "状态", "生效日期", "制定部门", "编制", "审核", "批准")
DIAGNOSTIC = re.compile(r"^\S.*:\d+:\d+: (error|warning) SB\d{3} .*$", re.M)
ZWSP = "\u200b"


# --- fixtures -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return make_repo(tmp_path_factory.mktemp("build-site") / "repo")


@pytest.fixture(scope="module")
def built(repo, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("published") / "site"
    done = build(repo, out)
    return out, done


@pytest.fixture(scope="module")
def site(built) -> Path:
    out, done = built
    assert done.returncode == 0, f"build failed:\n{done.stdout}\n{done.stderr}"
    return out


@pytest.fixture(scope="module")
def texts(site) -> dict[str, str]:
    """Every output file as searchable text: HTML/XML unescaped, JSON decoded, .gz and .xlsx unpacked."""
    return dict(_all_texts(site))


def _all_texts(site: Path):
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        relative = path.relative_to(site).as_posix()
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    yield f"{relative}!{member}", html.unescape(archive.read(member).decode("utf-8", "replace"))
            continue
        text = data.decode("utf-8", "replace")
        if path.suffix == ".json":
            text = json.dumps(json.loads(text), ensure_ascii=False)
        yield relative, html.unescape(unquote(text)).replace(ZWSP, "")


def _page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


class _Text(HTMLParser):
    """Visible text of an HTML fragment (script and style skipped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    BLOCKS = {"td", "th", "tr", "li", "p", "br", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "option"}

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        if tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return re.sub(r"\s+", " ", "".join(parser.parts)).replace(ZWSP, "")


def article(markup: str) -> str:
    """The page content (Material's <article>), without the theme's header and navigation."""
    start = markup.index("<article")
    return markup[start:markup.index("</article>", start)]


def _table(markup: str, marker: str) -> str:
    start = markup.index(marker)
    return markup[markup.rindex("<table", 0, start):markup.index("</table>", start)]


class _ActiveContent(HTMLParser):
    """Finds script elements, event-handler attributes and script URLs; notes whether each finding
    is in the theme's chrome (<title>, <header>, <nav>) or in the page content."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "poster", "background"}
    CHROME = ("title", "header", "nav")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, bool]] = []  # (description, in chrome)
        self._open: list[str] = []
        self._script = False

    def _in_chrome(self) -> bool:
        return any(tag in self.CHROME for tag in self._open)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.found.append((f"<{tag} {name}={value!r}>", self._in_chrome()))
            cleaned = re.sub(r"[\x00-\x20]+", "", html.unescape(value)).lower()
            if name in self.URL_ATTRIBUTES and cleaned.startswith(("javascript:", "vbscript:")):
                self.found.append((f"<{tag} {name}={value!r}>", self._in_chrome()))
        if tag == "script":
            self._script = True
        if tag in self.CHROME or tag == "script":
            self._open.append(tag)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = False
        if tag in self._open:
            while self._open and self._open.pop() != tag:
                pass

    def handle_data(self, data):
        if self._script and "alert(" in data:
            self.found.append((f"<script>{data.strip()[:60]}</script>", self._in_chrome()))


def active_content(site: Path) -> list[tuple[str, str, bool]]:
    """(file, finding, in theme chrome) for every HTML file of the site, plus raw '<script>alert' anywhere in HTML/XML."""
    found = []
    for path in sorted(site.rglob("*")):
        if path.suffix not in (".html", ".xml", ".svg"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        parser = _ActiveContent()
        parser.feed(text)
        parser.close()
        relative = path.relative_to(site).as_posix()
        found += [(relative, what, chrome) for what, chrome in parser.found]
        if "<script>alert" in text and not parser.found:
            found.append((relative, "raw <script>alert", False))
    return found


# --- the build and its pages --------------------------------------------------------------------

def test_build_exits_0_and_reports_warnings_like_check(built, repo):
    out, done = built
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SB313" in done.stdout, "the raw-HTML warning of check is shown by build too"
    assert f"published {out}" in done.stderr


def test_expected_pages_exist(site):
    for relative in ("index.html", "404.html", "documents/index.html", "forms/index.html", "departments/index.html",
                     "api/documents.json", "search/search_index.json", "sitemap.xml", f"forms/{FORM}/index.html",
                     f"records/{FORM}/index.html", "assets/qms.css", "assets/qms.js"):
        assert (site / relative).is_file(), relative
    for doc_id in EFFECTIVE:
        assert (site / "documents" / doc_id / "index.html").is_file(), doc_id
    for code in DEPARTMENTS:
        assert (site / "departments" / code / "index.html").is_file(), code


def test_api_documents_json_is_the_contract(site, repo):
    items = json.loads((site / "api" / "documents.json").read_text(encoding="utf-8"))
    assert isinstance(items, list)
    assert sorted(item["id"] for item in items) == sorted(EFFECTIVE)
    for item in items:
        assert list(item) == API_KEYS, item["id"]
        assert item["status"] == "effective"
        assert item["effective"] == "2025-01-01"
        assert item["next_review"] == "2028-01-01"  # effective + review_period_months 36
        assert isinstance(item["level"], int)
        for entry in item["distribution"]:
            assert list(entry) == ["department", "copies", "copy_numbers"]
            assert entry["copies"] == len(entry["copy_numbers"])
    by_id = {item["id"]: item for item in items}
    assert by_id["WI-11"]["level"] == 3 and by_id["WI-11"]["owner"] == "客户服务部"
    assert by_id["WI-11"]["distribution"] == [{"department": "客户服务部", "copies": 3, "copy_numbers": ["01", "02", "03"]}]
    # JSON is data: the title is carried exactly as written (escaping is the consumer's job).
    assert by_id["QP-11"]["title"] == f"文件控制程序 {SCRIPT} {TEMPLATE} {MARKDOWN} {RAW}"


def test_document_page_has_control_header_distribution_and_history(site):
    markup = _page(site, "documents/QP-12")
    header = visible_text(_table(markup, 'data-qms="qms-control-header"'))
    for label in CONTROL_LABELS:
        assert label in header, label
    for value in ("QP-12", "记录控制程序", "A0", "2025-01-01", "质量部", "何雨桐", "唐振宇", "林秀琴", "2024-12-20"):
        assert value in header, value
    text = visible_text(article(markup))
    assert "修订履历" in text and "分发清单" in text
    assert "首次发布" in visible_text(_table(markup, 'data-qms="qms-revisions"'))
    distribution = visible_text(_table(markup, 'data-qms="qms-distribution"'))
    assert "质量部" in distribution and "01" in distribution
    assert "规定记录的填写、标识和保存。" in text  # the body


def test_document_page_links_related_documents_and_forms(site):
    content = article(_page(site, "documents/QP-11"))
    assert 'href="../QP-12/"' in content
    assert f'href="../../forms/{FORM}/"' in content


def test_form_and_department_pages(site):
    form = visible_text(article(_page(site, f"forms/{FORM}")))
    assert "保存期限" in form and "3 年" in form and "QP-12 记录控制程序" in form
    assert "类别" in form and "丙类" in form
    department = visible_text(article(_page(site, "departments/cs")))
    assert "WI-11" in department and "服务热线作业指导书" in department
    assert "WI-11 服务热线作业指导书 A0 3 01、02、03" in department  # controlled copies held, with copy numbers


def test_master_list_lists_exactly_the_effective_documents(site):
    table = _table(_page(site, "documents"), 'id="qms-master"')
    listed = set(re.findall(r"(?<![A-Z0-9])(?:QP|WI|QM)-\d{2}(?!\d)", visible_text(table)))
    assert listed == set(EFFECTIVE)


# --- staff visibility ---------------------------------------------------------------------------

def test_non_effective_documents_appear_nowhere(site, texts):
    """Draft, in-review, approved and obsolete documents: not in any page, navigation, sitemap,
    search index, API, download or file name (bad-inputs P11)."""
    needles = [*HIDDEN, *(marker for _, marker in HIDDEN.values())]
    for relative, text in texts.items():
        for needle in needles:
            assert needle not in relative, f"{needle} in a file name: {relative}"
            assert needle not in text, f"{needle} ({relative})"
    for path in site.rglob("*"):
        assert not any(needle in unquote(path.name) for needle in needles), path
    # Positive control: the same scan sees published documents in the decoded search index and the API.
    assert "QP-12" in texts["search/search_index.json"] and "记录控制程序" in texts["search/search_index.json"]
    assert "服务热线作业指导书" in texts["api/documents.json"]


def test_no_content_source_file_in_output(site):
    """Bad-inputs F06: YAML and Markdown sources are never copied into the site."""
    sources = [p.relative_to(site).as_posix() for p in site.rglob("*") if p.suffix.lower() in (".yaml", ".yml", ".md")]
    assert sources == []
    assert not [p for p in site.rglob("*") if p.is_symlink()]
    everything = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*.html"))
    assert "yaml-language-server" not in everything
    assert "review_period_months" not in everything


def test_search_index_holds_only_published_pages(site):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    pages = {doc["location"].split("#")[0] for doc in index["docs"]}
    for location in pages:
        target = site / unquote(location) / "index.html" if location.endswith("/") or not location else site / unquote(location)
        assert target.is_file(), location
    assert {f"documents/{doc_id}/" for doc_id in EFFECTIVE} <= pages


# --- safety (bad-inputs X01-X07) ----------------------------------------------------------------

def test_document_body_payloads_are_shown_as_text(site):
    content = article(_page(site, "documents/QP-11"))
    text = visible_text(content)
    for payload in (SCRIPT, IMG, TEMPLATE, RAW, MARKDOWN):
        assert payload in text, payload
    assert "模板：49" not in text
    assert "<script" not in content.lower()
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", content, re.I)


def test_titles_are_shown_literally_in_page_content(site):
    text = visible_text(article(_page(site, "documents/QP-11")))
    assert f"QP-11 文件控制程序 {SCRIPT} {TEMPLATE} {MARKDOWN} {RAW}" in text
    revisions = visible_text(_table(_page(site, "documents/QP-11"), 'data-qms="qms-revisions"'))
    assert f"首次发布 {SCRIPT} {TEMPLATE} {MARKDOWN}" in revisions
    master = visible_text(_table(_page(site, "documents"), 'id="qms-master"'))
    assert f"文件控制程序 {SCRIPT} {TEMPLATE} {MARKDOWN} {RAW}" in master


def test_record_field_text_is_shown_literally(site):
    """Choice values reach the record summary as the values of record fields: literal text, no markup."""
    content = article(_page(site, f"records/{FORM}"))
    text = visible_text(content)
    assert CHOICE_A in text and CHOICE_B in text
    assert "乙类 49" not in text
    assert "<strong>x</strong>" not in content and "<script" not in content.lower()
    assert not re.search(r"""(href|src)\s*=\s*["']?\s*javascript:""", content, re.I)
    form = visible_text(article(_page(site, f"forms/{FORM}")))
    assert CHOICE_A in form and CHOICE_B in form and f"质量部归档保存 {TEMPLATE}" in form and IMG in form


def test_template_syntax_is_never_evaluated(site, texts):
    pages_with_template = [r for r, t in texts.items() if r.endswith(".html") and TEMPLATE in t]
    assert "documents/QP-11/index.html" in pages_with_template
    assert f"records/{FORM}/index.html" in pages_with_template
    for relative, text in texts.items():
        if relative.endswith(".html"):
            for evaluated in ("模板：49", "文件控制程序 <script>alert(1)</script> 49", "乙类 49", "质量部归档保存 49"):
                assert evaluated not in text, (relative, evaluated)


def test_search_index_holds_no_markup_from_content(site):
    """Material inserts search titles and snippets as HTML: content markup must be escaped there."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    for doc in index["docs"]:
        for key in ("title", "text"):
            value = doc.get(key) or ""
            assert not re.search(r"<\s*(script|img|svg|iframe)\b", value, re.I), (doc["location"], key, value[:200])
            assert not re.search(r"\son[a-z]+\s*=\s*alert", re.sub(r"&lt;.*?&gt;", "", value)), doc["location"]


def test_no_active_content_in_page_content(site):
    """No script element, event handler or javascript: URL from content in any page's content area."""
    found = [(f, what) for f, what, chrome in active_content(site) if not chrome]
    assert found == []


def test_no_active_content_anywhere(site):
    found = active_content(site)
    assert found == [], f"{len(found)} findings, e.g. {found[:5]}"


# --- failures leave the published site unchanged (bad-inputs B01) -------------------------------

CONTENT_ERRORS = {
    # name: (file to write, text transform of QP-12, expected code)
    "duplicate-id": ("procedures/QP-12-copy.md", None, "SB302"),
    "javascript-link": ("procedures/QP-12-record-control.md", lambda t: t + "\n[点我](javascript:alert(1))\n", "SB312"),
    "impossible-date": ("procedures/QP-12-record-control.md", lambda t: t.replace("effective: 2025-01-01", "effective: 2025-02-30"),
                        "SB203"),
}


@pytest.mark.parametrize("case", sorted(CONTENT_ERRORS))
def test_content_error_exits_1_with_check_diagnostics_and_keeps_site(case, repo, site, tmp_path):
    broken = tmp_path / "repo"
    shutil.copytree(repo, broken)
    target, transform, code = CONTENT_ERRORS[case]
    original = (broken / "procedures" / "QP-12-record-control.md").read_text(encoding="utf-8")
    (broken / target).write_text(transform(original) if transform else original, encoding="utf-8")
    out = tmp_path / "out" / "site"
    shutil.copytree(site, out)
    before = tree_hashes(out.parent)

    checked = qms(broken, "check")
    done = build(broken, out)

    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert done.returncode == 1, done.stdout + done.stderr
    check_lines = [m.group(0) for m in DIAGNOSTIC.finditer(checked.stdout)]
    build_lines = [m.group(0) for m in DIAGNOSTIC.finditer(done.stdout)]
    assert any(f"error {code} " in line for line in check_lines), checked.stdout
    assert build_lines == check_lines
    assert "unchanged" in done.stderr
    assert tree_hashes(out.parent) == before


def test_render_failure_keeps_site(repo, site, tmp_path):
    """A broken link passes check but fails MkDocs' strict validation: exit 1, site unchanged (B04)."""
    broken = tmp_path / "repo"
    shutil.copytree(repo, broken)
    path = broken / "procedures" / "QP-12-record-control.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n见 [不存在的文件](missing.pdf)。\n", encoding="utf-8")
    out = tmp_path / "out" / "site"
    shutil.copytree(site, out)
    before = tree_hashes(out.parent)
    done = build(broken, out)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "missing.pdf" in done.stderr and "unchanged" in done.stderr
    after = tree_hashes(out.parent)
    assert {k: v for k, v in after.items() if k != ".site.lock"} == {k: v for k, v in before.items() if k != ".site.lock"}
    assert not list(out.parent.glob(".site.partial-*"))


def test_rebuild_replaces_site_and_leaves_no_stale_files(repo, site, tmp_path):
    out = tmp_path / "out" / "site"
    shutil.copytree(site, out)
    (out / "stale-page.html").write_text("old", encoding="utf-8")
    done = build(repo, out)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (out / "stale-page.html").exists()
    assert html_pages(out) == html_pages(site)
    assert not list(out.parent.glob(".site.partial-*")) and not list(out.parent.glob(".site.old-*"))


# --- mkdocs build gives the same site; the core does not import MkDocs --------------------------

def test_mkdocs_build_gives_the_same_pages(repo, site, tmp_path):
    mkdocs = Path(PYTHON).with_name("mkdocs")
    out = tmp_path / "mkdocs-site"
    done = subprocess.run([str(mkdocs), "build", "-f", str(repo / "mkdocs.yml"), "-d", str(out)],
                          cwd=repo, env=env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert html_pages(out) == html_pages(site)
    for relative in ("api/documents.json", "api/records.json"):
        assert (out / relative).read_text(encoding="utf-8") == (site / relative).read_text(encoding="utf-8"), relative
    assert not (repo / "site").exists()
    assert not [p for p in out.rglob("*") if p.suffix in (".yaml", ".yml", ".md")]


def test_mkdocs_build_refuses_invalid_content(repo, tmp_path):
    broken = tmp_path / "repo"
    shutil.copytree(repo, broken)
    shutil.copy(broken / "procedures" / "QP-12-record-control.md", broken / "procedures" / "QP-12-copy.md")
    done = subprocess.run([str(Path(PYTHON).with_name("mkdocs")), "build", "-f", str(broken / "mkdocs.yml"),
                           "-d", str(tmp_path / "mkdocs-site")], cwd=broken, env=env(), capture_output=True, text=True,
                          timeout=600)
    assert done.returncode != 0
    assert "SB302" in done.stdout + done.stderr
    assert not (tmp_path / "mkdocs-site" / "index.html").exists()


CORE_PROBE = """
import sys
from datetime import date
from pathlib import Path
import site_builder.check.run, site_builder.render, site_builder.build
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("mkdocs", "material"))
if len(sys.argv) > 1:
    generated = site_builder.build.generate(Path(sys.argv[1]), date(2026, 11, 23))
    assert generated.site is not None and generated.site.pages, "fixture did not render"
    loaded += sorted(m for m in sys.modules if m.split(".")[0] in ("mkdocs", "material"))
print(",".join(loaded))
"""


@pytest.mark.parametrize("render", [False, True], ids=["import", "import-and-render"])
def test_core_does_not_import_mkdocs(render, repo):
    args = [PYTHON, "-c", CORE_PROBE] + ([str(repo)] if render else [])
    done = subprocess.run(args, capture_output=True, text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
                          cwd=repo, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"mkdocs modules imported by the core: {done.stdout.strip()}"
