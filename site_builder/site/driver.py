"""`build`: run a Build through MkDocs + Material and publish the new site atomically.

Takes a `Build` (site_builder/build.py) and the output folder; runs the git preflight, the
stages up to render (Build.generate), emit (the generated docs folder), MkDocs with the qms
plugin attached to the same Build, verify, and publish (an atomic swap of the output folder).
Gives the exit code; on any failure the published site stays as it was.  Under `plain` the XLSX
downloads are encoded and the pages verified after MkDocs, in this process; otherwise while
MkDocs renders, in forked children (emit/workbooks.py, site/verify_stream.py).
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sys
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from site_builder import diagnostics as dg
from site_builder.build import Build
from site_builder.emit.docs import copied_as_they_are, write_docs
from site_builder.emit.workbooks import EncodingWorkbooks
from site_builder.history import require_full_history
from site_builder.history.stamp import SOURCE_DATE_ENV, stamp_text
from site_builder.load.sources import CONTENT_FOLDERS, LINK_FREE_FOLDERS
from site_builder.publish import swap as publish
from site_builder.publish.preflight import format_diagnostics, git_preflight
from site_builder.site.theme import material_templates
from site_builder.site.verify_stream import PageStream
from site_builder.verify.site import verify_site

#: Used when qms.yaml sets no site_url: the address `serve` previews on.
DEFAULT_SITE_URL = "http://127.0.0.1:8000/"
MAX_PROBLEMS_SHOWN = 20
#: Warnings that `build --release` treats as errors: stray files in content folders (bad-inputs F05).
#: Uncommitted and untracked content (SB600) is promoted by the git preflight itself.
RELEASE_ERRORS = ("SB115", "SB317")


class BuildFailed(Exception):
    """The new site could not be built; the published site is unchanged."""


def build(run: Build, out: Path | None = None, quiet: bool = False, *, release: bool = False,
          rebaseline: str | None = None) -> int:
    """Publish the run's site into `out` (default: the run's Options.out, else site/ in its root)."""
    root, today, audience = run.options.root, run.options.today, run.options.audience
    out = (out or run.options.out or root / "site").resolve()
    if overwrites_content(root, out):
        raise BuildFailed(f"refusing to build into {out}: it would overwrite content")
    if audience == "auditor" and (incomplete := require_full_history(root)):
        raise BuildFailed(incomplete)
    preflight = git_preflight(root, out, today, release=release, rebaseline=rebaseline)
    _say(quiet, f"qms: checking {root} ...")
    if preflight.errors:  # still check the content, so that one run reports every error (bad-inputs B01)
        diagnostics = _for_release(run.check().diagnostics, release)
        return _refuse(preflight.diagnostics + diagnostics, out)
    generated = run.generate(defer_workbooks=True)
    diagnostics = _for_release(generated.check.diagnostics, release)
    if generated.site is None or dg.count_errors(diagnostics):
        return _refuse(preflight.diagnostics + diagnostics, out)
    if diagnostics or preflight.diagnostics:
        print(format_diagnostics(preflight.diagnostics + diagnostics))
    _add_to_stamp(generated, preflight.stamp)
    try:
        with publish.build_lock(out, run.root):
            partial = publish.new_partial(out)
            try:
                _build_and_publish(run, partial, out, generated, quiet)
            finally:
                shutil.rmtree(partial, ignore_errors=True)
    except OSError as exc:  # disk full, permissions, ...: the old site is still in place (bad-inputs B03)
        raise BuildFailed(_write_error(exc)) from None
    _say(quiet, f"qms: published {out}")
    return 0


def overwrites_content(root: Path, out: Path) -> bool:
    """Publishing swaps the whole of `out`: never the manual itself, a folder holding it, or any
    folder inside the content folders (a site there would also be read back as content)."""
    root = root.resolve()
    if out == root or out in root.parents:
        return True
    folders = (root / name for name in (*CONTENT_FOLDERS, *LINK_FREE_FOLDERS))
    return any(folder == out or folder in out.parents for folder in folders)


def _for_release(diagnostics: list[dg.Diagnostic], release: bool) -> list[dg.Diagnostic]:
    """A release refuses what a preview only warns about: RELEASE_ERRORS become errors."""
    if not release:
        return diagnostics
    return [replace(d, severity=dg.ERROR) if d.code in RELEASE_ERRORS else d for d in diagnostics]


def _refuse(diagnostics: list[dg.Diagnostic], out: Path) -> int:
    print(format_diagnostics(diagnostics))
    print(f"qms: {dg.count_errors(diagnostics)} error(s); the published site {out} is unchanged", file=sys.stderr)
    return 1


def _build_and_publish(run: Build, partial: Path, out: Path, generated, quiet: bool) -> None:
    docs, site_dir = partial / "docs", partial / "site"
    # while MkDocs renders on one core: a child encodes the XLSX downloads, another verifies the pages written
    workbooks = EncodingWorkbooks(generated.site, run.children)
    verifier = run.html_verifier(material_templates())
    stream = PageStream(site_dir, generated, site_url(generated), docs, children=run.children, verifier=verifier)
    try:
        write_docs(generated.site, docs)
        stream.sources_written(copied_as_they_are(generated.site))
        _say(quiet, f"qms: rendering {len(generated.site.pages)} pages with MkDocs ...")
        archive = _run_mkdocs(run, docs, site_dir, generated, site_url(generated), stream.page_written)
        workbooks.write_into(site_dir)
        _say(quiet, "qms: verifying the new site ...")
        streamed = stream.results()
    finally:
        workbooks.cancel()
        stream.cancel()
    problems = verify_site(site_dir, generated, site_url(generated), streamed, archive.checked if archive else (),
                           children=run.children, verifier=verifier)
    if problems:
        more = f"\n  ... and {len(problems) - MAX_PROBLEMS_SHOWN} more" if len(problems) > MAX_PROBLEMS_SHOWN else ""
        raise BuildFailed("post-build verification failed:\n  " + "\n  ".join(problems[:MAX_PROBLEMS_SHOWN]) + more)
    publish.publish(site_dir, out)


def _write_error(exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        return f"cannot write the new site: {reason}{where}; free some disk space and build again"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write the new site: {reason}{where}; check the permissions of the output folder"
    return f"cannot write the new site: {reason}{where}"


def site_url(generated) -> str:
    """qms.yaml `site_url` (the address the site is served at): used for sitemap.xml and canonical links."""
    config = generated.check.manual.config
    return getattr(config, "site_url", None) or DEFAULT_SITE_URL


def _add_to_stamp(generated, extra: dict) -> None:
    """Preflight facts (release, previous commit, re-baseline) go into the stamp and api/build.json."""
    from site_builder.render.api import dump

    generated.info.update(extra)
    generated.site.pages["api/build.json"] = dump(generated.info)


def _run_mkdocs(run: Build, docs: Path, site_dir: Path, generated, url: str, page_sink=None):
    """Returns the archive pages the qms plugin wrote (archive.Written; None without any)."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    # MkDocs dates the sitemap (<lastmod>) and the gzip header of sitemap.xml.gz from SOURCE_DATE_EPOCH.
    epoch = str(generated.info["source_date_epoch"])
    root = run.options.root
    with _env(SOURCE_DATE_ENV, epoch), _collect_mkdocs_warnings() as warnings:
        try:
            extra = {"not_in_nav": "\n".join(generated.site.not_in_nav)} if generated.site.not_in_nav else {}
            config = load_config(str(root / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(site_dir),
                                 nav=generated.site.nav, copyright=stamp_text(generated.info), site_url=url, strict=True,
                                 **extra)
            qms = config.plugins.get("qms")
            if qms is not None:
                qms.attach(run, generated, page_sink=page_sink, offload_search=True)
            try:
                mkdocs_build(config)
            finally:
                if qms is not None and qms.search_offload is not None:
                    qms.search_offload.cancel()
            return qms.archive_written if qms is not None else None
        except MkDocsException as exc:
            raise BuildFailed(f"MkDocs failed: {exc}\n  " + "\n  ".join(warnings[:30])) from None
        except SystemExit as exc:
            raise BuildFailed(f"MkDocs aborted (exit {exc.code})") from None


@contextmanager
def _env(name: str, value: str):
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


@contextmanager
def _collect_mkdocs_warnings():
    from site_builder.site import engine

    logger = engine.logger()
    collector, level = _Collector(), logger.level
    logger.addHandler(collector)
    logger.setLevel(logging.INFO)
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)
        logger.setLevel(level)


def _say(quiet: bool, text: str) -> None:
    if not quiet:
        print(text, file=sys.stderr, flush=True)
