"""`site-builder build --watch` and `site-builder serve`: rebuild on change, serve, live-reload, index later.

One loop, in the main thread:

1. wait for a debounced batch of changes (serve/watch.py) and apply it at once (``IncrementalBuilder.apply``:
   content → the fast step, which writes the changed documents' pages and the listing pages that show them;
   theme, static files or configuration → a full rebuild); open pages whose files changed reload;
2. after SETTLE_QUIET seconds without a change, ``settle()``: the exact pass that leaves public/ as a clean
   build would (it gives way as soon as another change arrives);
3. after QUIET more seconds, refresh the search index in a child process (niced, killed when a change arrives,
   so it never delays a page update) and swap it in.

Problems print as `path[:line]: message` and show as an overlay over the last good page; the loop goes on.
Ctrl-C stops the server, the watcher and any indexer process, and returns 0.
"""

from __future__ import annotations

import faulthandler
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable
from urllib.parse import quote

from site_builder.config import Config
from site_builder.errors import SiteError
from site_builder.incremental import SEARCH_OUTPUTS, IncrementalBuilder
from site_builder.locks import writing
from site_builder.search import index_dir
from site_builder.serve.server import Broadcaster, make_server
from site_builder.serve.watch import Watcher

SETTLE_QUIET = 0.4   # seconds without a change before the exact pass
QUIET = 1.5          # seconds without a change after it before the search index is refreshed


