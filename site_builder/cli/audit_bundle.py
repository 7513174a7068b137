"""`audit-bundle`: the auditor site, requirements map, build stamp and test results in one archive."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from site_builder.cli.options import add_plain, make_build


def register_audit_bundle(parser) -> None:
    parser.add_argument("--out", required=True,
                        help="archive to write (FILE.zip); an existing folder gets qms-audit-<build date>.zip")
    add_plain(parser)
    parser.set_defaults(handler=run_audit_bundle)


def run_audit_bundle(args) -> int:
    from site_builder.diagnostics import UsageError
    from site_builder.publish import audit_bundle as bundle
    from site_builder.site import driver as mkdocs_build

    out = _target(Path(args.out))
    work = Path(tempfile.mkdtemp(prefix="qms-audit-"))
    try:
        site_dir = work / "site"
        try:
            code = mkdocs_build.build(make_build(args, audience="auditor"), site_dir, quiet=True)
        except mkdocs_build.BuildFailed as exc:
            print(f"qms: audit-bundle: the auditor site cannot be built: {exc}\nqms: no archive written", file=sys.stderr)
            return 1
        if code != 0:
            print("qms: audit-bundle: the auditor site cannot be built (see above); no archive written", file=sys.stderr)
            return 1
        stamp_bytes = (site_dir / "api" / "build.json").read_bytes()
        stamp = json.loads(stamp_bytes)
        when = _built_at(stamp)
        if out.is_dir():
            out = out / f"qms-audit-{when.date().isoformat()}.zip"
        members = _members(args.root, site_dir, stamp, stamp_bytes)
        try:
            comment = f"qms-site audit bundle, auditor site built {stamp.get('built_at')} from commit {stamp.get('commit')}"
            count = bundle.write_bundle(out, site_dir, members, when, comment)
        except OSError as exc:
            raise UsageError(f"--out {args.out}: cannot write the archive: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"qms: wrote {out} ({count} files, auditor site built {stamp.get('built_at')})", file=sys.stderr)
    return 0


def _target(out: Path) -> Path:
    from site_builder.diagnostics import UsageError

    out = out if out.is_absolute() else Path.cwd() / out
    if out.exists() and not out.is_dir() and not out.is_file():
        raise UsageError(f"--out {out}: not a regular file")
    if not out.is_dir() and out.suffix.lower() != ".zip":
        raise UsageError(f"--out {out}: the archive name must end in .zip (or name an existing folder)")
    if not out.is_dir() and not out.parent.is_dir():
        raise UsageError(f"--out {out}: folder {out.parent} does not exist; create it first")
    return out


def _built_at(stamp: dict) -> datetime:
    try:
        return datetime.strptime(str(stamp.get("built_at")), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return datetime.now(UTC)


def _members(root: Path, site_dir: Path, stamp: dict, stamp_bytes: bytes) -> dict[str, bytes]:
    from site_builder.compliance.requirements import map_location
    from site_builder.publish import audit_bundle as bundle

    results = bundle.read_test_results(root)
    members = {"build.json": stamp_bytes, "README.txt": bundle.readme_text(str(stamp.get("built_at")),
                                                                          stamp.get("commit")).encode("utf-8")}
    located = map_location(root)
    if located:
        members["requirements.yaml"] = located[0].read_bytes()
    checklist = json.loads((site_dir / "api" / "compliance.json").read_text(encoding="utf-8"))
    mapped: dict[str, list[str]] = {}
    for item in checklist.get("items", []):
        for test in item.get("tests", []):
            mapped.setdefault(test, []).append(item.get("id", "?"))
    members["test-results.txt"] = bundle.tests_report(results, mapped).encode("utf-8")
    if results.recorded:
        members["test-results.json"] = (root / bundle.RESULTS_FILE).read_bytes()
    return members
