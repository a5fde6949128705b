"""Shared fixtures: run the real CLI, build sites in temporary folders, serve them, drive Chromium."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# The tests stop `site-builder serve` with SIGINT, as Ctrl-C does. Run from a background job (`cmd &` in a
# script), pytest inherits an ignored SIGINT and so would every process it starts; take the default back.
signal.signal(signal.SIGINT, signal.default_int_handler)
SEEDS = REPO / "tests" / "fixtures" / "seeds"   # vendored: every checkout tests the same five documents
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def run_cli(*args: str, cwd: Path | None = None, check: bool = True, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run `site-builder ARGS…` as a real process; with check=True a failure shows its output."""
    result = subprocess.run([sys.executable, "-m", "site_builder", *map(str, args)], cwd=cwd,
                            capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    if check and result.returncode != 0:
        raise AssertionError(f"site-builder {' '.join(map(str, args))} exited {result.returncode}\n"
                             f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


def write_doc(folder: Path, name: str, front_matter: str, body: str = "正文。\n") -> Path:
    """A small hand-written content file for fixture sites (tests only)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"---\n{front_matter.strip()}\n---\n{body}", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The sample archive: the seeds ingested by the real CLI, then built (with search) by the real CLI."""
    root = tmp_path_factory.mktemp("sample")
    run_cli("ingest", SEEDS, "--out", root / "content")
    run_cli("build", "--root", root)
    return root


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_folder(folder: Path, prefix: str = "/", headers=None):
    """Serve `folder` on 127.0.0.1 under URL prefix `prefix` (with extra response `headers`: a dict, or a
    function of the path below the prefix, "/docs/x/", that returns one); returns (server, base URL)."""
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"

    class Handler(_QuietHandler):
        def translate_path(self, path):
            if prefix != "/":
                if not path.startswith(prefix):
                    return str(folder / "__outside_prefix__")
                path = "/" + path[len(prefix):]
            return super().translate_path(path)

        def end_headers(self):
            site_path = "/" + self.path.split("?")[0][len(prefix):] if self.path.startswith(prefix) else self.path
            extra = headers(site_path) if callable(headers) else headers
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            super().end_headers()

        def send_error(self, code, message=None, explain=None):
            page = folder / "404.html"
            if code == 404 and page.exists():
                body = page.read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().send_error(code, message, explain)

    Handler.extensions_map = {**Handler.extensions_map, ".js": "text/javascript", ".wasm": "application/wasm",
                              ".json": "application/json", ".css": "text/css"}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{prefix}"


@pytest.fixture(scope="session")
def browser():
    """Real headless Chromium (Debian's), driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()
