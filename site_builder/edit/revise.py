"""The only writer of content: revise, approve and make-effective a controlled document.

* `revise DOC_ID --change TEXT [--major] [--sections TEXT]` opens the next version (A1 -> A2,
  with --major A2 -> B0): `version` is bumped, `status` becomes draft, `prepared_by` becomes the
  document controller (git config user.name, mapped through organisation.yaml people
  name / git_names) with today's date, the signatures and effective date of the previous version
  (`reviewed_by`, `approved_by`, `effective`; git keeps them) are removed, and a revision entry is
  appended with today's date, the sections (default 全文), the change and, as the expected
  approver, the previous approver (approve records the actual one).
* `approve DOC_ID [--by NAME] [--date D]` sets `approved_by` and the approver of the last
  revision entry, and status approved.  It refuses approving your own revision (the preparer),
  a date in the future or before the preparation, and an approver without authority.
* `make-effective DOC_ID [--date D]` sets `effective` and status effective; it refuses a
  document that is not approved, and a date in the future or before the approval.

Every other byte of the file stays as it was (frontmatter_edit); the result is read back with
the strict loader and written only if exactly the intended fields changed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from site_builder import diagnostics as dg
from site_builder.check import run as pipeline
from site_builder.edit.frontmatter import EditError, FrontMatterEditor
from site_builder.history.fingerprint import parse
from site_builder.history.gitlog import GitError, git
from site_builder.model.manual import Document, Manual
from site_builder.model.versions import bump, matches

#: Errors that `revise` itself resolves, so they do not block it.
REVISE_RESOLVES = {"SB410"}
#: Fields that belong to the version being replaced; revise removes them.
PREVIOUS_VERSION_KEYS = ("reviewed_by", "approved_by", "effective")


class Refused(Exception):
    """The rules forbid the step; nothing was written (exit code 1)."""


@dataclass
class Target:
    manual: Manual
    document: Document
    path: Path
    text: str


def revise(args) -> str:
    _require_text("--change", args.change)
    _require_text("--sections", args.sections)
    target = _target(args.root, args.today, args.doc_id, REVISE_RESOLVES)
    document, manual = target.document, target.manual
    if document.status not in ("effective", "approved"):
        raise Refused(f"{document.id} is {document.status}, not effective: a revision is already open; edit the draft, "
                      "then run approve")
    new_version = _bump(document.version, args.major, manual.config.version_pattern)
    controller = _person(args.root, manual, None)
    # (no approver: nobody has approved the new version yet; `approve` writes it into this entry)
    entry = {"version": new_version, "date": args.today.isoformat(), "sections": args.sections, "change": args.change}
    editor = FrontMatterEditor(target.text)
    editor.set_scalar("version", new_version)
    editor.set_scalar("status", "draft")
    editor.set_mapping("prepared_by", {"name": controller, "date": args.today.isoformat()})
    for key in PREVIOUS_VERSION_KEYS:
        editor.remove(key)
    editor.append_item("revisions", entry)
    expected = {"version": new_version, "status": "draft",
                "prepared_by": {"name": controller, "date": args.today.isoformat()}}
    _write(target, editor.text(), expected, removed=PREVIOUS_VERSION_KEYS, appended=entry)
    return (f"{document.id}: version {document.version} -> {new_version} (draft), prepared by {controller}; edit the "
            f"document, then run `python -m site_builder approve {document.id} --by NAME`")


def approve(args) -> str:
    target = _target(args.root, args.today, args.doc_id, set())
    document, manual = target.document, target.manual
    if document.status not in ("draft", "in_review"):
        raise Refused(f"{document.id} is {document.status}; only a draft (opened with revise) can be approved")
    approver = _person(args.root, manual, args.by)
    if approver == document.prepared_by.name:
        raise Refused(f"{approver} prepared {document.id} {document.version} and cannot approve their own revision")
    person = manual.organisation.person(approver)
    if document.level not in person.approves_levels:
        raise Refused(f"{approver} may not approve level {document.level} documents (approves_levels in "
                      "organisation.yaml)")
    day = _step_date(args.date, args.today, "approval")
    earlier = [s for s in (document.prepared_by, document.reviewed_by) if s and s.date > day]
    if earlier:
        raise Refused(f"approval date {day} is before {earlier[0].name}'s signature of {earlier[0].date}")
    signature = {"name": approver, "date": day.isoformat()}
    editor = FrontMatterEditor(target.text)
    editor.set_scalar("status", "approved")
    editor.set_mapping("approved_by", signature, after=("reviewed_by", "prepared_by"))
    editor.set_last_item_field("revisions", "approved_by", approver)
    _write(target, editor.text(), {"status": "approved", "approved_by": signature}, last_entry_approver=approver)
    return (f"{document.id} {document.version}: approved by {approver} on {day}; run `python -m site_builder "
            f"make-effective {document.id} --date YYYY-MM-DD` on the effective date")


def make_effective(args) -> str:
    target = _target(args.root, args.today, args.doc_id, set())
    document = target.document
    if document.status != "approved" or document.approved_by is None:
        raise Refused(f"{document.id} is {document.status}: it must be approved before it can become effective "
                      f"(run `python -m site_builder approve {document.id}` first)")
    day = _step_date(args.date, args.today, "effective")
    if day < document.approved_by.date:
        raise Refused(f"effective date {day} is before the approval of {document.approved_by.date}")
    editor = FrontMatterEditor(target.text)
    editor.set_scalar("status", "effective")
    editor.set_or_add_scalar("effective", day.isoformat(), after=("approved_by", "reviewed_by", "prepared_by"))
    _write(target, editor.text(), {"status": "effective", "effective": day.isoformat()})
    return f"{document.id} {document.version}: effective from {day}; commit the change to release it"


def run_step(step, args) -> int:
    try:
        message = step(args)
    except Refused as exc:
        print(f"qms: refused: {exc}", file=sys.stderr)
        return 1
    except EditError as exc:
        print(f"qms: refused: {exc}; the file was not changed", file=sys.stderr)
        return 1
    print(message)
    return 0


def _target(root: Path, today: date, doc_id: str, tolerated: set[str]) -> Target:
    result = pipeline.check(root, today)
    document = result.manual.document(doc_id) if result.manual else None
    if document is None:
        _print_errors(result.diagnostics)
        raise _usage(f"no valid document {doc_id!r} (see `python -m site_builder check`)")
    errors = [d for d in result.diagnostics if d.path == document.path and d.severity == dg.ERROR
              and d.code not in tolerated]
    if errors:
        _print_errors(errors)
        raise Refused(f"{document.path} has {len(errors)} error(s); fix them first")
    path = root / document.path
    return Target(result.manual, document, path, path.read_bytes().decode("utf-8"))


def _write(target: Target, text: str, expected: dict, removed: tuple = (), appended: dict | None = None,
           last_entry_approver: str | None = None) -> None:
    before, after = parse("document", target.text.encode("utf-8")), parse("document", text.encode("utf-8"))
    if before is None or after is None or before.body != after.body:
        raise EditError("the edited front matter does not read back")
    want = {k: v for k, v in before.data.items() if k not in removed}
    want.update(expected)
    if appended:
        want["revisions"] = [*before.data["revisions"], appended]
    if last_entry_approver:
        want["revisions"] = [*before.data["revisions"][:-1], {**before.data["revisions"][-1], "approved_by": last_entry_approver}]
    if _plain(after.data) != _plain(want):
        raise EditError("the edit would change more than the intended fields")
    handle, temporary = tempfile.mkstemp(dir=target.path.parent, prefix=".qms-", suffix=".tmp")
    with os.fdopen(handle, "wb") as stream:
        stream.write(text.encode("utf-8"))
    os.chmod(temporary, target.path.stat().st_mode & 0o777)
    os.replace(temporary, target.path)


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return None if value is None else str(value)


def _person(root: Path, manual: Manual, given: str | None) -> str:
    name = given or _git_user(root)
    person = manual.organisation.person(name)
    if person is None:
        where = "--by" if given else "git config user.name"
        raise Refused(f"{where} {name!r} is not a person in organisation.yaml; add the name (or your git name under "
                      "git_names) to people")
    return person.name


def _git_user(root: Path) -> str:
    try:
        name = git(root, "config", "user.name").decode("utf-8", "replace").strip()
    except GitError:
        name = ""
    if not name:
        raise Refused("no git user name: run `git config user.name \"Your Name\"` (a name or git_names entry of "
                      "organisation.yaml)")
    return name


def _bump(version: str, major: bool, pattern: str) -> str:
    try:
        new_version = bump(version, major)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    if not matches(new_version, pattern):
        raise Refused(f"the next version {new_version} does not match numbering.version {pattern} in qms.yaml")
    return new_version


def _step_date(given: str | None, today: date, what: str) -> date:
    try:
        day = date.fromisoformat(given) if given else today
    except ValueError:
        raise _usage(f"invalid {what} date {given!r}; use YYYY-MM-DD") from None
    if day > today:
        raise Refused(f"the {what} date {day} is in the future (today is {today}); record a step when it happens")
    return day


def _require_text(option: str, value: str) -> None:
    if not value.strip() or not value.isprintable():
        raise _usage(f"{option} must be one line of text")


def _print_errors(diagnostics: list) -> None:
    if diagnostics:
        print(dg.format_text([d for d in diagnostics if d.severity == dg.ERROR]), file=sys.stderr)


def _usage(message: str) -> Exception:
    from site_builder.diagnostics import UsageError
    return UsageError(message)
