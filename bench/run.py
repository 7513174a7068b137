"""Benchmark harness: check, builds and a bare MkDocs build of the same pages, in one run.

    python bench/run.py --size tiny|small|medium|large [--json FILE] [--keep DIR]

Every step runs in its own process; wall time, CPU time (user+sys) and peak memory are
measured per step with os.wait4.  `check_warm` is the second `check` with nothing changed (served
from .qms-cache/); `build_cold` is a full MkDocs build (it reuses the per-file results the checks
cached); `serve` is bench/serve_rebuild.py (dirty reload after one procedure edit), run last
because it leaves the edits uncommitted.  Figures are printed, with the ratios the targets in
BENCHMARKS.md are stated in.  Machines are noisy: compare figures from one run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import SIZES, generate, revise_first_synthetic  # noqa: E402

PY = sys.executable
TODAY = "2026-12-06"


def measure(argv: list[str], cwd: Path | None = None) -> dict:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "QMS_TODAY": TODAY, "SOURCE_DATE_EPOCH": "1795000000"}
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    return {"wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_mb": round(usage.ru_maxrss / 1024, 1), "exit": process.returncode,
            "stderr_tail": stderr.decode("utf-8", "replace")[-600:]}


def qms(repo: Path, *args: str) -> list[str]:
    return [PY, "-m", "site_builder", *args, "--root", str(repo), "--today", TODAY]


def edit_one_procedure(repo: Path) -> None:
    """A controlled change: body edit plus a new version with its revision entry, committed."""
    path = revise_first_synthetic(repo, "基准测试修订", "基准测试追加的一句话。")
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=b@example.invalid",
                    "commit", "-qam", f"revise {path.stem}"], check=True)


def bare_mkdocs(repo: Path, work: Path) -> dict:
    """MkDocs alone on exactly the Markdown pages our build generated (no qms plugin)."""
    docs = work / "bare-docs"
    script = (
        "import sys, json, yaml; from datetime import date; from pathlib import Path\n"
        "from site_builder.build import generate; from site_builder.emit.docs import write_docs\n"
        f"g = generate(Path({str(repo)!r}), date.fromisoformat({TODAY!r}))\n"
        f"write_docs(g.site, Path({str(docs)!r}))\n"
        f"Path({str(work / 'nav.json')!r}).write_text(json.dumps(g.site.nav, ensure_ascii=False))\n")
    subprocess.run([PY, "-c", script], check=True, cwd=ROOT)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("  - qms\n", "")
    config = config.replace("docs_dir: procedures", f"docs_dir: {docs}").replace("site_dir: site", f"site_dir: {work / 'bare-site'}")
    config += "nav: " + (work / "nav.json").read_text(encoding="utf-8") + "\n"
    (work / "mkdocs-bare.yml").write_text(config, encoding="utf-8")
    return measure([PY, "-m", "mkdocs", "build", "-q", "-f", str(work / "mkdocs-bare.yml")])


def main() -> None:
    parser = argparse.ArgumentParser(description="qms-site benchmark")
    parser.add_argument("--size", choices=SIZES, default="tiny")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--keep", type=Path, help="work folder to keep (default: a temporary one)")
    parser.add_argument("--revisions", type=int, default=None, help="revisions per document (default 20 at large, 3 otherwise)")
    parser.add_argument("--history", action="store_true",
                        help="commit each revision of the synthetic documents (default: one commit, revisions in the front matter)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix=f"qms-bench-{args.size}-"))
    repo = work / "repo"
    revisions = args.revisions or (20 if args.size == "large" else 3)
    started = time.perf_counter()
    generate(repo, args.size, revisions, history=args.history)
    commits = ", one commit each" if args.history else ""
    print(f"generated {args.size} manual ({revisions} revisions per document{commits}) in {time.perf_counter() - started:.1f} s")
    os.sync()  # so that writing back the 100,000 new files to disk does not fall into the first steps measured
    steps = {
        "check_cold": measure(qms(repo, "check")),
        "check_warm": measure(qms(repo, "check")),
        "build_cold": measure(qms(repo, "build", "--out", str(work / "site-staff"), "--quiet")),
    }
    edit_one_procedure(repo)
    steps["build_warm"] = measure(qms(repo, "build", "--out", str(work / "site-staff"), "--quiet"))
    steps["auditor"] = measure(qms(repo, "build", "--audience", "auditor", "--out", str(work / "site-auditor"), "--quiet"))
    steps["bare_mkdocs"] = bare_mkdocs(repo, work)
    serve_figures = work / "serve.json"
    steps["serve"] = measure([PY, str(ROOT / "bench" / "serve_rebuild.py"), str(repo), "--json", str(serve_figures)], cwd=work)
    serve = json.loads(serve_figures.read_text(encoding="utf-8")) if serve_figures.exists() else {}
    for name, figures in steps.items():
        note = "" if figures["exit"] == 0 else f"  (exit {figures['exit']}: {figures['stderr_tail'].strip().splitlines()[-1:]})"
        print(f"{name:12} wall {figures['wall_s']:7.2f} s  cpu {figures['cpu_s']:7.2f} s  peak {figures['peak_mb']:7.1f} MB{note}")
    bare = steps["bare_mkdocs"]["wall_s"] or 1
    print(f"ratios: staff build / bare mkdocs = {steps['build_cold']['wall_s'] / bare:.2f}; "
          f"auditor / staff = {steps['auditor']['wall_s'] / max(steps['build_cold']['wall_s'], 0.01):.2f}")
    result = {f"{name}_s": figures["wall_s"] for name, figures in steps.items()}
    result = {"check_cold_s": result["check_cold_s"], "check_warm_s": result["check_warm_s"],
              "build_cold_s": result["build_cold_s"], "build_warm_s": result["build_warm_s"],
              "auditor_s": result["auditor_s"], "bare_mkdocs_s": result["bare_mkdocs_s"],
              "peak_mb": max(f["peak_mb"] for f in steps.values()), "size": args.size,
              "serve_rebuild_s": serve.get("serve_rebuild_s", -1.0), "serve_first_edit_s": serve.get("serve_first_edit_s", -1.0),
              "cpu_s": {name: figures["cpu_s"] for name, figures in steps.items()}, "steps": steps}
    print(f"serve (dirty reload): first edit {result['serve_first_edit_s']} s, next edit {result['serve_rebuild_s']} s")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
