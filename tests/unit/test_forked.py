"""forked.run_all: results in order, computed in worker processes only when forking is safe."""

import os
import threading

import pytest

from site_builder.fast import forked


def test_results_come_back_in_order_from_worker_processes():
    parent = os.getpid()
    jobs = [lambda i=i: (i * i, os.getpid()) for i in range(5)]
    results = forked.run_all(jobs, processes=2)
    assert [square for square, _ in results] == [0, 1, 4, 9, 16]
    if forked.fork_is_safe():
        assert all(pid != parent for _, pid in results)


def test_with_another_thread_running_the_jobs_run_here():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not forked.fork_is_safe()
        assert forked.run_all([os.getpid, os.getpid], processes=2) == [os.getpid()] * 2
    finally:
        stop.set()
        thread.join()


def test_one_process_or_one_job_runs_here(monkeypatch):
    monkeypatch.setenv(forked.JOBS_ENV, "1")
    assert forked.workers() == 1
    assert forked.run_all([os.getpid, os.getpid]) == [os.getpid()] * 2
    monkeypatch.setenv(forked.JOBS_ENV, "3")
    assert forked.workers() == 3
    assert forked.run_all([os.getpid], processes=3) == [os.getpid()]


def test_an_exception_in_a_job_reaches_the_caller():
    def broken():
        raise ValueError("job failed")

    try:
        forked.run_all([lambda: 1, broken], processes=2)
    except ValueError as error:
        assert "job failed" in str(error)
    else:
        raise AssertionError("the error was swallowed")


def test_background_jobs_run_in_a_child_while_the_caller_goes_on():
    parent = os.getpid()
    running = forked.start([lambda: ("a", os.getpid()), lambda: (b"x" * 3_000_000, os.getpid())])
    results = running.results()
    assert [value for value, _ in results] == ["a", b"x" * 3_000_000]  # larger than a pipe's buffer
    assert all(pid != parent for _, pid in results) == forked.fork_is_safe()
    assert running.results() is results  # waited for once


def test_a_failing_background_job_is_reported_by_results():
    if not forked.fork_is_safe():  # (another test left a thread running) the job runs at once, and raises there
        with pytest.raises(ZeroDivisionError):
            forked.start([lambda: 1 / 0])
        return
    running = forked.start([lambda: 1 / 0])
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        running.results()


def test_a_cancelled_background_job_leaves_no_child():
    stop = forked.start([lambda: __import__("time").sleep(30)])
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
assert forked.fork_is_safe()
handled = []

def handle(item):
    time.sleep(0.2)
    handled.append(item)

feed = forked.Feed(handle, lambda handed_back: (handed_back, handled))
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
