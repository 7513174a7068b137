"""Time `import` of 10,000 spreadsheet rows into a generated manual (issue 22).

    python bench/import_scale.py [--size large] [--rows 10000] [--keep DIR] [--json FILE]

Generates the manual (bench/generate.py, one commit), runs `check` once (as a user does before
importing; it fills .qms-cache/), writes the template of QR-06-01 filled with ROWS survey rows
(empty ids, dates typed as text, ratings from the drop-down levels; shared strings as Excel writes them), then measures in their own
processes: `import --dry-run`, `import` (writes ROWS new record files) and the same import again
(every row unchanged).  Prints wall time, CPU time and peak memory of each step; asserts the
summaries.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import ITEMS, LEVELS, SIZES, generate  # noqa: E402
from bench.run import measure, qms  # noqa: E402


def filled_template(repo: Path, rows: int, path: Path, seed: int = 11) -> None:
    """The template of QR-06-01 with `rows` rows, written as Excel writes a workbook (shared strings,
    by xlsxwriter in the template's own layout); ids empty, dates typed as text."""
    from site_builder.check.run import check
    from site_builder.sheets.template import workbook_bytes

    manual = check(repo, date(2026, 12, 6), use_cache=True, manual_only=True).manual
    form = manual.form("QR-06-01")
    customers = sorted(r.id for r in manual.records if r.form == "QR-05-04")
    rng = random.Random(seed)
    filled = []
    for _ in range(rows):
        day = date(2026, 1, 1) + timedelta(days=rng.randrange(330))
        row = {"date": f"{day.year}/{day.month}/{day.day}", "customer": rng.choice(customers), "contact": "联系人",
               "survey_round": "滚动调查", "surveyed_by": "冯晓雪"}
        filled.append(row | {f"ratings.{item}": rng.choice(LEVELS[:3]) for item in ITEMS})
    path.write_bytes(workbook_bytes(form, date(2026, 12, 6), filled))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="large")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="work folder to keep (default: a temporary one)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="qms-import-bench-"))
    repo = work / "repo"
    if not repo.exists():
        generate(repo, args.size)
    figures = {"size": args.size, "rows": args.rows, "check": measure(qms(repo, "check"))}
    sheet = work / "rows.xlsx"
    filled_template(repo, args.rows, sheet)
    figures["sheet_mb"] = round(sheet.stat().st_size / 1024 / 1024, 2)
    before = len(list((repo / "records" / "QR-06-01").glob("*.yaml")))
    for step, extra in (("import_dry_run", ("--dry-run",)), ("import", ()), ("import_again", ())):
        figures[step] = measure(qms(repo, "import", "QR-06-01", str(sheet), *extra))
        assert figures[step]["exit"] == 0, figures[step]["stderr_tail"]
    figures["written"] = len(list((repo / "records" / "QR-06-01").glob("*.yaml"))) - before
    assert figures["written"] == args.rows, figures["written"]
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
