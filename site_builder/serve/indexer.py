"""serve's search index: refreshed in the background, in a niced child process (serve/index_worker.py), never on
the edit-to-page path. Scheduled QUIET seconds after the last rebuild, killed when a change arrives, swapped
into public/ under the output folder's lock."""

from __future__ import annotations

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

from site_builder.config import Config
from site_builder.errors import Problem, SiteError, display_path, print_problems
from site_builder.locks import writing
from site_builder.urls import INDEX_ROOTS

SEARCH_ROOTS = tuple(INDEX_ROOTS.values())

QUIET = 1.5          # seconds without a change after a rebuild before the search index is refreshed


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
        """A change arrived: stop indexing (it is scheduled again after the rebuild). The indexer's process group
        is sent SIGTERM and not waited for: its thread sees it end and throws its work away, while the rebuild
        goes on (waiting for Pagefind to end took part of the edit-to-page time)."""
        self.due = None
        if self.thread is not None and self.thread.is_alive():
            self.cancelled = True
            process = self.process
            if process and process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass

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
                                         json.dumps(values, default=str), str(scratch), str(os.getpid())],
                                        start_new_session=True,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, err = self.process.communicate()
        if self.process.returncode != 0 or self.cancelled:
            if self.process.returncode and self.process.returncode > 0 and not self.cancelled:
                last = err.decode(errors="replace").strip().splitlines()[-1:]
                print_problems(Problem(_index_folder(config), f"search index not refreshed: {' '.join(last)}"))
            shutil.rmtree(scratch, ignore_errors=True)
            return
        try:
            with self.lock, writing(config):   # the output folder's lock, as every rebuild takes it
                if self.cancelled:   # a rebuild began meanwhile: this index may already be stale
                    shutil.rmtree(scratch, ignore_errors=True)
                    return
                for rel in SEARCH_ROOTS:
                    _swap(scratch / rel, output / rel)
        except SiteError as exc:
            print_problems([Problem(p.path, f"search index not refreshed: {p.message}", p.line) for p in exc.problems])
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


def index_key(config: Config, site) -> str:
    """What the search index is made of: the documents (URL, content hash), the base URL and the code."""
    from site_builder.cache import code_digest

    h = hashlib.sha256(f"{code_digest()}\0{config.base_url}\0{config.search_engine}\0".encode())
    for doc in site.documents:
        h.update(f"{doc.url}\0{doc.content_hash}\n".encode())
    return h.hexdigest()


def _index_record(config: Config) -> Path:
    from site_builder.cache import cache_dir

    return cache_dir(config.root) / f"search-index-{config.output_path.name}.txt"


def _recorded_index(config: Config) -> str | None:
    """The key of the index in public/, if a previous serve/watch made it (and it is still there)."""
    try:
        if (config.output_path / INDEX_ROOTS[config.search_engine] / "index.json").exists():
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


def _index_folder(config: Config) -> str:
    return display_path(config.output_path / INDEX_ROOTS[config.search_engine], config.root)
