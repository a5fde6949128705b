"""`site-builder build --watch` and `site-builder serve`: rebuild on change, serve, live-reload, index later.

One loop: wait for a debounced batch of changes → rebuild incrementally (pages first) → tell open pages to
reload (or show the problems over the last good page) → after a quiet period, rebuild the search index in a
child process and swap it in. Ctrl-C stops the server, the watcher and any indexer process.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from typing import Callable

from site_builder.config import Config
from site_builder.errors import SiteError
from site_builder.incremental import SEARCH_OUTPUTS, IncrementalBuilder
from site_builder.serve.server import Broadcaster, make_server
from site_builder.serve.watch import Watcher

QUIET = 1.5   # seconds without a rebuild before the search index is refreshed


class SearchIndexer:
    """Refreshes public/pagefind in the background, never on the edit-to-page path."""

    def __init__(self, lock: threading.Lock):
        self.lock = lock
        self.due: float | None = None
        self.config: Config | None = None
        self.process: subprocess.Popen | None = None
        self.thread: threading.Thread | None = None

    def schedule(self, config: Config) -> None:
        self.config, self.due = config, time.monotonic() + QUIET

    def poll(self) -> None:
        busy = self.thread is not None and self.thread.is_alive()
        if self.due is not None and time.monotonic() >= self.due and not busy:
            self.due = None
            self.thread = threading.Thread(target=self._run, args=(self.config,), daemon=True)
            self.thread.start()

    def _run(self, config: Config) -> None:
        output = config.output_path
        scratch = output.with_name(f".{output.name}.search")
        shutil.rmtree(scratch, ignore_errors=True)
        values = {**dataclasses.asdict(config), "root": str(config.root)}
        self.process = subprocess.Popen([sys.executable, "-m", "site_builder.serve.index_worker",
                                         json.dumps(values), str(scratch)], start_new_session=True,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, err = self.process.communicate()
        if self.process.returncode != 0:
            if self.process.returncode > 0:
                print(f"search index not refreshed: {err.decode(errors='replace').strip().splitlines()[-1:]}",
                      file=sys.stderr)
            shutil.rmtree(scratch, ignore_errors=True)
            return
        with self.lock:
            for rel in SEARCH_OUTPUTS:
                _swap(scratch / rel, output / rel)
        shutil.rmtree(scratch, ignore_errors=True)
        print("search index refreshed", flush=True)

    def stop(self) -> None:
        self.due = None
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        if self.thread:
            self.thread.join(timeout=5)


def _swap(new, current) -> None:
    """Put `new` (file or folder) where `current` is, by renames."""
    if not new.exists():
        return
    current.parent.mkdir(parents=True, exist_ok=True)
    if new.is_dir():
        old = current.with_name(f".{current.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if current.exists():
            os.rename(current, old)
        os.rename(new, current)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, current)


def run(make_config: Callable[[], Config], *, serve: bool, port: int | None, poll: bool, search: bool) -> int:
    try:
        config = make_config()
    except SiteError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    lock = threading.Lock()
    broadcaster = Broadcaster()
    builder = IncrementalBuilder(config)
    indexer = SearchIndexer(lock) if search and config.search else None

    def rebuild(what: str) -> None:
        started = time.perf_counter()
        try:
            with lock:
                result = builder.build()
        except SiteError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr, flush=True)
            broadcaster.send("problems", json.dumps([str(p) for p in exc.problems], ensure_ascii=False))
            if indexer:
                indexer.due = None  # index again only once the content builds
            return
        stats = result.search or {}
        print(f"{what}: {result.documents} documents, {stats.get('rendered', 0)} pages rendered, "
              f"{stats.get('written', 0)} files written in {time.perf_counter() - started:.2f} s", flush=True)
        broadcaster.send("reload")
        if indexer:
            indexer.schedule(config)

    server = None
    if serve:
        try:
            server = make_server(config, port or 8000, broadcaster)
        except OSError as exc:
            print(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}", file=sys.stderr)
            return 1
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    watcher = Watcher(config, poll=poll)
    try:  # from here on, Ctrl-C at any moment ends in the same clean shutdown
        rebuild("built")
        if server:
            print(f"serving http://127.0.0.1:{server.server_address[1]}{config.base_path}  (Ctrl-C to stop)", flush=True)
        else:
            print("watching for changes (Ctrl-C to stop)", flush=True)
        while True:
            batch = watcher.next_batch(timeout=0.25)
            if indexer:
                indexer.poll()
            if not batch:
                continue
            if "config" in batch.kinds:
                try:
                    new_config = make_config()
                except SiteError as exc:
                    for problem in exc.problems:
                        print(problem, file=sys.stderr, flush=True)
                    broadcaster.send("problems", json.dumps([str(p) for p in exc.problems], ensure_ascii=False))
                    continue
                if new_config != config:
                    config = new_config
                    builder = IncrementalBuilder(config)
            rebuild("rebuilt (" + ", ".join(batch.kinds) + ")")
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
        if server:
            server.stopping = True
            server.shutdown()
            server.server_close()
        if indexer:
            indexer.stop()
    print("stopped", flush=True)
    return 0
