"""`site-builder serve` forks its parse and render workers from a process without the server's and the watcher's
threads (a fork copies other threads' held locks), its workers die of their pool's SIGTERM at once (serve's first
build hung at 10,000 documents on a worker that had inherited serve's Python SIGTERM handler and missed the
signal), and a `kill -9` of serve leaves none of its processes behind. Real processes, enough documents for
several workers."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import REPO
from test_serve import fetch, free_port
from test_watch import Live, processes_mentioning

sys.path.insert(0, str(REPO / "benchmarks"))
from corpus import generate  # noqa: E402

COUNT = 700   # above the loader's and the renderer's thresholds for worker processes (400 files, 600 pages)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fork") / "site"
    root.mkdir()
    (root / "pyproject.toml").write_text('[tool.site_builder]\ntitle = "分叉测试"\n', encoding="utf-8")
    generate(COUNT, root / "content", seed=5)
    return root


def fresh(root: Path) -> None:
    """No output and no parse cache: the first build parses and renders everything, in workers."""
    shutil.rmtree(root / "public", ignore_errors=True)
    shutil.rmtree(root / ".site-builder-cache", ignore_errors=True)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


class Family:
    """Samples a process's children and grandchildren in the background until stopped."""

    def __init__(self, pid: int):
        self.pid, self.most_children, self.grandchildren = pid, 0, set()
        self.catching_sigterm: set[int] = set()   # grandchildren seen with a SIGTERM handler
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while not self.done.is_set():
            kids = children(self.pid)
            self.most_children = max(self.most_children, len(kids))
            for kid in kids:
                for grandchild in children(kid):
                    self.grandchildren.add(grandchild)
                    if catches(grandchild, signal.SIGTERM):
                        self.catching_sigterm.add(grandchild)
            time.sleep(0.01)

    def stop(self) -> None:
        self.done.set()
        self.thread.join()


def catches(pid: int, signum: int) -> bool:
    """Whether process `pid` has a handler for `signum` (SigCgt in /proc/PID/status)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = int(next(line for line in status.splitlines() if line.startswith("SigCgt:")).split()[1], 16)
    return bool(caught >> (signum - 1) & 1)


def signal_if_there(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def left_behind(root: Path) -> list[str]:
    """The processes of a killed serve of `root` still there 5 s later (killed then: no orphan outlives a test)."""
    deadline = time.monotonic() + 5   # the kernel kills them with their parent: at once
    while processes_mentioning(str(root)) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = processes_mentioning(str(root))
    for line in left:
        signal_if_there(int(line.split(":")[0]), signal.SIGKILL)
    return left


def indexing(root: Path) -> list[str]:
    return [p for p in processes_mentioning("index_worker") if str(root) in p]


def test_first_build_forks_workers_from_a_process_without_threads_and_serves(project):
    port = free_port()
    for attempt in range(3):
        fresh(project)
        live = Live("serve", "--root", project, "--port", port, "--no-search")
        family = Family(live.proc.pid)
        try:
            line = live.expect(r"^built", timeout=180)
            live.expect("serving http://127.0.0.1", timeout=30)
            family.stop()
            assert f"{COUNT} documents" in line and "every file written" in line, line
            status, body = fetch(f"http://127.0.0.1:{port}/")
            assert status == 200 and b"</html>" in body
        finally:
            family.stop()
            assert live.stop() == 0, "".join(live.seen)
        # the serving process's one child is the build engine; the workers are the engine's children
        assert family.most_children == 1, (attempt, family.most_children)
        assert len(family.grandchildren) >= 2, (attempt, family.grandchildren)
        # a worker dies of its pool's SIGTERM at once: with serve's Python handler inherited, a SIGTERM that came
        # just before the worker blocked on the pool's task lock was never handled, and the build hung
        assert not family.catching_sigterm, (attempt, family.catching_sigterm)


def test_kill_9_of_serve_during_the_first_build_leaves_no_process(project):
    fresh(project)
    live = Live("serve", "--root", project, "--port", free_port(), "--no-search")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:   # workers are parsing or rendering (serve's children or grandchildren)
        kids = children(live.proc.pid)
        if len(kids) >= 2 or sum(len(children(kid)) for kid in kids) >= 2:
            break
        time.sleep(0.01)
    else:
        raise AssertionError(f"no workers seen; output:\n{''.join(live.seen)}")
    for kid in children(live.proc.pid):   # stuck as a worker on a lock would be: no task ends, no pipe is read
        for pid in [*children(kid), kid]:
            signal_if_there(pid, signal.SIGSTOP)
    os.kill(live.proc.pid, signal.SIGKILL)
    live.proc.wait(timeout=10)
    assert not left_behind(project)


def test_kill_9_of_serve_while_it_indexes_leaves_no_process(project):
    fresh(project)
    live = Live("serve", "--root", project, "--port", free_port())
    live.expect("serving http://127.0.0.1", timeout=180)
    deadline = time.monotonic() + 60
    while not indexing(project) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert indexing(project), "the indexer never started"
    os.kill(live.proc.pid, signal.SIGKILL)
    live.proc.wait(timeout=10)
    assert not left_behind(project)
