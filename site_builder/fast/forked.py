"""Independent CPU-bound jobs in forked worker processes, when that is safe.

Replaces: every job run in this process, one after the other, in order.  That is the plain path
(`--plain`, or `Children(1)`): `run_all` then calls the jobs in order, `start` runs them at once
and `feed` gives no child, so that each caller does the work itself.
tests/unit/test_forked.py proves the two give the same results (in order, a failing job raises).

Fork (not spawn) so that workers inherit what the parent already built (compiled validators,
the model, the leak scanner's patterns, the jobs themselves as closures) without pickling it;
only when this process runs no other thread, because a fork taken while another thread holds a
lock can deadlock (MkDocs' `serve` runs a web server thread, so there the jobs run one after the
other here).  A build holds one `Children`; it keeps track of this process's ends of the pipes to
its children, which every later child closes.
"""

from __future__ import annotations

import contextlib
import fcntl
import mmap
import multiprocessing
import os
import signal
import threading
import traceback
from collections.abc import Callable, Iterator
from functools import partial
from multiprocessing.connection import wait
from typing import TypeVar

T = TypeVar("T")
MAX_PROCESSES = 8
BACKGROUND_NICE = 10  # background children yield to the caller's own work (MkDocs rendering)
#: for work nobody waits on until the end (archive pages): yields to the background children MkDocs waits on
LOWEST_NICE = 19
_PIPE_BYTES = 1 << 20


def default_processes() -> int:
    """The CPUs this process may use, at most MAX_PROCESSES."""
    try:
        return max(1, min(len(os.sched_getaffinity(0)), MAX_PROCESSES))
    except AttributeError:
        return max(1, min(os.cpu_count() or 1, MAX_PROCESSES))


def fork_is_safe() -> bool:
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


class Children:
    """The forked children of one build.  `processes == 1` is the plain path: everything runs in this
    process, in order."""

    def __init__(self, processes: int = 1) -> None:
        if processes < 1:
            raise ValueError(f"processes must be at least 1, not {processes}")
        self.processes = processes
        #: this process's ends of the pipes to its children: a later child closes them all, so that a
        #: child sees the end of its input when this process goes away, whichever children are left
        self._parent_ends: set = set()

    def parallel(self) -> bool:
        """Do jobs go to forked children (more than one process, and a fork is safe now)?"""
        return self.processes > 1 and fork_is_safe()

    def run_all(self, jobs: list[Callable[[], T]]) -> list[T]:
        """The results of `jobs`, in order.  Results must be picklable (they travel back from a worker);
        a failing job raises its exception here (the other workers are stopped)."""
        return list(self.each(jobs))

    def each(self, jobs: list[Callable[[], T]]) -> Iterator[T]:
        """`run_all`, one result at a time as soon as it and those before it are done."""
        jobs = list(jobs)
        processes = min(self.processes, len(jobs))
        if processes < 2 or not fork_is_safe():
            return (job() for job in jobs)
        return self._in_workers(jobs, processes)

    def _in_workers(self, jobs: list[Callable[[], T]], processes: int) -> Iterator[T]:
        """Workers take the next job's index from a shared counter (one job at a time, so that a slow
        job holds up no other) and send back (index, done, value) over a pipe of their own."""
        context = multiprocessing.get_context("fork")
        following = context.Value("q", 0)  # the index of the next job to take

        def worker(sender) -> None:
            while True:
                with following.get_lock():
                    index = following.value
                    following.value += 1
                if index >= len(jobs):
                    return
                try:
                    value = jobs[index]()
                except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
                    _send_error(sender, index, exc)
                    return
                try:
                    sender.send((index, True, value))
                except Exception as exc:  # noqa: BLE001 - a result that cannot be pickled (nothing was sent)
                    _send_error(sender, index, RuntimeError(f"job {index}: its result cannot be sent back: {exc!r}"))
                    return

        running: dict = {}  # receiver -> pid
        try:
            for _ in range(processes):
                receiver, sender = multiprocessing.Pipe(duplex=False)
                running[receiver] = self._fork(partial(worker, sender), 0, parent_ends=(receiver,), child_ends=(sender,))
            results: dict[int, T] = {}
            following_index = 0
            while following_index < len(jobs):
                if not running:
                    raise RuntimeError(f"a worker process ended without the result of job {following_index}")
                for receiver in wait(list(running)):
                    try:
                        index, done, value = receiver.recv()
                    except (EOFError, OSError):  # the worker has ended: normally when no job is left
                        self._close((receiver,))
                        _, status = os.waitpid(running.pop(receiver), 0)
                        if not os.WIFEXITED(status):  # (killed: perhaps in a job, or holding the counter's lock)
                            raise RuntimeError(f"a worker process was ended by signal {os.WTERMSIG(status)}") from None
                        continue
                    if not done:
                        raise _error_from(receiver, value)
                    results[index] = value
                while following_index in results:
                    yield results.pop(following_index)
                    following_index += 1
        finally:
            for receiver, pid in running.items():
                self._close((receiver,))
                stop(pid)

    def start(self, jobs: list[Callable[[], T]], nice: int = BACKGROUND_NICE) -> Background:
        """Run `jobs` one after the other in a forked child (at priority `nice`); results must be picklable.
        On the plain path (or without a safe fork) the jobs have run when this returns."""
        if not jobs or not self.parallel():
            return Background(self, None, None, [job() for job in jobs])
        receiver, sender = multiprocessing.Pipe(duplex=False)

        def child() -> None:
            try:
                message = ("ok", [job() for job in jobs])
            except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
                message = ("error", f"{type(exc).__name__}: {exc}")
            sender.send(message)

        return Background(self, self._fork(child, nice, parent_ends=(receiver,), child_ends=(sender,)), receiver)

    def feed(self, handle: Callable[[object], None], finish: Callable[[bool], object],
             nice: int = BACKGROUND_NICE) -> Feed | None:
        """A forked child fed items one at a time (see Feed); None on the plain path or without a safe
        fork (the caller does the work itself)."""
        if not self.parallel():
            return None
        return Feed(self, handle, finish, nice)

    def _fork(self, child: Callable[[], None], nice: int, parent_ends=(), child_ends=()) -> int:
        """Fork; the child closes every parent end of any child's pipes, lowers its priority, runs
        `child` and exits without ever returning into the caller's code.  Returns the child's pid."""
        self._parent_ends.update(parent_ends)
        pid = os.fork()
        if pid == 0:
            try:
                self._close(tuple(self._parent_ends))
                if nice:
                    with contextlib.suppress(OSError):
                        os.nice(nice)
                child()
            finally:
                os._exit(0)
        self._close(child_ends)
        return pid

    def _close(self, connections) -> None:
        for connection in connections:
            connection.close()
            self._parent_ends.discard(connection)


