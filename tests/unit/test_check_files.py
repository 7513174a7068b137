"""check.files: the per-file stage gives the same results in this process and in worker processes
(Children), and with or without the compiled validators (the plain path, `--plain`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.check import files as filecheck
from site_builder.check.files import FileChecker, check_files, row_text
from site_builder.fast.forked import Children
from site_builder.load.schemas import load_schemas, record_schema
from site_builder.load.sources import discover

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shipped():
    schemas, problems = load_schemas(ROOT / "schemas")
    assert schemas is not None and not problems
    sources, _ = discover(ROOT)
    return schemas, [s for s in sources if s.kind in ("document", "form", "record")]


def checked(shipped, children: Children, compiled: bool = True) -> tuple[list[str], list[str]]:
    """(the JSON rows of every result, the rows check_files gives for the cache)"""
    schemas, sources = shipped
    checker = FileChecker(schemas, 1_048_576, 32, compiled=compiled)
    first, _ = check_files(checker, [s for s in sources if s.kind != "record"], children)
    forms = [r.loaded for r in first if r.valid and r.loaded.source.kind == "form"]
    checker.use_forms({f.data["id"]: record_schema(f.data) for f in forms})
    results, rows = check_files(checker, sources, children, want_rows=True)
    return [row_text(result) for result in results], rows


def test_workers_and_the_plain_path_give_the_same_results(shipped, monkeypatch):
    monkeypatch.setattr(filecheck, "PARALLEL_MIN_FILES", 1)  # (workers even for the shipped manual's few files)
    monkeypatch.setattr(filecheck, "CHUNK", 7)  # (several chunks per worker, coming back in any order)
    plain_results, plain_rows = checked(shipped, Children(1), compiled=False)
    assert len(plain_results) == len(shipped[1]) > 20
    assert plain_rows == plain_results
    assert checked(shipped, Children(1)) == (plain_results, plain_rows)
    decoded = []  # (results come back from the workers as JSON rows, decoded here)
    real_decode = filecheck.decode
    monkeypatch.setattr(filecheck, "decode", lambda source, row: decoded.append(source) or real_decode(source, row))
    assert checked(shipped, Children(3)) == (plain_results, plain_rows)
    assert len(decoded) >= len(plain_results) or not Children(3).parallel()


def test_a_plain_checker_compiles_nothing(shipped):
    schemas, _ = shipped
    checker = FileChecker(schemas, 1_048_576, 32, compiled=False)
    checker.use_forms({"QR-00-01": {"type": "object"}})
    assert checker.fast == {"document": None, "form": None}
    assert checker.forms["QR-00-01"].fast is None and checker.forms["QR-00-01"].coerce is None