class SearchIndexer:
    """Refreshes the search index in public/ in the background, never on the edit-to-page path."""

    def __init__(self, lock: threading.Lock):
        self.lock = lock
        self.due: float | None = None
        self.job: tuple[Config, str] | None = None
        self.done_key: str | None = None
        self.process: subprocess.Popen | None = None
        self.thread: threading.Thread | None = None
        self.cancelled = False

    def schedule(self, config: Config, key: str) -> None:
        if key == self.done_key or key == _recorded_index(config):
            self.due = None
            return
        self.job, self.due = (config, key), time.monotonic() + QUIET

    def poll(self) -> None:
        busy = self.thread is not None and self.thread.is_alive()
        if self.due is not None and time.monotonic() >= self.due and not busy:
            self.due = None
            self.cancelled = False
            self.thread = threading.Thread(target=self._run, args=self.job, daemon=True)
            self.thread.start()

    def cancel(self) -> None:
        """A change arrived: stop indexing (it will be scheduled again once the site has settled)."""
        self.due = None
        if self.thread is not None and self.thread.is_alive():
            self.cancelled = True
            self._kill()
            self.thread.join(timeout=10)

    def _kill(self) -> None:
        process = self.process
        if process and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            except ProcessLookupError:
                pass

    def _run(self, config: Config, key: str) -> None:
        output = config.output_path
        scratch = output.with_name(f".{output.name}.search")
        shutil.rmtree(scratch, ignore_errors=True)
        values = {**{k: getattr(config, k) for k in config.__dataclass_fields__}, "root": str(config.root)}
        self.process = subprocess.Popen([sys.executable, "-m", "site_builder.serve.index_worker",
                                         json.dumps(values, default=str), str(scratch)], start_new_session=True,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, err = self.process.communicate()
        if self.process.returncode != 0 or self.cancelled:
            if self.process.returncode and self.process.returncode > 0 and not self.cancelled:
                last = err.decode(errors="replace").strip().splitlines()[-1:]
                print(f"search index not refreshed: {' '.join(last)}", file=sys.stderr, flush=True)
            shutil.rmtree(scratch, ignore_errors=True)
            return
        try:
            with self.lock, writing(config):   # the output folder's lock, as every rebuild takes it
                if self.cancelled:   # a rebuild began meanwhile: this index may already be stale
                    shutil.rmtree(scratch, ignore_errors=True)
                    return
                for rel in SEARCH_OUTPUTS:
                    _swap(scratch / rel, output / rel)
        except SiteError as exc:
            print("search index not refreshed:", *exc.problems, file=sys.stderr, flush=True)
            shutil.rmtree(scratch, ignore_errors=True)
            return
        shutil.rmtree(scratch, ignore_errors=True)
        self.done_key = key
        _record_index(config, key)
        print("search index refreshed", flush=True)

    def stop(self) -> None:
        self.due = None
        self.cancelled = True
        self._kill()
        if self.thread:
            self.thread.join(timeout=10)


def _swap(new: Path, current: Path) -> None:
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


def index_key(builder: IncrementalBuilder) -> str:
    """What the search index is made of: the documents (URL, content hash), the base URL and the code."""
    from site_builder.cache import code_digest

    h = hashlib.sha256(f"{code_digest()}\0{builder.config.base_url}\0{builder.config.search_engine}\0".encode())
    for doc in builder.site.documents:
        h.update(f"{doc.url}\0{doc.content_hash}\n".encode())
    return h.hexdigest()


def _index_record(config: Config) -> Path:
    from site_builder.cache import cache_dir

    return cache_dir(config.root) / f"search-index-{config.output_path.name}.txt"


def _recorded_index(config: Config) -> str | None:
    """The key of the index in public/, if a previous serve/watch made it (and it is still there)."""
    try:
        if (config.output_path / index_dir(config.search_engine) / "index.json").exists():
            return _index_record(config).read_text(encoding="ascii").strip()
    except OSError:
        pass
    return None


def _record_index(config: Config, key: str) -> None:
    try:
        path = _index_record(config)
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(path.name + f".{os.getpid()}.tmp")
        temp.write_text(key, encoding="ascii")
        os.replace(temp, path)
    except OSError:
        pass


def changed_urls(config: Config, written: list[str]) -> list[str]:
    """Output files → the URL paths a browser has open ("*": everything changed)."""
    if "*" in written:
        return ["*"]
    base = config.base_path
    urls = []
    for rel in written:
        if rel == "index.html" or rel.endswith("/index.html"):
            rel = rel[: -len("index.html")]
        urls.append(base + quote(rel, safe="/"))
    return urls


def run(make_config: Callable[[], Config], *, serve: bool, port: int | None, poll: bool, search: bool) -> int:
    try:
        config = make_config()
    except SiteError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    lock = threading.Lock()
    broadcaster = Broadcaster()
    parsed: dict = {}                     # parse results, kept across configuration changes
    builder = IncrementalBuilder(config, parsed)
    indexer = SearchIndexer(lock) if search and config.search else None

    def report(exc: SiteError) -> None:
        """Problems go to the terminal and, as the overlay, to every open page."""
        for problem in exc.problems:
            print(problem, file=sys.stderr, flush=True)
        broadcaster.send("problems", json.dumps([str(p) for p in exc.problems], ensure_ascii=False))

    def step(label: str, action) -> bool:
        """Run one rebuild step; print its summary or its problems, tell the open pages. False on problems."""
        try:
            with lock, writing(builder.config):   # per rebuild: a manual build can run in between
                outcome = action()
        except SiteError as exc:
            report(exc)
            return False
        if outcome is not None:
            print(f"{label}: {outcome.summary()}", flush=True)
            urls = changed_urls(builder.config, outcome.written)
            if urls or broadcaster.problems:
                broadcaster.send("reload", json.dumps(urls, ensure_ascii=False))
        return True

    server = None
    if serve:
        try:
            server = make_server(config, port or 8000, broadcaster)
        except OSError as exc:
            print(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}", file=sys.stderr)
            return 1
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    previous_sigterm = signal.signal(signal.SIGTERM, _interrupt)
    if hasattr(signal, "SIGUSR1"):   # `kill -USR1 <pid>` prints every thread's stack: why is it busy or stuck?
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    watcher = None
    try:
        watcher = Watcher(config, poll=poll)
        if watcher.polling and not poll:
            print("file system events unavailable: polling for changes", flush=True)
        settle_due: float | None = None
        step("built", builder.full)
        if builder.ready and indexer:
            indexer.schedule(config, index_key(builder))
        if server:
            print(f"serving http://127.0.0.1:{server.server_address[1]}{config.base_path}  (Ctrl-C to stop)", flush=True)
        else:
            print("watching for changes (Ctrl-C to stop)", flush=True)
        while True:
            batch = watcher.next_batch(timeout=0.1)
            if batch:
                if indexer:
                    indexer.cancel()
                changes = batch.changes
                if "config" in batch.kinds:
                    try:
                        new_config = make_config()
                    except SiteError as exc:
                        report(exc)
                        builder.ready = False   # whatever else changed meanwhile: a full build once it is fixed
                        settle_due = None
                        continue
                    if new_config != config:
                        keep = new_config.content_path == config.content_path and new_config.root == config.root
                        if watcher.roots_for(new_config) != watcher.roots:
                            watcher.stop()
                            watcher = Watcher(new_config, poll=poll)
                        config = new_config
                        builder = IncrementalBuilder(config, parsed if keep else {})
                        if server:
                            server.config = config
                    else:   # saved without a change that matters
                        changes = {k: v for k, v in changes.items() if k != "config"}
                label = "rebuilt (" + ", ".join(batch.kinds) + ")"
                ok = step(label, lambda: builder.apply(changes))
                settle_due = time.monotonic() + SETTLE_QUIET if ok and builder.dirty else None
                if ok and builder.ready and not builder.dirty and indexer:
                    indexer.schedule(config, index_key(builder))
                continue
            if settle_due is not None and time.monotonic() >= settle_due:
                ok = step("settled", lambda: builder.settle(cancelled=watcher.pending))
                if ok and builder.dirty:
                    continue   # gave way to a change: the next batch schedules it again
                settle_due = None
                if ok and indexer:
                    indexer.schedule(config, index_key(builder))
            if indexer:
                indexer.poll()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous_sigterm)
        if watcher:
            watcher.stop()
        if server:
            server.stopping = True
            server.shutdown()
            server.server_close()
        if indexer:
            indexer.stop()
    print("stopped", flush=True)
    return 0


_MAIN_PID = os.getpid()


def _interrupt(signum, frame):
    """SIGTERM stops serve/watch like Ctrl-C. A forked render or parse worker inherits this handler: there it
    must simply die (the pool terminates its workers with SIGTERM; an exception there can hang the worker)."""
    if os.getpid() != _MAIN_PID:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    raise KeyboardInterrupt
