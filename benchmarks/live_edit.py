"""Edit-to-browser latency of `site-builder serve`: save a document's title, time until the open page shows it.

    python benchmarks/live_edit.py --count 10000 [--edits 20] [--pause SECONDS]

Makes a scratch project with a generated corpus (benchmarks/corpus.py; the content of benchmarks/corpus-<N>k is
copied when it is there), starts the real `site-builder serve` (search index on: it is refreshed in a niced
child process after a quiet period and stopped by the next change), opens the document's page and a listing
page that lists it (its year) in headless Chromium, then edits the document's title `--edits` times.

Measured per edit, from just before the file is written to the first animation frame in which each page
shows the new title (a timestamp taken by the page itself, which checks its text once per frame; the page is
refreshed by the live-reload script, in place or by a reload): the document page, and the listing page. Between
edits it waits --pause seconds (default 1.5) after the page showed the edit, as a person saving every few seconds
would (every rebuild is exact, there is no later pass; the search index is refreshed in the background after a
quiet period and stopped by the next change). Prints median and 90th percentile, and the server's own rebuild
times (from its "rebuilt" lines).
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# In every page: once per frame, look for the awaited text; note the time of the first frame that has it.
SHOWN = """(() => {
  const check = () => {
    const want = sessionStorage.getItem("want");
    if (want && document.body && document.body.textContent.includes(want)) {
      sessionStorage.setItem("shown:" + want, String(Date.now()));
      sessionStorage.removeItem("want");
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();"""


class Output:
    def __init__(self, proc: subprocess.Popen):
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(line) for line in proc.stdout], daemon=True).start()

    def expect(self, pattern: str, timeout: float = 1800) -> str:
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            if re.search(pattern, line):
                return line


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--pause", type=float, default=None,
                        help="seconds between an edit showing and the next (default: 1.5)")
    parser.add_argument("--doc", type=int, default=1234, help="which document (index in file order) to edit")
    args = parser.parse_args()
    # Started in the background (`nohup … &`), this script inherits an ignored SIGINT, and so would serve, which
    # is stopped with SIGINT like Ctrl-C: give it Python's default handling back.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        prepared = HERE / f"corpus-{args.count // 1000}k" / "content"
        if args.count % 1000 == 0 and prepared.is_dir() and len(list(prepared.glob("*.md"))) == args.count:
            shutil.copytree(prepared, root / "content")
        else:
            import corpus

            corpus.generate(args.count, root / "content", seed=5)
        (root / "pyproject.toml").write_text('[tool.site_builder]\ntitle = "基准档案"\n', encoding="utf-8")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "site_builder", "serve", "--root", str(root), "--port", str(port)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        out = Output(proc)
        try:
            out.expect("serving http://")
            first = time.perf_counter() - started
            files = sorted((root / "content").glob("*.md"))
            source = files[args.doc % len(files)]
            text = source.read_text(encoding="utf-8")
            year = re.search(r"^year: (\d+)", text, re.M).group(1)
            listing = next(p for p in sorted((root / "public" / "years" / year).rglob("index.html"))
                           if f"/docs/{source.stem}/" in p.read_text(encoding="utf-8"))
            listing_url = "/" + listing.parent.relative_to(root / "public").as_posix() + "/"
            base = f"http://127.0.0.1:{port}"
            doc_times, list_times, step_times = [], [], []
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                pages = []
                for _ in range(2):   # a window each: a page in a background tab gets no animation frames
                    context = browser.new_context()
                    context.add_init_script(SHOWN)
                    pages.append(context.new_page())
                doc_page, list_page = pages
                doc_page.goto(f"{base}/docs/{source.stem}/")
                list_page.goto(base + listing_url)
                time.sleep(1.0)
                for n in range(args.edits):
                    marker = f"改{n}号"
                    text = re.sub(r'^title: "(改\d+号)?', f'title: "{marker}', text, count=1, flags=re.M)
                    for page in (doc_page, list_page):
                        page.evaluate("m => sessionStorage.setItem('want', m)", marker)
                    saved = time.time() * 1000
                    source.write_text(text, encoding="utf-8")
                    line = out.expect(r"^rebuilt", timeout=120)
                    printed = time.time() * 1000 - saved
                    step_times.append(float(re.search(r"in ([\d.]+) s", line).group(1)) * 1000)
                    for page, times in ((doc_page, doc_times), (list_page, list_times)):
                        shown = page.wait_for_function("m => sessionStorage.getItem('shown:' + m)", arg=marker,
                                                       polling=20, timeout=120000)
                        times.append(float(shown.json_value()) - saved)
                    print(f"edit {n + 1}: page {doc_times[-1]:.0f} ms, listing {list_times[-1]:.0f} ms, "
                          f"rebuild {step_times[-1]:.0f} ms, its summary read {printed:.0f} ms "
                          f"after the save", flush=True)
                    time.sleep(1.5 if args.pause is None else args.pause)
                browser.close()
        finally:
            proc.send_signal(signal.SIGINT)
            stopping = time.perf_counter()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:   # serve dumps its threads' stacks on SIGUSR1 (faulthandler)
                proc.send_signal(signal.SIGUSR1)
                time.sleep(2)
                proc.kill()
                proc.wait()
                time.sleep(0.5)
                while not out.lines.empty():
                    print(out.lines.get(), end="")
                raise SystemExit("serve did not stop within 60 s of SIGINT (its stacks above)")
            print(f"serve stopped {time.perf_counter() - stopping:.2f} s after SIGINT")
    load = os.getloadavg()[0]
    print(f"{args.count} documents: serve ready (first build) after {first:.1f} s; load average {load:.1f} "
          f"on {os.cpu_count()} cores; "
          f"{args.edits} edits, {1.5 if args.pause is None else args.pause} s apart")
    for name, values in (("save → document page shown", doc_times), ("save → listing page shown", list_times),
                         ("server rebuild", step_times)):
        print(f"  {name}: median {statistics.median(values):.0f} ms, p90 {percentile(values, 0.9):.0f} ms")


if __name__ == "__main__":
    main()
