"""forked.Children: results in order, computed in worker processes only when forking is safe and the
build asked for more than one process; Children(1) (the plain path) runs everything here, in order."""

import os
import threading
import time

import pytest

from site_builder.fast import forked
from site_builder.fast.forked import Children


def test_results_come_back_in_order_from_worker_processes():
    parent = os.getpid()
    jobs = [lambda i=i: (i * i, os.getpid()) for i in range(5)]
    results = Children(2).run_all(jobs)
    assert [square for square, _ in results] == [0, 1, 4, 9, 16]
    if forked.fork_is_safe():
        assert all(pid != parent for _, pid in results)


def test_run_all_gives_what_the_plain_path_gives_in_order_whatever_the_jobs_take():
    """Slow jobs first: later ones finish earlier in other workers, and still come back in their place."""
    def job(i: int):
        time.sleep(0.05 * (i % 3 == 0))
        return {"job": i, "data": [i] * i}

    jobs = [lambda i=i: job(i) for i in range(12)]
    plain = Children(1).run_all(jobs)
    assert plain == [job(i) for i in range(12)]
    assert Children(3).run_all(jobs) == plain
    assert list(Children(3).each(jobs)) == plain
    assert Children(3).run_all([]) == [] == Children(1).run_all([])


def test_the_plain_path_runs_every_job_here_in_order():
    children = Children(1)
    assert children.processes == 1 and not children.parallel()
    order: list[int] = []
    jobs = [lambda i=i: order.append(i) or (i, os.getpid(), threading.get_ident()) for i in range(4)]
    assert children.run_all(jobs) == [(i, os.getpid(), threading.get_ident()) for i in range(4)]
    assert order == [0, 1, 2, 3]
    assert children.start([lambda: os.getpid()]).results() == [os.getpid()]  # (run at once, here)
    assert children.feed(lambda item: None, lambda handed_back: None) is None  # (the caller does the work itself)


def test_at_least_one_process():
    with pytest.raises(ValueError):
        Children(0)


def test_default_processes_are_the_cpus_this_process_may_use_at_most_eight():
    assert 1 <= forked.default_processes() <= forked.MAX_PROCESSES
    assert forked.default_processes() <= len(os.sched_getaffinity(0))


def test_with_another_thread_running_the_jobs_run_here():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not forked.fork_is_safe() and not Children(2).parallel()
        assert Children(2).run_all([os.getpid, os.getpid]) == [os.getpid()] * 2
    finally:
        stop.set()
        thread.join()


def test_one_process_or_one_job_runs_here():
    assert Children(1).run_all([os.getpid, os.getpid]) == [os.getpid()] * 2
    assert Children(3).run_all([os.getpid]) == [os.getpid()]


@pytest.mark.parametrize("processes", [1, 2, 3])
def test_an_exception_in_a_job_reaches_the_caller(processes):
    def broken():
        raise ValueError("job failed")

    with pytest.raises(ValueError, match="job failed"):
        Children(processes).run_all([lambda: 1, broken, lambda: 3])


def test_a_failing_job_stops_the_other_workers(request):
    """The caller hears of the failure at once, not after the slow jobs, and no worker is left behind."""
    def broken():
        raise KeyError("gone")

    children, before = Children(3), _child_pids()
    if not children.parallel():
        return _alone(request)
    started = time.monotonic()
    with pytest.raises(KeyError, match="gone"):
        children.run_all([lambda: time.sleep(30), broken, lambda: time.sleep(30)])
    assert time.monotonic() - started < 20
    assert _child_pids() <= before  # (killed and reaped)
    assert not children._parent_ends  # (every pipe to a worker is closed)


class TwoArguments(Exception):
    """Pickled as TwoArguments("1 and 2"), which cannot be made again."""

    def __init__(self, a, b):
        super().__init__(f"{a} and {b}")


def test_an_exception_that_cannot_be_read_back_is_reported_by_name(request):
    def broken():
        raise TwoArguments(1, 2)

    children = Children(2)
    if not children.parallel():
        return _alone(request)
    with pytest.raises(RuntimeError, match="TwoArguments: 1 and 2"):
        children.run_all([broken, lambda: 1])


