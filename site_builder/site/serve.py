"""`serve`: MkDocs' live-reloading preview, running the command line's Build.

MkDocs' own `serve` loads the configuration itself, so a plugin could only learn the command
line's options through the environment.  This is the same loop (mkdocs/commands/serve.py of
MkDocs 1.6: a temporary site folder, LiveReloadServer, a dirty rebuild after each change) with
the qms plugin attached to the Build before the first build; MkDocs keeps the plugin instance
across the rebuilds' configurations, so the Build's memos serve every rebuild.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException
from mkdocs.livereload import LiveReloadServer, _serve_url

from site_builder.build import Build
from site_builder.site import engine


class ServeFailed(Exception):
    """MkDocs could not serve the manual (a configuration or build error)."""


def serve(build: Build, port: int) -> None:
    _show_messages()
    site_dir = tempfile.mkdtemp(prefix="qms-serve-")
    config_file = str(Path(build.options.root) / "mkdocs.yml")

    def get_config():
        return load_config(config_file=config_file, site_dir=site_dir, dev_addr=f"127.0.0.1:{port}")

    try:
        config = get_config()
        qms = config.plugins.get("qms")
        if qms is not None:
            qms.attach(build)
        # Dirty reload: after an edit MkDocs renders only the pages that changed (see plugin.py).
        config.plugins.on_startup(command="serve", dirty=True)
        host, port_number = config.dev_addr
        mount_path = urlsplit(config.site_url or "/").path
        serve_url = _serve_url(host, port_number, mount_path)
        config.site_url = serve_url

        def builder(config=None):
            if config is None:
                config = get_config()
                config.site_url = serve_url
            mkdocs_build(config, serve_url=serve_url, dirty=True)

        server = LiveReloadServer(builder=builder, host=host, port=port_number, root=site_dir, mount_path=mount_path)
        try:
            builder(config)
            server.watch(config.docs_dir)
            server.watch(config.config_file_path)
            server = config.plugins.on_serve(server, config=config, builder=builder)
            for item in config.watch:
                server.watch(item)
            try:
                server.serve()
            except KeyboardInterrupt:
                pass
            finally:
                server.shutdown()
        finally:
            config.plugins.on_shutdown()
    except MkDocsException as exc:
        raise ServeFailed(str(exc)) from None
    finally:
        shutil.rmtree(site_dir, ignore_errors=True)


def _show_messages() -> None:
    """MkDocs' own command line prints its log; ours must too, or a rebuild refused for a content
    error would only say "Aborted with a BuildError!" without the error."""
    logger = engine.logger()
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
