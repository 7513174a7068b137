"""Time `check` on a generated manual and print the figures.

    python bench/check_scale.py --size small|medium|large [--keep DIR]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.generate import SIZES, generate  # noqa: E402
from site_builder.check import run as pipeline  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--keep", type=Path, help="reuse/keep the generated manual in this folder")
    args = parser.parse_args()
    target = args.keep or Path(tempfile.mkdtemp(prefix=f"qms-bench-{args.size}-"))
    if not (target / "qms.yaml").exists():
        started = time.perf_counter()
        generate(target, args.size, use_git=False)
        print(f"generated {args.size} manual in {time.perf_counter() - started:.1f} s at {target}")
    started, cpu = time.perf_counter(), time.process_time()
    result = pipeline.check(target, date(2026, 12, 6))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    manual = result.manual
    print(f"check {args.size}: {len(manual.documents)} documents, {len(manual.records)} records, "
          f"{result.errors} errors; wall {wall:.1f} s, cpu {cpu:.1f} s, peak {peak:.0f} MB")


if __name__ == "__main__":
    main()
