"""Time the history extraction on a large generated git history and print the figures.

    python bench/history_scale.py [--documents 1000] [--revisions 20] [--keep DIR] [--check]

The repository is written with one `git fast-import` stream (seconds, not minutes): every
document gets `--revisions` versions, each in its own commit (1,000 x 20 = 20,000 commits and
file versions), with revision entries, effective dates and a changed body per version.  Then
it times `read_log` (one `git log` + one `git cat-file --batch`), the per-number states
(key fields of every file version; the full parse and fingerprint only where needed) and the timelines, and with --check the whole
`check` (which includes SB410-SB413).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.generate import QMS_YAML, SENTENCES  # noqa: E402
from site_builder.check import run as pipeline  # noqa: E402
from site_builder.history import compute_history  # noqa: E402
from site_builder.history.gitlog import read_log  # noqa: E402
from site_builder.history.signatures import SignatureMemo, approval_signatures  # noqa: E402
from site_builder.history.states import item_states  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
START = date(2015, 1, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--revisions", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="write (or reuse) the repository here")
    parser.add_argument("--check", action="store_true", help="also time the whole check")
    parser.add_argument("--signatures", action="store_true",
                        help="also time the verification of every approval commit (issue 24), cold and cached")
    args = parser.parse_args()
    target = args.keep or Path(tempfile.mkdtemp(prefix="qms-history-bench-"))
    if not (target / ".git").exists():
        started = time.perf_counter()
        generate(target, args.documents, args.revisions)
        print(f"generated {args.documents} documents x {args.revisions} revisions in "
              f"{time.perf_counter() - started:.1f} s at {target}")
    measure(target, args.check)
    if args.signatures:
        measure_signatures(target)
    if args.keep is None:
        shutil.rmtree(target, ignore_errors=True)


def measure(root: Path, with_check: bool) -> None:
    started = time.perf_counter()
    log = read_log(root)
    read = time.perf_counter()
    states = item_states(log)
    parsed = time.perf_counter()
    versions = sum(len(s) for s in states.values())
    print(f"git log + cat-file --batch: {read - started:.2f} s ({len(log.commits)} commits, {len(log.blobs)} blobs, "
          f"{sum(len(b) for b in log.blobs.values()) / 1e6:.0f} MB)")
    print(f"states by document number ({versions} file versions of {len(states)} documents; full parse deferred "
          f"to the versions compared or shown): {parsed - read:.2f} s")
    print(f"history extraction: {parsed - started:.2f} s")
    if with_check:
        started = time.perf_counter()
        result = pipeline.check(root, date(2026, 12, 6))
        found = [d for d in result.diagnostics if d.code in ("SB410", "SB411", "SB412", "SB413")]
        print(f"check (every rule, history included): {time.perf_counter() - started:.2f} s; {result.errors} errors, "
              f"{len(found)} history findings")
        started = time.perf_counter()
        history = compute_history(root, result.manual)
        print(f"compute_history ({len(history.timelines)} timelines): {time.perf_counter() - started:.2f} s")


def measure_signatures(root: Path) -> None:
    """Every version released in git is an approval to verify (the bench's qms.yaml leaves signing at
    its default, warn, without a start date): one `git log --no-walk` over them when nothing is cached,
    none when .qms-cache/signatures.json holds them."""
    result = pipeline.check(root, date(2026, 12, 6))  # (writes the cache of this allowed-signers list)
    (root / ".qms-cache" / "signatures.json").unlink(missing_ok=True)
    for label, use_disk in (("cold", False), ("cold, writing the cache", True), ("cached", True)):
        started = time.perf_counter()
        found = approval_signatures(root, result.history.timelines, result.worktree, SignatureMemo(), use_disk)
        counted = sum(1 for s in found.values() if s.status != "not_required")
        print(f"approval signatures ({label}): {time.perf_counter() - started:.2f} s for {counted} approval commits")


def generate(target: Path, documents: int, revisions: int) -> None:
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(target)], check=True)
    stream = _FastImport()
    stream.commit(_fixed_files(), datetime(2015, 1, 1, 9), "repository skeleton")
    for revision in range(revisions):
        for number in range(documents):
            day = START + timedelta(days=30 * revision + number % 30)
            path = f"procedures/QP-{1000 + number}.md"
            when = datetime.combine(day + timedelta(days=1), datetime.min.time()) + timedelta(hours=10, seconds=number)
            stream.commit({path: _document(1000 + number, revision, number)}, when, f"QP-{1000 + number} A{revision}")
    subprocess.run(["git", "-C", str(target), "fast-import", "--quiet"], input=stream.data(), check=True)
    subprocess.run(["git", "-C", str(target), "checkout", "-q", "-f", "main"], check=True)


class _FastImport:
    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.mark = 0
        self.last: int | None = None

    def commit(self, files: dict[str, bytes], when: datetime, message: str) -> None:
        blobs = {}
        for path, content in files.items():
            self.mark += 1
            blobs[path] = self.mark
            self.parts.append(b"blob\nmark :%d\ndata %d\n%s\n" % (self.mark, len(content), content))
        self.mark += 1
        epoch = int(when.timestamp())
        text = message.encode("utf-8")
        head = (b"commit refs/heads/main\nmark :%d\nauthor Bench <bench@example.invalid> %d +0800\n"
                b"committer Bench <bench@example.invalid> %d +0800\ndata %d\n%s\n" % (self.mark, epoch, epoch, len(text), text))
        self.parts.append(head + (b"from :%d\n" % self.last if self.last else b""))
        self.parts += [b"M 100644 :%d %s\n" % (mark, path.encode("utf-8")) for path, mark in blobs.items()]
        self.parts.append(b"\n")
        self.last = self.mark

    def data(self) -> bytes:
        return b"".join(self.parts)


def _fixed_files() -> dict[str, bytes]:
    files = {"qms.yaml": QMS_YAML.encode("utf-8")}
    for name in ("organisation.yaml", "mkdocs.yml"):
        files[name] = (ROOT / name).read_bytes()
    for schema in sorted((ROOT / "schemas").glob("*.json")):
        files[f"schemas/{schema.name}"] = schema.read_bytes()
    return files


def _document(number: int, revision: int, seed: int) -> bytes:
    day = START + timedelta(days=seed % 30)
    entries = "\n".join(f"  - {{version: A{i}, date: {day + timedelta(days=30 * i)}, sections: 全文, change: 第{i + 1}次修订, "
                        f"approved_by: 林秀琴}}" for i in range(revision + 1))
    last = day + timedelta(days=30 * revision)
    body = "\n\n".join(f"## {n} 章节\n\n" + "".join(SENTENCES[(seed + n + k) % len(SENTENCES)] for k in range(6))
                       + (f"（第{revision}版修订内容。）" if n == revision % 5 + 1 else "") for n in range(1, 6))
    return f"""---
id: QP-{number}
title: 合成程序文件 QP-{number}
level: 2
version: A{revision}
status: effective
owner: 质量部
prepared_by: {{name: 唐振宇, date: {last}}}
reviewed_by: {{name: 郑嘉怡, date: {last}}}
approved_by: {{name: 林秀琴, date: {last}}}
effective: {last}
review_period_months: 120
distribution:
  - {{department: 质量部, copies: 1, copy_numbers: ["01"]}}
revisions:
{entries}
related_documents: []
related_forms: []
---
{body}
""".encode()


if __name__ == "__main__":
    main()
