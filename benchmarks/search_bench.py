"""Search measurements on a built archive (see README.md, section "Search").

    python benchmarks/search_bench.py transfer ARCHIVE [--public DIR] QUERY...  # first query, fresh browser: bytes, time
    python benchmarks/search_bench.py quality ARCHIVE [--public DIR] [--sampled N]  # recall/precision vs substring truth

ARCHIVE is a folder holding content/ (from benchmarks/corpus.py) and public/ (from `site-builder build`, either
search engine; --public names another output folder of the same content). Transfer is the sum over every
requested file of its size as served: gzip for text (HTML, JS, CSS, JSON, .txt, which GitHub Pages and Netlify
compress); as they are for the exact engine's .bin files (binary: not compressed) and for Pagefind's .pf_* and
.pagefind files (Pagefind writes them gzip'd already). Uses Debian's Chromium and the helpers of tests/.
"""

from __future__ import annotations

import argparse
import gzip
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from conftest import CHROMIUM, CHROMIUM_ARGS, serve_folder  # noqa: E402


def served_size(folder: Path, url: str) -> int:
    path = folder / unquote(urlsplit(url).path).lstrip("/")
    if path.is_dir():
        path = path / "index.html"
    data = path.read_bytes()
    return len(data) if as_is(path.suffix) else len(gzip.compress(data, 6))


def as_is(suffix: str) -> bool:
    """Served as written: the exact engine's binary postings and Pagefind's files, which are gzip'd already."""
    return suffix in (".bin", ".pagefind") or suffix.startswith(".pf_")


def kind(url: str) -> str:
    """Which part of the transfer a file is.

    exact: fulltext/<part>/pairs/3.bin → pairs, fulltext/0/meta.json → meta, fulltext/t2s/5.json → t2s;
    Pagefind: pagefind/<part>/index/x.pf_index → pf_index, …/pagefind-entry.json → pagefind-entry,
    …/wasm.unknown.pagefind → wasm, …/pagefind.js → pagefind.js; the shared meta.json, docs/, text/ as above;
    else by type (js, css, html)."""
    path = urlsplit(url).path
    for root in ("/fulltext/", "/pagefind/"):
        if root in path:
            parts = path.split(root, 1)[1].split("/")
            name = parts[-1]
            if name.startswith("wasm."):
                return "wasm"
            if name == "pagefind.js":
                return name
            if ".pf_" in name:
                return name.rsplit(".", 1)[-1]
            return parts[-2] if len(parts) > 1 and not parts[-2].isdigit() else name.split(".")[0]
    return path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else "html"


def engine_of(folder: Path) -> str:
    for name, index in (("pagefind", "pagefind"), ("exact", "fulltext")):
        if (folder / index / "index.json").is_file():
            return name
    raise SystemExit(f"{folder}: no search index (pagefind/ or fulltext/)")


def transfer(archive: Path, public: Path | None, queries: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    folder = public or archive / "public"
    print(f"engine: {engine_of(folder)}", flush=True)
    server, base = serve_folder(folder)
    totals = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for query in queries:
            context = browser.new_context()
            page = context.new_page()
            requests = []
            page.on("request", lambda r: requests.append(r.url))
            started = time.time()
            page.goto(base + "search/?q=" + quote(query))
            page.wait_for_function("() => document.getElementById('search-status').dataset.count !== undefined",
                                   timeout=300_000)
            shown = time.time() - started
            page.wait_for_load_state("networkidle")
            count = page.get_attribute("#search-status", "data-count")
            kinds: dict[str, int] = {}
            for url in dict.fromkeys(requests):
                kinds[kind(url)] = kinds.get(kind(url), 0) + served_size(folder, url)
            total = sum(kinds.values())
            totals.append(total)
            print(f"{query}\t{count} docs\t{total / 1024:.0f} KB\t{shown:.1f} s\t"
                  + " ".join(f"{k}={v / 1024:.0f}" for k, v in sorted(kinds.items())), flush=True)
            context.close()
        browser.close()
    server.shutdown()
    print(f"median {statistics.median(totals) / 1024:.0f} KB, min {min(totals) / 1024:.0f} KB, "
          f"max {max(totals) / 1024:.0f} KB")


def quality(archive: Path, public: Path | None, sampled: int) -> None:
    from playwright.sync_api import sync_playwright

    import test_search_quality as t

    texts = t.doc_texts(archive / "content")
    rng = random.Random(11)
    queries = t.FIXED_QUERIES + t.sampled_queries(texts, rng)
    while len(queries) < len(t.FIXED_QUERIES) + sampled:
        queries += t.sampled_queries(texts, rng)[12:]
    folder = public or archive / "public"
    engine = engine_of(folder)
    server, base = serve_folder(folder)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page()
        page.goto(base + "search/")
        hits = found = wanted = 0
        misses, times = [], []
        for query in queries:
            expected = t.truth(texts, query)
            started = time.time()
            got = set(page.evaluate("q => window.siteSearch(q).then(r => r.map(x => x.url))", query))
            times.append(time.time() - started)
            hits += len(got & expected)
            found += len(got)
            wanted += len(expected)
            if got != expected:
                misses.append((query, len(expected - got), len(got - expected)))
        browser.close()
    server.shutdown()
    print(f"{engine}: {len(texts)} documents, {len(queries)} queries: recall {hits / wanted:.4f}, "
          f"precision {hits / found:.4f}; siteSearch median {statistics.median(times) * 1000:.0f} ms, "
          f"max {max(times) * 1000:.0f} ms; differing queries: {misses}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    tr = sub.add_parser("transfer")
    tr.add_argument("archive", type=Path)
    tr.add_argument("--public", type=Path, help="output folder (default ARCHIVE/public)")
    tr.add_argument("queries", nargs="+")
    qu = sub.add_parser("quality")
    qu.add_argument("archive", type=Path)
    qu.add_argument("--public", type=Path, help="output folder (default ARCHIVE/public)")
    qu.add_argument("--sampled", type=int, default=150)
    args = parser.parse_args()
    if args.command == "transfer":
        transfer(args.archive, args.public, args.queries)
    else:
        quality(args.archive, args.public, args.sampled)


if __name__ == "__main__":
    main()
