"""`site-builder build --watch` and `site-builder serve`: rebuild on change, serve, live-reload, index later.

One loop, in the main thread: wait for a debounced batch of changes (serve/watch.py) and rebuild with the same
engine as `site-builder build` (rebuild.Rebuilder: the pages whose recorded inputs changed are rendered again,
only changed files are written, public/ ends as a clean build would leave it); open pages whose files changed
reload. QUIET seconds after the last change the search index is refreshed in a child process
(serve/indexer.py), never on the edit-to-page path.

Problems print as `path[:line]: message` and show as an overlay over the last good page; the loop goes on.
Ctrl-C stops the server, the watcher and any indexer process, and returns 0.
"""

from __future__ import annotations

import faulthandler
import gc
import json
import os
import signal
import threading
import time
from contextlib import contextmanager
from typing import Callable
from urllib.parse import quote

from site_builder.config import Config
from site_builder.errors import Problem, SiteError, print_problems
from site_builder.locks import writing
from site_builder.rebuild import Rebuilder
from site_builder.serve.indexer import SearchIndexer, index_key
from site_builder.serve.server import Broadcaster, make_server
from site_builder.serve.watch import Watcher
from site_builder.urls import Urls, route_of


def changed_urls(config: Config, written: list[str]) -> list[str]:
    """Output files → the URL paths a browser has open ("*": everything changed)."""
    if "*" in written:
        return ["*"]
    urls = Urls(config)
    return [quote(urls.link(route_of(rel)), safe="/") for rel in written]


class Session:
    """The state of one serve/watch run: configuration, engine, open pages, search indexer."""

    def __init__(self, make_config: Callable[[], Config], config: Config, search: bool):
        self.make_config, self.config = make_config, config
        self.lock = threading.Lock()
        self.broadcaster = Broadcaster()
        self.parsed: dict = {}                 # parse results, kept across configuration changes
        self.rebuilder = Rebuilder(config, parsed=self.parsed)
        self.indexer = SearchIndexer(self.lock) if search and config.search else None
        self.first = True
        self.settle_due: float | None = None   # when to save the record and collect garbage (settle())
        self.server = None
        self.watcher = None

    def report(self, exc: SiteError) -> None:
        """Problems go to the terminal and, as the overlay, to every open page."""
        print_problems(exc.problems)
        self.broadcaster.send("problems", json.dumps([str(p) for p in exc.problems], ensure_ascii=False))

    def rebuild(self, label: str, edited: set | None = None) -> bool:
        """One build; print its summary or its problems, tell the open pages. False on problems. `edited`: the
        content files a batch changed, when nothing else changed (the last build's plan may serve again)."""
        try:
            with self.lock, writing(self.config), _collector_paused():   # per rebuild: a manual build can run between
                outcome = self._build(edited)
                urls = changed_urls(self.config, outcome.written)
                if urls or self.broadcaster.problems:
                    self.broadcaster.send("reload", json.dumps(urls, ensure_ascii=False))
            self.settle_due = time.monotonic() + SETTLE   # not while the open pages fetch what changed
        except SiteError as exc:
            self.report(exc)
            return False
        print(f"{label}: {outcome.summary()}", flush=True)
        if self.indexer:
            self.indexer.schedule(self.config, index_key(self.config, outcome.site))
        return True

    def _build(self, edited: set | None = None):
        from site_builder import cache
        from site_builder.build import check_output_location

        check_output_location(self.config)
        rebuilder = self.rebuilder
        live = rebuilder.refresh(edited) if edited and not self.first else None
        if live:
            return rebuilder.build(*live, keep_search=True, defer_save=True)
        if self.first:   # the first load reads the on-disk parse cache (.site-builder-cache), in parallel
            store, hashes = cache.DocumentStore(self.config.root), cache.FileHashes(self.config.root)
            site = rebuilder.load(store=store, hashes=hashes)
            try:
                store.save()
                hashes.save()
            except OSError:
                pass
            self.first = False
        else:
            site = rebuilder.load()
        return rebuilder.build(site, rebuilder.plan(site), keep_search=True, defer_save=True)

    def settle(self, now: float | None = None) -> None:
        """Once SETTLE seconds passed after a rebuild (or now, when stopping): keep the record in the cache
        folder for the next process and collect garbage. Each holds the interpreter for ~0.15 s at 10,000
        documents: right after a rebuild they would delay the server's answer to the reloading pages."""
        if self.settle_due is None or (now is not None and now < self.settle_due):
            return
        self.settle_due = None
        try:
            with self.lock, writing(self.config):
                self.rebuilder.save()
        except SiteError as exc:   # the record only saves the next process time
            print_problems(exc.problems)
        _collect()

    def reconfigure(self) -> bool:
        """pyproject.toml changed: False if it is invalid now (reported)."""
        try:
            new = self.make_config()
        except SiteError as exc:
            self.report(exc)
            return False
        if new != self.config:
            keep = new.content_path == self.config.content_path and new.root == self.config.root
            if not keep:
                self.parsed.clear()
            self.config = new
            self.rebuilder = Rebuilder(new, parsed=self.parsed)
            if self.server:
                self.server.config = new
        return True


