"""Documentation that cannot drift: README opens with exactly two commands and stays short, and
every sub-command is documented.  (The diagnostic codes: tests/unit/test_docs_diagnostics.py, which
compares docs/diagnostics.md with the page generated from diagnostics.CODES.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from site_builder.cli import commands

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_first_code_block_has_exactly_two_commands():
    block = re.search(r"^```[^\n]*\n(.*?)^```", README, re.M | re.S)
    assert block, "README.md has no fenced code block"
    commands_in_block = [line for line in block.group(1).splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert len(commands_in_block) == 2, commands_in_block
    assert [line.split("#")[0].split() for line in commands_in_block] == [["./dev", "serve"], ["./dev", "test"]]


def test_readme_is_at_most_150_lines():
    assert len(README.splitlines()) <= 150, "README.md is for users; depth goes to docs/"


def test_architecture_names_every_package():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    packages = [p.name for p in (ROOT / "site_builder").iterdir() if (p / "__init__.py").is_file()]
    missing = [name for name in packages if f"{name}/" not in text]
    assert not missing, f"docs/architecture.md does not mention {missing}"


DOCS = README + "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))


@pytest.mark.parametrize("name", list(commands.REGISTRY))
def test_every_command_is_documented(name):
    assert re.search(rf"`{re.escape(name)}[ `]|site_builder {re.escape(name)}\b", DOCS), name
