"""Edit-to-page latency of `site-builder build --watch`: save a document, time until its page on disk shows it.

    python benchmarks/live_edit.py --count 1000 [--edits 10]

Generates a corpus (benchmarks/corpus.py) into a scratch project, starts the real watcher (without the search
index, which is refreshed later in the background and never on this path), then edits one document's title
`--edits` times and polls its output page every 2 ms. The open browser page reloads one Server-Sent Event
later (measured separately in tests/test_serve.py). Prints median and 90th percentile.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402


def wait_for(proc: subprocess.Popen, needle: str) -> None:
    for line in proc.stdout:
        if needle in line:
            return
    raise RuntimeError(f"watcher exited before printing {needle!r}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus.generate(args.count, root / "content", seed=5)
        proc = subprocess.Popen([sys.executable, "-m", "site_builder", "build", "--watch", "--no-search",
                                 "--root", str(root)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        started = time.perf_counter()
        wait_for(proc, "watching for changes")
        print(f"{args.count} documents: first build {time.perf_counter() - started:.1f} s")
        files = sorted((root / "content").glob("*.md"))
        latencies = []
        for n in range(args.edits):
            source = files[(n * 7919) % len(files)]
            page = root / "public" / "docs" / source.stem / "index.html"
            marker = f"改{n}号"
            text = source.read_text(encoding="utf-8")
            t0 = time.perf_counter()
            source.write_text(text.replace('title: "', f'title: "{marker}', 1), encoding="utf-8")
            while marker not in page.read_text(encoding="utf-8", errors="replace"):
                time.sleep(0.002)
            latencies.append(time.perf_counter() - t0)
            wait_for(proc, "rebuilt")
        proc.terminate()
        proc.wait()
    latencies.sort()
    p90 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.9))]
    print(f"save → page written: median {statistics.median(latencies) * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms "
          f"over {len(latencies)} edits")


if __name__ == "__main__":
    main()
