"""Growth exponent between two bench/run.py results: t_large / t_small = (n_large / n_small) ** k.

    python bench/growth.py small.json large.json

k = 1 is linear; n is the number of records (documents grow by the same factor in the sizes).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.generate import SIZES  # noqa: E402

METRICS = ("check_cold_s", "check_warm_s", "build_cold_s", "build_warm_s", "auditor_s", "bare_mkdocs_s", "peak_mb",
           "serve_rebuild_s")


def exponents(small: dict, large: dict) -> dict[str, float | None]:
    factor = SIZES[large["size"]][1] / SIZES[small["size"]][1]
    result = {}
    for metric in METRICS:
        a, b = small.get(metric), large.get(metric)
        result[metric] = round(math.log(b / a) / math.log(factor), 2) if a and b and a > 0 and b > 0 else None
    return result


def main() -> None:
    small, large = (json.loads(Path(p).read_text(encoding="utf-8")) for p in sys.argv[1:3])
    for metric, k in exponents(small, large).items():
        print(f"{metric:16} {small.get(metric)!s:>8} -> {large.get(metric)!s:>8}   k = {k}")


if __name__ == "__main__":
    main()
