"""Work in parallel, one way: forked processes that inherit what they work on.

Parsing, rendering and indexing hand big in-memory structures (the site, the plan, a part's documents) to
other processes. Forking shares them for free, where pickling them to spawned workers would cost more than
the work. So every parallel step of the pipeline goes through here:

* ``fork_map(func, tasks, jobs)`` — func(task) in a pool of forked workers, results in task order (or as they
  come); func may be a closure: it is inherited at the fork, never pickled. Only tasks and results travel.
* ``Forked(func, *args)`` — one call in a forked child while this process goes on; ``result()`` waits.
* ``side_by_side(first, second)`` — second() in a forked child while first() runs here.
* ``Resident(make, *args)`` — an object made and kept in a forked child with one thread, called through a pipe:
  for a process that runs threads (serve) and must fork workers (see the class).
* ``collector_paused()`` — Python's cyclic garbage collector off while a build makes its long-lived objects.

Workers ignore Ctrl-C: the terminal sends it to the whole process group, and the parent stops its workers.
Workers die with their parent (Linux: PR_SET_PDEATHSIG), so a `kill -9` of a run leaves no worker behind.
Where fork is unavailable, or inside a pool worker (which may not have children), work runs in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
import sys
import time
import traceback
from contextlib import contextmanager
from functools import cache
from typing import Callable, Iterable, Iterator

_JOB: Callable | None = None   # in a pool worker: its pool's function (set by _pool_worker)


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


def _worker_start(parent: int) -> None:
    """A worker ignores Ctrl-C, dies of the SIGTERM its pool stops it with whatever handler its parent had, and
    dies with its parent. A Python handler only runs between bytecodes: serve's, inherited, missed a SIGTERM that
    came as the worker was about to block on the task queue's lock (held by the terminating pool), and the worker
    and serve's first build waited forever (2 starts in 20 at 10,000 documents, on 2 loaded cores)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent)


PR_SET_PDEATHSIG = 1


@cache
def _prctl():
    """libc's prctl, or None (not Linux). Looked up in the parent, before it forks: children inherit it."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return None


def die_with_parent(parent: int) -> None:
    """In a forked child: be killed when `parent` ends, however it ends — a `kill -9` of serve must not leave
    workers parsing for nobody. Strictly, when the thread that forked it ends: a worker a pool forks to replace
    one that died dies with the pool's worker-handler thread, which ends with the pool. Where prctl is missing:
    nothing."""
    prctl = _prctl()
    if prctl is None:  # pragma: no cover - not Linux
        return
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:   # it ended before the request: no signal will come
        os._exit(1)


def _pool_worker(parent: int, job: Callable) -> None:
    global _JOB
    _JOB = job
    _worker_start(parent)


def _run(task):
    return _JOB(task)


def fork_map(func: Callable, tasks: Iterable, jobs: int | None, *, ordered: bool = True, fresh: bool = False,
             share: bool = False) -> Iterator:
    """func(task) for every task. `fresh`: a new process per task (memory returned after each); `share`: freeze
    the collector's view of inherited objects so that workers do not copy every page they would touch."""
    tasks = list(tasks)
    workers = min(worker_count(jobs), len(tasks))
    if workers <= 1 or not can_fork():
        yield from map(func, tasks)
        return
    if fresh:
        yield from _each_alone(func, tasks, workers, ordered)
        return
    if share:
        if gc.isenabled():
            gc.collect()
        gc.freeze()
    _prctl()
    # func travels in the initializer's arguments: a forked worker inherits them, unpickled, and so does a worker
    # the pool forks later to replace one that died
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_pool_worker, initargs=(os.getpid(), func))
    try:
        results = pool.imap(_run, tasks, chunksize=1) if ordered else pool.imap_unordered(_run, tasks, chunksize=1)
        yield from results
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        if share:
            gc.unfreeze()


def _each_alone(func: Callable, tasks: list, workers: int, ordered: bool) -> Iterator:
    """fork_map(fresh=True): each task in a process of its own (Forked), `workers` at a time. Not a Pool with
    maxtasksperchild=1: a worker it forks to replace one that ended can miss the stop sentinels, wait for tasks
    holding the task queue's lock, and terminate() then waits for that lock forever (6 runs in 12 of a test);
    before that, those workers lacked the function, and every search index part after the second failed."""
    from multiprocessing.connection import wait

    waiting, running, done, given = list(enumerate(tasks))[::-1], {}, {}, 0
    try:
        while waiting or running:
            while waiting and len(running) < workers:
                n, task = waiting.pop()
                running[n] = Forked(func, task)
            ready = wait([child.answers for child in running.values()])
            for n in [n for n, child in running.items() if child.answers in ready]:
                done[n] = running.pop(n).result()
            while done and (not ordered or given in done):
                yield done.pop(given if ordered else next(iter(done)))
                given += 1
    finally:
        for child in running.values():
            child.stop()


