"""Rebuilds for a long-running process (build --watch, serve): only what changed is parsed, rendered, written.

Correct first: every rebuild computes the whole page plan from the whole (cached) content, and a page is
re-rendered unless the digest of everything it is rendered from is unchanged (its template set, its route and
its context, where a document stands for its URL and content hash). Files are written one by one with
temp file + rename, so the server never serves half a file, and the result is byte-identical to a clean build.
The search index is not written here (see serve/ for the background indexer); its files are left alone.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
from pathlib import Path

from site_builder.build import BuildResult, check_output_location, load
from site_builder.config import Config
from site_builder.content.model import Document
from site_builder.listings import build_listings
from site_builder.output import Staging
from site_builder.render import plan_render, render_page, site_files
from site_builder.urls import Urls

SEARCH_OUTPUTS = ("pagefind", "search/t2s.json")   # written by the search indexer, not by page rendering
SITE_WIDE_TEMPLATES = {"home.html", "search.html", "data.html", "stats.html", "404.html"}


def _feed(h, obj, memo: dict) -> None:
    """Feed a stable description of a page context into a hash. Immutable parts shared by many pages
    (documents, region nodes, terms, tuples of documents) are digested once per build, via `memo`."""
    if isinstance(obj, Document):
        h.update(b"D" + obj.url.encode() + b"\0" + obj.content_hash.encode())
    elif isinstance(obj, tuple) or type(obj) in _FIELDS or _is_dataclass_instance(obj):
        cached = memo.get(id(obj))
        if cached is None:
            inner = hashlib.sha256()
            if isinstance(obj, tuple):
                inner.update(b"T%d" % len(obj))
                for item in obj:
                    _feed(inner, item, memo)
            else:
                inner.update(b"C" + type(obj).__name__.encode())
                for name in _FIELDS[type(obj)]:
                    _feed(inner, getattr(obj, name), memo)
            cached = memo[id(obj)] = (inner.digest(), obj)   # obj kept alive so its id stays unique
        h.update(cached[0])
    elif isinstance(obj, dict):
        h.update(b"M")
        for key in sorted(obj, key=repr):
            _feed(h, key, memo)
            _feed(h, obj[key], memo)
    elif isinstance(obj, list):
        h.update(b"L%d" % len(obj))
        for item in obj:
            _feed(h, item, memo)
    elif callable(obj):
        h.update(b"F" + getattr(obj, "__qualname__", repr(obj)).encode())
    else:
        h.update(b"V" + repr(obj).encode())
    h.update(b";")


_FIELDS: dict[type, tuple[str, ...]] = {}   # dataclass type → the fields that describe its instances


def _is_dataclass_instance(obj) -> bool:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        _FIELDS[type(obj)] = tuple(f.name for f in dataclasses.fields(obj) if f.name not in ("config", "env"))
        return True
    return False


def digest(*parts, memo: dict | None = None) -> str:
    h = hashlib.sha256()
    memo = {} if memo is None else memo
    for part in parts:
        _feed(h, part, memo)
    return h.hexdigest()


def tree_digest(*folders: Path) -> str:
    """Names, sizes and mtimes of every file in the theme (and project templates): any edit changes it."""
    h = hashlib.sha256()
    for folder in folders:
        if folder and folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    st = path.stat()
                    h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


class IncrementalBuilder:
    def __init__(self, config: Config):
        self.config = config
        self.parsed: dict = {}                       # content file → parse result (see loader.load_site)
        self.pages: dict[str, tuple[str, bytes]] = {}  # output file → (input digest, bytes)
        self.written: dict[str, bytes] | None = None   # what public/ holds now, except the search index
        self.site = None

    def build(self) -> BuildResult:
        """Rebuild; raise SiteError (public/ unchanged) on any problem."""
        started = time.perf_counter()
        config = self.config
        check_output_location(config)
        site = load(config, cache=self.parsed)
        listings = build_listings(site)
        urls = Urls(config)
        plan = plan_render(site, listings, urls)
        theme = tree_digest(config.theme_path, config.root / "templates")
        everything = digest([(d.url, d.content_hash) for d in site.documents])
        files: dict[str, bytes] = {}
        pages: dict[str, tuple[str, bytes]] = {}
        rendered = 0
        memo: dict = {}
        for page in plan.pages:
            out = Urls.output_file(page.route)
            key = digest(theme, page, everything if page.template in SITE_WIDE_TEMPLATES else None, memo=memo)
            cached = self.pages.get(out)
            if cached and cached[0] == key:
                data = cached[1]
            else:
                data = render_page(plan.env, page, site, config)
                rendered += 1
            pages[out] = (key, data)
            files[out] = data
        files.update(site_files(site, plan, urls))
        written = self._write(files)
        self.pages, self.site = pages, site
        result = BuildResult(len(site.documents), len(plan.pages), len(files), time.perf_counter() - started, None)
        return dataclasses.replace(result, search={"rendered": rendered, "written": written})

    def _write(self, files: dict[str, bytes]) -> int:
        output = self.config.output_path
        if self.written is None:  # first build of this process: a whole staged build, keeping the search index
            with Staging(output) as stage:
                stage.write_files(files)
                for rel in SEARCH_OUTPUTS:
                    stage.carry_over(rel)
                stage.commit()
            self.written = dict(files)
            return len(files)
        count = 0
        for rel, data in sorted(files.items()):
            if self.written.get(rel) != data:
                _atomic_write(output / rel, data)
                count += 1
        for rel in sorted(set(self.written) - set(files)):
            _remove(output, rel)
            count += 1
        self.written = dict(files)
        return count


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)


def _remove(output: Path, rel: str) -> None:
    path = output / rel
    path.unlink(missing_ok=True)
    parent = path.parent
    while parent != output and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
