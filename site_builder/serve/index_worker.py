"""Build the search index for a configuration into a folder; run as a child process by serve/--watch so that
it can be stopped at any moment. It runs at low priority (it must never slow the edit-to-page path), reads
the content through the parse cache, and splits the index into the same parts as `site-builder build` does,
so the files are the same bytes."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from site_builder import cache
from site_builder.build import load, search_plan
from site_builder.config import Config
from site_builder.parallel import die_with_parent
from site_builder.search import build_search_index


def main() -> int:
    die_with_parent(int(sys.argv[3]))   # its own session: a `kill -9` of serve would not reach it otherwise
    try:
        os.nice(10)
    except OSError:
        pass
    values = json.loads(sys.argv[1])
    config = Config(**{**values, "root": Path(values["root"])})
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    site = load(config, jobs=1, store=cache.DocumentStore(config.root), hashes=cache.FileHashes(config.root))
    parts, _ = search_plan(len(site.documents), 1, config.search_engine)
    build_search_index(site, out, config.search_engine, parts=parts, jobs=1, previous=config.output_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
