"""Independent CPU-bound jobs in forked worker processes, when that is safe.

Fork (not spawn) so that workers inherit what the parent already built (compiled validators,
the model, the leak scanner's patterns) without pickling it; only when this process runs no
other thread, because a fork taken while another thread holds a lock can deadlock (MkDocs'
`serve` runs a web server thread, so there the jobs run one after the other here).
"""

from __future__ import annotations

import contextlib
import fcntl
import mmap
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
JOBS_ENV = "QMS_JOBS"
BACKGROUND_NICE = 10  # background children yield to the caller's own work (MkDocs rendering)
#: for work nobody waits on until the end (archive pages): yields to the background children MkDocs waits on
LOWEST_NICE = 19
_PIPE_BYTES = 1 << 20

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
            _close((self._connection,))
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
            _close((self._connection,))
            self._connection = None


def stop(pid: int | None) -> None:
    """Kill and reap a forked child (no-op for None); returns None, for `self._pid = stop(self._pid)`."""
    if pid is not None:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)


def start(jobs: list[Callable[[], T]], nice: int = BACKGROUND_NICE) -> Background:
    """Run `jobs` one after the other in a forked child (at priority `nice`); results must be picklable."""
    if not jobs or not fork_is_safe():
        return Background(None, None, [job() for job in jobs])
    receiver, sender = multiprocessing.Pipe(duplex=False)

    def child() -> None:
        try:
            message = ("ok", [job() for job in jobs])
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
            message = ("error", f"{type(exc).__name__}: {exc}")
        sender.send(message)

    return Background(_fork(child, nice, parent_ends=(receiver,), child_ends=(sender,)), receiver)


class Feed:
    """A forked child fed items one at a time (e.g. pages as MkDocs writes them): `handle(item)`
    runs in the child for each, in order, and `close()` returns what `finish()` gives there at the
    end.  Any failure of the child (or an item that cannot be sent) makes `close()` return None,
    and the caller does the work itself.  The caller checks `fork_is_safe()` first.

    `close(hand_back=True)` tells the child to leave the items it has not started yet: `finish(True)`
    then runs at once, and the caller does the rest itself (on every core, where the child has one);
    otherwise the child handles every item and then runs `finish(False)`."""

    def __init__(self, handle: Callable[[object], None], finish: Callable[[bool], object],
                 nice: int = BACKGROUND_NICE) -> None:
        items_in, self._items_out = multiprocessing.Pipe(duplex=False)
        self._result_in, result_out = multiprocessing.Pipe(duplex=False)
        with contextlib.suppress(OSError, AttributeError):  # room for many items, so that the caller rarely waits
            fcntl.fcntl(self._items_out.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
        self._hand_back = mmap.mmap(-1, 1)  # shared with the child: set by the caller, read by the child

        def child() -> None:
            while True:
                try:
                    item = items_in.recv()
                except EOFError:
                    return  # the caller is gone
                if item is None:
                    result_out.send(finish(self._handing_back()))
                    return
                if not self._handing_back():
                    handle(item)

        self.pid: int | None = _fork(child, nice, parent_ends=(self._items_out, self._result_in),
                                     child_ends=(items_in, result_out))

    def send(self, item) -> bool:
        """Hand `item` (not None) to the child; False when the child is gone."""
        if self.pid is None:
            return False
        try:
            self._items_out.send(item)
            return True
        except Exception:  # noqa: BLE001 - a closed pipe, or an item that cannot be pickled
            self.cancel()
            return False

    def _handing_back(self) -> bool:
        """(In the child) has the caller asked for the items not started yet back?"""
        return self._hand_back[0] == 1

    def close(self, hand_back: bool = False):
        """End the feed and return the child's `finish()` (None if the child failed); with `hand_back`,
        the child handles no further item (the caller learns from `finish()` which ones it did)."""
        if self.pid is None:
            return None
        if hand_back:
            self._hand_back[0] = 1
        try:
            self._items_out.send(None)
            result = self._result_in.recv()
        except (OSError, EOFError, ValueError):
            result = None
        self.cancel()
        return result

    def cancel(self) -> None:
        _close((self._items_out, self._result_in))
        self.pid = stop(self.pid)


#: this process's ends of the pipes to its children: a later child closes them all, so that a
#: child sees the end of its input when this process goes away, whichever children are left
_PARENT_ENDS: set = set()


def _fork(child: Callable[[], None], nice: int, parent_ends=(), child_ends=()) -> int:
    """Fork; the child closes every parent end of any child's pipes, lowers its priority, runs
    `child` and exits without ever returning into the caller's code.  Returns the child's pid."""
    _PARENT_ENDS.update(parent_ends)
    pid = os.fork()
    if pid == 0:
        try:
            _close(tuple(_PARENT_ENDS))
            with contextlib.suppress(OSError):
                os.nice(nice)
            child()
        finally:
            os._exit(0)
    _close(child_ends)
    return pid


def _close(connections) -> None:
    for connection in connections:
        connection.close()
        _PARENT_ENDS.discard(connection)
