"""The only writer of content: revise, approve and make-effective a controlled document or form.

* `revise ID --change TEXT [--major] [--sections TEXT]` opens the next version (A1 -> A2,
  with --major A2 -> B0): `version` is bumped, `status` becomes draft, `prepared_by` becomes the
  document controller (git config user.name, mapped through organisation.yaml people
  name / git_names) with today's date, the signatures and effective date of the previous version
  (`reviewed_by`, `approved_by`, `effective`, and its periodic review `last_reviewed`; git keeps
  them) are removed, and a revision entry is
  appended with today's date, the sections (default 全文) and the change, without an approver.
  The version in force stays in force (and published) until the new one takes effect.
* `approve ID [--by NAME] [--date D] [--effective D]` sets `approved_by` and the approver of the
  last revision entry, and status approved; with `--effective`, also the day the version comes into
  force (it may be later: on that day the site shows it, with no further commit).  It refuses
  approving your own revision (the preparer), a date in the future or before the preparation, and
  an approver without authority (for a form: authority over its procedure's level).  Where qms.yaml
  requires signed approvals it commits that file alone, signed with the approver's key (signing.py;
  `--no-commit`: only write it).
* `make-effective ID [--date D]` sets `effective` (and status effective, unless the date is still
  to come); it refuses an item that is not approved, and a date before the approval.

Forms (forms/*.yaml, a whole YAML file) go through the same steps as documents (front matter).
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
from site_builder.edit.signing import SigningRefused, check_signer, commit_signed, signing_required
from site_builder.history.fingerprint import parse
from site_builder.history.gitlog import GitError, git
from site_builder.model.manual import Document, Form, Manual
from site_builder.model.versions import bump, matches

#: What `new` writes under each heading of the house structure; approve refuses a body still holding it.
PLACEHOLDER = "（待编写）"
#: Errors that `revise` itself resolves (an unapproved edit, a reference to a withdrawn document), so they
#: do not block it.
REVISE_RESOLVES = {"SB410", "SB308"}
#: Fields that belong to the version being replaced; revise removes them.
PREVIOUS_VERSION_KEYS = ("reviewed_by", "approved_by", "effective", "last_reviewed")


class Refused(Exception):
    """The rules forbid the step; nothing was written (exit code 1)."""


@dataclass
class Target:
    manual: Manual
    #: the document or form, as the working tree has it
    item: Document | Form
    kind: str
    path: Path
    text: str

    def editor(self) -> FrontMatterEditor:
        return FrontMatterEditor(self.text, whole_file=self.kind == "form")

    @property
    def level(self) -> int | None:
        """The document level whose approvers may approve it (a form: its procedure's)."""
        if self.kind == "document":
            return self.item.level
        owner = self.manual.document(self.item.procedure)
        return owner.level if owner else None


def revise(args) -> str:
    _require_text("--change", args.change)
    _require_text("--sections", args.sections)
    target = target_of(args.root, args.today, args.doc_id, REVISE_RESOLVES)
    item, manual = target.item, target.manual
    if item.status not in ("effective", "approved"):
        raise Refused(f"{item.id} is {item.status}, not effective: a revision is already open; edit the draft, "
                      "then run approve")
    new_version = _bump(item.version, args.major, manual.config.version_pattern)
    controller = person_of(args.root, manual, None)
    # (no approver: nobody has approved the new version yet; `approve` writes it into this entry)
    entry = {"version": new_version, "date": args.today.isoformat(), "sections": args.sections, "change": args.change}
    prepared = {"name": controller, "date": args.today.isoformat()}
    editor = target.editor()
    editor.set_scalar("version", new_version)
    editor.set_scalar("status", "draft")
    editor.set_mapping("prepared_by", prepared, after=("owner", "status"))
    for key in PREVIOUS_VERSION_KEYS:
        editor.remove(key)
    kept = _keep_effective_date(item, editor)
    editor.append_item("revisions", entry)
    _write(target, editor.text(), {"version": new_version, "status": "draft", "prepared_by": prepared},
           removed=PREVIOUS_VERSION_KEYS, appended=entry, previous_effective=kept)
    return (f"{item.id}: version {item.version} -> {new_version} (draft), prepared by {controller}; the version "
            f"in force stays published until {new_version} takes effect.  Edit the {_noun(target)}, then run "
            f"`python -m site_builder approve {item.id} --by NAME`")


def _keep_effective_date(item, editor) -> str | None:
    """The effective date of the version in force goes into its revision entry before `effective` is
    cleared for the draft, so the revision table keeps saying when each version came into force."""
    last = item.revisions[-1] if item.revisions else None
    if item.effective is None or last is None or last.version != item.version or last.effective is not None:
        return None
    editor.set_last_item_field("revisions", "effective", item.effective.isoformat())
    return item.effective.isoformat()


def approve(args) -> str:
    target = target_of(args.root, args.today, args.doc_id, set())
    item, manual = target.item, target.manual
    if item.status not in ("draft", "in_review"):
        raise Refused(f"{item.id} is {item.status}; only a draft (opened with revise) can be approved")
    if isinstance(item, Document) and PLACEHOLDER in item.body:
        raise Refused(f"the body of {item.id} still has {PLACEHOLDER} placeholders (from `new`): write those sections, "
                      "or remove the headings that do not apply")
    approver = person_of(args.root, manual, args.by)
    if item.prepared_by is not None and approver == item.prepared_by.name:
        raise Refused(f"{approver} prepared {item.id} {item.version} and cannot approve their own revision")
    person = manual.organisation.person(approver)
    if target.level is not None and target.level not in person.approves_levels:
        raise Refused(f"{approver} may not approve level {target.level} {_noun(target)}s (approves_levels in "
                      "organisation.yaml)")
    day = step_date(args.date, args.today, "approval")
    earlier = [s for s in (item.prepared_by, getattr(item, "reviewed_by", None)) if s and s.date > day]
    if earlier:
        raise Refused(f"approval date {day} is before {earlier[0].name}'s signature of {earlier[0].date}")
    effective = _effective_date(args.effective, day) if args.effective else None
    sign = signing_required(manual, args.today) and not args.no_commit
    if sign:
        try:
            check_signer(args.root, manual, approver, args.today)
        except SigningRefused as exc:
            raise Refused(str(exc)) from None
    signature = {"name": approver, "date": day.isoformat()}
    editor = target.editor()
    editor.set_scalar("status", "approved")
    editor.set_mapping("approved_by", signature, after=("reviewed_by", "prepared_by"))
    editor.set_last_item_field("revisions", "approved_by", approver)
    expected = {"status": "approved", "approved_by": signature}
    if effective:
        editor.set_or_add_scalar("effective", effective.isoformat(), after=("approved_by",))
        expected["effective"] = effective.isoformat()
    _write(target, editor.text(), expected, last_entry_approver=approver)
    message = f"批准 {item.id} {item.version}：{approver}"
    if sign:
        try:
            commit_signed(args.root, target.path, message)
        except GitError as exc:  # the approval is a signed commit or nothing: put the file back
            replace_file(target.path, target.text)
            raise Refused(f"git could not commit the approval signed ({exc}); the file was not changed") from None
    done = "committed, signed with your key" if sign else (
        f"commit it signed yourself: git commit -S -m \"{message}\" -- {target.path.relative_to(args.root).as_posix()}"
        if args.no_commit else "commit the change")
    if effective:
        return (f"{item.id} {item.version}: approved by {approver} on {day} ({done}); in force from {effective}, when "
                "the site shows it and the copies of the previous version are due back")
    return (f"{item.id} {item.version}: approved by {approver} on {day} ({done}); run `python -m site_builder "
            f"make-effective {item.id} --date YYYY-MM-DD` to set the effective date")


def make_effective(args) -> str:
    target = target_of(args.root, args.today, args.doc_id, set())
    item = target.item
    if item.status != "approved" or item.approved_by is None:
        raise Refused(f"{item.id} is {item.status}: it must be approved before it can become effective "
                      f"(run `python -m site_builder approve {item.id}` first)")
    day = _effective_date(args.date or args.today.isoformat(), item.approved_by.date)
    editor = target.editor()
    expected = {"effective": day.isoformat()}
    if day <= args.today:
        editor.set_scalar("status", "effective")
        expected["status"] = "effective"
    editor.set_or_add_scalar("effective", day.isoformat(), after=("approved_by", "reviewed_by", "prepared_by"))
    _write(target, editor.text(), expected)
    if day > args.today:
        return (f"{item.id} {item.version}: approved, in force from {day}; the site switches to it on that day "
                "(commit the change now)")
    return f"{item.id} {item.version}: effective from {day}; commit the change to release it"


def _effective_date(given: str, approved: date) -> date:
    """An effective date: any day from the approval on (a later one: the version comes into force then)."""
    try:
        day = date.fromisoformat(given)
    except ValueError:
        raise _usage(f"invalid effective date {given!r}; use YYYY-MM-DD") from None
    if day < approved:
        raise Refused(f"effective date {day} is before the approval of {approved}")
    return day


def _noun(target: Target) -> str:
    return "document" if target.kind == "document" else "form"


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


def target_of(root: Path, today: date, item_id: str, tolerated: set[str]) -> Target:
    """The document or form `item_id` of the working tree, refused while its file has errors."""
    return target_in(pipeline.check(root, today), root, item_id, tolerated)


def target_in(result, root: Path, item_id: str, tolerated: set[str]) -> Target:
    """target_of with the check already run."""
    manual = result.worktree
    item = (manual.document(item_id) or manual.form(item_id)) if manual else None
    if item is None:
        _print_errors(result.diagnostics)
        raise _usage(f"no valid document or form {item_id!r} (see `python -m site_builder check`)")
    errors = [d for d in result.diagnostics if d.path == item.path and d.severity == dg.ERROR
              and d.code not in tolerated]
    if errors:
        _print_errors(errors)
        raise Refused(f"{item.path} has {len(errors)} error(s); fix them first")
    path = root / item.path
    kind = "document" if isinstance(item, Document) else "form"
    return Target(manual, item, kind, path, path.read_bytes().decode("utf-8"))


def _write(target: Target, text: str, expected: dict, removed: tuple = (), appended: dict | None = None,
           last_entry_approver: str | None = None, previous_effective: str | None = None) -> None:
    verify_edit(target, text, expected, removed, appended, last_entry_approver, previous_effective)
    replace_file(target.path, text)


def verify_edit(target: Target, text: str, expected: dict, removed: tuple = (), appended: dict | None = None,
                last_entry_approver: str | None = None, previous_effective: str | None = None) -> None:
    """Raise EditError unless `text` reads back as the target's data with exactly the intended changes."""
    before, after = parse(target.kind, target.text.encode("utf-8")), parse(target.kind, text.encode("utf-8"))
    if before is None or after is None or before.body != after.body:
        raise EditError("the edited front matter does not read back")
    want = {k: v for k, v in before.data.items() if k not in removed}
    want.update(expected)
    if appended:
        entries = list(before.data["revisions"])
        if previous_effective:
            entries[-1] = {**entries[-1], "effective": previous_effective}
        want["revisions"] = [*entries, appended]
    if last_entry_approver:
        want["revisions"] = [*before.data["revisions"][:-1], {**before.data["revisions"][-1], "approved_by": last_entry_approver}]
    if _plain(after.data) != _plain(want):
        raise EditError("the edit would change more than the intended fields")


def replace_file(path: Path, text: str) -> None:
    """Write `text` over `path` atomically (a reader sees the old file or the new one, never a part)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".qms-", suffix=".tmp")
    with os.fdopen(handle, "wb") as stream:
        stream.write(text.encode("utf-8"))
    os.chmod(temporary, path.stat().st_mode & 0o777)
    os.replace(temporary, path)


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return None if value is None else str(value)


def person_of(root: Path, manual: Manual, given: str | None) -> str:
    """The organisation's name for `given` (--by), else for `git config user.name`."""
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


def step_date(given: str | None, today: date, what: str) -> date:
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
