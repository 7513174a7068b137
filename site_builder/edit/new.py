"""`new`: start a controlled document or a form as a draft, filled in from the repository's settings.

* `new DOC_ID --level N --title TEXT --owner DEPT [--file-name SLUG] [--from TEMPLATE]` writes
  `procedures/DOC_ID[-SLUG].md`: the number checked against `numbering.documents` of qms.yaml for
  the level, the first version label of `numbering.version` (A0 where it fits), status draft,
  the preparer from `git config user.name` (a person of organisation.yaml), the review period
  from `review.default_period_months`, an empty distribution list, and the first revision entry
  without an approver (`approve` writes it).  The body is the house structure (目的, 适用范围,
  职责, 定义, 工作程序, 相关文件, 相关表单), or the body of TEMPLATE (a Markdown file).
* `new FORM_ID --procedure DOC_ID --title TEXT --owner DEPT --record-prefix XYZ` writes
  `forms/FORM_ID.yaml` the same way, with one field (备注) to be replaced by the form's fields.

The file is written only if it is new and the check finds nothing wrong with it; otherwise
nothing is left behind.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

from site_builder import diagnostics as dg
from site_builder.check import run as pipeline
from site_builder.edit.frontmatter import flow_mapping, scalar
from site_builder.edit.revise import PLACEHOLDER, Refused, person_of
from site_builder.load.yamlio import LoadError, decode, split_front_matter
from site_builder.model.manual import Manual
from site_builder.model.versions import matches

HOUSE_HEADINGS = ("目的", "适用范围", "职责", "定义", "工作程序", "相关文件", "相关表单")
FIRST_VERSIONS = ("A0", "A1", "A00", "A01", "1.0", "0", "1")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def new_item(args) -> str:
    manual = _manual(args.root, args.today)
    if args.procedure:
        return _new_form(args, manual)
    return _new_document(args, manual)


def _new_document(args, manual: Manual) -> str:
    config = manual.config
    if args.level is None:
        raise Refused("give the document level: --level 1, 2 or 3 (a form: --procedure DOC_ID)")
    pattern = config.document_patterns.get(args.level)
    if pattern is None:
        raise Refused(f"qms.yaml has no numbering for level {args.level} (numbering.documents)")
    _require_number(args.item_id, pattern, f"level {args.level} documents", manual)
    _require_department(args.owner, manual)
    if args.file_name and not _SLUG.match(args.file_name):
        raise Refused(f"--file-name {args.file_name!r}: use lower-case ASCII words joined by hyphens, e.g. service-review")
    name = f"{args.item_id}-{args.file_name}.md" if args.file_name else f"{args.item_id}.md"
    preparer = person_of(args.root, manual, None)
    version = _first_version(config.version_pattern)
    day = args.today.isoformat()
    lines = ["---", f"id: {args.item_id}", f"title: {scalar(_one_line('--title', args.title))}", f"level: {args.level}",
             f"version: {version}", "status: draft", f"owner: {scalar(args.owner)}",
             f"prepared_by: {flow_mapping({'name': preparer, 'date': day})}",
             f"review_period_months: {config.default_review_months}", "distribution: []", "revisions:",
             f"  - {flow_mapping({'version': version, 'date': day, 'sections': '全文', 'change': '首次发布'})}",
             "related_documents: []", "related_forms: []", "---"]
    body = _template_body(args.template) if args.template else _house_body()
    path = args.root / "procedures" / name
    _write_new(args.root, args.today, path, "\n".join(lines) + "\n" + body)
    return (f"{path.relative_to(args.root)}: {args.item_id} {version} (draft), prepared by {preparer}.  Write the body, "
            f"fill in distribution, related_documents and related_forms, commit, then run "
            f"`python -m site_builder approve {args.item_id} --by NAME`")


def _new_form(args, manual: Manual) -> str:
    config = manual.config
    _require_number(args.item_id, config.form_pattern, "forms", manual)
    procedure = manual.document(args.procedure)
    if procedure is None:
        raise Refused(f"--procedure {args.procedure!r} is not a document of this manual")
    _require_department(args.owner, manual)
    prefix = args.record_prefix or ""
    if not re.fullmatch(r"[A-Z]{2,5}", prefix):
        raise Refused("give the prefix of the form's record numbers: --record-prefix of 2-5 capital letters, e.g. CSS")
    used = {f.record_prefix: f.id for f in manual.forms}
    if prefix in used:
        raise Refused(f"record prefix {prefix} is already used by {used[prefix]}")
    preparer = person_of(args.root, manual, None)
    version = _first_version(config.version_pattern)
    day = args.today.isoformat()
    lines = ["# yaml-language-server: $schema=../schemas/form.schema.json", f"id: {args.item_id}",
             f"title: {scalar(_one_line('--title', args.title))}", f"version: {version}", "status: draft",
             f"procedure: {args.procedure}", f"owner: {scalar(args.owner)}",
             f"prepared_by: {flow_mapping({'name': preparer, 'date': day})}",
             f"retention: {{years: {args.retention_years}}}", f"record_prefix: {prefix}", "revisions:",
             f"  - {flow_mapping({'version': version, 'date': day, 'sections': '全文', 'change': '首次发布'})}",
             "fields:", "  remarks: {label: 备注, type: text, help: 替换为本表的填写栏目}"]
    path = args.root / "forms" / f"{args.item_id}.yaml"
    _write_new(args.root, args.today, path, "\n".join(lines) + "\n")
    return (f"{path.relative_to(args.root)}: {args.item_id} {version} (draft), prepared by {preparer}.  Define its "
            f"fields and rules, add it to related_forms of {args.procedure}, commit, then run "
            f"`python -m site_builder approve {args.item_id} --by NAME`")


def _manual(root: Path, today: date) -> Manual:
    result = pipeline.check(root, today)
    if result.worktree is None:
        print(dg.format_text([d for d in result.diagnostics if d.severity == dg.ERROR]))
        raise Refused("the manual cannot be read (see the errors above); fix them first")
    return result.worktree


def _require_number(number: str, pattern: str, what: str, manual: Manual) -> None:
    if not matches(number, pattern):
        raise Refused(f"{number!r} does not match the numbering of {what} ({pattern} in qms.yaml)")
    if manual.document(number) or manual.form(number):
        raise Refused(f"{number} already exists; to change it, run `python -m site_builder revise {number}`")


def _require_department(name: str, manual: Manual) -> None:
    if manual.organisation.department(name) is None:
        known = "、".join(d.name for d in manual.organisation.departments)
        raise Refused(f"--owner {name!r} is not a department of organisation.yaml ({known})")


def _first_version(pattern: str) -> str:
    version = next((v for v in FIRST_VERSIONS if matches(v, pattern)), None)
    if version is None:
        raise Refused(f"no first version label fits numbering.version {pattern} in qms.yaml (tried {', '.join(FIRST_VERSIONS)})")
    return version


def _one_line(option: str, value: str) -> str:
    if not value.strip() or not value.isprintable():
        raise Refused(f"{option} must be one line of text")
    return value.strip()


def _house_body() -> str:
    return "\n".join(f"## {index} {heading}\n\n{PLACEHOLDER}\n" for index, heading in enumerate(HOUSE_HEADINGS, 1))


def _template_body(template: Path) -> str:
    try:
        text = decode(template.read_bytes())[0]
    except (OSError, LoadError) as exc:
        raise Refused(f"--from {template}: cannot be read ({exc})") from None
    if text.startswith("---"):
        try:
            text = split_front_matter(text)[1]
        except LoadError as exc:
            raise Refused(f"--from {template}: {exc}") from None
    return text.lstrip("\n")


def _write_new(root: Path, today: date, path: Path, text: str) -> None:
    """Create `path` (never over an existing file), then check the manual with it; remove it again when
    the check finds an error in it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise Refused(f"{path.relative_to(root)} already exists") from None
    with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
        stream.write(text)
    relative = path.relative_to(root).as_posix()
    errors = [d for d in pipeline.check(root, today).diagnostics if d.path == relative and d.severity == dg.ERROR]
    if errors:
        path.unlink()
        print(dg.format_text(errors))
        raise Refused(f"the new file would not pass check ({len(errors)} error(s) above); nothing was written")

