"""Diagnostics: what went wrong, where, and how to fix it.

A diagnostic may be created with a JSON path into a source file instead of a line and
column; `locate` resolves such paths against the source text only when the diagnostic is
reported, so the loader need not keep positions for every value of 100,000 records.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

ERROR = "error"
WARNING = "warning"

#: Every diagnostic code with a one-line description.  docs/diagnostics.md is generated from this
#: table (python -m site_builder.cli.diagnostics_doc); tests/unit/test_docs_diagnostics.py keeps them in step.
CODES: dict[str, str] = {
    # SB1xx: reading files
    "SB100": "file cannot be read (missing, not a regular file, or a symlink)",
    "SB101": "file is not valid UTF-8, or is UTF-16/UTF-32",
    "SB102": "UTF-8 byte-order mark found and ignored",
    "SB103": "forbidden control character (NUL or other C0/C1 control)",
    "SB104": "file exceeds the size limit",
    "SB105": "YAML syntax error",
    "SB106": "duplicate key in a mapping",
    "SB107": "anchor, alias or merge key (not allowed)",
    "SB108": "explicit tag (not allowed)",
    "SB109": "more than one YAML document in a file",
    "SB110": "file is empty",
    "SB111": "top level is not a mapping",
    "SB112": "mapping key is not a plain string",
    "SB113": "nesting deeper than the limit",
    "SB114": "front matter missing or not closed",
    "SB115": "unexpected file in a content folder",
    "SB116": "records not checked because their form cannot be read",
    # SB2xx: schemas
    "SB200": "value does not match the schema",
    "SB201": "required key missing",
    "SB202": "unknown key (possibly a typo)",
    "SB203": "value is not a real calendar date",
    "SB204": "schema file is invalid or refers outside schemas/",
    "SB205": "derived record schema in schemas/records/ is out of date",
    # SB3xx: identity and references
    "SB300": "identifier does not match its numbering pattern",
    "SB301": "identifier contains invisible, non-ASCII or look-alike characters",
    "SB302": "duplicate identifier",
    "SB303": "reference to an unknown document",
    "SB304": "reference to an unknown form",
    "SB305": "reference to an unknown record, or a record of the wrong form",
    "SB306": "unknown department",
    "SB307": "unknown person",
    "SB308": "reference to an obsolete or not yet effective document",
    "SB309": "file name does not match the identifier, or a record is not in its form's folder",
    "SB310": "cycle in supersedes",
    "SB311": "copy numbers inconsistent",
    "SB312": "link or image in a document body with a forbidden address (javascript:, data:, ...)",
    "SB313": "raw HTML in a document body (shown as plain text)",
    "SB314": "controlled copy number issued twice",
    "SB315": "bidirectional control or zero-width character in free text (title, body, comment, ...)",
    "SB316": "effective document supersedes a document that is still effective",
    "SB317": "a document number cited in a body is unknown, obsolete or has no version in force",
    "SB318": "a department with duties in a document is not on its distribution list",
    # SB4xx: versions, dates, approval
    "SB400": "version label does not match the version pattern",
    "SB401": "revisions out of order or not strictly increasing",
    "SB402": "current version differs from the last revision entry",
    "SB403": "dates out of sequence (prepared, reviewed, approved, effective, obsoleted)",
    "SB404": "date in the future",
    "SB405": "approver is the preparer",
    "SB406": "approver lacks approval authority for this level",
    "SB407": "approved or effective document without approver or effective date",
    "SB408": "obsolete document without an obsoleted date, obsoleted date on a current document, or effective date on a draft",
    "SB409": "periodic review overdue",
    "SB410": "effective document changed since the commit that released its version",
    "SB411": "version introduced in git without a revision entry",
    "SB412": "revision entry dated after the commit that introduced it",
    "SB413": "git history unavailable or incomplete",
    "SB414": "revision entry dated long before its version first appeared in git (possible backdating)",
    "SB415": "sign-off or revision entry of a released version changed after the commit that released it",
    "SB420": "a signing key in organisation.yaml is not an SSH public key",
    "SB421": "the same signing key is registered for two people",
    "SB422": "an approval is not a commit signed with a registered key of the approver",
    # SB5xx: records
    "SB500": "record date outside the period its form version was in force",
    "SB501": "hand-entered value disagrees with the computed one",
    "SB502": "form rule refers to a field the form does not define",
    "SB504": "form rule names a title, form or pattern that does not exist or is not valid",
    "SB503": "a record lacks what its form's rules require (a CAPA report, a follow-up); a finding of the build",
    # SB6xx: git preflight of a build
    "SB600": "uncommitted change or untracked content file (error for build --release)",
    "SB601": "commit dated in the future or before its parent",
    "SB602": "history rewritten since the published build (the published commit is not an ancestor of HEAD)",
    # SB7xx: spreadsheets (template, import, export)
    "SB700": "workbook or CSV file cannot be read (encrypted, corrupt, too large, unknown encoding)",
    "SB701": "workbook made for another form or another version of the form",
    "SB702": "column missing, unknown, repeated or without a field key",
    "SB703": "merged cells in the records sheet",
    "SB704": "formula without a cached value",
    "SB705": "hidden row (read like the others)",
    "SB706": "row names a record that already exists with other values (import --update changes it)",
    "SB707": "workbook exported for staff, with personal data masked (import the auditor export)",
    # SB7xx: the register of external documents (external/)
    "SB710": "file kept with an external document is missing, a link, outside external/files/ or too large",
    "SB711": "customer document not reviewed within the working days after receipt (overdue or late)",
    "SB712": "superseded or withdrawn external edition still held past the recall period",
    "SB713": "a document cites a superseded or withdrawn external edition",
    "SB714": "currency check (查新) of an external standard or regulation overdue",
    "SB715": "adopted customer document: an affected document not revised since the review",
    "SB716": "external register entry inconsistent (successor, dates, review decision)",
    # SB9xx: internal
    "SB900": "internal error while checking (please report)",
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding of `check`, positioned in a source file."""

    code: str
    severity: str
    message: str
    path: str
    line: int = 0
    col: int = 0
    hint: str = ""
    #: Where in the file's data the problem sits; resolved to line/col by `locate`.
    json_path: tuple = field(default=(), compare=False)
    #: Resolve `json_path` to the key rather than the value (an unknown or misspelled key).
    at_key: bool = field(default=False, compare=False)
    #: A spreadsheet cell (`记录!C12`) shown instead of line:col (which hold its row and column for sorting)
    cell: str = ""

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "code": self.code,
            "message": self.message + (f" (hint: {self.hint})" if self.hint else ""),
        } | ({"cell": self.cell} if self.cell else {})

    def format_text(self) -> str:
        where = self.cell or f"{self.line}:{self.col}"
        text = f"{self.path}:{where}: {self.severity} {self.code} {self.message}"
        return text + (f"\n    hint: {self.hint}" if self.hint else "")


