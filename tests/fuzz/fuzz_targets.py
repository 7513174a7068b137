"""Fuzz targets shared by the Hypothesis harnesses (tests/fuzz/test_fuzz_*.py) and atheris (atheris_main.py).

Each target takes one input, runs one entry point of qms-site and checks its contract:
it returns a value or reports the problem in the documented way (LoadError with a position,
ValueError for a refused label or path), and never lets any other exception escape.  A broken
property is an AssertionError; any other exception escaping is a crash.  See docs/fuzzing.md.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import tempfile
from pathlib import Path

import markdown

from site_builder import diagnostics
from site_builder.emit.docs import write_docs
from site_builder.load.yamlio import LoadError, decode, load_yaml, split_front_matter
from site_builder.model import versions
from site_builder.model.body import safe_body
from site_builder.render import Site, links
from site_builder.site.theme import material_templates
from site_builder.verify.html import HtmlVerifier

#: Python-Markdown extensions of mkdocs.yml (markdown_extensions); MkDocs renders bodies with these.
MARKDOWN_EXTENSIONS = ["tables", "admonition", "pymdownx.superfences", "toc"]
MARKDOWN_CONFIG = {"toc": {"permalink": True}}
SHIPPED_VERSION_PATTERN = r"^[A-Z][0-9]{1,2}$"
#: the post-build HTML verifier, as a build makes it (one for the whole run)
VERIFIER = HtmlVerifier(material_templates())


def _check_load_error(exc: LoadError, text: str | None = None) -> None:
    assert exc.code in diagnostics.CODES, exc.code
    assert exc.line >= 1 and exc.col >= 1, (exc.line, exc.col)
    assert exc.message, "a load error without a message"
    if text is not None:
        breaks = len(re.findall(r"\r\n|\r|\n", text))  # CR and CRLF end lines too (decode normalises them)
        assert exc.line <= breaks + 2, (exc.line, breaks)


def loader(raw: bytes) -> object:
    """Bytes of a YAML file -> data, or LoadError with line/col >= 1."""
    try:
        text, _bom = decode(raw)
    except LoadError as exc:
        _check_load_error(exc)
        return None
    try:
        return load_yaml(text)
    except LoadError as exc:
        _check_load_error(exc, text)
        return None


def front_matter(text: str) -> object:
    """A document's text -> (front matter data, body), or LoadError; the split loses no line."""
    try:
        text, _bom = decode(text.encode("utf-8", "surrogatepass"))  # as load.load_source does: line ends normalised
        yaml_text, body, body_line = split_front_matter(text)
    except LoadError as exc:
        _check_load_error(exc, text)
        return None
    lines = text.split("\n")
    assert body == "\n".join(lines[body_line - 1:]), "body is not the rest of the file"
    assert yaml_text == "\n".join(lines[1:body_line - 2]) + "\n", "front matter is not lines 2 .. closing line"
    try:
        return load_yaml(yaml_text, line_offset=1), body
    except LoadError as exc:
        _check_load_error(exc, text)
        return None


class KnownBug(Exception):
    """A failure of a known, reported bug with an xfail(strict=True) regression test; the harnesses skip it.
    None is filtered today (docs/fuzzing.md says how to add one)."""


def markdown_body(text: str) -> str:
    """A controlled document's body -> safe Markdown -> HTML with no script, handler or script URL."""
    html = markdown.markdown(safe_body(text), extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIG)
    problems = [p for p in VERIFIER.page_problems("page/index.html", html, frozenset()) if "broken internal link" not in p]
    assert not problems, problems
    assert "<script" not in html.lower(), html
    return html


def version_label(label: str) -> str | None:
    """Ordering is total and bumping moves forward, or ValueError for a label that cannot be bumped."""
    key = versions.sort_key(label)
    assert (key < versions.sort_key("A0")) or (key >= versions.sort_key("A0")), "sort keys not comparable"
    versions.matches(label, SHIPPED_VERSION_PATTERN)
    try:
        minor, major = versions.bump(label), versions.bump(label, major=True)
    except ValueError as exc:
        assert str(exc), "a refusal without a reason"
        return None
    assert versions.sort_key(minor) > key, (label, minor)
    assert versions.sort_key(major) > versions.sort_key(minor), (label, minor, major)
    assert re.fullmatch(r"[A-Z][0-9]+", minor) and re.fullmatch(r"[A-Z][0-9]+", major)
    return minor


def output_path(relative: str) -> str | None:
    """A generated page path is written inside the docs folder, or refused with ValueError."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        docs = root / "docs"
        try:
            write_docs(Site(pages={relative: "x"}), docs)
        except ValueError:
            written = None
        except OSError as exc:  # the file system refuses the name (too long): reported by the build as such
            assert exc.errno in (36,), exc  # ENAMETOOLONG
            written = None
        else:
            written = relative
        for directory, _dirs, files in os.walk(root):
            for name in files:
                path = Path(directory, name).resolve()
                assert docs.resolve() in path.parents, f"{relative!r} wrote {path} outside the docs folder"
    return written


def _schema_pattern(schema: str, *keys: str) -> str:
    node = json.loads((SCHEMAS / schema).read_text(encoding="utf-8"))
    for key in keys:
        node = node[key]
    return node["pattern"]


SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
#: What the schemas let through as identifiers and department codes (links.py's contract).
IDENTIFIER = _schema_pattern("common.schema.json", "$defs", "identifier")
DEPARTMENT_CODE = _schema_pattern("organisation.schema.json", "properties", "departments", "items", "properties", "code")


def page_link(from_id: str, to_id: str) -> str | None:
    """Page paths from any text stay in their section folder; between pages of valid identifiers
    (schema patterns) a relative link resolves to its target."""
    for page, section in ((links.document_page(from_id), "documents/"), (links.form_page(to_id), "forms/"),
                          (links.department_page(to_id), "departments/")):
        normal = posixpath.normpath(page)
        assert normal == page and normal.startswith(section) and "/" not in normal[len(section):], page
    if not (re.fullmatch(IDENTIFIER, from_id) and re.fullmatch(IDENTIFIER, to_id)):
        return None  # "." or ".." would give URLs that collide with an index page: refused by the schema
    source = links.document_page(from_id)
    department = [links.department_page(to_id.lower())] if re.fullmatch(DEPARTMENT_CODE, to_id.lower()) else []
    for target in (links.form_page(to_id), *department):
        url = links.relative(source, target)
        resolved = posixpath.normpath(posixpath.join(links.page_url(source), url))
        assert resolved + "/" == links.page_url(target), (source, target, url, resolved)
    return links.relative(source, links.form_page(to_id))