class Forked:
    """func(*args) in a forked child (its inputs inherited, not pickled); result() waits for its value or
    raises RuntimeError naming what failed in the child."""

    def __init__(self, func: Callable, *args):
        context = multiprocessing.get_context("fork")
        self.answers, send = context.Pipe(duplex=False)   # readable when the child answered or ended
        _prctl()
        self._process = context.Process(target=_answer_with, args=(send, os.getpid(), func, args))
        self._process.start()
        send.close()

    def result(self):
        try:
            kind, value = self.answers.recv()
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
        self.answers.close()


def _answer_with(send, parent: int, func: Callable, args: tuple) -> None:
    _worker_start(parent)
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
    _prctl()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: os._exit, so that nothing of the parent's (atexit, buffers) runs twice
        code = 1
        try:
            die_with_parent(parent)
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


class Resident:
    """make(*args) in a forked child that keeps it; ``call(name, *args)`` runs its method there, one call at a time,
    and returns the value (or raises RuntimeError with the child's traceback).

    Why: a fork copies the locks of every thread as they are at that instant, and the child has only the thread
    that forked. A lock another thread held then (a stdio buffer's, logging's, a watchdog queue's) stays held in
    the child forever. serve runs an HTTP server and a file watcher in threads. Made before any thread starts (and
    before serve sets its own signal handlers), the resident child runs no thread of its own (a pool's
    threads start after its workers were forked and end before the next pool), so the workers it forks are safe;
    the threads stay in the parent. The child ignores Ctrl-C while it waits for a call (the parent decides);
    `stop()` interrupts a call in progress, which unwinds as it would in a one-process run (workers stopped, a
    staged output folder removed)."""

    def __init__(self, make: Callable, *args):
        self.busy = False   # a call was sent and its answer not read (the parent was interrupted meanwhile)
        self.pid, self._here = None, None
        if not can_fork():   # kept in this process
            self._here = make(*args)
            return
        self._calls, theirs = multiprocessing.Pipe()
        _prctl()
        parent = os.getpid()
        sys.stdout.flush()
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:   # the child: os._exit, so that nothing of the parent's (atexit, buffers) runs twice
            code = 1
            try:
                die_with_parent(parent)
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                self._calls.close()
                _answer_calls(make(*args), theirs)
                code = 0
            except BaseException:  # noqa: BLE001 - the parent sees the pipe close
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        theirs.close()

    def call(self, name: str, *args):
        if self._here is not None:
            return getattr(self._here, name)(*args)
        self.busy = True
        self._calls.send((name, args))
        try:
            kind, value = self._calls.recv()
        except EOFError:
            kind, value = "error", "the process ended without an answer"
        self.busy = False
        if kind == "error":
            raise RuntimeError(f"{name} failed in the resident process: {value}")
        return value

    def stop(self, timeout: float = 30) -> None:
        """End the child: a call in progress is interrupted; killed if it has not ended after `timeout` seconds."""
        if self.pid is None:
            return
        if self.busy:
            _signal(self.pid, signal.SIGINT)
        self._calls.close()   # the child reads the end of its calls and exits
        deadline = time.monotonic() + timeout
        while os.waitpid(self.pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                _signal(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                break
            time.sleep(0.02)
        self.pid = None


def _answer_calls(obj, calls) -> None:
    """The resident child's loop: one call at a time until the parent closes its end."""
    while True:
        try:
            name, args = calls.recv()
        except EOFError:
            return
        try:
            signal.signal(signal.SIGINT, signal.default_int_handler)   # stop() interrupts a call
            try:
                answer = ("ok", getattr(obj, name)(*args))
            finally:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
        except KeyboardInterrupt:
            answer = ("error", "interrupted")
        except Exception:  # noqa: BLE001 - the parent raises it
            answer = ("error", traceback.format_exc())
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            calls.send(answer)
        except OSError:   # the parent is gone or stopped listening
            return


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


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
