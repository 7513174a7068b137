"""The MkDocs, Material for MkDocs, Python-Markdown and Jinja internals the MkDocs adapter relies on (issue 21).

The adapter (site_builder/site/: plugin.py, driver.py, archive.py, search_offload.py, verify_stream.py),
the Markdown speed-ups (site_builder/fast/: raw_blocks.py, quick_inline.py, segments.py) and the HTML
verifier (site_builder/verify/html.py) use more of these tools than their documented plugin API:
private names, registry names and priorities, the order of MkDocs' build, the shape of Material's
search plugin and templates.  Each test here checks one of them on the third-party packages directly
(never through site_builder's modules, which may be moved) and fails with a message naming what
changed and who uses it, so that an upgrade of MkDocs (or a move to ProperDocs, which keeps these
names: tests/e2e/test_properdocs.py), Material or Markdown shows at once what to revisit.

Inventory (internal: user, purpose)

MkDocs
* `mkdocs.config.load_config(path, docs_dir=, site_dir=, nav=, copyright=, site_url=, strict=, not_in_nav=)`
  overrides, and the plugin instances of `config.plugins` (`.get(name)`) being the ones
  `mkdocs.commands.build.build(config)` runs: driver.py (sets page_sink, offload_search, archive_pages)
* `build(config, *, serve_url=, dirty=)`; its log message "A 'dirty' build is being performed" on the
  logger `mkdocs.commands.build`: plugin.py filters it under `serve --dirty`
* `mkdocs.livereload.LiveReloadServer(builder=, host=, port=, root=, mount_path=)`, `_serve_url`, the same
  plugin instance from every `load_config` of one file, `config.plugins.on_serve`: serve.py (the
  preview loop, with the command line's Build attached to the plugin)
* plugin events and their keyword names (on_startup(command, dirty), on_config, on_nav(nav, config,
  files), on_env, on_page_content(html, page, config, files), on_post_page(output, page, config),
  on_post_build(config), on_build_error(error), on_shutdown), `event_priority`, `get_plugin_logger`,
  `BasePlugin[Config]`, `config_options.Choice`, `config_options.PathSpec().run_validation`, `PluginError`: plugin.py
* `config.markdown_extensions` taking Extension instances appended in on_config: plugin.py (raw_blocks, quick_inline)
* `Page.present_anchor_ids` (a set after render, updated in on_page_content, validated after every
  page): plugin.py + raw_blocks.py; MkDocs' raw-HTML anchor scan `_RawHTMLPreprocessor`
  ("mkdocs_raw_html", priority 21: `id` of any element, `name` of `<a>`): raw_blocks.py mimics it
* `config.theme.get_env()` (a jinja2 Environment, `bytecode_cache` settable): plugin.py, archive.py
* build order: static files, 404.html and sitemap.xml written before the first `on_post_page`:
  plugin.py (verify_stream); search_index.json written before an on_post_build of priority -100: plugin.py
* sitemap.xml layout (`<url>` on its own line, absolute `<loc>`), sitemap.xml.gz header (name, mtime from
  SOURCE_DATE_EPOCH): archive.add_to_sitemap
* `mkdocs.structure.pages._RelativePathTreeprocessor(file, files, config)`, `._register(md)` as "relpath"
  priority 0, attributes `file` and `links_to_anchors`: archive.py (links of archive pages)
* what `Page.render` registers besides the configured extensions: archive.py mirrors it
* `Page(None, file, config)` with `markdown`, `meta`, `toc`, `content`, `active`; `File(path, src_dir=None,
  dest_dir=, use_directory_urls=)` with `url`, `dest_uri`, `abs_dest_path`, `src_uri`;
  `structure.toc.get_toc`; `commands.build.get_context(nav, files, config, page)`;
  `utils.get_relative_url`: archive.py (the page shell)

Material for MkDocs
* `search` resolving to Material's `SearchPlugin` (found by that class name), its `search_index` made in
  on_config, `SearchIndex.entries`, `add_entry_from_context(page)` reading only meta, content, toc, url,
  title, `generate_search_index(prev)`, both called through `self.search_index`: search_offload.py
* templates `main.html`, `partials/toc.html` (children of a first level-1 heading),
  `partials/language.html` (a module with `t`), `partials/content.html` (an `<h1>` of the title when the
  content has none): archive.py (Shell)
* `templates/partials/javascripts/{base,palette,content}.html` inline scripts and one
  `templates/assets/javascripts/bundle.*.min.js`: verify/html.py

Python-Markdown
* preprocessor names and priorities `fenced_code_block` (25) > ours (22) > MkDocs' `mkdocs_raw_html` (21)
  > `html_block` (20); `htmlStash.store`; `md.is_block_level`; html_block's stash of a block followed by a
  blank line (text + "\\n"): raw_blocks.py
* tree processor "inline" (20) of class `InlineProcessor`, its private `_InlineProcessor__handleInline(data,
  patternIndex=0)`, `inlinePatterns`, `getCompiledRegExp()`, `util.AtomicString`: quick_inline.py
* `extensions.toc.IDCOUNT_RE`, `nest_toc_tokens`, `md.toc_tokens`, the toc processor's `marker`, ids made
  unique by `_N`; `Registry._priority` items' `.name`; the names and classes of every processor the
  site's configuration registers (segments.MEMO_SAFE): segments.py

Jinja2
* `BytecodeCache.load_bytecode/dump_bytecode`, `bucket.key`, `bytecode_from_string/to_string`: plugin.py

Not used (so not tested): `mkdocs.livereload.LiveReloadServer`, `File.generated`.
"""

from __future__ import annotations

