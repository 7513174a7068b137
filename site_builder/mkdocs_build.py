"""Edge: render with MkDocs + Material and publish atomically.  The only module (with
plugin.py) that imports mkdocs; the SSG command could be swapped here."""

from __future__ import annotations

import logging
import os
import shutil
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from site_builder import diagnostics as dg
from site_builder import publish
from site_builder.buildinfo import stamp_text
from site_builder.emit import write_docs
from site_builder.generate import generate
from site_builder.history import require_full_history
from site_builder.verify import verify_site

PREGENERATED_ENV = "QMS_PREGENERATED"


class BuildFailed(Exception):
    """The new site could not be built; the published site is unchanged."""


def build(root: Path, out: Path, today: date, audience: str = "staff", quiet: bool = False) -> int:
    out = out.resolve()
    if out == root or root in out.parents and out.parent == root and out.name in ("procedures", "forms", "records", "schemas"):
        raise BuildFailed(f"refusing to build into {out}: it would overwrite content")
    if audience == "auditor" and (incomplete := require_full_history(root)):
        raise BuildFailed(incomplete)
    _say(quiet, f"qms: checking {root} ...")
    generated = generate(root, today, audience)
    if generated.site is None:
        print(dg.format_text(generated.check.diagnostics))
        print(f"qms: {generated.check.errors} error(s); the published site {out} is unchanged", file=sys.stderr)
        return 1
    warnings = [d for d in generated.check.diagnostics if d.severity != dg.ERROR]
    if warnings:
        print(dg.format_text(warnings))
    with publish.build_lock(out):
        partial = publish.new_partial(out)
        try:
            docs, site_dir = partial / "docs", partial / "site"
            write_docs(generated.site, docs)
            _say(quiet, f"qms: rendering {len(generated.site.pages)} pages with MkDocs ...")
            _run_mkdocs(root, docs, site_dir, generated.site.nav, stamp_text(generated.info))
            problems = verify_site(site_dir, generated)
            if problems:
                raise BuildFailed("post-build verification failed:\n  " + "\n  ".join(problems[:20]))
            publish.publish(site_dir, out)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    _say(quiet, f"qms: published {out}")
    return 0


def _run_mkdocs(root: Path, docs: Path, site_dir: Path, nav: list, stamp: str) -> None:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    with _env(PREGENERATED_ENV, "1"), _collect_mkdocs_warnings() as warnings:
        try:
            config = load_config(str(root / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(site_dir), nav=nav,
                                 copyright=stamp, strict=True)
            mkdocs_build(config)
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