def error(code: str, path: str, message: str, *, line: int = 0, col: int = 0,
          hint: str = "", json_path: tuple = (), at_key: bool = False) -> Diagnostic:
    assert code in CODES, code
    return Diagnostic(code, ERROR, message, path, line, col, hint, tuple(json_path), at_key)


def warning(code: str, path: str, message: str, *, line: int = 0, col: int = 0,
            hint: str = "", json_path: tuple = (), at_key: bool = False) -> Diagnostic:
    assert code in CODES, code
    return Diagnostic(code, WARNING, message, path, line, col, hint, tuple(json_path), at_key)


def with_position(diagnostic: Diagnostic, line: int, col: int) -> Diagnostic:
    return replace(diagnostic, line=line, col=col)


#: errors that leave a file unread: reported before everything else, since other problems may follow from them
READ_ERRORS = frozenset({"SB100", "SB101", "SB103", "SB104", "SB105", "SB106", "SB107", "SB108", "SB109", "SB110",
                         "SB111", "SB112", "SB113", "SB114"})


def sort_key(diagnostic: Diagnostic) -> tuple:
    first = diagnostic.code in READ_ERRORS and diagnostic.severity == ERROR
    return (not first, diagnostic.path, diagnostic.line, diagnostic.col, diagnostic.code, diagnostic.message)


def count_errors(diagnostics: Iterable[Diagnostic]) -> int:
    return sum(1 for d in diagnostics if d.severity == ERROR)


def format_json(diagnostics: list[Diagnostic]) -> str:
    return json.dumps([d.as_dict() for d in diagnostics], ensure_ascii=False, indent=2)


def format_text(diagnostics: list[Diagnostic]) -> str:
    return "\n".join(d.format_text() for d in diagnostics)


class UsageError(Exception):
    """Wrong use of a command (an option, a date, a folder): the command line exits 2 with the message."""
