"""Watch the project's inputs and hand over debounced batches of changes, sorted by kind.

Only content/, the theme, the project's templates/ and static/ and pyproject.toml are watched; public/ never is.
watchdog's native observer is used where the file system reports events, its polling observer otherwise.
"""

from __future__ import annotations

import queue
import time
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from site_builder.config import CONFIG_FILE, Config

KINDS = ("config", "theme", "static", "content")   # in the order a batch is handled
DEBOUNCE = 0.03                                     # seconds of quiet that end a batch


@dataclass
class Batch:
    changes: dict[str, set[Path]] = field(default_factory=lambda: {k: set() for k in KINDS})

    @property
    def kinds(self) -> list[str]:
        return [k for k in KINDS if self.changes[k]]

    def __bool__(self) -> bool:
        return any(self.changes.values())


class Watcher(FileSystemEventHandler):
    def __init__(self, config: Config, poll: bool = False):
        self.config = config
        self.events: queue.Queue = queue.Queue()
        self.roots = self.roots_for(config)
        self.project_templates = (config.root / "templates").resolve()
        self.project_static = (config.root / "static").resolve()   # overrides theme static files by name
        self.polling = False
        self.output = config.output_path.resolve()
        self.watched: set[Path] = set()
        self.observer = self._start(poll)

    @staticmethod
    def roots_for(config: Config) -> dict[str, Path]:
        roots = {"content": config.content_path, "theme": config.theme_path / "templates",
                 "static": config.theme_path / "static"}
        return {k: p.resolve() for k, p in roots.items()}

    def pending(self) -> bool:
        """Whether a change arrived that no batch has taken yet."""
        return not self.events.empty()

    def _start(self, poll: bool):
        for observer_class in ((PollingObserver,) if poll else (Observer, PollingObserver)):
            observer = observer_class(timeout=0.25) if observer_class is PollingObserver else observer_class()
            try:
                for path in {*self.roots.values(), self.project_templates, self.project_static}:
                    if path.is_dir():
                        observer.schedule(self, str(path), recursive=True)
                        self.watched.add(path)
                observer.schedule(self, str(self.config.root), recursive=False)  # pyproject.toml
                observer.start()
                self.polling = observer_class is PollingObserver
                return observer
            except OSError:  # no inotify (or too many watches): fall back to polling
                self.watched.clear()
                continue
        raise RuntimeError("cannot watch the project folder")

    def classify(self, path: Path) -> str | None:
        path = path.resolve() if path.exists() else path.absolute()
        if path.is_relative_to(self.output) or path.name.startswith(".") and path.suffix == ".tmp":
            return None
        if path == (self.config.root / CONFIG_FILE).resolve():
            return "config"
        if path.is_relative_to(self.project_templates):
            return "theme"
        if path.is_relative_to(self.project_static):
            return "static"
        for kind, root in self.roots.items():
            if path.is_relative_to(root):
                return kind
        return None

    def on_any_event(self, event):
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return   # a file in it was created, changed or removed: that file's own event says which
        if event.is_directory and event.event_type in ("created", "moved"):
            self._watch_new_root(Path(getattr(event, "dest_path", "") or event.src_path))
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw:
                kind = self.classify(Path(raw))
                if kind:
                    self.events.put((kind, Path(raw)))

    def _watch_new_root(self, path: Path) -> None:
        """A watched folder that did not exist at start (templates/, content/) is watched once it appears."""
        path = path.absolute()
        if path in (self.project_templates, self.project_static, *self.roots.values()) and path not in self.watched:
            self.watched.add(path)
            self.observer.schedule(self, str(path), recursive=True)

    def next_batch(self, timeout: float | None = None) -> Batch:
        """Block until something changed, then collect until DEBOUNCE seconds pass without a change."""
        batch = Batch()
        try:
            kind, path = self.events.get(timeout=timeout)
        except queue.Empty:
            return batch
        batch.changes[kind].add(path)
        deadline = time.monotonic() + DEBOUNCE
        while True:
            try:
                kind, path = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return batch
            batch.changes[kind].add(path)
            deadline = time.monotonic() + DEBOUNCE

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=5)
