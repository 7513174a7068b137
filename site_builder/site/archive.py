"""Edge: the pages MkDocs does not render (Site.archive: the auditor's snapshots of obsolete
versions and the diffs between versions, tens of thousands in a long history).

Replaces: MkDocs rendering each archive page like any other page, outside the navigation
(Site.archive_as_pages): the plain path (`--plain`).  tests/e2e/test_archive_pages.py proves the
two write the same pages, byte for byte (and tests/unit/test_archive_parts.py that checking a page
by its parts finds what checking it whole finds).  With `Children(1)` the pages are written here,
one part after the other; with a plain HtmlVerifier (chunks=False) each page is checked whole.

Through MkDocs each would cost a full Material page render and stay in MkDocs' memory until
the build ends (268 s and 3.5 GB for 39,000 of them).  Here each page's Markdown is converted
with the site's own Markdown configuration and MkDocs' link handling (one Markdown instance
for every page), and put into the theme's page shell: the HTML Material writes for a page
outside the navigation at the depth of history/<ID>/<VERSION>/, rendered once with markers for
the title, address, table of contents and content.  Only the table of contents is rendered per
page, by Material's own partial, once per distinct outline.  So an archive page is what MkDocs
would write for it (tests/e2e/test_archive_pages.py compares every byte).

The pages are written in forked children while MkDocs reads and renders the rest (`Archive`
from the plugin's on_nav, `finish` in on_post_build), and each child verifies what it writes: the
first page whole, every other one by its own parts (HtmlVerifier.checked_part), since the
shell around them is the same.  They are not in the search index (every document would
appear up to forty times) and are added to sitemap.xml.
"""

from __future__ import annotations

import gzip
import html
import logging
import os
import posixpath
import re
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import urljoin

import markdown as markdown_engine
from mkdocs import utils

from site_builder.site import engine
from mkdocs.commands.build import get_context
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page, _RelativePathTreeprocessor
from mkdocs.structure.toc import get_toc

from site_builder.fast import raw_blocks
from site_builder.fast.forked import LOWEST_NICE, Children
from site_builder.fast.raw_blocks import RawBlockExtension
from site_builder.fast.segments import SegmentMemo, memo_safe
from site_builder.verify.html import CheckedPage, HtmlVerifier, SiteAddress

#: the shell is rendered for a page at the depth of the archive pages (history/<ID>/<VERSION>.md)
SHELL_SOURCE = "history/qms-archive-shell/page.md"
_MARK = "qms-archive-8c2e"
_TITLE, _CONTENT, _SKIP, _TOC = f"{_MARK}-title", f"<!--{_MARK}-content-->", f"#{_MARK}-skip", f"<!--{_MARK}-toc-->"
_UNSAFE_IN_ATTRIBUTE = re.compile(r"[\"'<>&]")


def dest_uri(source: str, use_directory_urls: bool) -> str:
    """Where MkDocs writes the page of the Markdown file `source` (never index.md or README.md here)."""
    return source[:-3] + ("/index.html" if use_directory_urls else ".html")