import gzip
import inspect
import logging
import os
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import markdown
import pytest
from markdown.preprocessors import Preprocessor
from mkdocs.commands import build as mkdocs_build_module
from mkdocs.config import config_options as opt
from mkdocs.config import load_config
from mkdocs.config.base import Config
from mkdocs.exceptions import MkDocsException, PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DATE_EPOCH = 1767225600  # 2026-01-01
SITE_URL = "http://example.invalid/manual/"
SHELL_SOURCE = "history/qms-archive-shell/page.md"  # (the depth of the archive pages)


def need(ok, tool: str, what: str, user: str, purpose: str) -> None:
    """Fail with: '<tool> no longer provides <what>, which <user> uses <purpose>; see the docstring of <user> ...'."""
    if not ok:
        pytest.fail(f"{tool} no longer provides {what}, which {user} uses {purpose}; see the docstring of {user} "
                    "and docs/architecture.md (the site/ adapter)", pytrace=False)


def params(function) -> list[str]:
    return [name for name in inspect.signature(function).parameters if name != "self"]


def source(function) -> str:
    return inspect.getsource(function)


def _package() -> str:
    """'mkdocs', or 'properdocs' when ProperDocs stands in for it (it names its processors after itself)."""
    import mkdocs

    return mkdocs.__name__


# --- one small MkDocs + Material build (the repository's mkdocs.yml, with a probe plugin instead of qms) ---------


class _MarkerPreprocessor(Preprocessor):
    def __init__(self, md, probe) -> None:
        super().__init__(md)
        self.probe = probe

    def run(self, lines):
        self.probe.extension_ran = True
        return lines


class _MarkerExtension(markdown.Extension):
    def __init__(self, probe) -> None:
        super().__init__()
        self.probe = probe

    def extendMarkdown(self, md) -> None:  # noqa: N802 (Python-Markdown's name)
        md.preprocessors.register(_MarkerPreprocessor(md, self.probe), "probe_marker", 22)


class Probe(BasePlugin):
    """Records, with the qms plugin's own event signatures, what MkDocs hands to a plugin."""

    def __init__(self) -> None:
        self.seen: dict = {}
        self.extension_ran = False
        self.pages: list[str] = []

    def on_config(self, config):
        search = next((p for p in config.plugins.values() if type(p).__name__ == "SearchPlugin"), None)
        self.seen["search"] = search
        self.seen["search_index_at_on_config"] = getattr(search, "search_index", None)
        config.markdown_extensions.append(_MarkerExtension(self))
        return config

    def on_nav(self, nav, *, config, files):
        self.seen["nav"], self.seen["files"], self.seen["env_on_nav"] = nav, files, config.theme.get_env()
        return nav

    def on_env(self, env, *, config, files):
        self.seen["env"] = env
        return env

    def on_page_content(self, html, *, page, config, files):
        self.seen.setdefault("anchors", {})[page.file.src_uri] = page.present_anchor_ids
        if page.present_anchor_ids is not None and page.file.src_uri == "guide/a.md":
            page.present_anchor_ids |= {"probe-added"}
        return html

    @event_priority(-100)
    def on_post_page(self, output, *, page, config):
        if "before_first_page" not in self.seen:
            site = Path(config.site_dir)
            self.seen["before_first_page"] = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
        self.pages.append(page.file.dest_uri)
        return output

    @event_priority(-100)
    def on_post_build(self, config) -> None:  # (positional, as the qms plugin declares it)
        self.seen["index_at_late_post_build"] = (Path(config.site_dir) / "search" / "search_index.json").is_file()

    def on_build_error(self, *, error) -> None:
        self.seen["build_error"] = error


