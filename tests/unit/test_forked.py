"""forked.run_all: results in order, computed in worker processes only when forking is safe."""

import os
import threading

from site_builder import forked


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
