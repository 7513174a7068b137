"""Fingerprint policy: what is controlled content and what is not (issue 6)."""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from history_support import document  # noqa: E402

from site_builder.history.fingerprint import parse  # noqa: E402


def fingerprint(text: str) -> str:
    parsed = parse("document", text.encode("utf-8"))
    assert parsed is not None
    return parsed.fingerprint


BASE = fingerprint(document())


def test_line_endings_and_bom_do_not_count():
    assert fingerprint(document().replace("\n", "\r\n")) == BASE
    assert fingerprint("\ufeff" + document()) == BASE


def test_quoting_comments_key_order_and_trailing_blank_lines_do_not_count():
    text = document().replace("version: A0", "version: 'A0'  # current", 1).replace("level: 2", 'level: "2"')
    assert fingerprint(text) == BASE
    assert fingerprint(document().replace("owner: 质量部\n", "").replace("level: 2\n", "level: 2\nowner: 质量部\n")) == BASE
    assert fingerprint(document() + "\n\n") == BASE


def test_unicode_normalisation_does_not_count():
    decomposed = document(title="Cafe\u0301 程序")
    assert fingerprint(decomposed) == fingerprint(unicodedata.normalize("NFC", decomposed))


def test_lifecycle_and_distribution_fields_are_not_content():
    changed = document().replace('copy_numbers: ["01"]}', 'copy_numbers: ["01"]}\n  - {department: 文控中心, copies: 1, '
                                 'copy_numbers: ["02"]}')
    assert fingerprint(changed) == BASE
    assert fingerprint(document(status="obsolete", extra="obsoleted: 2025-01-01\nlast_reviewed: 2024-06-01\n")) == BASE
    assert fingerprint(document(approved="2023-12-21", prepared="2023-11-01")) == BASE


def test_body_title_and_revision_entries_are_content():
    assert fingerprint(document(body="## 1 目的\n\n改过的正文。\n")) != BASE
    assert fingerprint(document(title="另一个标题")) != BASE
    assert fingerprint(document().replace("首次发布", "首次发布（补记）")) != BASE
    assert fingerprint(document().replace("review_period_months: 60", "review_period_months: 12")) != BASE


def test_unreadable_front_matter_gives_none():
    assert parse("document", b"no front matter") is None
    assert parse("document", b"---\nid: [unclosed\n---\n") is None
