"""The per-file stage of `check`: read, parse, coerce and schema-validate one content file,
with its diagnostics positioned.

A file's result depends only on its bytes, the schemas, the limits in qms.yaml and, for a
record, the schema derived from its form; so results can be cached by content hash
(fast/check_cache.py) and computed in several processes (`check_files`).  Results cross process and
cache boundaries as JSON rows (`encode`/`decode`), never as pickles.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from jsonschema import Draft202012Validator

from site_builder import diagnostics as dg
from site_builder.check.invisible import free_text_warnings
from site_builder.fast.compiled_schema import compile_check, compile_coercer
from site_builder.fast.forked import Children
from site_builder.load.files import LoadedFile, load_source
from site_builder.load.schema_errors import schema_diagnostics
from site_builder.load.schemas import SCHEMA_FILES, SchemaSet, coerce
from site_builder.load.sources import SourceFile
from site_builder.load.yamlio import locate, split_front_matter

#: Below this many files, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 500
CHUNK = 1000


@dataclass(slots=True)
class FileResult:
    loaded: LoadedFile
    valid: bool  # loaded and schema-valid
    form: str | None = None  # the form a record names: its result depends on that form's schema
    dep: str = ""  # digest of the record schema it was checked against, or "none"


@dataclass
class _FormCheck:
    schema: dict
    digest: str
    validator: Draft202012Validator
    coerce: Callable | None
    fast: Callable | None


class FileChecker:
    """`compiled`: a file the compiled validators of fast/compiled_schema.py vouch for is not run through
    jsonschema, and a record's values are coerced by its form's compiled coercer.  Without (the plain
    path, `--plain`) jsonschema validates every file and schemas.coerce coerces every record: the results
    are the same (tests/unit/test_fastschema.py)."""

    def __init__(self, schemas: SchemaSet, max_bytes: int, max_depth: int, compiled: bool = True):
        self.schemas = schemas
        self.limits = (max_bytes, max_depth)
        self.compiled = compiled
        self.validators = {kind: schemas.validator(schemas.for_kind(kind)) for kind in ("document", "form", "record")}
        self.fast = {kind: compile_check(schemas.for_kind(kind), schemas.documents, SCHEMA_FILES[kind]) if compiled else None
                     for kind in ("document", "form")}
        self.forms: dict[str, _FormCheck] = {}
        self.unreadable_forms: frozenset[str] = frozenset()
        #: path -> bytes of files not written yet (check/incoming.py), read instead of the disk; forked
        #: workers inherit them
        self.pending: dict[str, bytes] = {}

    def use_forms(self, record_schemas: dict[str, dict], unreadable: frozenset[str] = frozenset()) -> None:
        """Records are checked against the schemas derived from these (valid) forms.  A record of an
        `unreadable` form is not checked against it, and not reported as of an unknown form."""
        self.unreadable_forms = unreadable
        compiled = self.compiled
        self.forms = {form_id: _FormCheck(schema, schema_digest(schema), self.schemas.validator(schema),
                                          compile_coercer(schema) if compiled else None,
                                          compile_check(schema) if compiled else None)
                      for form_id, schema in record_schemas.items()}

    def dep(self, form_id) -> str:
        form = self.forms.get(form_id) if isinstance(form_id, str) else None
        if form is None and form_id in self.unreadable_forms:
            return "unreadable"
        return form.digest if form else "none"

    def check(self, source: SourceFile, raw: bytes | None = None) -> FileResult:
        """`raw`: the bytes of a file not written yet (check/incoming.py), instead of reading `source`."""
        loaded = load_source(source, *self.limits, raw=self.pending.get(source.path) if raw is None else raw)
        loaded.diagnostics += free_text_warnings(loaded)
        valid, form_id = False, None
        if loaded.data is not None:
            if source.kind == "record":
                valid, form_id = self._record(loaded)
            else:
                self.schemas.coerce_kind(loaded.data, source.kind)
                fast = self.fast[source.kind]
                if fast is not None and fast(loaded.data):
                    valid = True
                else:
                    problems = schema_diagnostics(loaded.path, loaded.data, self.validators[source.kind])
                    loaded.diagnostics += problems
                    valid = not dg.count_errors(problems)
        loaded.diagnostics = [d if d.line else position(d, loaded, loaded.text) for d in loaded.diagnostics]
        loaded.text = ""  # read again only if a later rule reports on this file (see pipeline)
        return FileResult(loaded, valid, form_id, self.dep(form_id))

    def _record(self, loaded: LoadedFile) -> tuple[bool, str | None]:
        data = loaded.data
        form_id = data.get("form")
        form_id = form_id if isinstance(form_id, str) else None
        form = self.forms.get(form_id) if form_id else None
        if form is None:
            self.schemas.coerce_kind(data, "record")
            loaded.diagnostics += schema_diagnostics(loaded.path, data, self.validators["record"])
            if form_id and form_id not in self.unreadable_forms:  # (else the form's own error is the cause)
                loaded.diagnostics.append(dg.error("SB304", loaded.path, f"form {form_id!r} does not exist (or is invalid)",
                                                   json_path=("form",), hint="check the form number; forms live in forms/"))
            return False, form_id
        if form.coerce is not None:
            form.coerce(data)
        else:
            coerce(data, form.schema, self.schemas)
        if form.fast is not None and form.fast(data):
            return True, form_id
        problems = schema_diagnostics(loaded.path, data, form.validator)
        loaded.diagnostics += problems
        return not dg.count_errors(problems), form_id


def position(diagnostic: dg.Diagnostic, loaded: LoadedFile | None, text: str) -> dg.Diagnostic:
    """Resolve a diagnostic's JSON path to line and column in the file's text."""
    if loaded is None or not text:
        return dg.with_position(diagnostic, 1, 1)
    if loaded.source.kind == "document":
        text = split_front_matter(text)[0]
    line, col = locate(text, diagnostic.json_path, at_key=diagnostic.at_key)
    return dg.with_position(diagnostic, line + loaded.line_offset, col)


def schema_digest(schema: dict) -> str:
    return hashlib.blake2b(json.dumps(schema, sort_keys=True, ensure_ascii=False).encode(), digest_size=16).hexdigest()


# --- JSON rows: [data, body, body_line, line_offset, digest, diagnostics, valid, form, dep] ---

def encode(result: FileResult) -> list:
    loaded = result.loaded
    diagnostics = [[d.code, d.severity, d.message, d.line, d.col, d.hint, list(d.json_path)] for d in loaded.diagnostics]
    return [loaded.data, loaded.body, loaded.body_line, loaded.line_offset, loaded.digest, diagnostics,
            result.valid, result.form, result.dep]


def decode(source: SourceFile, row: list) -> FileResult:
    data, body, body_line, line_offset, digest, diagnostics, valid, form, dep = row
    found = [dg.Diagnostic(code, severity, message, source.path, line, col, hint, tuple(json_path))
             for code, severity, message, line, col, hint, json_path in diagnostics]
    loaded = LoadedFile(source, data, body, body_line, line_offset, "", found, digest)
    return FileResult(loaded, valid, form, dep)


# --- several processes ---

def check_files(checker: FileChecker, sources: list[SourceFile], children: Children,
                want_rows: bool = False) -> tuple[list[FileResult], list[str] | None]:
    """Check the files in order; in `children`'s worker processes when that pays off.  With
    `want_rows`, also the JSON row of each result (for the cache).

    Workers are forked, so that they inherit the compiled validators (see fast/forked.py); a worker
    checks CHUNK files and sends back their JSON rows, which are decoded here.
    """
    if len(sources) < PARALLEL_MIN_FILES or not children.parallel():
        results = [checker.check(source) for source in sources]
        return results, [row_text(r) for r in results] if want_rows else None
    chunks = [partial(_check_chunk, checker, sources, start, min(start + CHUNK, len(sources)))
              for start in range(0, len(sources), CHUNK)]
    results: list[FileResult] = []
    rows: list[str] = []
    for start, text in children.each(chunks):
        texts = text.split("\n")
        decoded = json.loads("[" + ",".join(texts) + "]")
        results += [decode(source, row) for source, row in zip(sources[start:start + len(texts)], decoded, strict=True)]
        if want_rows:
            rows += texts
    return results, rows if want_rows else None


def row_text(result: FileResult) -> str:
    """One line of JSON (JSON escapes line breaks inside strings)."""
    return json.dumps(encode(result), ensure_ascii=False, separators=(",", ":"))


def _check_chunk(checker: FileChecker, sources: list[SourceFile], start: int, stop: int) -> tuple[int, str]:
    return start, "\n".join(row_text(checker.check(source)) for source in sources[start:stop])