def test_an_exception_that_cannot_travel_back_is_reported_by_name(request):
    class Unpicklable(Exception):
        def __init__(self, a, b):
            super().__init__(f"{a} and {b}")

    def broken():
        raise Unpicklable(1, 2)

    children = Children(2)
    if not children.parallel():
        return _alone(request)
    with pytest.raises(RuntimeError, match="Unpicklable: 1 and 2"):
        children.run_all([broken, lambda: 1])


def test_a_worker_killed_in_a_job_is_an_error_not_a_hang(request):
    children, before = Children(2), _child_pids()
    if not children.parallel():
        return _alone(request)
    with pytest.raises(RuntimeError, match="signal 9"):
        children.run_all([lambda: os.kill(os.getpid(), 9), lambda: 1])
    assert _child_pids() <= before


def _child_pids() -> set[int]:
    """This process's children, running or not yet reaped (Linux)."""
    from pathlib import Path

    pids: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        try:
            pids.update(int(pid) for pid in (task / "children").read_text().split())
        except FileNotFoundError:
            continue  # (a thread of another test ended while the list was read)
    return pids


def test_background_jobs_run_in_a_child_while_the_caller_goes_on():
    parent = os.getpid()
    children = Children(2)
    running = children.start([lambda: ("a", os.getpid()), lambda: (b"x" * 3_000_000, os.getpid())])
    results = running.results()
    assert [value for value, _ in results] == ["a", b"x" * 3_000_000]  # larger than a pipe's buffer
    assert all(pid != parent for _, pid in results) == forked.fork_is_safe()
    assert running.results() is results  # waited for once


def test_a_failing_background_job_is_reported_by_results():
    children = Children(2)
    if not children.parallel():  # (another test left a thread running) the job runs at once, and raises there
        with pytest.raises(ZeroDivisionError):
            children.start([lambda: 1 / 0])
        return
    running = children.start([lambda: 1 / 0])
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        running.results()


def test_a_cancelled_background_job_leaves_no_child():
    stop = Children(2).start([lambda: __import__("time").sleep(30)])
    pid = stop._pid
    stop.cancel()
    if pid is not None:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass  # reaped by cancel
        else:
            raise AssertionError("child still there")


FEED = """
import time
from site_builder.fast import forked
children = forked.Children(2)
assert children.parallel()
handled = []

def handle(item):
    time.sleep(0.2)
    handled.append(item)

feed = children.feed(handle, lambda handed_back: (handed_back, handled))
for item in range(int(HOW_MANY)):
    assert feed.send(item)
print(feed.close(hand_back=HAND_BACK))
"""


def _feed_in_a_fresh_process(how_many: int, hand_back: bool) -> str:
    """(a fresh interpreter: forking is only taken when no other thread runs, and other tests may leave one)"""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = FEED.replace("HOW_MANY", str(how_many)).replace("HAND_BACK", str(hand_back))
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=root,
                         env={**os.environ, "PYTHONPATH": str(root)})
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout.strip()


def test_a_feed_handles_every_item_before_it_finishes():
    assert _feed_in_a_fresh_process(5, hand_back=False) == "(False, [0, 1, 2, 3, 4])"


def test_a_feed_closed_with_hand_back_leaves_the_items_it_has_not_started():
    import ast

    handed_back, handled = ast.literal_eval(_feed_in_a_fresh_process(20, hand_back=True))
    assert handed_back is True and handled == list(range(len(handled))) and len(handled) < 20


def _alone(request) -> None:
    """Run the calling test again in a fresh interpreter: workers are forked only when no other thread
    runs, and another test of the suite may have left one (the test would otherwise prove nothing)."""
    import subprocess
    import sys

    if os.environ.get("QMS_TEST_ALONE"):
        pytest.fail("a thread runs even in a fresh interpreter: nothing can be forked")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"{__file__}::{request.node.name}"],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "QMS_TEST_ALONE": "1"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
