"""The `scan-leaks` command: look for given values anywhere in a built site."""

from __future__ import annotations

import sys
from pathlib import Path

MAX_LISTED = 200


def register_scan_leaks(parser) -> None:
    parser.add_argument("site_dir", metavar="SITE_DIR", help="a built site folder (e.g. site/)")
    parser.add_argument("--values", nargs="+", default=[], metavar="VALUE",
                        help="values that must not occur (names, phone numbers, e-mail addresses, tokens)")
    parser.add_argument("--values-from", metavar="FILE",
                        help="read more values from FILE, one per line (UTF-8; blank lines and lines starting with # are ignored)")
    parser.set_defaults(handler=run_scan_leaks)


def run_scan_leaks(args) -> int:
    """Exit 1 when any value is found (each hit listed as file: value in content|file name: context) or a
    file cannot be checked completely; else 0."""
    from site_builder.diagnostics import UsageError
    from site_builder.verify.leaks import LeakScanner

    site = Path(args.site_dir)
    if not site.is_dir():
        raise UsageError(f"{args.site_dir}: not a folder")
    values = [v for v in args.values if v.strip()]
    if args.values_from:
        values += _read_values(Path(args.values_from))
    if not values:
        raise UsageError("no values to look for: give --values V1 V2 ... and/or --values-from FILE")
    scanner = LeakScanner(values)
    hits = scanner.scan_site(site)
    for hit in hits[:MAX_LISTED]:
        print(hit.describe())
    if len(hits) > MAX_LISTED:
        print(f"... and {len(hits) - MAX_LISTED} more")
    for problem in scanner.skipped:
        print(f"{problem} (not fully checked)")
    found = len({h.value for h in hits})
    print(f"scan-leaks: {len(hits)} hit(s) of {found} of {len(set(values))} value(s) in {site}"
          + (f"; {len(scanner.skipped)} file(s) not fully checked" if scanner.skipped else ""), file=sys.stderr)
    return 1 if hits or scanner.skipped else 0


def _read_values(path: Path) -> list[str]:
    from site_builder.diagnostics import UsageError

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--values-from {path}: cannot be read ({exc})") from None
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
