"""Build the search index for a configuration into a folder; run as a child process by serve/--watch so that
it can be stopped (with Pagefind's own process) at any moment."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from site_builder.build import load
from site_builder.config import Config
from site_builder.search import build_search_index


def main() -> int:
    values = json.loads(sys.argv[1])
    config = Config(**{**values, "root": Path(values["root"])})
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    build_search_index(load(config), out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