@dataclass
class Built:
    config: object
    probe: Probe
    site: Path
    docs: Path
    warnings: list[str] = field(default_factory=list)
    error: Exception | None = None


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    folder = tmp_path_factory.mktemp("internals")
    docs, site = folder / "docs", folder / "site"
    pages = {
        "index.md": "# 首页\n\n[原始块](guide/a.md#raw-anchor) [a 名](guide/a.md#named) [探针](guide/a.md#probe-added)\n",
        "guide/a.md": "# 第一页\n\n## 第一节\n\n正文。\n\n<div id=\"raw-anchor\"><a name=\"named\"></a>块</div>\n\n段落。\n",
        "orphan.md": "# 不在导航中\n\n正文。\n",
        "assets/qms.css": "", "assets/qms.js": "",
    }
    for name, text in pages.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, encoding="utf-8")
    probe = Probe()
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    old_epoch = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(SOURCE_DATE_EPOCH)
    logger.addHandler(collect)
    try:
        # (as driver.py loads it; plugins: Material's search only, the probe in place of qms)
        config = load_config(str(ROOT / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(site), plugins=["search"],
                             nav=[{"首页": "index.md"}, {"第一页": "guide/a.md"}], copyright="probe stamp",
                             site_url=SITE_URL, strict=True, not_in_nav="orphan.md")
        config.plugins["probe"] = probe
        result = Built(config, probe, site, docs, collect.messages)
        try:
            mkdocs_build_module.build(config)
        except (MkDocsException, SystemExit) as exc:
            result.error = exc
    finally:
        logger.removeHandler(collect)
        if old_epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old_epoch
    return result


def test_the_probe_build_succeeds(built):
    assert built.error is None, f"the small MkDocs build failed: {built.error!r}; warnings: {built.warnings}"
    assert built.warnings == []


# --- MkDocs: configuration, plugin instances, events ----------------------------------------------------------------


def test_load_config_takes_the_overrides_driver_passes(built):
    config = built.config
    ok = (config.docs_dir == str(built.docs) and config.site_dir == str(built.site) and config.strict is True
          and config.copyright == "probe stamp" and config.site_url == SITE_URL and config.nav[0] == {"首页": "index.md"})
    need(ok, "MkDocs", "load_config(path, docs_dir=, site_dir=, nav=, copyright=, site_url=, strict=) overrides",
         "site_builder/site/driver.py", "to render the generated pages")
    spec = config.not_in_nav
    need(spec is not None and spec.match_file("orphan.md") and not spec.match_file("index.md"), "MkDocs",
         "load_config(not_in_nav=…) as a path spec", "site_builder/site/driver.py", "for pages outside the navigation")


def test_plugin_instances_of_config_plugins_are_the_ones_build_runs(built):
    need(built.config.plugins.get("probe") is built.probe and "search_index_at_on_config" in built.probe.seen,
         "MkDocs", "config.plugins instances reused by commands.build.build(config)", "site_builder/site/driver.py",
         "to hand the qms plugin its page sink and archive before the build")


def test_build_signature():
    need(params(mkdocs_build_module.build)[:1] == ["config"]
         and {"serve_url", "dirty"} <= set(params(mkdocs_build_module.build)), "MkDocs",
         "mkdocs.commands.build.build(config, *, serve_url, dirty)", "site_builder/site/driver.py", "to render the site")


def test_live_reload_server_and_serve_url():
    """site_builder/site/serve.py runs MkDocs' serve loop itself, with the Build attached to the plugin."""
    from mkdocs import livereload

    server = getattr(livereload, "LiveReloadServer", None)
    need(server is not None and {"builder", "host", "port", "root", "mount_path"} <= set(params(server.__init__)),
         "MkDocs", "mkdocs.livereload.LiveReloadServer(builder=, host=, port=, root=, mount_path=)",
         "site_builder/site/serve.py", "to serve the preview with live reload")
    need(all(callable(getattr(server, name, None)) for name in ("watch", "serve", "shutdown")), "MkDocs",
         "LiveReloadServer.watch/serve/shutdown", "site_builder/site/serve.py", "to watch the sources and serve")
    serve_url = getattr(livereload, "_serve_url", None)
    need(serve_url is not None and serve_url("127.0.0.1", 8000, "/") == "http://127.0.0.1:8000/", "MkDocs",
         "mkdocs.livereload._serve_url(host, port, path)", "site_builder/site/serve.py", "for the preview's address")


def test_plugin_instances_survive_a_new_load_config(tmp_path):
    """serve.py attaches the Build to the qms plugin once; MkDocs hands the same instance to every
    rebuild's configuration (the Plugins option caches the instances of plugins that have
    on_startup or on_shutdown, as the qms plugin has)."""
    from mkdocs.config import load_config

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# x\n", encoding="utf-8")
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text("site_name: x\nplugins:\n  - qms\n", encoding="utf-8")
    first, second = load_config(str(config_file)), load_config(str(config_file))
    need(hasattr(first.plugins["qms"], "on_startup") and first.plugins["qms"] is second.plugins["qms"], "MkDocs",
         "the same plugin instance from every load_config of one configuration file",
         "site_builder/site/serve.py and site/plugin.py", "to keep the attached Build (and its memos) across rebuilds")
    need(callable(getattr(first.plugins, "on_serve", None)), "MkDocs", "config.plugins.on_serve(server, config=, builder=)",
         "site_builder/site/serve.py", "to let plugins add watched paths")


def test_dirty_build_warning_text_and_logger():
    need(mkdocs_build_module.log.name == "mkdocs.commands.build"
         and "A 'dirty' build is being performed" in source(mkdocs_build_module.build), "MkDocs",
         "the warning \"A 'dirty' build is being performed\" on the logger mkdocs.commands.build",
         "site_builder/site/plugin.py", "to drop that one warning under serve --dirty (strict mode would abort); "
         f"the logger is now {mkdocs_build_module.log.name!r}")


EVENTS = {
    "on_startup": ["command", "dirty"],
    "on_config": ["config"],
    "on_nav": ["nav", "config", "files"],
    "on_env": ["env", "config", "files"],
    "on_page_content": ["html", "page", "config", "files"],
    "on_post_page": ["output", "page", "config"],
    "on_post_build": ["config"],
    "on_build_error": ["error"],
    "on_shutdown": [],
}


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_plugin_event_signature(event):
    from mkdocs import plugins

    # (PluginCollection.on_<event> is what MkDocs calls; it hands each plugin these arguments by these names)
    method = getattr(plugins.PluginCollection, event, None)
    need(event[3:] in plugins.EVENTS and method is not None and params(method) == EVENTS[event], "MkDocs",
         f"the plugin event {event}({', '.join(EVENTS[event])})", "site_builder/site/plugin.py",
         "(MkDocs calls events with these keyword names)")


def test_plugin_helpers():
    need(callable(event_priority) and hasattr(event_priority(-100)(lambda: None), "mkdocs_priority"), "MkDocs",
         "mkdocs.plugins.event_priority", "site_builder/site/plugin.py", "to run on_post_page and on_post_build last")
    logger = get_plugin_logger("site_builder.site.plugin")
    need(all(hasattr(logger, name) for name in ("info", "warning", "error")), "MkDocs", "mkdocs.plugins.get_plugin_logger",
         "site_builder/site/plugin.py", "to report content diagnostics")
    need(issubclass(PluginError, MkDocsException), "MkDocs", "PluginError as a MkDocsException",
         "site_builder/site/plugin.py and driver.py", "to stop a build on content errors")


def test_plugin_config_options():
    class Options(Config):
        audience = opt.Choice(("staff", "auditor"), default="staff")

    class Plugin(BasePlugin[Options]):
        pass

    plugin = Plugin()
    errors, _warnings = plugin.load_config({})
    need(not errors and plugin.config.audience == "staff", "MkDocs", "BasePlugin[Config] with config_options.Choice",
         "site_builder/site/plugin.py", "for the plugin's `audience` option")
    spec = opt.PathSpec().run_validation("a.md\nb/c.md")
    need(spec.match_file("b/c.md") and not spec.match_file("d.md"), "MkDocs", "config_options.PathSpec().run_validation",
         "site_builder/site/plugin.py", "to set not_in_nav under a plain `mkdocs build`")


def test_markdown_extension_instances_appended_in_on_config_are_used(built):
    need(built.probe.extension_ran, "MkDocs", "config.markdown_extensions taking Extension instances added in on_config",
         "site_builder/site/plugin.py", "to add the raw_blocks and quick_inline extensions")


def test_search_resolves_to_materials_plugin_with_its_index_made_in_on_config(built):
    search = built.probe.seen.get("search")
    need(search is not None and type(search).__module__.startswith("material."), "Material for MkDocs",
         "a plugin of class SearchPlugin for `search` under theme material", "site_builder/site/plugin.py",
         "to find the search plugin whose indexing it offloads")
    need(built.probe.seen.get("search_index_at_on_config") is not None, "Material for MkDocs",
         "SearchPlugin.search_index made in its on_config", "site_builder/site/plugin.py",
         "(qms, listed after search, starts SearchOffload in its own on_config)")


def test_present_anchor_ids_is_a_set_after_render_and_updated_ids_count(built):
    anchors = built.probe.seen.get("anchors", {}).get("guide/a.md")
    need(isinstance(anchors, set), "MkDocs", "Page.present_anchor_ids (a set by on_page_content)",
         "site_builder/site/plugin.py", "to add the ids of the HTML blocks raw_blocks.py stashes")
    need({"raw-anchor", "named"} <= anchors, "MkDocs", "the raw-HTML anchor scan (id of any element, name of <a>)",
         "site_builder/fast/raw_blocks.py", "(anchor_ids mimics it for the blocks it takes over)")
    need(not any("probe-added" in w for w in built.warnings), "MkDocs",
         "anchor validation after on_page_content (with the ids added there)", "site_builder/site/plugin.py",
         "so that links to anchors inside stashed HTML blocks validate")


def test_theme_environment(built):
    env = built.probe.seen.get("env_on_nav")
    need(isinstance(env, jinja2.Environment), "MkDocs", "config.theme.get_env() returning a jinja2.Environment",
         "site_builder/site/plugin.py and archive.py", "to render the archive pages' shell in on_nav")
    env.bytecode_cache = None  # (plugin.py sets its own compiled-template cache)
    for name in ("main.html", "partials/toc.html", "partials/language.html"):
        try:
            env.get_template(name)
        except jinja2.TemplateNotFound:
            need(False, "Material for MkDocs", f"the template {name}", "site_builder/site/archive.py",
                 "for the page shell of the archive pages")


def test_static_files_and_theme_pages_are_written_before_the_first_page(built):
    before = built.probe.seen.get("before_first_page", set())
    need({"404.html", "sitemap.xml", "sitemap.xml.gz", "assets/qms.css"} <= before, "MkDocs",
         "its build order: static files, 404.html and sitemap.xml written before the first page",
         "site_builder/site/plugin.py", f"to verify them with the first page (verify_stream); written then: {sorted(before)[:10]}")


def test_search_index_is_written_before_a_late_post_build(built):
    need(built.probe.seen.get("index_at_late_post_build") is True, "Material for MkDocs",
         "search_index.json written in on_post_build before priority -100", "site_builder/site/plugin.py",
         "to verify the finished site in on_post_build")


def test_sitemap_layout_and_gzip_header(built):
    text = (built.site / "sitemap.xml").read_text(encoding="utf-8")
    need(re.search(r"\n\s*<url>", text) and f"<loc>{SITE_URL}guide/a/</loc>" in text, "MkDocs",
         "sitemap.xml with each <url> on its own line and absolute <loc>s", "site_builder/site/archive.py",
         "(add_to_sitemap copies the last entry for each archive page)")
    header = (built.site / "sitemap.xml.gz").read_bytes()
    mtime = struct.unpack("<I", header[4:8])[0]
    name = header[10:header.index(b"\0", 10)] if header[3] & 0x08 else b""
    need(mtime == SOURCE_DATE_EPOCH and name == b"sitemap.xml", "MkDocs",
         "sitemap.xml.gz dated from SOURCE_DATE_EPOCH, named sitemap.xml in its header", "site_builder/site/archive.py",
         f"to rewrite it with the same header (found mtime {mtime}, name {name!r})")
    need(gzip.decompress(header).decode("utf-8") == text, "MkDocs", "sitemap.xml.gz holding sitemap.xml",
         "site_builder/site/archive.py", "")


# --- MkDocs: what archive.py builds its pages with ------------------------------------------------------------------


def test_file_for_a_page_outside_the_docs(built):
    from mkdocs.structure.files import File

    file = File(SHELL_SOURCE, src_dir=None, dest_dir=str(built.site), use_directory_urls=True)
    need(file.url == "history/qms-archive-shell/page/" and file.dest_uri == "history/qms-archive-shell/page/index.html"
         and file.abs_dest_path == str(built.site / file.dest_uri) and file.src_uri == SHELL_SOURCE, "MkDocs",
         "File(path, src_dir=None, dest_dir=, use_directory_urls=) with url, dest_uri, abs_dest_path, src_uri",
         "site_builder/site/archive.py", "for the archive pages MkDocs does not render")


def test_relative_url():
    from mkdocs import utils

    base = utils.get_relative_url(".", "history/qms-archive-shell/page/")
    need(base == "../../.." and utils.get_relative_url(".", "history/QP-01/A0/") == base
         and utils.get_relative_url(".", "history/QP-01/") != base, "MkDocs",
         "utils.get_relative_url('.', url) (the way back to the site root)", "site_builder/site/archive.py",
         "to check that an archive page is at the depth of its shell")


def test_get_toc():
    from mkdocs.structure.toc import get_toc

    toc = get_toc([{"level": 1, "id": "t", "name": "标题", "children": [{"level": 2, "id": "s", "name": "节", "children": []}]}])
    first = next(iter(toc))
    need((first.title, first.id, first.level, first.url) == ("标题", "t", 1, "#t") and next(iter(first.children)).id == "s",
         "MkDocs", "structure.toc.get_toc(tokens) -> items with title, id, level, url, children",
         "site_builder/site/archive.py", "for the archive pages' tables of contents")


def _shell_page(built, content: str, has_toc: bool):
    from mkdocs.structure.files import File
    from mkdocs.structure.pages import Page
    from mkdocs.structure.toc import get_toc

    file = File(SHELL_SOURCE, src_dir=None, dest_dir=str(built.site), use_directory_urls=True)
    page = Page(None, file, built.config)
    page.markdown, page.meta = "", {"title": "qms-marker-title"}
    page.toc = get_toc([{"level": 1, "id": "qms-skip", "name": "qms-marker-title", "children": []}] if has_toc else [])
    page.content = content
    return page


def test_page_shell_renders_through_get_context_and_main_html(built):
    from mkdocs.commands.build import get_context

    need(params(get_context)[:4] == ["nav", "files", "config", "page"], "MkDocs",
         "commands.build.get_context(nav, files, config, page)", "site_builder/site/archive.py", "for the page shell")
    env, nav, files = built.probe.seen["env_on_nav"], built.probe.seen["nav"], built.probe.seen["files"]
    page = _shell_page(built, "<!--qms-content-->", has_toc=True)
    context = get_context(nav, files, built.config, page)
    page.active = True
    try:
        html = env.get_template("main.html").render(context)
    finally:
        page.active = False
    need(html.count("<!--qms-content-->") == 1 and "qms-marker-title" in html, "MkDocs + Material",
         "Page(None, file, config) with markdown, meta, toc, content, active rendered by main.html",
         "site_builder/site/archive.py", "for the page shell of the archive pages")
    need(re.search(r"<h1[^>]*>qms-marker-title</h1>", html), "Material for MkDocs",
         "an <h1> of the page title when the content has none (partials/content.html)", "site_builder/site/archive.py",
         "(the shell has a variant for content with and without <h1>)")
    with_h1 = env.get_template("main.html").render(get_context(nav, files, built.config, _shell_page(built, "<h1>x</h1>", False)))
    need(not re.search(r"<h1[^>]*>qms-marker-title</h1>", with_h1), "Material for MkDocs",
         "no extra <h1> when the content has one", "site_builder/site/archive.py", "")


def test_toc_partial_and_language_module(built):
    from mkdocs.commands.build import get_context
    from mkdocs.structure.toc import get_toc

    env, nav, files = built.probe.seen["env_on_nav"], built.probe.seen["nav"], built.probe.seen["files"]
    context = get_context(nav, files, built.config, _shell_page(built, "", False))
    lang = env.get_template("partials/language.html").make_module(dict(context))
    need(callable(getattr(lang, "t", None)), "Material for MkDocs", "partials/language.html as a module with t()",
         "site_builder/site/archive.py", "(base.html imports it with context before the toc partial)")

    @dataclass
    class TocOnly:
        toc: object

    toc = get_toc([{"level": 1, "id": "top", "name": "顶", "children": [{"level": 2, "id": "sub-one", "name": "子", "children": []}]}])
    html = env.get_template("partials/toc.html").render({**context, "lang": lang, "page": TocOnly(toc)})
    need('href="#sub-one"' in html and 'href="#top"' not in html, "Material for MkDocs",
         "partials/toc.html reading only page.toc and showing the children of a first level-1 heading",
         "site_builder/site/archive.py", "to render each archive page's table of contents alone")


def test_relative_path_treeprocessor(built):
    from mkdocs.structure import pages

    processor_class = getattr(pages, "_RelativePathTreeprocessor", None)
    need(processor_class is not None and params(processor_class.__init__) == ["file", "files", "config"], "MkDocs",
         "mkdocs.structure.pages._RelativePathTreeprocessor(file, files, config)", "site_builder/site/archive.py",
         "to rewrite links")
    files = built.probe.seen["files"]
    md = markdown.Markdown(extensions=built.config["markdown_extensions"], extension_configs=built.config["mdx_configs"] or {})
    processor = processor_class(None, files, built.config)
    processor._register(md)
    need("relpath" in md.treeprocessors and md.treeprocessors.get_index_for_name("relpath") == len(md.treeprocessors) - 1
         and md.treeprocessors._priority[-1].priority == 0, "MkDocs", "_RelativePathTreeprocessor._register(md) as 'relpath', priority 0",
         "site_builder/site/archive.py and site_builder/fast/segments.py", "")
    processor.file, processor.links_to_anchors = files.get_file_from_path("index.md"), {}
    html = md.convert("[a](guide/a.md#raw-anchor)")
    need('href="guide/a/#raw-anchor"' in html and isinstance(processor.links_to_anchors, dict), "MkDocs",
         "_RelativePathTreeprocessor with reassignable `file` and `links_to_anchors`", "site_builder/site/archive.py",
         f"to rewrite the links of many pages with one Markdown instance (got {html})")


def test_link_warnings_are_logged_under_the_mkdocs_logger(built):
    from mkdocs.structure.pages import _RelativePathTreeprocessor

    files = built.probe.seen["files"]
    md = markdown.Markdown(extensions=built.config["markdown_extensions"], extension_configs=built.config["mdx_configs"] or {})
    processor = _RelativePathTreeprocessor(files.get_file_from_path("index.md"), files, built.config)
    processor._register(md)
    collect = _Collect()
    logging.getLogger("mkdocs").addHandler(collect)
    try:
        md.convert("[缺](no-such-page.md)")
    finally:
        logging.getLogger("mkdocs").removeHandler(collect)
    need(any("no-such-page.md" in message for message in collect.messages), "MkDocs",
         "link warnings logged under the 'mkdocs' logger", "site_builder/site/archive.py",
         "(it collects the warnings of the archive pages there; so does driver.py for the build)")


def test_page_render_registers_only_what_archive_mirrors(built, monkeypatch):
    from mkdocs.structure.pages import Page

    seen = {}
    original = markdown.Markdown.convert

    def spy(self, text):
        seen["tree"] = {item.name: item.priority for item in self.treeprocessors._priority}
        seen["pre"] = {item.name: item.priority for item in self.preprocessors._priority}
        return original(self, text)

    monkeypatch.setattr(markdown.Markdown, "convert", spy)
    file = built.probe.seen["files"].get_file_from_path("orphan.md")
    page = Page(None, file, built.config)
    page.markdown = "正文"
    page.render(built.config, built.probe.seen["files"])
    plain = markdown.Markdown(extensions=built.config["markdown_extensions"], extension_configs=built.config["mdx_configs"] or {})
    added = {**{n: p for n, p in seen["tree"].items() if n not in plain.treeprocessors},
             **{n: p for n, p in seen["pre"].items() if n not in plain.preprocessors}}
    added.pop("probe_marker", None)  # (the probe's own extension, listed in the config)
    pkg = _package()
    expected = {f"{pkg}_raw_html": 21, f"{pkg}_extract_anchors": 5, "relpath": 0, f"{pkg}_extract_title": 1}
    need(added == expected, "MkDocs", f"Page.render registering exactly {expected}", "site_builder/site/archive.py",
         f"(its converter mirrors Page.render with 'relpath' only; the others only collect) — now {added}")


def test_raw_html_anchor_scan():
    from mkdocs.structure import pages

    scan_class = getattr(pages, "_RawHTMLPreprocessor", None)
    need(scan_class is not None, "MkDocs", "mkdocs.structure.pages._RawHTMLPreprocessor", "site_builder/fast/raw_blocks.py",
         "(whose anchor scan anchor_ids reproduces)")
    md = markdown.Markdown()
    scan = scan_class()
    scan._register(md)
    name = f"{_package()}_raw_html"
    need(_priority(md.preprocessors, name) == 21, "MkDocs",
         f"the raw-HTML anchor scan registered as '{name}' at priority 21", "site_builder/fast/raw_blocks.py",
         "(its preprocessor runs at 22, just before it)")
    scan.run(['<div id="d"><a name="n"></a><p name="p"></p><span id=\'s\'></span></div>'])
    need(scan.present_anchor_ids == {"d", "n", "s"}, "MkDocs", "an anchor scan taking `id` of any element and `name` of <a>",
         "site_builder/fast/raw_blocks.py", f"(anchor_ids mimics it) — now {scan.present_anchor_ids}")


# --- Material for MkDocs: search plugin, templates ------------------------------------------------------------------


def test_search_index_api():
    from material.plugins.search.plugin import SearchIndex, SearchPlugin

    need(SearchPlugin.__name__ == "SearchPlugin", "Material for MkDocs", "material.plugins.search.plugin.SearchPlugin",
         "site_builder/site/plugin.py", "(found by its class name)")
    need(params(SearchIndex.add_entry_from_context) == ["page"] and params(SearchIndex.generate_search_index) == ["prev"],
         "Material for MkDocs", "SearchIndex.add_entry_from_context(page) and generate_search_index(prev)",
         "site_builder/site/search_offload.py", "to index pages in a forked child")

    class SlottedPage:  # (what search_offload._Page carries: nothing else)
        __slots__ = ("meta", "content", "toc", "url", "title")

        def __init__(self, **values) -> None:
            for name, value in values.items():
                setattr(self, name, value)

    from mkdocs.structure.toc import get_toc

    index = SearchIndex(lang=["zh"], separator=r"[\s\-]+", pipeline=[], fields={}, jieba_dict=None, jieba_dict_user=None)
    need(index.entries == [], "Material for MkDocs", "SearchIndex.entries (a list)", "site_builder/site/search_offload.py",
         "to merge the child's entries")
    toc = get_toc([{"level": 1, "id": "t", "name": "标题", "children": []}])
    try:
        index.add_entry_from_context(SlottedPage(meta={}, content='<h1 id="t">标题</h1><p>正文</p>', toc=toc,
                                                 url="a/", title="标题"))
    except AttributeError as exc:
        need(False, "Material for MkDocs", "add_entry_from_context reading only meta, content, toc, url, title",
             "site_builder/site/search_offload.py", f"(its _Page carries only those): {exc}")
    need(index.entries and index.entries[0]["location"].startswith("a/"), "Material for MkDocs",
         "index entries with a location", "site_builder/site/search_offload.py and plugin.py", f"— now {index.entries}")
    index.add_entry_from_context(SlottedPage(meta={"search": {"exclude": True}}, content="<p>x</p>", toc=toc, url="b/", title="b"))
    need(not any(e["location"].startswith("b/") for e in index.entries), "Material for MkDocs",
         "meta search.exclude skipping a page", "site_builder/site/search_offload.py", "(tested before sending a page)")


def test_search_plugin_calls_its_index_through_the_instance():
    from material.plugins.search.plugin import SearchPlugin

    need("self.search_index.add_entry_from_context(" in source(SearchPlugin.on_page_context)
         and "self.search_index.generate_search_index(" in source(SearchPlugin.on_post_build), "Material for MkDocs",
         "SearchPlugin calling add_entry_from_context and generate_search_index on self.search_index",
         "site_builder/site/search_offload.py", "(it replaces both on the index instance)")
    need("search_index_prev" in source(SearchPlugin.__init__), "Material for MkDocs",
         "SearchPlugin.search_index_prev (the previous index merged by dirty rebuilds)", "site_builder/site/plugin.py",
         "(_dedupe_search_index repairs the merge after several pages changed)")


def _material_templates() -> Path:
    import material

    return Path(material.__file__).parent / "templates"


@pytest.mark.parametrize("name", ["base.html", "palette.html", "content.html"])
def test_material_inline_script_partials(name):
    path = _material_templates() / "partials" / "javascripts" / name
    need(path.is_file() and "<script>" in path.read_text(encoding="utf-8"), "Material for MkDocs",
         f"templates/partials/javascripts/{name} with an inline <script>", "site_builder/verify/html.py",
         "(the inline scripts Material may emit; any other is refused)")


def test_material_script_bundle():
    bundles = list((_material_templates() / "assets" / "javascripts").glob("bundle.*.min.js"))
    need(len(bundles) == 1, "Material for MkDocs", "one templates/assets/javascripts/bundle.*.min.js",
         "site_builder/verify/html.py", f"(the scripts a page may load) — found {bundles}")


# --- Python-Markdown ------------------------------------------------------------------------------------------------


def _site_markdown() -> markdown.Markdown:
    """A converter with the extensions and settings of the repository's mkdocs.yml, as MkDocs validates them."""
    import tempfile

    with tempfile.TemporaryDirectory() as docs, tempfile.TemporaryDirectory() as site:
        config = load_config(str(ROOT / "mkdocs.yml"), docs_dir=docs, site_dir=site, plugins=[])
    return markdown.Markdown(extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"] or {})


def _priority(registry, name: str):
    return registry._priority[registry.get_index_for_name(name)].priority if name in registry else None


def test_preprocessor_names_and_priorities():
    md = _site_markdown()
    fenced, html_block = _priority(md.preprocessors, "fenced_code_block"), _priority(md.preprocessors, "html_block")
    need(fenced is not None and fenced > 22, "Python-Markdown / pymdownx.superfences",
         f"the preprocessor 'fenced_code_block' above priority 22 (now {fenced})", "site_builder/fast/raw_blocks.py",
         "(our one-line HTML blocks are taken after fenced code)")
    need(html_block is not None and html_block < 21, "Python-Markdown", f"the preprocessor 'html_block' below 21 (now {html_block})",
         "site_builder/fast/raw_blocks.py", "(our blocks are stashed before MkDocs' anchor scan (21) and html_block)")


def test_html_stash_and_html_block():
    md = markdown.Markdown()
    need(md.is_block_level("div") and md.is_block_level("table") and not md.is_block_level("span"), "Python-Markdown",
         "Markdown.is_block_level(tag)", "site_builder/fast/raw_blocks.py", "")

    class Stash(Preprocessor):  # (what raw_blocks does for a one-line block between blank lines)
        def run(self, lines):
            last = len(lines) - 1
            return [self.md.htmlStash.store(line + "\n" if i < last else line) if line.startswith("<div") else line
                    for i, line in enumerate(lines)]

    text = "段落一。\n\n<div class=\"x\" id=\"y\"><p>块</p></div>\n\n段落二。\n\n<div>末</div>"
    stock = markdown.Markdown().convert(text)
    ours = markdown.Markdown()
    ours.preprocessors.register(Stash(ours), "stash_probe", 22)
    need(ours.convert(text) == stock, "Python-Markdown",
         "html_block storing a block followed by a blank line as text + \"\\n\" in htmlStash.store",
         "site_builder/fast/raw_blocks.py", "(it stashes our blocks the same way, byte for byte)")


def test_inline_processor_internals():
    from markdown import inlinepatterns, util
    from markdown.treeprocessors import InlineProcessor

    md = _site_markdown()
    need("inline" in md.treeprocessors and type(md.treeprocessors["inline"]) is InlineProcessor
         and _priority(md.treeprocessors, "inline") == 20, "Python-Markdown",
         "the tree processor 'inline' (priority 20) of class InlineProcessor", "site_builder/fast/quick_inline.py",
         "(it replaces it with a subclass)")
    handle = getattr(InlineProcessor, "_InlineProcessor__handleInline", None)
    need(handle is not None and params(handle) == ["data", "patternIndex"]
         and inspect.signature(handle).parameters["patternIndex"].default == 0, "Python-Markdown",
         "InlineProcessor.__handleInline(data, patternIndex=0) (name-mangled _InlineProcessor__handleInline)",
         "site_builder/fast/quick_inline.py", "(it overrides it to skip texts no pattern matches)")
    need("self.__handleInline(" in source(InlineProcessor.run), "Python-Markdown",
         "InlineProcessor.run calling self.__handleInline", "site_builder/fast/quick_inline.py", "")
    apply = source(InlineProcessor._InlineProcessor__applyPattern)
    need("getCompiledRegExp()" in apply and "isinstance(pattern, inlinepatterns.InlineProcessor)" in apply, "Python-Markdown",
         "__applyPattern searching with pattern.getCompiledRegExp() (search for processors, match for old patterns)",
         "site_builder/fast/quick_inline.py", "(it pre-tests each pattern the same way)")
    need(hasattr(md.treeprocessors["inline"], "inlinePatterns")
         and all(hasattr(p, "getCompiledRegExp") for p in md.inlinePatterns)
         and issubclass(inlinepatterns.InlineProcessor, inlinepatterns.Pattern) and issubclass(util.AtomicString, str),
         "Python-Markdown", "inlinePatterns with getCompiledRegExp(), inlinepatterns.InlineProcessor, util.AtomicString",
         "site_builder/fast/quick_inline.py", "")


def test_toc_internals():
    from markdown.extensions.toc import IDCOUNT_RE, nest_toc_tokens

    need(IDCOUNT_RE.match("abc_2") and not IDCOUNT_RE.match("abc"), "Python-Markdown",
         "markdown.extensions.toc.IDCOUNT_RE (ids made unique by _N)", "site_builder/fast/segments.py",
         "to tell a heading's own id from a suffixed one")
    nested = nest_toc_tokens([{"level": 1, "id": "a", "name": "A"}, {"level": 2, "id": "b", "name": "B"}])
    need(len(nested) == 1 and nested[0]["children"][0]["id"] == "b", "Python-Markdown", "toc.nest_toc_tokens",
         "site_builder/fast/segments.py", "to rebuild a page's table of contents from its segments")
    md = _site_markdown()
    html = md.convert("# 同\n\n# 同\n")
    need(getattr(md, "toc_tokens", None) and [t["id"] for t in md.toc_tokens] == ["同", "同_1"] and 'id="同_1"' in html,
         "Python-Markdown", "md.toc_tokens and duplicate heading ids suffixed _1", "site_builder/fast/segments.py and "
         "site_builder/site/archive.py", f"— now {getattr(md, 'toc_tokens', None)}")
    need(getattr(md.treeprocessors["toc"], "marker", None) == "[TOC]", "Python-Markdown", "the toc processor's `marker`",
         "site_builder/fast/segments.py", "(a page with the marker is converted whole)")


def test_registry_priority_items():
    md = markdown.Markdown()
    items = getattr(md.preprocessors, "_priority", None)
    need(items and all(hasattr(item, "name") and hasattr(item, "priority") for item in items)
         and hasattr(md, "parser") and hasattr(md.parser, "blockprocessors"), "Python-Markdown",
         "Registry._priority items with .name and .priority, md.parser.blockprocessors", "site_builder/fast/segments.py",
         "(memo_safe lists every registered processor)")


#: What segments.py's MEMO_SAFE expects the site's configuration (plus MkDocs' relpath) to register.
SITE_REGISTRIES = {
    "preprocessors": {"normalize_whitespace": "NormalizeWhitespace", "fenced_code_block": "SuperFencesBlockPreprocessor",
                      "html_block": "HtmlBlockPreprocessor"},
    "blockprocessors": {"admonition": "AdmonitionProcessor", "empty": "EmptyBlockProcessor", "indent": "ListIndentProcessor",
                        "code": "SuperFencesCodeBlockProcessor", "table": "TableProcessor", "hashheader": "HashHeaderProcessor",
                        "setextheader": "SetextHeaderProcessor", "hr": "HRProcessor", "olist": "OListProcessor",
                        "ulist": "UListProcessor", "quote": "BlockQuoteProcessor", "reference": "ReferenceProcessor",
                        "paragraph": "ParagraphProcessor"},
    "treeprocessors": {"inline": "InlineProcessor", "prettify": "PrettifyTreeprocessor", "toc": "TocTreeprocessor",
                       "unescape": "UnescapeTreeprocessor", "relpath": "_RelativePathTreeprocessor"},
    "inlinePatterns": {"backtick": "BacktickInlineProcessor", "escape": "EscapeInlineProcessor",
                       "reference": "ReferenceInlineProcessor", "link": "LinkInlineProcessor", "image_link": "ImageInlineProcessor",
                       "image_reference": "ImageReferenceInlineProcessor", "short_reference": "ShortReferenceInlineProcessor",
                       "short_image_ref": "ShortImageReferenceInlineProcessor", "autolink": "AutolinkInlineProcessor",
                       "automail": "AutomailInlineProcessor", "linebreak": "SubstituteTagInlineProcessor",
                       "html": "HtmlInlineProcessor", "entity": "HtmlInlineProcessor", "em_strong": "DelimiterProcessor"},
    "postprocessors": {"raw_html": "RawHtmlPostprocessor", "amp_substitute": "AndSubstitutePostprocessor"},
}


def test_site_markdown_registers_the_processors_segments_knows(built):
    from mkdocs.structure.pages import _RelativePathTreeprocessor

    md = _site_markdown()
    _RelativePathTreeprocessor(None, built.probe.seen["files"], built.config)._register(md)
    registries = {"preprocessors": md.preprocessors, "blockprocessors": md.parser.blockprocessors,
                  "treeprocessors": md.treeprocessors, "inlinePatterns": md.inlinePatterns, "postprocessors": md.postprocessors}
    found = {kind: {item.name: type(registry[item.name]).__name__ for item in registry._priority}
             for kind, registry in registries.items()}
    changed = {kind: {"now": found[kind], "expected": SITE_REGISTRIES[kind]} for kind in found if found[kind] != SITE_REGISTRIES[kind]}
    need(not changed, "Python-Markdown / pymdown-extensions / MkDocs", "the same processors (names and classes) for the site's "
         "markdown_extensions", "site_builder/fast/segments.py", "(MEMO_SAFE: the segment memo is used only when every "
         f"processor is one whose rules it respects; review the new ones, else archive conversion is slower) — {changed}")


# --- Jinja2 ---------------------------------------------------------------------------------------------------------


def test_jinja_bytecode_cache():
    stored = {}

    class Cache(jinja2.BytecodeCache):
        def load_bytecode(self, bucket) -> None:
            if bucket.key in stored:
                bucket.bytecode_from_string(stored[bucket.key])

        def dump_bytecode(self, bucket) -> None:
            stored[bucket.key] = bucket.bytecode_to_string()

    for _ in range(2):
        env = jinja2.Environment(loader=jinja2.DictLoader({"t.html": "{{ 1 + 1 }}"}), bytecode_cache=Cache())
        rendered = env.get_template("t.html").render()
    need(rendered == "2" and len(stored) == 1, "Jinja2", "BytecodeCache load_bytecode/dump_bytecode with bucket.key and "
         "bytecode_from_string/bytecode_to_string", "site_builder/site/plugin.py", "(serve keeps compiled templates in memory)")
