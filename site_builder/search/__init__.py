"""The search index, built by one of two engines over the same documents, read by one search page.

- "pagefind" (the default): Pagefind builds the index (search/pagefind.py), over words that keep Chinese
  search exact; public/pagefind/.
- "exact": the project's own index of character pairs with positions (search/exact.py), built with array
  sorts: faster to build and smaller to query on very large archives; public/fulltext/.

Both write the same shared files (search/text.py) and index.json, so that search.js behaves the same with
either: it loads the engine's module named in index.json and asks it only where a term occurs.

  <root>/index.json   {"version", "engine", "chunk", "t2s_shards", "parts": [{"path", "docs", "digest"}]}
                      (digest: what the part was made of, so that the next build can reuse it)
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from functools import lru_cache
from pathlib import Path

from site_builder.errors import Problem, SiteError
from site_builder.parallel import Forked, fork_map
from site_builder.search import exact, pagefind
from site_builder.search.text import CHUNK, T2S_SHARDS, date_key, filter_values, in_date_order, row, t2s_map, \
    write_json, write_t2s

VERSION = 2
ENGINES = {"pagefind": pagefind, "exact": exact}   # as config.SEARCH_ENGINES, the default first
DEFAULT_ENGINE = "pagefind"


def index_dir(engine: str) -> str:
    return ENGINES[engine].INDEX_DIR


def part_size(engine: str) -> int:
    return ENGINES[engine].PART_SIZE


def build_search_index(site, out_dir: Path, engine: str = DEFAULT_ENGINE, parts: int | None = None,
                       jobs: int = 1, previous: Path | None = None) -> dict:
    """Write the search index of `engine` under out_dir: `parts` of the documents (default: one per the
    engine's PART_SIZE), newest first, `jobs` of them at once in forked processes. A part whose documents are
    as in the index under `previous` (the last output) is hard-linked from there instead of being built again."""
    module = ENGINES[engine]
    docs = in_date_order(site.documents)
    count = parts or max(1, -(-len(docs) // module.PART_SIZE))
    size = -(-len(docs) // count) if docs else 0
    root = out_dir / module.INDEX_DIR
    slices = [docs[n * size:(n + 1) * size] for n in range(count)]
    digests = [part_digest(engine, part) for part in slices]
    reused = _reusable_parts(previous / module.INDEX_DIR if previous else None, digests)
    todo = [n for n in range(count) if n not in reused]
    for n in reused:
        shutil.copytree(reused[n], root / str(n), copy_function=os.link)
    if jobs > 1 and len(todo) > 1:
        _in_workers(module.write_part, [slices[n] for n in todo], [root / str(n) for n in todo], jobs)
    else:
        for n in todo:
            module.write_part(slices[n], root / str(n))
    write_t2s(root)
    write_json(root / "index.json", {"version": VERSION, "engine": engine, "chunk": CHUNK, "t2s_shards": T2S_SHARDS,
                                     "parts": [{"path": f"{n}/", "docs": len(part), "digest": digest}
                                               for n, (part, digest) in enumerate(zip(slices, digests))]})
    return {"engine": engine, "records": len(docs), "parts": count, "reused": len(reused)}


@lru_cache(maxsize=None)
def _code_digest(engine: str) -> bytes:
    """The engine's code, the shared code and the character table: what, besides the documents, decides a
    part's bytes (and the Pagefind version, for the default engine)."""
    folder = Path(__file__).parent
    code = b"".join((folder / name).read_bytes() for name in sorted(os.listdir(folder)) if name.endswith(".py"))
    if engine == "pagefind":
        from importlib.metadata import version

        code += version("pagefind-bin").encode("ascii")
    return hashlib.sha256(engine.encode("ascii") + code + json.dumps(t2s_map()).encode("ascii")).digest()


def part_digest(engine: str, docs: list) -> str:
    """What a part's files are made of: its documents' URLs, rows, filter values and text, and the code."""
    digest = hashlib.sha256(_code_digest(engine))
    for d in docs:
        digest.update(json.dumps([row(d), date_key(d), filter_values(d), d.text], ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def _reusable_parts(previous: Path | None, digests: list[str]) -> dict[int, Path]:
    """Part number → folder of the previous index holding the same part (same number, same digest)."""
    try:
        recorded = json.loads((previous / "index.json").read_text(encoding="utf-8"))["parts"] if previous else []
    except (OSError, ValueError, KeyError):
        return {}
    return {n: previous / str(n) for n, (part, digest) in enumerate(zip(recorded, digests))
            if isinstance(part, dict) and part.get("digest") == digest and (previous / str(n) / "meta.json").is_file()}


class IndexJob:
    """build_search_index in a forked process, so that the index is built while the pages are rendered."""

    def __init__(self, site, out_dir: Path, engine: str = DEFAULT_ENGINE, parts: int | None = None, jobs: int = 1,
                 previous: Path | None = None, where: str | None = None):
        """`where`: the index folder as the user knows it (public/pagefind), named if indexing fails."""
        self._job = Forked(build_search_index, site, out_dir, engine, parts, jobs, previous)
        self._where = where or f"{out_dir}/{index_dir(engine)}"

    def wait(self) -> dict:
        """The summary of build_search_index; its failure as a problem of the index folder (SiteError)."""
        try:
            return self._job.result()
        except RuntimeError as exc:
            raise SiteError(Problem(self._where, f"search index not built: {exc}")) from None

    def stop(self) -> None:
        self._job.stop()


def _in_workers(writer, slices: list, targets: list[Path], jobs: int) -> None:
    """Index the parts `jobs` at a time, each in a fresh forked process that exits after its part."""
    for _ in fork_map(lambda n: writer(slices[n], targets[n]), range(len(slices)), jobs, fresh=True):
        pass