@dataclass
class Written:
    """What writing (part of) the archive did: site paths written, their verification, MkDocs' warnings."""

    pages: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    checked: list[CheckedPage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cpu_seconds: float = 0.0  # (for bench/profile_build.py)

    def add(self, other: Written) -> None:
        self.cpu_seconds += other.cpu_seconds
        self.pages += other.pages
        self.urls += other.urls
        self.checked += other.checked
        self.warnings += other.warnings


class Shell:
    """Material's page around an archive page, split at the places that differ from page to page."""

    def __init__(self, config, env, nav, files) -> None:
        self._config, self._env, self._nav, self._files = config, env, nav, files
        self._variants: dict[tuple[bool, bool], tuple[list[str], list[str]]] = {}
        self._tocs: dict[tuple, str] = {}
        self._toc_template = env.get_template("partials/toc.html")
        marker = self._marker_page(False)
        self.url, self.base = marker.url, utils.get_relative_url(".", marker.url)
        self._context = get_context(nav, files, config, marker)
        # (base.html imports the language macros "with context" before it includes the partial)
        self._context["lang"] = env.get_template("partials/language.html").make_module(dict(self._context))

    def page(self, title: str, url: str, toc, content: str) -> tuple[str, dict[str, tuple[int, int]]]:
        """The whole page, and where each slot's value is in it (its first place; the content and the table of
        contents have one); `toc` is the table of contents of `content`."""
        first = next(iter(toc), None)
        pieces, slots = self._variant("<h1" in content, first is not None)
        values = {_TITLE: title, self.url: url, _CONTENT: content, _SKIP: first.url if first else "",
                  _TOC: self._toc(toc)}
        out, spans, length = [pieces[0]], {}, len(pieces[0])
        for slot, piece in zip(slots, pieces[1:]):
            value = values[slot]
            spans.setdefault(slot, (length, length + len(value)))
            out += [value, piece]
            length += len(value) + len(piece)
        return "".join(out), spans

    def _variant(self, has_h1: bool, has_toc: bool) -> tuple[list[str], list[str]]:
        key = (has_h1, has_toc)
        if key not in self._variants:
            page = self._marker_page(has_toc)
            # (Material adds a heading of the title to content without one: the marker says which)
            page.content = _CONTENT + ("<h1>" if has_h1 else "")
            context = get_context(self._nav, self._files, self._config, page)
            page.active = True
            try:
                text = self._env.get_template("main.html").render(context)
            finally:
                page.active = False
            text = text.replace(page.content, _CONTENT)
            toc_html = self._toc_template.render({**context, "lang": self._context["lang"]})
            markers = [_TITLE, self.url, _CONTENT, _SKIP]
            if toc_html.strip() and text.count(toc_html) == 1:
                text = text.replace(toc_html, _TOC)
                markers.append(_TOC)
            split = re.split("(" + "|".join(re.escape(m) for m in markers) + ")", text)
            pieces, slots = split[0::2], split[1::2]
            if slots.count(_CONTENT) != 1:
                raise RuntimeError("the theme's page has no single place for the content")
            self._variants[key] = (pieces, slots)
        return self._variants[key]

    def _marker_page(self, has_toc: bool) -> Page:
        file = File(SHELL_SOURCE, src_dir=None, dest_dir=self._config.site_dir,
                    use_directory_urls=self._config.use_directory_urls)
        page = Page(None, file, self._config)
        page.markdown, page.meta = "", {"title": _TITLE}
        page.toc = get_toc([{"level": 1, "id": _SKIP[1:], "name": _TITLE, "children": []}] if has_toc else [])
        return page

    def _toc(self, toc) -> str:
        first = next(iter(toc), None)  # (Material shows only the children of a first heading of level 1)
        key = ("children", _outline(first.children)) if first is not None and first.level == 1 else _outline(toc)
        if key not in self._tocs:
            self._tocs[key] = self._toc_template.render({**self._context, "page": _TocOnly(toc)})
        return self._tocs[key]


@dataclass
class _TocOnly:
    toc: object


def _outline(toc) -> tuple:
    return tuple((item.title, item.id, item.level, _outline(item.children)) for item in toc)


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class _Converter:
    """Markdown to HTML as MkDocs' Page.render does it (extensions, links between pages), with one
    Markdown instance for every page, and each distinct paragraph of the pages in one folder
    converted once (segments.py).  (MkDocs' collection of anchor ids is left out: our verifier
    does not check anchors, and MkDocs checks none in pages it does not render.)"""

    def __init__(self, config, files, warnings: _Warnings) -> None:
        self._md = markdown_engine.Markdown(extensions=config["markdown_extensions"],
                                            extension_configs=config["mdx_configs"] or {})
        self._links = _RelativePathTreeprocessor(None, files, config)
        self._links._register(self._md)
        self._raw_blocks = [e for e in config["markdown_extensions"] if isinstance(e, RawBlockExtension)]
        self._warnings = warnings
        self._memo = SegmentMemo(raw_blocks.NAME in self._md.preprocessors) if memo_safe(self._md) else None
        toc = self._md.treeprocessors["toc"] if "toc" in self._md.treeprocessors else None  # noqa: SIM401 (no .get)
        self._toc_marker = getattr(toc, "marker", "") or ""

    def convert_all(self, pages: list[tuple[File, str]]) -> list[tuple[str, object]]:
        """(HTML, table of contents) of each page's Markdown; the pages are in one folder."""
        def convert(page: int, text: str) -> tuple[str, list, bool]:
            self._links.file, self._links.links_to_anchors = pages[page][0], {}
            return self._whole(text)

        warned = len(self._warnings.messages)

        def retract() -> None:
            del self._warnings.messages[warned:]

        if self._memo is None:
            results = [convert(page, text)[:2] for page, (_, text) in enumerate(pages)]
        else:
            results = self._memo.convert_all([text for _, text in pages], posixpath.dirname(pages[0][0].src_uri), convert,
                                             self._toc_marker, retract)
        return [(content, get_toc(tokens)) for content, tokens in results]

    def _whole(self, text: str) -> tuple[str, list, bool]:
        """(HTML, table-of-contents tokens, whether MkDocs warned of nothing)"""
        warned = len(self._warnings.messages)
        self._md.reset()
        content = self._md.convert(text)
        for extension in self._raw_blocks:
            extension.anchor_ids = set()
        return content, getattr(self._md, "toc_tokens", []), len(self._warnings.messages) == warned


def write_part(pages: dict[str, Callable[[], tuple[dict, str]]], sources: list[str], shell: Shell, config, files,
               address: SiteAddress, verifier: HtmlVerifier) -> Written:
    """Write the archive pages `sources` (keys of `pages`) into config.site_dir and verify them (with `verifier`)."""
    started = time.process_time()
    written, warnings = Written(), _Warnings()
    converter = _Converter(config, files, warnings)
    logger = engine.logger()
    logger.addHandler(warnings)
    whole_checked = False
    try:
        for folder in _by_folder(sources):
            produced = [_produced(pages, source, config, shell) for source in folder]
            converted = converter.convert_all([(file, markdown) for file, _, markdown in produced])
            for (file, title, _), (content, toc) in zip(produced, converted):
                text, spans = shell.page(title, file.url, toc, content)
                _write(text.encode("utf-8", errors="xmlcharrefreplace"), file.abs_dest_path)
                checked = None
                first = next(iter(toc), None)
                if whole_checked and not _UNSAFE_IN_ATTRIBUTE.search(title + file.url + (first.url if first else "")):
                    checked = _checked_parts(verifier, file.dest_uri, text, spans, address)
                if checked is None:
                    checked, whole_checked = verifier.checked_page(file.dest_uri, text, address), True
                written.pages.append(file.dest_uri)
                written.urls.append(file.url)
                written.checked.append(checked)
    finally:
        logger.removeHandler(warnings)
    written.warnings = warnings.messages
    written.cpu_seconds = time.process_time() - started
    return written


def _by_folder(sources: list[str]) -> list[list[str]]:
    """`sources` in runs of consecutive pages in one folder (their Markdown is converted together)."""
    runs: list[list[str]] = []
    for source in sources:
        if runs and posixpath.dirname(runs[-1][0]) == posixpath.dirname(source):
            runs[-1].append(source)
        else:
            runs.append([source])
    return runs


def _produced(pages: dict[str, Callable[[], tuple[dict, str]]], source: str, config, shell: Shell) -> tuple[File, str, str]:
    """(file, title, Markdown) of the archive page `source`."""
    meta, markdown = pages[source]()
    markdown, title = markdown.lstrip("\n"), meta.get("title")  # (as MkDocs reads a page after its front matter)
    if not isinstance(title, str):
        raise ValueError(f"archive page {source} has no title in its front matter")
    file = File(source, src_dir=None, dest_dir=config.site_dir, use_directory_urls=config.use_directory_urls)
    if utils.get_relative_url(".", file.url) != shell.base:
        raise ValueError(f"archive page {source} is not at the depth of {SHELL_SOURCE}")
    return file, title, markdown


def _write(data: bytes, path: str) -> None:
    """utils.write_file with fewer system calls: each page is a new file in a new folder, and there are
    tens of thousands of them."""
    try:
        os.mkdir(os.path.dirname(path))
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
    finally:
        os.close(descriptor)


def _checked_parts(verifier: HtmlVerifier, relative: str, text: str, spans: dict[str, tuple[int, int]],
                   address: SiteAddress) -> CheckedPage | None:
    """The page's table of contents and content checked on their own (the rest is the shell, checked
    whole on the first page); None when a part does not fit the verifier's strict grammar (always for
    a plain verifier)."""
    problems, links = [], []
    for slot in (_TOC, _CONTENT):
        if slot not in spans:
            continue
        start, end = spans[slot]
        part = verifier.checked_part(relative, text[start:end], text.count("\n", 0, start) + 1, address)
        if part is None:
            return None
        problems += part.problems
        links += part.links
    return CheckedPage(relative, address, problems, links)


class Archive:
    """The archive pages being written by forked children, one per process of `children` (on the plain
    path, or without a safe fork, already written here)."""

    def __init__(self, pages: dict[str, Callable[[], tuple[dict, str]]], shell: Shell, config, files, address: SiteAddress,
                 *, children: Children, verifier: HtmlVerifier) -> None:
        sources = sorted(pages)
        self._parts = _by_document(sources, max(1, min(children.processes, len(sources))))
        self._job = partial(write_part, pages, shell=shell, config=config, files=files, address=address, verifier=verifier)
        # (lowest priority: MkDocs waits on its search child whenever that one falls behind)
        self._running = [children.start([partial(self._job, part)], nice=LOWEST_NICE) for part in self._parts]
        self.dest = frozenset(dest_uri(s, config.use_directory_urls) for s in sources)

    def finish(self) -> Written:
        """Wait for the children; a part whose child failed is written here (which raises what went wrong)."""
        written = Written()
        for part, running in zip(self._parts, self._running):
            try:
                result = running.results()[0]
            except RuntimeError:
                result = self._job(part)
            written.add(result)
        self._running = []
        return written

    def cancel(self) -> None:
        for running in self._running:
            running.cancel()
        self._running = []


def _by_document(sources: list[str], count: int) -> list[list[str]]:
    """`sources` in `count` parts of about the same size, each document's pages in one part (a version's
    text is parsed where its snapshot and its two diffs are written, once)."""
    parts: list[list[str]] = [[] for _ in range(count)]
    for group in sorted(_by_folder(sorted(sources)), key=len, reverse=True):
        min(parts, key=len).extend(group)
    return [sorted(part) for part in parts if part]


def add_to_sitemap(site_dir: Path, site_url: str | None, urls: list[str]) -> None:
    """List the pages at `urls` in sitemap.xml(.gz) after MkDocs' own pages, in URL order, each entry
    like MkDocs' last one (MkDocs lists nothing without a site_url).  `--plain`, where MkDocs renders
    these pages, moves its entries for them to the same place (archive_last_in_sitemap)."""

    def added(entries: list[str], base: str) -> list[str]:
        model = entries[-1]
        loc = re.search(r"<loc>[^<]*</loc>", model)
        return entries + [model[:loc.start()] + f"<loc>{html.escape(urljoin(base, url))}</loc>" + model[loc.end():]
                          for url in sorted(urls)]

    _rewrite_sitemap(site_dir, site_url, urls, added)


def archive_last_in_sitemap(site_dir: Path, site_url: str | None, urls: list[str]) -> None:
    """The plain path's half of add_to_sitemap: MkDocs rendered the archive pages at `urls` and
    listed them among its own; list them after the others, in URL order, as the fast path does."""

    def moved_last(entries: list[str], base: str) -> list[str]:
        archive = {html.escape(urljoin(base, url)) for url in urls}
        return ([entry for entry in entries if _loc(entry) not in archive]
                + sorted((entry for entry in entries if _loc(entry) in archive), key=_loc))

    _rewrite_sitemap(site_dir, site_url, urls, moved_last)


def _rewrite_sitemap(site_dir: Path, site_url: str | None, urls: list[str], rewrite) -> None:
    """Give `rewrite` the `<url>` entries of MkDocs' sitemap.xml (each with the line break and indent
    before it) and the site's address; write what it returns, and sitemap.xml.gz as MkDocs would."""
    path = site_dir / "sitemap.xml"
    if not site_url or not urls or not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    start, end = text.find("<url>"), text.rfind("</url>") + len("</url>")
    first = text.rfind("\n", 0, start)
    if start < 0 or end < start or first < 0:
        return  # (an empty sitemap: MkDocs listed none of its pages)
    entries = re.findall(r"\n[^\n<]*<url>.*?</url>", text[first:end], re.S)
    base = site_url if site_url.endswith("/") else site_url + "/"
    text = text[:first] + "".join(rewrite(entries, base)) + text[end:]
    path.write_text(text, encoding="utf-8")
    _gzip_like_mkdocs(site_dir / "sitemap.xml.gz", text.encode("utf-8"))


def _loc(entry: str) -> str:
    found = re.search(r"<loc>([^<]*)</loc>", entry)
    return found.group(1) if found else ""


def _gzip_like_mkdocs(path: Path, data: bytes) -> None:
    """Rewrite MkDocs' sitemap.xml.gz with the same header (its time stamp is the build's)."""
    with open(path, "rb") as old:
        mtime = struct.unpack("<I", old.read(8)[4:8])[0]
    with open(path, "wb") as file, gzip.GzipFile(fileobj=file, filename=str(path), mode="wb", mtime=mtime) as zipped:
        zipped.write(data)
