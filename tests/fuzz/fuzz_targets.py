"""Fuzz targets shared by the Hypothesis harnesses (tests/fuzz/test_fuzz_*.py) and atheris (atheris_main.py).

Each target takes one input, runs one entry point of qms-site and checks its contract:
it returns a value or reports the problem in the documented way (LoadError with a position,
ValueError for a refused label or path), and never lets any other exception escape.  A broken
property is an AssertionError; any other exception escaping is a crash.  See docs/fuzzing.md.
"""

from __future__ import annotations

import os
import posixpath
import re
import tempfile
from pathlib import Path

import markdown

from site_builder import diagnostics, versions
from site_builder.emit import write_docs
from site_builder.render import Site, links
from site_builder.render.body import safe_body
from site_builder.verify_html import page_problems
from site_builder.yamlio import LoadError, decode, load_yaml, split_front_matter

#: Python-Markdown extensions of mkdocs.yml (markdown_extensions); MkDocs renders bodies with these.
MARKDOWN_EXTENSIONS = ["tables", "admonition", "pymdownx.superfences", "toc"]
MARKDOWN_CONFIG = {"toc": {"permalink": True}}
SHIPPED_VERSION_PATTERN = r"^[A-Z][0-9]{1,2}$"


def _check_load_error(exc: LoadError, text: str | None = None) -> None:
    assert exc.code in diagnostics.CODES, exc.code
    assert exc.line >= 1 and exc.col >= 1, (exc.line, exc.col)
    assert exc.message, "a load error without a message"
    if text is not None:
        assert exc.line <= text.count("\n") + 2, (exc.line, text.count("\n"))


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
    """A failure of a known, reported bug with an xfail(strict=True) regression test; the harness skips it."""


#: render/body.py keeps a link whose destination has whitespace after the first word ("java<TAB>script:"):
#: its link pattern stops at the whitespace and checks only "java", but Python-Markdown keeps the whole
#: destination and browsers drop the tab.  Regression: test_fuzz_regressions.py (the post-build verifier
#: refuses such a site, so nothing unsafe is published).
_KNOWN_SPLIT_SCHEME = re.compile(r"(javascript|data|vbscript): URL in \w+= of <\w+>: '[a-z]*[\x00-\x20]")


#: render/body.py treats any line starting with ``` or ~~~ as an opening fence and leaves everything up to
#: the closing fence (or the end of the body) as it is; Python-Markdown (superfences) does not see a code
#: block when the fence is never closed ("```\n<script>") or its info string holds markup ("```<script>"),
#: so raw HTML passes.  Regression: test_fuzz_regressions.py.
_KNOWN_FALSE_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.M)


def markdown_body(text: str) -> str:
    """A controlled document's body -> safe Markdown -> HTML with no script, handler or script URL."""
    html = markdown.markdown(safe_body(text), extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIG)
    problems = [p for p in page_problems("page/index.html", html, frozenset()) if "broken internal link" not in p]
    if problems and all(_KNOWN_SPLIT_SCHEME.search(p) for p in problems):
        raise KnownBug(problems)
    if problems and _KNOWN_FALSE_FENCE.search(text):
        raise KnownBug(problems)
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


def page_link(from_id: str, to_id: str) -> str:
    """Pages named from arbitrary identifiers stay under their section, and links between them resolve."""
    pages = [links.document_page(from_id), links.form_page(to_id), links.department_page(to_id)]
    for page in pages:
        normal = posixpath.normpath(page)
        assert normal == page and not normal.startswith(("../", "/")) and "/" in normal, page
    source, target = pages[0], pages[1]
    url = links.relative(source, target)
    resolved = posixpath.normpath(posixpath.join(links.page_url(source), url))
    assert resolved + "/" == links.page_url(target), (source, target, url, resolved)
    return url
