"""MkDocs adapter: makes `mkdocs build` / `mkdocs serve` with the repository's mkdocs.yml
produce the same site as `python -m site_builder build`.

Events used: on_startup (serve or build, dirty or not), on_config (generate the pages, add the
raw_blocks Markdown extension), on_nav (start writing the archive pages MkDocs does not
render, archive.py), on_env (serve: keep the compiled theme), on_page_content (anchor ids of
our HTML blocks), on_post_page (under `python -m site_builder build`: report each page for
verification as it is written, verify_stream.py), on_post_build (finish the archive pages,
verify the output) and on_build_error (stop the archive's children).  It checks and renders
the manual with the core into a temporary folder and points docs_dir and nav at it; content errors stop the build.

The plugin runs a `Build` (site_builder/build.py): the command line hands it its own by reference
(`attach`), with the pages already generated for `build`; under a bare `mkdocs build` or
`mkdocs serve` the plugin creates one (options: `audience`, `plain`).  Under `plain` every
speed-up is off: no Markdown shortcuts (raw_blocks, quick_inline), archive pages rendered by
MkDocs, search indexed in process, default collector thresholds, no compiled-template memo.

Serving: MkDocs keeps this plugin's instance across rebuilds, so the generated folder stays
the same and only pages whose content changed are rewritten, and each rebuild takes over the
previous one's results for unchanged inputs (fast/serve_reuse.py).  Under a dirty reload (`serve
--dirty`; `python -m site_builder serve` uses it) MkDocs then renders only those pages, which
keeps a rebuild after one edit short.  When the navigation or the footer stamp changes, every
page is rewritten, so no page keeps a stale menu.  The post-build verification runs on every
full build (and so on every `mkdocs build`); a dirty preview rebuild is never published.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import shutil
import tempfile
from datetime import date
from importlib import resources
from pathlib import Path

import jinja2
from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File

from site_builder import diagnostics as dg
from site_builder.build import Build, Generated, Options
from site_builder.emit.docs import ASSETS, write_docs
from site_builder.fast.collector import LONG_LIVED_GC_THRESHOLDS
from site_builder.fast.quick_inline import QuickInlineExtension
from site_builder.fast.raw_blocks import RawBlockExtension
from site_builder.history.stamp import stamp_text
from site_builder.render import Site
from site_builder.render.error_page import error_pages
from site_builder.site.archive import Archive, Shell, add_to_sitemap, archive_last_in_sitemap
from site_builder.site.search_offload import SearchOffload
from site_builder.verify.html import SiteAddress
from site_builder.site import engine
from site_builder.site.theme import material_templates
from site_builder.verify.site import verify_site

log = get_plugin_logger(__name__)
WATCHED = ("procedures", "forms", "records", "external", "schemas", "organisation.yaml", "qms.yaml")


class QmsPluginConfig(Config):
    audience = opt.Choice(("staff", "auditor"), default="staff")
    """Which site to build: staff (effective documents, masked personal data) or auditor."""
    plain = opt.Type(bool, default=False)
    """Turn every speed-up off and run the straightforward path (the site is byte-identical)."""
    today = opt.Optional(opt.Type(str))
    """The date to check against, YYYY-MM-DD (default: $QMS_TODAY, else today)."""


class QmsPlugin(BasePlugin[QmsPluginConfig]):
    def __init__(self) -> None:
        self._tmp: str | None = None
        self._generated = None
        self._build: Build | None = None  # the run this plugin serves (attach, or made in on_config)
        self._pregenerated: Generated | None = None  # `build` from the command line: pages generated already
        self._serving = False
        self._dirty_reload = False  # serve --dirty: MkDocs renders only pages newer than their output
        self._last_good: tuple[list, list] | None = None  # serve: the pages and navigation of the last good build
        self._showing_errors = False  # serve: the pages list the content errors of the last rebuild
        self._layout: str | None = None  # navigation and stamp of the pages in self._tmp
        self._every_page_written = True
        self._raw_blocks = RawBlockExtension()
        self._quick_inline = QuickInlineExtension()
        self._templates = _CompiledTemplates()
        #: given by `python -m site_builder build` (attach): told the site path of each page MkDocs writes (verify_stream)
        self.page_sink = None
        self._written_before_pages_reported = False
        #: given by `python -m site_builder build` (attach): index for search in a forked child (search_offload)
        self.offload_search = False
        self.search_offload = None
        self._archive: Archive | None = None
        #: the archive pages written in this build (archive.Written), for the verification
        self.archive_written = None
        self._gc_thresholds: tuple[int, int, int] | None = None

    def attach(self, build: Build, generated: Generated | None = None, *, page_sink=None,
               offload_search: bool = False) -> None:
        """Run `build` (the command line's), with its pages already `generated` (for `build`), or
        generating them at every (re)build (for `serve`)."""
        self._build, self._pregenerated = build, generated
        self.page_sink, self.offload_search = page_sink, offload_search and build.options.fast

    def on_startup(self, *, command, dirty) -> None:
        self._dirty_reload = command == "serve" and dirty
        self._serving = command == "serve"
        if self._dirty_reload:
            # MkDocs warns on every dirty build, which strict mode would turn into an abort; our
            # sync_docs answers the warning's concern (stale navigation), so drop just that message.
            engine.build_logger().addFilter(_DirtyWarningFilter())

    def on_config(self, config):
        if self._build is None:  # a bare `mkdocs build` / `mkdocs serve`: this plugin's own run
            self._build = Build(Options(Path(config.config_file_path).parent, self._today(), self.config.audience,
                                        plain=self.config.plain, serve=self._serving))
        build = self._build
        root = build.options.root
        fast = build.options.fast
        # MkDocs renders with the manual in memory (millions of long-lived objects, inherited by the forked
        # children); at the default thresholds the collector rescans them over and over (perf: about 8 % of
        # an auditor build's CPU).  Collect less often until the build ends; cycles are still collected.
        if fast and self._gc_thresholds is None:
            self._gc_thresholds = gc.get_threshold()
            gc.set_threshold(*LONG_LIVED_GC_THRESHOLDS)
        logging.getLogger("jieba").setLevel(logging.WARNING)  # Material's Chinese search: no model-loading chatter
        for extension in (self._raw_blocks, self._quick_inline) if fast else ():
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        if self.offload_search:  # (Material's search plugin, listed before this one, has made its index)
            search = next((p for p in config.plugins.values() if type(p).__name__ == "SearchPlugin"), None)
            self.search_offload = SearchOffload.start(search, build.children) if search is not None else None
        if self._pregenerated is not None:
            return config
        if self._generated is not None:  # a rebuild in serve must not hold the previous manual while loading the next one
            self._generated = None
            if build.reuse is None:  # (with reuse most of it lives on in the next one)
                gc.collect()  # (parts of it are reference cycles, freed only by the collector)
        if build.reuse is not None:
            build.reuse.abandon()  # whatever an interrupted rebuild left half-recorded
        generated = build.generate()
        # Content warnings (e.g. a review overdue) are reported by `check`; under MkDocs' strict
        # mode they must not stop the preview, so they are logged as info.  So are the errors of a
        # rebuild in serve, which shows them in the browser: an aborted rebuild would leave it waiting.
        show_errors = generated.site is None and self._serving and self._last_good is not None
        for diagnostic in generated.check.diagnostics:
            error = diagnostic.severity == dg.ERROR and not show_errors
            (log.error if error else log.info)(diagnostic.format_text())
        if show_errors:
            log.info(f"qms: {generated.check.errors} content error(s); the preview lists them until they are fixed")
            paths, nav = self._last_good
            generated = Generated(generated.check, Site(pages=error_pages(generated.check.diagnostics, paths), nav=nav),
                                  generated.info, preview=True)
            self._showing_errors = True
        elif generated.site is None:  # (the next rebuild starts from the last complete one again)
            raise PluginError(f"{generated.check.errors} content error(s); run `python -m site_builder check`")
        else:
            self._showing_errors = False
            if self._serving:
                self._last_good = (list(generated.site.pages), generated.site.nav)
        if build.reuse is not None and not show_errors:  # (after errors the next rebuild abandons what was recorded)
            log.info(f"qms: {build.reuse.report()}")
            build.reuse.finish()
        self._generated = generated
        stamp = stamp_text(generated.info)
        layout = json.dumps([generated.site.nav, stamp], ensure_ascii=False, default=str)
        if self._dirty_reload and self._tmp and os.path.isdir(self._tmp):
            self._every_page_written = layout != self._layout
            written = sync_docs(generated.site, Path(self._tmp), rewrite_all=self._every_page_written)
            log.info(f"qms: {written} generated page(s) changed" + (" (navigation or stamp changed: all pages)"
                                                                   if self._every_page_written else ""))
        else:
            self._cleanup()
            self._tmp = tempfile.mkdtemp(prefix="qms-docs-")
            write_docs(generated.site, Path(self._tmp))
            self._every_page_written = True
        self._layout = layout
        config.docs_dir = self._tmp
        config.nav = generated.site.nav
        if generated.site.not_in_nav:
            config.not_in_nav = opt.PathSpec().run_validation("\n".join(generated.site.not_in_nav))
        config.copyright = stamp
        if not config.site_url and generated.check.manual is not None and generated.check.manual.config.site_url:
            config.site_url = generated.check.manual.config.site_url  # so that a plain `mkdocs build` writes a full sitemap
        for name in WATCHED:
            if (root / name).exists() and str(root / name) not in config.watch:
                config.watch.append(str(root / name))
        return config

    def _today(self) -> date:
        """Under a bare `mkdocs build` this plugin is the entry point: the `today` option, else the
        documented user setting QMS_TODAY (as for the command line's --today), else today."""
        text = self.config.today or os.environ.get("QMS_TODAY")
        if not text:
            return date.today()
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise PluginError(f"qms plugin: today: {text!r} is not a date; use YYYY-MM-DD") from None

    def on_nav(self, nav, *, config, files):
        self.archive_written = None
        generated = self._pregenerated or self._generated
        pages = generated.site.archive if generated is not None else None
        if pages:
            # Forked children write them while MkDocs reads and renders the other pages.  (The theme's
            # environment is the one MkDocs makes; no plugin we use changes it in on_env.  The shell
            # needs only the navigation's titles, which ours states, not the pages' texts.)
            env = config.theme.get_env()
            if self._build.reuse is not None:
                env.bytecode_cache = self._templates
            self._archive = Archive(pages, Shell(config, env, nav, files), config, files,
                                    SiteAddress.from_url(config.site_url or None), children=self._build.children,
                                    verifier=self._build.html_verifier(material_templates()))
        return nav

    def on_env(self, env, *, config, files):
        # serve: MkDocs makes a new Jinja environment per rebuild; compile the theme once
        if self._build is not None and self._build.reuse is not None:
            env.bytecode_cache = self._templates
        return env

    def on_page_content(self, html, *, page, config, files):
        # the ids inside our HTML blocks, which MkDocs' own scan no longer sees (raw_blocks.py)
        if page.present_anchor_ids is not None:
            page.present_anchor_ids |= self._raw_blocks.anchor_ids
        self._raw_blocks.anchor_ids = set()
        return html

    @event_priority(-100)  # the page as written: after every other plugin
    def on_post_page(self, output, *, page, config):
        if self.page_sink is not None:
            if not self._written_before_pages_reported:
                # MkDocs has copied the static files (downloads, api/*.json, theme assets) and written
                # the theme's own pages (404.html, sitemap) before its first page: verify them now too
                self._written_before_pages_reported = True
                archive = self._archive.dest if self._archive is not None else frozenset()
                for relative in _files_under(Path(config.site_dir)):
                    if relative not in archive:  # (the archive's children verify their own pages)
                        self.page_sink(relative)
            self.page_sink(page.file.dest_uri)
        return output

    @event_priority(-100)  # after the search plugin has written its index
    def on_post_build(self, config) -> None:
        try:
            self._finish_build(config)
        finally:
            self._restore_gc()

    def _finish_build(self, config) -> None:
        if self._archive is not None:
            archive, self._archive = self._archive, None
            self.archive_written = archive.finish()
            for warning in self.archive_written.warnings:  # (strict mode counts them, as for any page)
                log.warning(warning)
            add_to_sitemap(Path(config.site_dir), config.site_url, self.archive_written.urls)
        generated = self._pregenerated or self._generated
        if generated is not None and generated.site.archived:  # (--plain: MkDocs rendered the archive pages)
            urls = [File(source, None, None, config.use_directory_urls).url for source in generated.site.archived]
            archive_last_in_sitemap(Path(config.site_dir), config.site_url, urls)
        if self._generated is None or self._showing_errors:
            return
        if self._dirty_reload and not self._every_page_written:
            _dedupe_search_index(Path(config.site_dir))
            log.info("qms: preview rebuilt the changed pages only; the full verification runs on every full build")
            return
        # The same post-build verification as `python -m site_builder build` (personal data, sources, links).
        problems = verify_site(Path(config.site_dir), self._generated, config.site_url or None,
                               prechecked=self.archive_written.checked if self.archive_written else (),
                               children=self._build.children, verifier=self._build.html_verifier(material_templates()))
        if problems:
            raise PluginError("post-build verification failed:\n  " + "\n  ".join(problems[:20]))

    def on_build_error(self, *, error) -> None:
        if self._archive is not None:
            self._archive.cancel()
            self._archive = None
        self._restore_gc()

    def _restore_gc(self) -> None:
        if self._gc_thresholds is not None:
            gc.set_threshold(*self._gc_thresholds)
            self._gc_thresholds = None

    def on_shutdown(self) -> None:
        self._restore_gc()
        self._cleanup()

    def _cleanup(self) -> None:
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None


def sync_docs(site, docs_dir: Path, rewrite_all: bool = False) -> int:
    """Make `docs_dir` hold exactly the files write_docs would write, touching only those whose
    bytes differ (or all of them with `rewrite_all`); returns how many were written."""
    wanted: dict[str, bytes] = {}
    for relative, content in [*site.pages.items(), *site.files.items()]:
        wanted[relative] = content if isinstance(content, bytes) else content.encode("utf-8")
    for name in ASSETS:
        wanted[f"assets/{name}"] = resources.files("site_builder").joinpath("assets", name).read_bytes()
    base = docs_dir.resolve()
    written = 0
    for relative, content in wanted.items():
        target = (docs_dir / relative).resolve()
        if base not in target.parents:
            raise ValueError(f"refusing to write outside the generated folder: {relative}")
        try:
            same = not rewrite_all and target.read_bytes() == content
        except OSError:
            same = False
        if not same:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            written += 1
    for directory, _, files in os.walk(docs_dir):
        for name in files:
            path = Path(directory) / name
            if path.relative_to(docs_dir).as_posix() not in wanted:
                path.unlink()
    return written


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled theme templates kept in memory across serve's rebuilds (Jinja checks each against
    its template's source before use)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


class _DirtyWarningFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


def _dedupe_search_index(site_dir: Path) -> None:
    """Material merges the previous index with the rebuilt pages assuming one page changed; with
    several, entries repeat.  Keep the last entry of each location."""
    path = site_dir / "search" / "search_index.json"
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
        docs = index["docs"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    latest = {entry.get("location"): entry for entry in docs}
    if len(latest) != len(docs):
        index["docs"] = list(latest.values())
        path.write_text(json.dumps(index, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")


def _files_under(folder: Path) -> list[str]:
    """Paths (relative, with /) of the files under `folder`."""
    return sorted(Path(directory, name).relative_to(folder).as_posix()
                  for directory, _, names in os.walk(folder) for name in names)