SETTLE = 0.5   # seconds after a rebuild before its record is saved and garbage collected (Session.settle)


@contextmanager
def _collector_paused():
    """No cyclic garbage collection during a rebuild (a pass over the 10,000 documents kept in memory took a
    third of a step); a full one once the open pages have what changed (Session.settle)."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _collect() -> None:
    """A full collection; what is alive then stays out of later passes' way."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def run(make_config: Callable[[], Config], *, serve: bool, port: int | None, poll: bool, search: bool) -> int:
    try:
        config = make_config()
    except SiteError as exc:
        print_problems(exc.problems)
        return 1
    session = Session(make_config, config, search)
    if serve:
        try:
            session.server = make_server(config, port or 8000, session.broadcaster)
        except OSError as exc:
            print_problems(Problem(f"127.0.0.1:{port or 8000}", f"cannot listen: {exc.strerror}"))
            return 1
        threading.Thread(target=session.server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    previous_sigterm = signal.signal(signal.SIGTERM, _interrupt)
    if hasattr(signal, "SIGUSR1"):   # `kill -USR1 <pid>` prints every thread's stack: why is it busy or stuck?
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    try:
        session.watcher = watcher = Watcher(config, poll=poll)
        if watcher.polling and not poll:
            print("file system events unavailable: polling for changes", flush=True)
        session.rebuild("built")
        if session.server:
            address = session.server.server_address[1]
            print(f"serving http://127.0.0.1:{address}{config.base_path}  (Ctrl-C to stop)", flush=True)
        else:
            print("watching for changes (Ctrl-C to stop)", flush=True)
        _loop(session, poll)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous_sigterm)
        _stop(session)
    print("stopped", flush=True)
    return 0


def _loop(session: Session, poll: bool) -> None:
    """Rebuild after each batch of changes; between batches, let the search indexer run. Never returns."""
    broken_config = False
    while True:
        batch = session.watcher.next_batch(timeout=0.1)
        if not batch:
            session.settle(time.monotonic())
            if session.indexer:
                session.indexer.poll()
            continue
        if session.indexer:
            session.indexer.cancel()
        if "config" in batch.kinds or broken_config:
            broken_config = not session.reconfigure()
            if broken_config:
                continue
            if Watcher.roots_for(session.config) != session.watcher.roots:
                session.watcher.stop()
                session.watcher = Watcher(session.config, poll=poll)
        edited = batch.changes["content"] if batch.kinds == ["content"] else None
        session.rebuild("rebuilt (" + ", ".join(batch.kinds) + ")", edited)


def _stop(session: Session) -> None:
    if session.watcher:
        session.watcher.stop()
    try:
        session.settle()   # the last record, for the next process
    except (OSError, KeyboardInterrupt):
        pass
    if session.server:
        session.server.stopping = True
        session.server.shutdown()
        session.server.server_close()
    if session.indexer:
        session.indexer.stop()


_MAIN_PID = os.getpid()


def _interrupt(signum, frame):
    """SIGTERM stops serve/watch like Ctrl-C. A forked render or parse worker inherits this handler: there it
    must simply die (the pool terminates its workers with SIGTERM; an exception there can hang the worker)."""
    if os.getpid() != _MAIN_PID:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    raise KeyboardInterrupt
