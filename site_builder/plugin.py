"""MkDocs adapter: makes `mkdocs build` / `mkdocs serve` with the repository's mkdocs.yml
produce the same site as `python -m site_builder build`.

Events used: on_config (generate the pages) and on_post_build (verify the output).  It checks and renders the manual with the core into a
temporary folder and points docs_dir and nav at it; content errors stop the build.
When the qms CLI drives MkDocs it has generated the pages already (QMS_PREGENERATED).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date
from pathlib import Path

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger

from site_builder import diagnostics as dg
from site_builder.buildinfo import stamp_text
from site_builder.emit import write_docs
from site_builder.generate import generate
from site_builder.verify import verify_site

log = get_plugin_logger(__name__)
WATCHED = ("procedures", "forms", "records", "schemas", "organisation.yaml", "qms.yaml")


class QmsPluginConfig(Config):
    audience = opt.Choice(("staff", "auditor"), default="staff")
    """Which site to build: staff (effective documents, masked personal data) or auditor."""


class QmsPlugin(BasePlugin[QmsPluginConfig]):
    def __init__(self) -> None:
        self._tmp: str | None = None
        self._generated = None

    def on_config(self, config):
        if os.environ.get("QMS_PREGENERATED"):
            return config
        root = Path(config.config_file_path).parent
        today = date.fromisoformat(os.environ["QMS_TODAY"]) if os.environ.get("QMS_TODAY") else date.today()
        generated = generate(root, today, os.environ.get("QMS_AUDIENCE", self.config.audience))
        # Content warnings (e.g. a review overdue) are reported by `check`; under MkDocs' strict
        # mode they must not stop the preview, so they are logged as info.
        for diagnostic in generated.check.diagnostics:
            (log.error if diagnostic.severity == dg.ERROR else log.info)(diagnostic.format_text())
        if generated.site is None:
            raise PluginError(f"{generated.check.errors} content error(s); run `python -m site_builder check`")
        self._cleanup()
        self._generated = generated
        self._tmp = tempfile.mkdtemp(prefix="qms-docs-")
        write_docs(generated.site, Path(self._tmp))
        config.docs_dir = self._tmp
        config.nav = generated.site.nav
        config.copyright = stamp_text(generated.info)
        for name in WATCHED:
            if (root / name).exists() and str(root / name) not in config.watch:
                config.watch.append(str(root / name))
        return config

    def on_post_build(self, config) -> None:
        # The same post-build verification as `python -m site_builder build` (personal data, sources, links).
        if self._generated is None:
            return
        problems = verify_site(Path(config.site_dir), self._generated, config.site_url)
        if problems:
            raise PluginError("post-build verification failed:\n  " + "\n  ".join(problems[:20]))

    def on_shutdown(self) -> None:
        self._cleanup()

    def _cleanup(self) -> None:
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
