"""docs/diagnostics.md is generated from site_builder.diagnostics.CODES and must not drift from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.cli.diagnostics_doc import COMMAND, diagnostics_markdown
from site_builder.diagnostics import CODES

PAGE = Path(__file__).resolve().parents[2] / "docs" / "diagnostics.md"


def page_text() -> str:
    return PAGE.read_text(encoding="utf-8") if PAGE.is_file() else ""


def test_the_page_is_the_generated_one():
    assert page_text() == diagnostics_markdown(), (
        f"docs/diagnostics.md is out of date with site_builder/diagnostics.py CODES; regenerate it: {COMMAND}")


@pytest.mark.parametrize("code", list(CODES))
def test_every_code_is_on_the_page(code):
    assert f"| `{code}` | " in page_text(), f"docs/diagnostics.md lacks {code}; regenerate it: {COMMAND}"
