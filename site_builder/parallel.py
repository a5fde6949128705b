"""Work in parallel, one way: forked processes that inherit what they work on.

Parsing, rendering and indexing hand big in-memory structures (the site, the plan, a part's documents) to
other processes. Forking shares them for free, where pickling them to spawned workers would cost more than
the work. So every parallel step of the pipeline goes through here:

* ``fork_map(func, tasks, jobs)`` — func(task) in a pool of forked workers, results in task order (or as they
  come); func may be a closure: it is inherited at the fork, never pickled. Only tasks and results travel.
* ``Forked(func, *args)`` — one call in a forked child while this process goes on; ``result()`` waits.
* ``side_by_side(first, second)`` — second() in a forked child while first() runs here.
* ``collector_paused()`` — Python's cyclic garbage collector off while a build makes its long-lived objects.

Workers ignore Ctrl-C: the terminal sends it to the whole process group, and the parent stops its workers.
Where fork is unavailable, or inside a pool worker (which may not have children), work runs in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
import traceback
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator

_JOB: Callable | None = None   # the function of the pool being created: inherited by its workers


def worker_count(jobs: int | None) -> int:
    """Worker processes for `jobs` (None: one per core the process may use)."""
    if jobs:
        return max(1, jobs)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon


def _ignore_interrupt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run(task):
    return _JOB(task)


def fork_map(func: Callable, tasks: Iterable, jobs: int | None, *, ordered: bool = True, fresh: bool = False,
             share: bool = False) -> Iterator:
    """func(task) for every task. `fresh`: a new process per task (memory returned after each); `share`: freeze
    the collector's view of inherited objects so that workers do not copy every page they would touch."""
    global _JOB
    tasks = list(tasks)
    workers = min(worker_count(jobs), len(tasks))
    if workers <= 1 or not can_fork():
        yield from map(func, tasks)
        return
    if share:
        if gc.isenabled():
            gc.collect()
        gc.freeze()
    _JOB = func
    try:
        pool = multiprocessing.get_context("fork").Pool(workers, initializer=_ignore_interrupt,
                                                        maxtasksperchild=1 if fresh else None)
    finally:
        _JOB = None   # the workers have their copy; a later pool must not see this one's
    try:
        results = pool.imap(_run, tasks, chunksize=1) if ordered else pool.imap_unordered(_run, tasks, chunksize=1)
        yield from results
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        if share:
            gc.unfreeze()


class Forked:
    """func(*args) in a forked child (its inputs inherited, not pickled); result() waits for its value or
    raises RuntimeError naming what failed in the child."""

    def __init__(self, func: Callable, *args):
        context = multiprocessing.get_context("fork")
        self._answer, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_answer_with, args=(send, func, args))
        self._process.start()
        send.close()

    def result(self):
        try:
            kind, value = self._answer.recv()
        except EOFError:
            kind, value = "error", "the process ended without an answer"
        self._process.join()
        if kind == "error":
            raise RuntimeError(f"{value} (exit code {self._process.exitcode})")
        return value

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()
        self._answer.close()


def _answer_with(send, func: Callable, args: tuple) -> None:
    _ignore_interrupt()
    try:
        send.send(("ok", func(*args)))
    except BaseException as exc:  # noqa: BLE001 - the parent raises it
        send.send(("error", f"{type(exc).__name__}: {exc}"))


def side_by_side(first: Callable, second: Callable) -> tuple:
    """(first(), second()), second() computed in a forked child meanwhile (in this process where that is not
    possible: a pool worker keeps its core busy already)."""
    if not can_fork():
        return first(), second()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: os._exit, so that nothing of the parent's (atexit, buffers) runs twice
        code = 1
        try:
            os.close(read)
            with os.fdopen(write, "wb") as answer:
                answer.write(pickle.dumps(second()))
            code = 0
        except BaseException:  # noqa: BLE001 - the parent reports the failure
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(write)
    try:
        result = first()
    finally:
        with os.fdopen(read, "rb") as answer:
            data = answer.read()
        _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{second.__name__} failed in a forked process")
    return result, pickle.loads(data)


@contextmanager
def collector_paused():
    """A build makes hundreds of thousands of long-lived objects and few reference cycles, and Python's cyclic
    collector would rescan all of them every so many allocations (measured: 0.9 s of a 8.7 s cold build of
    10,000 documents). Paused for the build (forked workers inherit the pause); no collection after it: the
    build's objects are freed by reference counting, and a full pass would cost 0.1–0.3 s of every rebuild."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