def _send_error(sender, index: int, exc: BaseException) -> None:
    """(In a worker) report that job `index` raised `exc`: (index, False, its text), then the exception
    itself with the worker's traceback as a note, or a RuntimeError with its text if it cannot be sent."""
    text = f"{type(exc).__name__}: {exc}"
    sender.send((index, False, text))
    exc.add_note("in a worker process:\n" + "".join(traceback.format_exception(exc)).rstrip())
    try:
        sender.send(exc)
    except Exception:  # noqa: BLE001 - an exception that cannot be pickled (nothing was sent)
        sender.send(RuntimeError(text))


def _error_from(receiver, text: str) -> BaseException:
    """(In the parent) the exception a worker sent after (index, False, `text`); a RuntimeError with the text
    when it cannot be read back as it was (e.g. an exception class whose arguments are not its args)."""
    try:
        return receiver.recv()
    except Exception:  # noqa: BLE001 - whatever unpickling the exception raised
        return RuntimeError(text)


class Background:
    """Jobs running in one forked child while this process goes on (e.g. while MkDocs renders);
    `results()` waits for them.  Without a child the jobs have already run when `Children.start`
    returns.  Results come back over a multiprocessing pipe."""

    def __init__(self, children: Children, pid: int | None, connection=None, done: list | None = None) -> None:
        self._children, self._pid, self._connection, self._done = children, pid, connection, done

    def results(self) -> list:
        if self._done is None:
            try:
                outcome, value = self._connection.recv()
            except (EOFError, OSError):
                outcome, value = "error", "the worker ended without a result"
            self._children._close((self._connection,))
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
            self._children._close((self._connection,))
            self._connection = None


def stop(pid: int | None) -> None:
    """Kill and reap a forked child (no-op for None); returns None, for `self._pid = stop(self._pid)`."""
    if pid is not None:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)


class Feed:
    """A forked child fed items one at a time (e.g. pages as MkDocs writes them): `handle(item)`
    runs in the child for each, in order, and `close()` returns what `finish()` gives there at the
    end.  Any failure of the child (or an item that cannot be sent) makes `close()` return None,
    and the caller does the work itself.  Made by `Children.feed`, which checks that a fork is safe.

    `close(hand_back=True)` tells the child to leave the items it has not started yet: `finish(True)`
    then runs at once, and the caller does the rest itself (on every core, where the child has one);
    otherwise the child handles every item and then runs `finish(False)`."""

    def __init__(self, children: Children, handle: Callable[[object], None], finish: Callable[[bool], object],
                 nice: int = BACKGROUND_NICE) -> None:
        self._children = children
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

        self.pid: int | None = children._fork(child, nice, parent_ends=(self._items_out, self._result_in),
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
        self._children._close((self._items_out, self._result_in))
        self.pid = stop(self.pid)
