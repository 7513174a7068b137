"""docs/diagnostics.md, generated from the table of codes in site_builder/diagnostics.py.

    python -m site_builder.cli.diagnostics_doc > docs/diagnostics.md

tests/unit/test_docs_diagnostics.py fails when the page and `CODES` disagree.
"""

from __future__ import annotations

import sys

from site_builder.diagnostics import CODES

COMMAND = "python -m site_builder.cli.diagnostics_doc > docs/diagnostics.md"


def _cell(text: str) -> str:
    """Table-cell text: a `|` would end the cell, a line break the row."""
    return " ".join(text.split()).replace("|", "\\|")


def diagnostics_markdown() -> str:
    """The whole page: title, one sentence on where it comes from, and a `| code | meaning |` table in code order."""
    lines = [
        "# Diagnostic codes",
        "",
        "This page is generated from `CODES` in `site_builder/diagnostics.py`; do not edit it by hand,"
        f" but change that table and regenerate the page with `{COMMAND}`.",
        "",
        "| code | meaning |",
        "|---|---|",
    ]
    lines += [f"| `{code}` | {_cell(CODES[code])} |" for code in sorted(CODES)]
    return "\n".join(lines) + "\n"


def main() -> int:
    sys.stdout.write(diagnostics_markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
