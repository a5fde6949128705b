"""The development server: serves public/ under the base path, 404 page with status 404, live reload.

Live reload uses Server-Sent Events from the same origin. The reload script is injected into HTML responses
only (never into the files in public/). Files are read whole before they are sent, and the build writes
each file by rename, so a response is never half of an old file and half of a new one.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import mimetypes
import queue
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from site_builder.config import Config
from site_builder.urls import Urls

SCRIPT = (Path(__file__).parent / "livereload.js").read_bytes()
TAG = b'<script async src="/__livereload.js?v=%s"></script>' % hashlib.sha256(SCRIPT).hexdigest()[:10].encode()
IMMUTABLE = "public, max-age=31536000, immutable"
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".json": "application/json", ".xml": "application/xml",
         ".csv": "text/csv; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml",
         ".wasm": "application/wasm"}


class Broadcaster:
    """The current build state, and a queue per open page."""

    def __init__(self):
        self.lock = threading.Lock()
        self.clients: list[queue.Queue] = []
        self.problems: list[str] | None = None

    def subscribe(self) -> queue.Queue:
        q: queue.Queue = queue.Queue()
        with self.lock:
            self.clients.append(q)
            if self.problems:
                q.put(("problems", json.dumps(self.problems, ensure_ascii=False)))
        return q

    def unsubscribe(self, q: queue.Queue) -> None:
        with self.lock:
            if q in self.clients:
                self.clients.remove(q)

    def send(self, event: str, data: str = "") -> None:
        with self.lock:
            self.problems = json.loads(data) if event == "problems" else None
            for q in self.clients:
                q.put((event, data))


class Handler(http.server.BaseHTTPRequestHandler):
    """One request: a file of public/ under the base path, the 404 page, or the live-reload script and events."""

    server_version = "site-builder"
    head = False   # answering HEAD: the headers GET would send, no body

    def log_message(self, *args):
        pass

    def do_HEAD(self):
        self.head = True
        self.do_GET()

    def do_GET(self):
        path = urlsplit(self.path).path
        if path == "/__livereload" and not self.head:
            return self._events()
        if path == "/__livereload.js":
            return self._send(200, SCRIPT, TYPES[".js"], cache=IMMUTABLE)
        base = self.server.config.base_path
        if not path.startswith(base):
            if path in ("/", base.rstrip("/")) and base != "/":
                return self._redirect(base)
            return self._not_found()
        self._file(path, unquote(path[len(base):]))

    def _file(self, path: str, rel: str):
        output = self.server.config.output_path
        target = (output / rel).resolve() if rel else output
        if not target.is_relative_to(output.resolve()):
            return self._not_found()
        if target.is_dir():
            if not path.endswith("/"):
                return self._redirect(path + "/")
            target = target / "index.html"
        data = _read(target, output)
        if data is None:
            return self._not_found()
        self._send(200, data, TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
                   or "application/octet-stream", html=target.suffix == ".html",
                   cache=IMMUTABLE if Urls.is_fingerprinted(rel) else "no-store")

    def _not_found(self):
        output = self.server.config.output_path
        page = _read(output / "404.html", output) or b"<!doctype html><title>404</title><h1>404</h1>"
        self._send(404, page, TYPES[".html"], html=True)

    def _redirect(self, location: str):
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: int, data: bytes, content_type: str, html: bool = False, cache: str = "no-store"):
        if html:
            data = data.replace(b"</body>", TAG + b"</body>", 1) if b"</body>" in data else data + TAG
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", cache)
        self.end_headers()
        if not self.head:
            self.wfile.write(data)

    def _events(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        broadcaster = self.server.broadcaster
        q = broadcaster.subscribe()
        try:
            self.wfile.write(b"retry: 500\n\n")
            self.wfile.flush()
            while not self.server.stopping:
                try:
                    event, data = q.get(timeout=1.0)
                except queue.Empty:
                    self.wfile.write(b": ping\n\n")
                else:
                    self.wfile.write(f"event: {event}\ndata: {data}\n\n".encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            broadcaster.unsubscribe(q)


def make_server(config: Config, port: int, broadcaster: Broadcaster) -> http.server.ThreadingHTTPServer:
    """A threading server for `config` (its `config` attribute may be replaced when the configuration changes)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.stopping = False
    server.config = config
    server.broadcaster = broadcaster
    return server


def _read(path: Path, output: Path) -> bytes | None:
    """The whole file, or None; waits out the moment a staged build swaps public/ in (two renames)."""
    for _ in range(50):
        try:
            return path.read_bytes()
        except FileNotFoundError:
            if output.is_dir():
                return None
            time.sleep(0.02)
        except (IsADirectoryError, PermissionError):
            return None
    return None
