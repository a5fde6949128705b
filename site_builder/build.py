"""Orchestration: load content → immutable Site → listings → URLs → render → write → search index."""

from __future__ import annotations

import gc
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace

from site_builder.config import Config
from site_builder.content import Site, load_site
from site_builder.errors import Problem, SiteError, display_path
from site_builder.listings import build_listings
from site_builder.locks import writing
from site_builder.output import Staging
from site_builder.render import write_site
from site_builder.urls import Urls
from site_builder.wording import count


@dataclass(frozen=True)
class BuildResult:
    documents: int
    pages: int
    files: int
    seconds: float
    search: dict | None
    unchanged: bool = False   # nothing to do: every input is as at the last build and public/ is intact
    size: int = 0             # bytes of every file in the output folder: what a host publishes

    def summary(self) -> str:
        if self.unchanged:
            return (f"no change: {count(self.documents, 'document')} → {count(self.pages, 'page')}, "
                    f"{count(self.files, 'file')} "
                    f"({self.size / 1e6:.1f} MB) as built before (checked in {self.seconds:.2f} s)")
        searched = (f", search index ({self.search['engine']}) of {count(self.search['records'], 'document')}"
                    if self.search else "")
        return (f"built {count(self.documents, 'document')} → {count(self.pages, 'page')}, {count(self.files, 'file')} "
                f"({self.size / 1e6:.1f} MB) in {self.seconds:.2f} s{searched}")

    def warnings(self, output: str) -> list[str]:
        """What the user should know although the build succeeded."""
        if self.size <= PAGES_LIMIT:
            return []
        smaller = ("the exact search engine makes a smaller index (--search-engine exact), or publish elsewhere"
                   if self.search and self.search.get("engine") == "pagefind" else "publish it elsewhere")
        return [f"{output}: {self.size / 1e9:.2f} GB is more than GitHub Pages publishes (1 GB per site); {smaller}"]


PAGES_LIMIT = 10**9   # GitHub Pages: "published sites may be no larger than 1 GB"


def check_output_location(config: Config) -> None:
    """public/ is replaced whole on every build: it must not hold or be the content or the project."""
    out, content, root = config.output_path, config.content_path, config.root.resolve()
    where = display_path(config.root / "pyproject.toml", config.root)
    if out in (root, content) or content.is_relative_to(out) or root.is_relative_to(out) \
            or out.is_relative_to(content) or out.is_relative_to(config.theme_path):
        raise SiteError(Problem(where, f"output_dir {config.output_dir!r} would overwrite the project, "
                                       f"its content or its theme; choose a separate folder such as 'public'"))
    if out.exists() and not out.is_dir():
        raise SiteError(Problem(display_path(out, root), "output path exists and is not a folder"))


def load(config: Config, jobs: int | None = None, cache: dict | None = None, **options) -> Site:
    """The immutable Site with every document's URL decided by urls.py (options: see content.load_site)."""
    site = load_site(config, jobs=jobs, cache=cache, **options)
    urls = Urls(config)
    return replace(site, documents=tuple(replace(d, url=urls.link(Urls.document(d.slug))) for d in site.documents))


def build(config: Config, *, search: bool | None = None, log=None, jobs: int | None = None, progress=None,
          use_cache: bool = True) -> BuildResult:
    """Build public/ from content/ and the theme; raise SiteError (public/ untouched) on any problem.

    `jobs`: worker processes for parsing and rendering (default: one per core; 1 = all in this process).
    `progress(stage, done, total)`: called as documents are parsed and pages rendered.
    `use_cache`: with the cache in .site-builder-cache/ (see cache.py) a build whose inputs are all as at the
    last build, into an intact public/, stops at once ("no change"), and unchanged documents are not re-parsed.
    """
    check_output_location(config)
    with _collector_paused(), writing(config):   # one build at a time per output folder and cache (locks.py)
        return _build(config, search=search, log=log, jobs=jobs, progress=progress, use_cache=use_cache)


