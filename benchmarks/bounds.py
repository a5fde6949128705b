"""Where the time of a build goes, for the targets that a full build misses (see README.md).

    python benchmarks/bounds.py ARCHIVE [--part 5000]

ARCHIVE holds content/ (benchmarks/corpus.py). Measured in this one process (wall and CPU, children included):
- markdown: markdown-it-py's render (HTML and plain text from one parse) of every document body, as the loader
  calls it: the Markdown share of a cold `--no-search` build;
- one Pagefind part of `--part` documents (the engine's PART_SIZE), step by step as search/pagefind.write_part
  runs it: the shared rows and texts, the words (Words.record), meta.json, Pagefind's own indexing of our
  records (the Python API and its binary, scratch pages included), the chunk-bound fix;
- the same documents as one part of the exact engine (search/exact.write_part), for comparison.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Clock:
    def __init__(self):
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @staticmethod
    def _cpu() -> float:
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    def wrap(self, name: str, function):
        def timed(*args, **kwargs):
            wall, cpu = time.perf_counter(), self._cpu()
            try:
                return function(*args, **kwargs)
            finally:
                self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - wall
                self.cpu[name] = self.cpu.get(name, 0.0) + self._cpu() - cpu
        return timed

    def report(self) -> dict:
        return {k: {"wall": round(self.wall[k], 2), "cpu": round(self.cpu[k], 2)} for k in self.wall}


def markdown_share(content: Path) -> dict:
    from site_builder.content.markdown import render

    bodies = []
    for path in sorted(content.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        bodies.append(text.split("\n---\n", 1)[1] if text.startswith("---\n") else text)
    clock = Clock()
    timed = clock.wrap("markdown-it-py render", render)
    for body in bodies:
        timed(body)
    return {"documents": len(bodies), **clock.report()}


def pagefind_part(archive: Path, size: int) -> dict:
    from site_builder.build import load
    from site_builder.config import load_config
    from site_builder.search import exact, pagefind
    from site_builder.search.text import in_date_order

    site = load(load_config(archive))
    docs = in_date_order(site.documents)[:size]
    clock = Clock()
    pagefind.write_rows_and_texts = clock.wrap("rows and texts", pagefind.write_rows_and_texts)
    pagefind.Words.record = clock.wrap("words (Words.record)", pagefind.Words.record)
    pagefind.write_meta = clock.wrap("meta.json", pagefind.write_meta)
    pagefind._run = clock.wrap("Pagefind indexing (API + binary)", pagefind._run)
    pagefind.fix_chunk_bounds = clock.wrap("chunk-bound fix", pagefind.fix_chunk_bounds)
    with tempfile.TemporaryDirectory() as scratch:
        clock.wrap("pagefind part, total", pagefind.write_part)(docs, Path(scratch) / "pagefind")
        clock.wrap("exact part, total", exact.write_part)(docs, Path(scratch) / "exact")
    timed = clock.report()
    words = pagefind.Words()
    count = sum(len(words.record(doc)[0].split()) for doc in docs)   # not timed: the words Pagefind indexes
    return {"documents": len(docs), "pagefind_words": count, **timed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", type=Path)
    parser.add_argument("--part", type=int, default=5000)
    args = parser.parse_args()
    print(json.dumps({"markdown": markdown_share(args.archive / "content")}, ensure_ascii=False), flush=True)
    print(json.dumps({"part": pagefind_part(args.archive, args.part)}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
