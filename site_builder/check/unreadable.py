"""Files that cannot be read still name what they hold: one error per cause, not a cascade.

A document, form or record whose YAML cannot be read has no data, so nothing would know its
number, and every reference to it would be reported as unknown (SB303/SB304/SB305), burying the
one error that matters.  The number is taken from the file name instead (documents
`QP-06-satisfaction-scoring.md`, forms `QR-06-01.yaml`, records `records/QR-06-01/CSS-2025-006.yaml`),
so references to it count as present, and the records of an unreadable form are counted as not
checked (one warning, SB116) instead of each being reported.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import PurePosixPath

from site_builder import diagnostics as dg
from site_builder.load.files import LoadedFile
from site_builder.model.manual import Config


def named_ids(unreadable: list[LoadedFile], config: Config | None) -> dict[str, tuple[str, str | None]]:
    """number -> (kind, form of a record) for every unreadable document, form or record."""
    found: dict[str, tuple[str, str | None]] = {}
    for loaded in unreadable:
        path = PurePosixPath(loaded.path)
        kind = loaded.source.kind
        if kind == "document":
            number = _document_number(path.stem, config)
        elif kind in ("form", "record"):
            number = path.stem
        else:
            continue
        if number:
            found[number] = (kind, path.parent.name if kind == "record" else None)
    return found


def _document_number(stem: str, config: Config | None) -> str | None:
    """The longest dash-separated prefix of the file name that is a document number."""
    parts = stem.split("-")
    patterns = list(config.document_patterns.values()) if config else []
    for length in range(len(parts), 0, -1):
        candidate = "-".join(parts[:length])
        if any(re.fullmatch(pattern, candidate) for pattern in patterns):
            return candidate
    return "-".join(parts[:2]) if len(parts) >= 2 and not patterns else None


def invalid_forms(checked) -> frozenset[str]:
    """Numbers of the forms that were read but break their schema: their records cannot be checked
    either, and the form's own errors are the cause to report."""
    found = set()
    for result in checked:
        loaded = result.loaded
        if loaded.source.kind == "form" and loaded.data is not None and not result.valid:
            number = loaded.data.get("id") if isinstance(loaded.data, dict) else None
            found.add(number if isinstance(number, str) else PurePosixPath(loaded.path).stem)
    return frozenset(found)


def unchecked_records(results, unreadable_forms: set[str], paths: dict[str, str]) -> tuple[int, list[dg.Diagnostic]]:
    """How many records were not checked because their form cannot be read, and one warning per such form."""
    counts = Counter(r.form for r in results if r.form in unreadable_forms and not r.valid)
    warnings = [dg.warning("SB116", paths[form], f"{count} record(s) of {form} were not checked: the form cannot be read or is invalid",
                           line=1, col=1, hint="fix the error in this file; its records are checked again then")
                for form, count in sorted(counts.items())]
    return sum(counts.values()), warnings
