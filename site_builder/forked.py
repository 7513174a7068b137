"""Independent CPU-bound jobs in forked worker processes, when that is safe.

Fork (not spawn) so that workers inherit what the parent already built (compiled validators,
the model, the leak scanner's patterns) without pickling it; only when this process runs no
other thread, because a fork taken while another thread holds a lock can deadlock (MkDocs'
`serve` runs a web server thread, so there the jobs run one after the other here).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
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


class Background:
    """Jobs running in one forked child while this process goes on (e.g. while MkDocs renders);
    `results()` waits for them.  Without a safe fork the jobs have already run when `start` returns.
    Results come back over a multiprocessing pipe, as from `run_all`'s pool."""

    def __init__(self, pid: int | None, connection=None, done: list | None = None) -> None:
        self._pid, self._connection, self._done = pid, connection, done

    def results(self) -> list:
        if self._done is None:
            try:
                outcome, value = self._connection.recv()
            except (EOFError, OSError):
                outcome, value = "error", "the worker ended without a result"
            self._connection.close()
            self._connection = None
            os.waitpid(self._pid, 0)
            self._pid = None
            if outcome != "ok":
                raise RuntimeError(f"background job failed: {value}")
            self._done = value
        return self._done

    def cancel(self) -> None:
        """Stop a child whose results are no longer wanted (the build failed)."""
        self._pid = stop(self._pid)
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def stop(pid: int | None) -> None:
    """Kill and reap a forked child (no-op for None); returns None, for `self._pid = stop(self._pid)`."""
    if pid is not None:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)


def start(jobs: list[Callable[[], T]]) -> Background:
    """Run `jobs` one after the other in a forked child; results must be picklable."""
    if not jobs or not fork_is_safe():
        return Background(None, None, [job() for job in jobs])
    receiver, sender = multiprocessing.Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:  # the child: never return into the caller's code
        try:
            receiver.close()
            with contextlib.suppress(OSError):
                os.nice(10)  # the caller's own work (MkDocs rendering) comes first
            try:
                message = ("ok", [job() for job in jobs])
            except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
                message = ("error", f"{type(exc).__name__}: {exc}")
            sender.send(message)
        finally:
            os._exit(0)
    sender.close()
    return Background(pid, receiver)