@contextmanager
def _collector_paused():
    """A build makes hundreds of thousands of long-lived objects and few reference cycles, and Python's cyclic
    collector would rescan all of them every so many allocations (measured: 0.9 s of a 8.7 s cold build of
    10,000 documents). Paused for the build (forked workers inherit the pause), one collection after it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


def _build(config: Config, *, search: bool | None, log, jobs: int | None, progress, use_cache: bool) -> BuildResult:
    started = time.perf_counter()
    search = config.search if search is None else search
    log = log or (lambda message: None)
    progress = progress or (lambda stage, done, total: None)
    options = {"search": config.search_engine if search else False}
    store = hashes = None
    if use_cache:
        from site_builder import cache
        from site_builder.content.loader import discover

        hashes = cache.FileHashes(config.root)
        last = cache.last_build(config.root, config.output_path)
        if last is not None and config.output_path.is_dir():
            log("checking for changes")
            files, _ = discover(config)
            digest, recorded = cache.fingerprint(config, files, hashes, options), last[1]
            if digest == last[0] and cache.output_intact(config.output_path, recorded["manifest"]):
                hashes.save()
                counts = recorded["counts"]
                return BuildResult(counts["documents"], counts["pages"], counts["files"],
                                   time.perf_counter() - started, None, unchanged=True, size=counts.get("size", 0))
        store = cache.DocumentStore(config.root)
    log("reading content")
    site = load(config, jobs=jobs, store=store, hashes=hashes, progress=lambda d, t: progress("parse", d, t))
    if use_cache:   # what this build is made from: the parsed bytes (hashes noted while parsing), theme, code
        files = [d.source_path for d in site.documents]
        digest = cache.fingerprint(config, sorted(files), hashes, options)
    listings = build_listings(site)
    log(f"rendering {count(len(site.documents), 'document')}")
    summary = None
    with Staging(config.output_path) as stage:
        indexing = None
        if search:   # the slowest stage: in a process of its own, while the pages are rendered
            from site_builder.search import IndexJob, index_dir
            parts, at_once = search_plan(len(site.documents), jobs, config.search_engine)
            log(f"indexing for search ({config.search_engine})")
            indexing = IndexJob(site, stage.path, config.search_engine, parts=parts, jobs=at_once,
                                previous=config.output_path)
        try:
            plan, written = write_site(site, listings, Urls(config), stage, jobs=jobs,
                                       progress=lambda d, t: progress("render", d, t))
            if indexing:
                progress("search", 0, 1)
                summary = indexing.wait()
                stage.adopt_unchanged(index_dir(config.search_engine))
                progress("search", 1, 1)
        finally:
            if indexing:
                indexing.stop()
        if use_cache:
            cache.forget_build(config.root, config.output_path)
        stage.commit()
    from site_builder.cache import manifest

    files = manifest(config.output_path)
    counts = {"documents": len(site.documents), "pages": len(plan.pages), "files": written,
              "size": sum(stamp[0] for stamp in files.values())}
    if use_cache:
        store.save()
        hashes.save()
        cache.record_build(config.root, config.output_path, digest, counts, files)
    return BuildResult(counts["documents"], counts["pages"], counts["files"], time.perf_counter() - started,
                       summary, size=counts["size"])


# peak memory of indexing one document of a part (measured: exact ~3.4 GB PSS for 10,000; Pagefind ~4 GB RSS
# for 5,000, most of it Pagefind's own process)
SEARCH_MB_PER_DOC = {"exact": 0.35, "pagefind": 0.8}


def search_plan(documents: int, jobs: int | None, engine: str) -> tuple[int, int]:
    """(parts, parts indexed at once) for the search index: one part per the engine's PART_SIZE documents (by
    document count alone, so that every build gives the same bytes), as many at once as the cores and the
    available memory allow."""
    from site_builder.content.loader import worker_count
    from site_builder.search import part_size

    parts = max(1, -(-documents // part_size(engine)))
    per_part_mb = SEARCH_MB_PER_DOC[engine] * -(-documents // parts)
    at_once = max(1, min(worker_count(jobs), parts, int(0.8 * _available_mb() // max(per_part_mb, 1))))
    return parts, at_once


def _available_mb() -> float:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20 / 2


STAGES = {"parse": "parsing documents", "render": "rendering pages", "search": "indexing for search",
          "ingest": "ingesting documents"}   # the last one: `site-builder ingest` shows the same bar


@contextmanager
def terminal_progress(enabled: bool):
    """(log, progress) callbacks for ``build`` and ``ingest``: a rich progress bar on stderr, gone when the
    command ends."""
    if not enabled:
        yield None, None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    bar = Progress(TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console, transient=True)
    tasks: dict[str, int] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(STAGES.get(stage, stage), total=None if stage == "search" else total)
        if stage == "search":
            if done >= total:
                bar.update(tasks[stage], total=1, completed=1)
        else:
            bar.update(tasks[stage], completed=done, total=total)

    def log(message: str) -> None:
        bar.console.print(f"… {message}", highlight=False)

    with bar:
        yield log, progress
