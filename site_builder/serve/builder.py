"""serve's and watch's build engine, kept in a resident child process (parallel.Resident) forked before the HTTP
server and the file watcher start their threads: the parse and render workers it forks are forked by a process
with one thread (see Resident for why that matters). Its methods are called from the session in the parent;
what they return travels through a pipe (summaries, URLs, problems), the site and the plan stay here."""

from __future__ import annotations

import gc
from urllib.parse import quote

from site_builder.config import Config
from site_builder.errors import SiteError
from site_builder.locks import os_problem
from site_builder.parallel import collector_paused
from site_builder.rebuild import Rebuilder
from site_builder.serve.indexer import index_key
from site_builder.urls import Urls, route_of


def changed_urls(config: Config, written: list[str]) -> list[str]:
    """Output files → the URL paths a browser has open ("*": everything changed)."""
    if "*" in written:
        return ["*"]
    urls = Urls(config)
    return [quote(urls.link(route_of(rel)), safe="/") for rel in written]


class Builds:
    """The state kept between builds: configuration, parsed documents, the rebuild engine."""

    def __init__(self, config: Config, search: bool):
        self.config, self.search = config, search
        self.parsed: dict = {}                 # parse results, kept across configuration changes
        self.rebuilder = Rebuilder(config, parsed=self.parsed)
        self.first = True

    def build(self, edited: set | None = None) -> tuple:
        """("built", summary, changed URLs, search index key or None) or ("problems", [Problem…])."""
        try:
            with collector_paused():   # a full collection later, once the open pages have what changed
                outcome = self._build(edited)
        except SiteError as exc:
            return "problems", exc.problems
        except OSError as exc:   # as the output folder's lock (held by the parent) would have reported it
            return "problems", [os_problem(exc, self.config.output_path, self.config.root)]
        key = index_key(self.config, outcome.site) if self.search and self.config.search else None
        return "built", outcome.summary(), changed_urls(self.config, outcome.written), key

    def _build(self, edited: set | None = None):
        from site_builder import cache
        from site_builder.build import check_output_location

        check_output_location(self.config)
        rebuilder = self.rebuilder
        live = rebuilder.refresh(edited) if edited and not self.first else None
        if live:
            return rebuilder.build(*live, keep_search=True, defer_save=True)
        if self.first:   # the first load reads the on-disk parse cache (.site-builder-cache), in parallel
            store, hashes = cache.DocumentStore(self.config.root), cache.FileHashes(self.config.root)
            site = rebuilder.load(store=store, hashes=hashes)
            try:
                store.save()
                hashes.save()
            except OSError:
                pass
            self.first = False
        else:
            site = rebuilder.load()
        return rebuilder.build(site, rebuilder.plan(site), keep_search=True, defer_save=True)

    def save(self) -> list:
        """Keep the record in the cache folder for the next process; the problems if that failed."""
        try:
            self.rebuilder.save()
        except SiteError as exc:
            return exc.problems
        except OSError as exc:
            return [os_problem(exc, self.config.output_path, self.config.root)]
        return []

    def collect(self) -> None:
        """A full collection; what is alive then stays out of later passes' way."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def reconfigure(self, new: Config) -> None:
        keep = new.content_path == self.config.content_path and new.root == self.config.root
        if not keep:
            self.parsed.clear()
        self.config = new
        self.rebuilder = Rebuilder(new, parsed=self.parsed)
