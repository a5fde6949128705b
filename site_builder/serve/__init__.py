"""`site-builder build --watch` and `site-builder serve`: rebuild on change, serve, live-reload, index later.

One loop, in the main thread: wait for a debounced batch of changes (serve/watch.py) and rebuild with the same
engine as `site-builder build` (rebuild.Rebuilder: the pages whose recorded inputs changed are rendered again,
only changed files are written, public/ ends as a clean build would leave it); open pages whose files changed
reload. The engine runs in a child process forked before any thread starts (serve/builder.py): the HTTP server
and the watcher run threads, and a process with threads must not fork the parse and render workers. QUIET
seconds after the last change the search index is refreshed in a child process (serve/indexer.py), never on
the edit-to-page path.

Problems print as `path[:line]: message` and show as an overlay over the last good page; the loop goes on.
Ctrl-C stops the server, the watcher and any indexer process, and returns 0.
"""

from __future__ import annotations

import faulthandler
import json
import signal
import threading
import time
from typing import Callable

from site_builder.config import Config
from site_builder.errors import Problem, SiteError, print_problems
from site_builder.locks import writing
from site_builder.parallel import Resident
from site_builder.serve.builder import Builds
from site_builder.serve.indexer import SearchIndexer
from site_builder.serve.server import Broadcaster, make_server
from site_builder.serve.watch import Watcher


class Session:
    """The state of one serve/watch run: configuration, open pages, search indexer, and the build engine — in a
    resident child process (serve/builder.py), made here, before the server's and the watcher's threads start."""

    def __init__(self, make_config: Callable[[], Config], config: Config, search: bool):
        self.make_config, self.config = make_config, config
        self.lock = threading.Lock()
        self.broadcaster = Broadcaster()
        self.builds = Resident(Builds, config, search)
        self.indexer = SearchIndexer(self.lock) if search and config.search else None
        self.settle_due: float | None = None   # when to save the record and collect garbage (settle())
        self.server = None
        self.watcher = None

    def report(self, problems: list) -> None:
        """Problems go to the terminal and, as the overlay, to every open page."""
        print_problems(problems)
        self.broadcaster.send("problems", json.dumps([str(p) for p in problems], ensure_ascii=False))

    def rebuild(self, label: str, edited: set | None = None) -> bool:
        """One build; print its summary or its problems, tell the open pages. False on problems. `edited`: the
        content files a batch changed, when nothing else changed (the last build's plan may serve again)."""
        try:
            with self.lock, writing(self.config):   # per rebuild: a manual build can run between
                answer = self.builds.call("build", edited)
                if answer[0] == "built" and (answer[2] or self.broadcaster.problems):
                    self.broadcaster.send("reload", json.dumps(answer[2], ensure_ascii=False))
        except SiteError as exc:
            answer = "problems", exc.problems
        if answer[0] == "problems":
            self.report(answer[1])
            return False
        self.settle_due = time.monotonic() + SETTLE   # not while the open pages fetch what changed
        _, summary, _, key = answer
        print(f"{label}: {summary}", flush=True)
        if self.indexer and key:
            self.indexer.schedule(self.config, key)
        return True

    def settle(self, now: float | None = None) -> None:
        """Once SETTLE seconds passed after a rebuild (or now, when stopping): keep the record in the cache
        folder for the next process and collect garbage (in the engine's process). Each takes a core for ~0.15 s
        at 10,000 documents: right after a rebuild they would slow the server's answer to the reloading pages."""
        if self.settle_due is None or (now is not None and now < self.settle_due) or self.builds.busy:
            return
        self.settle_due = None
        try:
            with self.lock, writing(self.config):
                problems = self.builds.call("save")
        except SiteError as exc:
            problems = exc.problems
        if problems:   # the record only saves the next process time
            print_problems(problems)
        self.builds.call("collect")

    def reconfigure(self) -> bool:
        """pyproject.toml changed: False if it is invalid now (reported)."""
        try:
            new = self.make_config()
        except SiteError as exc:
            self.report(exc.problems)
            return False
        if new != self.config:
            self.builds.call("reconfigure", new)
            self.config = new
            if self.server:
                self.server.config = new
        return True


SETTLE = 0.5   # seconds after a rebuild before its record is saved and garbage collected (Session.settle)


def run(make_config: Callable[[], Config], *, serve: bool, port: int | None, poll: bool, search: bool) -> int:
    try:
        config = make_config()
    except SiteError as exc:
        print_problems(exc.problems)
        return 1
    if hasattr(signal, "SIGUSR1"):   # `kill -USR1 <pid>` prints every thread's stack: why is it busy or stuck?
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    session = Session(make_config, config, search)   # its engine's process first: no thread runs yet
    if serve:
        try:
            session.server = make_server(config, port or 8000, session.broadcaster)
        except OSError as exc:
            print_problems(Problem(f"127.0.0.1:{port or 8000}", f"cannot listen: {exc.strerror}"))
            session.builds.stop()
            return 1
        threading.Thread(target=session.server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    previous_sigterm = signal.signal(signal.SIGTERM, _interrupt)
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
        session.settle()   # the last record, for the next process (not when a build was interrupted)
    except (OSError, RuntimeError, KeyboardInterrupt):
        pass
    session.builds.stop()
    if session.server:
        session.server.stopping = True
        session.server.shutdown()
        session.server.server_close()
    if session.indexer:
        session.indexer.stop()


def _interrupt(signum, frame):
    """SIGTERM stops serve/watch like Ctrl-C. Installed after the engine's process was forked: neither it nor
    the workers it forks inherit this handler (a pool stops its workers with SIGTERM: they must simply die)."""
    raise KeyboardInterrupt
