"""Where a build spends its time: wall time per phase of one `build`, in this process.

    python bench/profile_build.py REPO [--audience staff|auditor] [--out DIR] [--today YYYY-MM-DD]

Phases are timed by wrapping the functions the build calls (no profiler overhead): check,
render, git preflight, write docs, MkDocs, the waits for the children that encode the XLSX
downloads, verify pages and write the archive pages (auditor) while MkDocs runs, the verification of the rest of the site (its
parts run in worker processes, so it is one figure), publish.  "other" is the rest (imports,
locks, clean-up).  Run it on a manual made by bench/generate.py.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TIMES: dict[str, float] = {}


def wrap(module, name: str, label: str) -> None:
    original = getattr(module, name)

    @functools.wraps(original)
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            TIMES[label] = TIMES.get(label, 0.0) + time.perf_counter() - started
    setattr(module, name, timed)


def instrument() -> None:
    from site_builder import build as generate
    from site_builder.check import run as pipeline
    from site_builder.site import driver as mkdocs_build
    wrap(pipeline, "check", "check")
    wrap(generate, "render_site", "render")
    for name, label in (("git_preflight", "git preflight"), ("write_docs", "write docs"), ("_run_mkdocs", "mkdocs"),
                        ("verify_site", "verify (all)")):
        if hasattr(mkdocs_build, name):
            wrap(mkdocs_build, name, label)
    wrap(mkdocs_build.publish, "publish", "publish")
    from site_builder.emit.workbooks import EncodingWorkbooks
    from site_builder.site.verify_stream import PageStream
    wrap(EncodingWorkbooks, "write_into", "XLSX: wait for the child")
    wrap(PageStream, "results", "verify: wait for the page child")
    from site_builder.site.archive import Archive
    wrap(Archive, "finish", " archive pages: wait (part of mkdocs)")
    finish = Archive.finish

    def counted(self):
        written = finish(self)
        TIMES[" archive pages: CPU of the children"] = written.cpu_seconds
        return written
    Archive.finish = counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--audience", choices=("staff", "auditor"), default="staff")
    parser.add_argument("--out", type=Path, default=Path("/tmp/qms-profile-site"))
    parser.add_argument("--today", default="2026-12-06")
    args = parser.parse_args()
    instrument()
    from site_builder.site import driver as mkdocs_build
    started = time.perf_counter()
    code = mkdocs_build.build(args.repo.resolve(), args.out, date.fromisoformat(args.today), args.audience, quiet=True)
    total = time.perf_counter() - started
    print(f"build exit {code}, {total:.2f} s wall")
    accounted = sum(v for k, v in TIMES.items() if not k.startswith(" ") and k != "verify (all)") + TIMES.get("verify (all)", 0)
    for label, seconds in TIMES.items():
        print(f"  {label:38} {seconds:7.2f} s  {100 * seconds / total:5.1f} %")
    print(f"  {'other':38} {total - accounted:7.2f} s")


if __name__ == "__main__":
    main()
