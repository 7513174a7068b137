"""The qms plugin collects reference cycles less often during a build, and restores the thresholds after it."""

from __future__ import annotations

import gc
from datetime import date
from types import SimpleNamespace

import pytest

from site_builder.build import Build, Options
from site_builder.fast.collector import LONG_LIVED_GC_THRESHOLDS
from site_builder.site.plugin import QmsPlugin


@pytest.fixture
def thresholds():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield (700, 10, 10)
    gc.set_threshold(*before)


@pytest.mark.parametrize("end", ["post_build", "build_error", "shutdown"])
def test_thresholds_raised_for_the_build_and_restored_however_it_ends(tmp_path, thresholds, end):
    plugin = QmsPlugin()
    generated = SimpleNamespace(site=SimpleNamespace(archive={}, archived=[]))
    plugin.attach(Build(Options(tmp_path, date(2026, 11, 23))), generated)  # (on_config stops before generating)
    config = SimpleNamespace(markdown_extensions=[], plugins={})
    plugin.on_config(config)
    plugin.on_config(config)  # (serve: the next build starts before anything restored them)
    assert gc.get_threshold() == LONG_LIVED_GC_THRESHOLDS
    if end == "post_build":
        plugin.on_post_build(config)
    elif end == "build_error":
        plugin.on_build_error(error=RuntimeError("x"))
    else:
        plugin.on_shutdown()
    assert gc.get_threshold() == thresholds
