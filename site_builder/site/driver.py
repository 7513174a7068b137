"""Edge: render with MkDocs + Material and publish atomically.  The only module (with
plugin.py) that imports mkdocs; the SSG command could be swapped here."""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sys
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path

from site_builder import diagnostics as dg
from site_builder.check import run as pipeline
from site_builder.publish import swap as publish
from site_builder.history.stamp import SOURCE_DATE_ENV, stamp_text
from site_builder.emit.docs import copied_as_they_are, write_docs
from site_builder.build import generate
from site_builder.history import require_full_history
from site_builder.publish.preflight import format_diagnostics, git_preflight
from site_builder.emit.workbooks import EncodingWorkbooks
from site_builder.load.sources import CONTENT_FOLDERS, LINK_FREE_FOLDERS
from site_builder.verify.site import verify_site
from site_builder.site.verify_stream import PageStream

PREGENERATED_ENV = "QMS_PREGENERATED"
#: Used when qms.yaml sets no site_url: the address `serve` previews on.
DEFAULT_SITE_URL = "http://127.0.0.1:8000/"
MAX_PROBLEMS_SHOWN = 20
#: Warnings that `build --release` treats as errors: stray files in content folders (bad-inputs F05).
#: Uncommitted and untracked content (SB600) is promoted by the git preflight itself.
RELEASE_ERRORS = ("SB115",)


class BuildFailed(Exception):
    """The new site could not be built; the published site is unchanged."""


def build(root: Path, out: Path, today: date, audience: str = "staff", quiet: bool = False, *,
          release: bool = False, rebaseline: str | None = None) -> int:
    out = out.resolve()
    if overwrites_content(root, out):
        raise BuildFailed(f"refusing to build into {out}: it would overwrite content")
    if audience == "auditor" and (incomplete := require_full_history(root)):
        raise BuildFailed(incomplete)
    preflight = git_preflight(root, out, today, release=release, rebaseline=rebaseline)
    _say(quiet, f"qms: checking {root} ...")
    if preflight.errors:  # still check the content, so that one run reports every error (bad-inputs B01)
        diagnostics = _for_release(pipeline.check(root, today).diagnostics, release)
        return _refuse(preflight.diagnostics + diagnostics, out)
    generated = generate(root, today, audience, defer_workbooks=True)
    diagnostics = _for_release(generated.check.diagnostics, release)
    if generated.site is None or dg.count_errors(diagnostics):
        return _refuse(preflight.diagnostics + diagnostics, out)
    if diagnostics or preflight.diagnostics:
        print(format_diagnostics(preflight.diagnostics + diagnostics))
    _add_to_stamp(generated, preflight.stamp)
    try:
        with publish.build_lock(out):
            partial = publish.new_partial(out)
            try:
                _build_and_publish(root, partial, out, generated, quiet)
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


def _build_and_publish(root: Path, partial: Path, out: Path, generated, quiet: bool) -> None:
    docs, site_dir = partial / "docs", partial / "site"
    # while MkDocs renders on one core: a child encodes the XLSX downloads, another verifies the pages written
    workbooks = EncodingWorkbooks(generated.site)
    stream = PageStream(site_dir, generated, site_url(generated), docs)
    try:
        write_docs(generated.site, docs)
        stream.sources_written(copied_as_they_are(generated.site))
        _say(quiet, f"qms: rendering {len(generated.site.pages)} pages with MkDocs ...")
        archive = _run_mkdocs(root, docs, site_dir, generated, site_url(generated), stream.page_written)
        workbooks.write_into(site_dir)
        _say(quiet, "qms: verifying the new site ...")
        streamed = stream.results()
    finally:
        workbooks.cancel()
        stream.cancel()
    problems = verify_site(site_dir, generated, site_url(generated), streamed, archive.checked if archive else ())
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


def _run_mkdocs(root: Path, docs: Path, site_dir: Path, generated, url: str, page_sink=None):
    """Returns the archive pages the qms plugin wrote (archive.Written; None without any)."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    # MkDocs dates the sitemap (<lastmod>) and the gzip header of sitemap.xml.gz from SOURCE_DATE_EPOCH.
    epoch = str(generated.info["source_date_epoch"])
    with _env(PREGENERATED_ENV, "1"), _env(SOURCE_DATE_ENV, epoch), _collect_mkdocs_warnings() as warnings:
        try:
            extra = {"not_in_nav": "\n".join(generated.site.not_in_nav)} if generated.site.not_in_nav else {}
            config = load_config(str(root / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(site_dir),
                                 nav=generated.site.nav, copyright=stamp_text(generated.info), site_url=url, strict=True,
                                 **extra)
            qms = config.plugins.get("qms")
            if qms is not None:
                qms.page_sink, qms.offload_search, qms.archive_pages = page_sink, True, generated.site.archive
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
    logger = logging.getLogger("mkdocs")
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
