"""Independent CPU-bound jobs in forked worker processes, when that is safe.

Fork (not spawn) so that workers inherit what the parent already built (compiled validators,
the model, the leak scanner's patterns) without pickling it; only when this process runs no
other thread, because a fork taken while another thread holds a lock can deadlock (MkDocs'
`serve` runs a web server thread, so there the jobs run one after the other here).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
JOBS_ENV = "QMS_JOBS"

_JOBS: list[Callable[[], object]] | None = None


def workers() -> int:
    """Worker processes to use: QMS_JOBS, else the CPUs this process may use (at most 8)."""
    try:
        wanted = int(os.environ.get(JOBS_ENV, "0"))
    except ValueError:
        wanted = 0
    if wanted > 0:
        return wanted
    try:
        return max(1, min(len(os.sched_getaffinity(0)), 8))
    except AttributeError:
        return max(1, min(os.cpu_count() or 1, 8))


def fork_is_safe() -> bool:
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


def run_all(jobs: list[Callable[[], T]], processes: int | None = None) -> list[T]:
    """The results of `jobs`, in order.  Results must be picklable (they travel back from a worker)."""
    processes = min(processes or workers(), len(jobs))
    if processes < 2 or not fork_is_safe():
        return [job() for job in jobs]
    global _JOBS
    _JOBS = list(jobs)
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            return pool.map(_run, range(len(jobs)), chunksize=1)
    finally:
        _JOBS = None


def _run(index: int):
    return _JOBS[index]()
