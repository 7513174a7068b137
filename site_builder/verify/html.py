"""Post-build HTML checks (bad-inputs B05, X01-X04): scripts, event handlers, URL schemes, internal links.

Each page of the new site is parsed (html.parser, attribute entities decoded as a browser
would) and checked against an allowlist, whatever MkDocs said about the build:

* `<script src>` only for the theme's bundle and our assets/qms.js (resolved to a site path);
* inline `<script>` only with exactly the text Material's own partials emit (read from the
  installed theme, so an upgrade of Material needs no change here), and the theme's JSON
  configuration block `<script id="__config" type="application/json">`;
* no `on*` event-handler attribute, no `<iframe>`/`<object>`/`<embed>`/`<base>`/`srcdoc`, no
  `<meta http-equiv=refresh>`;
* no `javascript:`, `data:` or `vbscript:` URL in any URL attribute;
* every internal link (relative, or absolute on the site's own address) resolves to a file of
  the site; anchors are not checked.

A build makes one `HtmlVerifier`: it holds the theme's facts, read from the templates folder the
adapter names (site/theme.py: nothing here imports Material), and what it remembers from page to
page; `chunks=False` is the plain path (`--plain`), every page read whole by html.parser.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from site_builder.fast.html_chunks import RAW_TEXT, ChunkReader

#: Our own scripts (site_builder/assets/, copied by emit.write_docs and listed in mkdocs.yml).
OUR_SCRIPTS = ("assets/qms.js",)
#: Material partials whose inline <script> Material emits with our mkdocs.yml (base: storage helpers,
#: palette: colour scheme, content: open the tab named in the URL).  Others (analytics, consent,
#: announce, outdated) are for features we do not use, so their scripts are refused.
MATERIAL_INLINE_PARTIALS = ("base.html", "palette.html", "content.html")
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "poster", "background", "cite", "data",
                            "ping", "longdesc", "manifest", "srcset", "icon"})
LINK_ATTRIBUTES = frozenset({"href", "src"})  # checked for resolving; the rest only for schemes
FORBIDDEN_SCHEMES = ("javascript:", "data:", "vbscript:")
FORBIDDEN_ELEMENTS = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet", "base"})
FORBIDDEN_ATTRIBUTES = frozenset({"srcdoc"})
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]")  # browsers drop these when they read a URL scheme


@dataclass(frozen=True)
class SiteAddress:
    """Where the site is served: its scheme+host and path prefix (from site_url)."""

    origin: str = ""
    prefix: str = "/"

    @classmethod
    def from_url(cls, site_url: str | None) -> SiteAddress:
        if not site_url:
            return cls()
        parts = urlsplit(site_url)
        return cls(f"{parts.scheme}://{parts.netloc}".lower(), parts.path.rstrip("/") + "/")


#: how many chunks and start tags a verifier remembers (each memo on its own)
MEMO_LIMIT = 200_000


class HtmlVerifier:
    """The HTML checks of one build (or one verification run): the theme's facts, read once from
    `theme_dir` (Material's templates folder), and what the verifier remembers from page to page.

    With `chunks` (the shortcut of fast/html_chunks.py), html.parser reads only the pieces of a
    page that can hold a problem when the page fits the strict grammar of html_chunks (every built
    page does), each distinct piece once, and the whole page otherwise; start tags are remembered
    by their text.  Without it (the plain path) html.parser reads every page whole, remembering
    nothing: the problems are the same (tests/unit/test_html_chunks.py)."""

    def __init__(self, theme_dir: Path, chunks: bool = True, memo_limit: int = MEMO_LIMIT) -> None:
        self.theme_dir = theme_dir
        self.chunks = chunks
        self.inline_scripts = material_inline_scripts(theme_dir)
        self.script_paths = allowed_script_paths(theme_dir)
        self._reader = chunk_reader() if chunks else None
        self._memo_limit = memo_limit if chunks else 0
        #: chunk text -> (problems, links) with lines counted from 0 at the chunk's start
        self._chunk_effects: dict[str, tuple[tuple, tuple]] = {}
        #: start-tag text -> (tag, attributes, self-closing) as html.parser parsed it: a site repeats the
        #: same tags (table cells, navigation items) hundreds of thousands of times
        self._parsed_tags: dict[str, tuple[str, list, bool]] = {}

    def html_problems(self, site_dir: Path, address: SiteAddress = SiteAddress(),
                      skip: frozenset[str] = frozenset()) -> list[str]:
        """Every problem in every .html file of `site_dir` (paths relative to it), except the pages in `skip`."""
        files = site_files(site_dir)
        return self.pages_problems(site_dir, sorted(f for f in files if f.endswith(".html") and f not in skip), files,
                                   address)

    def pages_problems(self, site_dir: Path, pages, files: frozenset[str], address: SiteAddress = SiteAddress()) -> list[str]:
        """Every problem of the `pages` (paths relative to `site_dir`) of a site holding `files`."""
        problems: list[str] = []
        for relative in pages:
            text = (site_dir / relative).read_text(encoding="utf-8", errors="replace")
            problems += self.page_problems(relative, text, files, address)
        return problems

    def page_problems(self, relative: str, text: str, files: frozenset[str], address: SiteAddress = SiteAddress()) -> list[str]:
        checked = self.checked_page(relative, text, address)
        return checked.problems + checked.link_problems(files, self.script_paths)

    def checked_page(self, relative: str, text: str, address: SiteAddress = SiteAddress()) -> CheckedPage:
        """The page's problems, and its internal links still to be resolved (the site may not be complete yet)."""
        checked = self.checked_part(relative, text, 1, address)
        if checked is None:
            problems, links = self.parsed(text)
            checked = CheckedPage(relative, address, [f"{relative}:{line}: {message}" for line, message in problems], links)
        return checked

    def checked_part(self, relative: str, text: str, first_line: int,
                     address: SiteAddress = SiteAddress()) -> CheckedPage | None:
        """As checked_page for `text` starting at line `first_line` of the page; None when `text` does not fit
        the strict grammar (always, without `chunks`).  A part that fits reads the same wherever it stands
        between the pieces of a page that fits, so a page made of a fixed frame and changing parts can be
        checked frame once, parts each."""
        chunks = self._reader.verifiable_chunks(text) if self._reader is not None else None
        if chunks is None:
            return None
        problems, links, line, last = [], [], first_line, 0
        for offset, chunk in chunks:
            chunk_problems, chunk_links = self._chunk_effects_of(chunk)
            if chunk_problems or chunk_links:
                line += text.count("\n", last, offset)
                last = offset
                problems += [(line + below, message) for below, message in chunk_problems]
                links += [(line + below, *link) for below, *link in chunk_links]
        return CheckedPage(relative, address, [f"{relative}:{line}: {message}" for line, message in problems], links)

    def parsed(self, text: str) -> tuple[list[tuple[int, str]], list[tuple[int, str, str, str]]]:
        """(problems as (line, message), links) of `text` read whole by html.parser."""
        if self.chunks:
            parser = _QuickPageParser(self.inline_scripts, self._parsed_tags, self._memo_limit)
        else:
            parser = _PageParser(self.inline_scripts)
        parser.feed(text)
        parser.close()
        return parser.problems, parser.links

    def _chunk_effects_of(self, chunk: str) -> tuple[tuple, tuple]:
        known = self._chunk_effects.get(chunk)
        if known is None:
            problems, links = self.parsed(chunk)
            known = (tuple((line - 1, message) for line, message in problems),
                     tuple((line - 1, *link) for line, *link in links))
            if len(self._chunk_effects) < self._memo_limit:
                self._chunk_effects[chunk] = known
        return known


def chunk_reader() -> ChunkReader:
    """The html_chunks reader for what the verifier looks at."""
    return ChunkReader(FORBIDDEN_ELEMENTS | {"meta", "script"}, URL_ATTRIBUTES | FORBIDDEN_ATTRIBUTES)


@dataclass
class CheckedPage:
    page: str
    address: SiteAddress
    problems: list[str]
    #: (line, tag, attribute, url) of every link to resolve; attribute "script" for a <script src>
    links: list[tuple[int, str, str, str]]

    def link_problems(self, files: frozenset[str], scripts: frozenset[str], known: dict | None = None) -> list[str]:
        """Broken links, and scripts other than the `scripts` (HtmlVerifier.script_paths).  `known`: resolutions
        already made (for pages of the same site and address), shared between pages."""
        problems = []
        known = {} if known is None else known
        directory = posixpath.dirname(self.page)
        for line, tag, name, url in self.links:
            key = (directory, url)
            outcome = known.get(key)
            if outcome is None:
                try:
                    outcome = known[key] = (_resolve_from(directory, url, files, self.address), None)
                except ValueError as exc:
                    outcome = known[key] = (None, str(exc))
            target, error = outcome
            if error is not None:
                if name != "script":  # (a broken script address is reported as a broken src= link)
                    problems.append(f"{self.page}:{line}: broken internal link in {name}= of <{tag}>: {url[:100]!r} ({error})")
                continue
            if name == "script" and (target in (None, _THIS_PAGE) or target not in scripts):
                problems.append(f"{self.page}:{line}: <script src={url!r}> is not the theme's or ours")
        return problems


#: what an internal URL without a path ("#anchor", "?query") points at
_THIS_PAGE = object()


def resolve(page: str, url: str, files: frozenset[str], address: SiteAddress) -> str | None:
    """Site path (no leading /) that an internal `url` on `page` points at; None for an external URL.

    Raises ValueError with the reason when the URL is internal but leaves the site."""
    target = _resolve_from(posixpath.dirname(page), url, files, address)
    return page if target is _THIS_PAGE else target


def _resolve_from(directory: str, url: str, files: frozenset[str], address: SiteAddress):
    """`resolve` for a page in `directory`; _THIS_PAGE for a URL without a path."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        if parts.scheme and parts.scheme not in ("http", "https"):
            return None  # mailto:, tel:, ...
        if parts.scheme:
            same_site = f"{parts.scheme}://{parts.netloc}".lower() == address.origin
        else:  # "//host/path": same scheme as the page
            same_site = bool(address.origin) and address.origin.split("://", 1)[1] == parts.netloc.lower()
        if not same_site:
            return None
    if not parts.path:
        return _THIS_PAGE  # "#anchor" or "?query"
    path = unquote(parts.path)
    if path.startswith("/"):
        if not path.startswith(address.prefix) and path + "/" != address.prefix:
            raise ValueError(f"outside the site's address {address.prefix}")
        target = path[len(address.prefix):]
    else:
        target = posixpath.join(directory, path)
    normal = posixpath.normpath(target) if target else "."
    if normal == ".." or normal.startswith("../") or normal.startswith("/"):
        raise ValueError("leaves the site folder")
    if normal == ".":
        normal = ""
    if normal in files:
        return normal
    index = posixpath.join(normal, "index.html") if normal else "index.html"
    if index in files:
        return index
    raise ValueError("no such file in the site")


def bad_scheme(url: str) -> str | None:
    compact = _IGNORED_IN_SCHEME.sub("", url).lower()
    return next((scheme for scheme in FORBIDDEN_SCHEMES if compact.startswith(scheme)), None)


#: elements whose content html.parser reads in a special mode (versions differ): always parsed afresh
_RAW_TEXT_ELEMENTS = frozenset(RAW_TEXT)
_SIMPLE_END_TAG = re.compile(r"</([a-zA-Z][a-zA-Z0-9]*)>")


class _PageParser(HTMLParser):
    """html.parser, reporting the problems and links of what it reads."""

    def __init__(self, inline_scripts: tuple[re.Pattern, ...]) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[tuple[int, str]] = []  # (line, message)
        self.links: list[tuple[int, str, str, str]] = []
        self._inline_scripts = inline_scripts
        self._script: tuple[int, str] | None = None  # (line, kind) while inside <script>
        self._script_text: list[str] = []

    def close(self) -> None:
        super().close()
        if self._script is not None:  # <script> never closed: the browser runs it up to the end of the page
            self.handle_endtag("script")

    def _problem(self, text: str) -> None:
        self.problems.append((self.getpos()[0], text))

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        names = {name for name, _ in attrs}
        if tag in FORBIDDEN_ELEMENTS:
            self._problem(f"<{tag}> element")
        if tag == "meta" and (dict(attrs).get("http-equiv") or "").strip().lower() == "refresh":
            self._problem("<meta http-equiv=refresh> (a redirect the theme never emits)")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self._problem(f"event-handler attribute {name}= on <{tag}>")
            elif name in FORBIDDEN_ATTRIBUTES:
                self._problem(f"{name}= attribute on <{tag}>")
            elif name in URL_ATTRIBUTES:
                self._check_url(tag, name, value)
        if tag == "script":
            self._open_script(dict(attrs), names)

    def _check_url(self, tag: str, name: str, value: str) -> None:
        urls = [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
        for url in urls:
            if scheme := bad_scheme(url):
                self._problem(f"{scheme} URL in {name}= of <{tag}>: {url[:60]!r}")
            elif name in LINK_ATTRIBUTES and url.strip():
                self.links.append((self.getpos()[0], tag, name, url.strip()))

    def _open_script(self, attrs: dict, names: set) -> None:
        line = self.getpos()[0]
        if "src" in names:
            self._script = (line, "src")
            self.links.append((line, "script", "script", (attrs.get("src") or "").strip()))
        elif attrs.get("type") == "application/json" and attrs.get("id") == "__config":
            self._script = (line, "config")
        else:
            self._script = (line, "inline")
        self._script_text = []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag != "script" or self._script is None:
            return
        (line, kind), text = self._script, "".join(self._script_text)
        self._script = None
        if kind == "src" and text.strip():
            self.problems.append((line, "<script src> with inline code"))
        elif kind == "config":
            try:
                json.loads(text)
            except ValueError:
                self.problems.append((line, "theme configuration <script> is not JSON"))
        elif kind == "inline" and not any(pattern.fullmatch(text) for pattern in self._inline_scripts):
            self.problems.append((line, f"inline <script> that Material does not emit: {text.strip()[:80]!r}"))


class _QuickPageParser(_PageParser):
    """_PageParser that remembers how each start tag's text parses (in `tags`, up to `limit` of them) and reads
    plain end tags without html.parser's general parse; every tag still goes through the handlers."""

    def __init__(self, inline_scripts: tuple[re.Pattern, ...], tags: dict[str, tuple[str, list, bool]], limit: int) -> None:
        super().__init__(inline_scripts)
        self._tags, self._limit = tags, limit
        self._parsed: tuple[str, list, bool] | None = None

    def parse_starttag(self, i: int) -> int:
        """html.parser's own parse, remembered by the tag's text."""
        end = self.check_for_whole_start_tag(i)
        if end < 0:
            return end
        text = self.rawdata[i:end]
        known = self._tags.get(text)
        if known is None:
            self._parsed = None
            end = super().parse_starttag(i)
            if self._parsed is not None and self._parsed[0] not in _RAW_TEXT_ELEMENTS and len(self._tags) < self._limit:
                self._tags[text] = self._parsed
            return end
        tag, attrs, self_closing = known
        self._HTMLParser__starttag_text = text  # (what html.parser keeps for get_starttag_text)
        self.lasttag = tag
        if self_closing:
            self.handle_startendtag(tag, attrs)
        else:
            self.handle_starttag(tag, attrs)
        return end

    def parse_endtag(self, i: int) -> int:
        """A plain end tag outside raw text (`</td>`) the way html.parser treats it, without its general parse."""
        if getattr(self, "cdata_elem", "") is None:
            match = _SIMPLE_END_TAG.match(self.rawdata, i)
            if match is not None:
                self.handle_endtag(match.group(1).lower())
                self.clear_cdata_mode()
                return match.end()
        return super().parse_endtag(i)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self._parsed = (tag, attrs, True)
        super().handle_startendtag(tag, attrs)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self._parsed is None:
            self._parsed = (tag, attrs, False)
        super().handle_starttag(tag, attrs)


def material_inline_scripts(theme_dir: Path) -> tuple[re.Pattern, ...]:
    """The inline scripts of Material's partials (in `theme_dir`), `{{ ... }}` expressions turned into URL-like
    wildcards."""
    partials = theme_dir / "partials" / "javascripts"
    patterns = []
    for name in MATERIAL_INLINE_PARTIALS:
        try:
            template = (partials / name).read_text(encoding="utf-8")
        except OSError:
            continue  # fail closed: an unknown theme layout allows no inline script
        for body in re.findall(r"<script>(.*?)</script>", template, flags=re.S):
            pieces = re.split(r"\{\{.*?\}\}", body)
            patterns.append(re.compile(r"[^\"'<>\\\s]*".join(re.escape(piece) for piece in pieces)))
    return tuple(patterns)


def allowed_script_paths(theme_dir: Path) -> frozenset[str]:
    """Site paths of the scripts pages may load: the theme's bundle (in `theme_dir`) and ours."""
    bundles = {f"assets/javascripts/{p.name}" for p in (theme_dir / "assets" / "javascripts").glob("bundle.*.min.js")}
    return frozenset(bundles | set(OUR_SCRIPTS))


def site_files(site_dir: Path) -> frozenset[str]:
    """Site paths of the files under `site_dir` (symbolic links to files too; linked folders are not entered)."""
    found: list[str] = []
    pending = [(os.fspath(site_dir), "")]
    while pending:
        folder, relative = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                path = relative + entry.name
                if entry.is_dir() and not entry.is_symlink():
                    pending.append((entry.path, path + "/"))
                elif entry.is_file():
                    found.append(path)
    return frozenset(found)
