"""Which MkDocs runs the build: MkDocs itself, or ProperDocs (the maintained MkDocs 1.x fork),
whose command makes `import mkdocs` give its own package, so every `mkdocs.*` name the adapter
uses resolves there, but its loggers are named `properdocs.*`."""

from __future__ import annotations

import logging

import mkdocs
from mkdocs.commands import build as build_command


def logger() -> logging.Logger:
    """The top logger of the engine's messages (`mkdocs`, or `properdocs` under ProperDocs)."""
    return logging.getLogger(mkdocs.__name__)


def build_logger() -> logging.Logger:
    """The logger of the engine's build command (where the dirty-build warning comes from)."""
    return build_command.log
