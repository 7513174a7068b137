"""Documentation that cannot drift: README's diagnostic-code table matches diagnostics.CODES,
README opens with exactly two commands, and every sub-command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from site_builder.cli import commands
from site_builder.diagnostics import CODES

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(text: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    return match.group(1) if match else ""


def documented_codes() -> dict[str, str]:
    """code -> meaning, from the table rows `| `SBnnn` | meaning |` of README's "Diagnostic codes"."""
    rows = re.findall(r"^\|\s*`(SB\d{3})`\s*\|\s*(.*?)\s*\|\s*$", section(README, "Diagnostic codes"), re.M)
    return dict(rows)


def test_readme_has_a_diagnostic_codes_section():
    assert documented_codes(), 'README.md needs a "## Diagnostic codes" section with a | code | meaning | table'


@pytest.mark.parametrize("code", list(CODES))
def test_every_code_is_in_the_readme_table_with_its_meaning(code):
    documented = documented_codes()
    assert code in documented, f"README.md Diagnostic codes lacks {code} ({CODES[code]})"
    assert documented[code] == CODES[code]


def test_readme_lists_no_unknown_codes():
    assert set(documented_codes()) <= set(CODES)


def test_readme_table_is_in_code_order():
    codes = list(documented_codes())
    assert codes == sorted(codes)


def test_readme_first_code_block_has_exactly_two_commands():
    block = re.search(r"^```[^\n]*\n(.*?)^```", README, re.M | re.S)
    assert block, "README.md has no fenced code block"
    commands_in_block = [line for line in block.group(1).splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert len(commands_in_block) == 2, commands_in_block
    assert [line.split("#")[0].split() for line in commands_in_block] == [["./dev", "serve"], ["./dev", "test"]]


DOCS = README + "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))


@pytest.mark.parametrize("name", list(commands.REGISTRY))
def test_every_command_is_documented(name):
    assert re.search(rf"`{re.escape(name)}[ `]|site_builder {re.escape(name)}\b", DOCS), name
