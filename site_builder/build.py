"""Orchestration: load content → immutable Site → listings → URLs → render → write → search index."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace

from site_builder.config import Config
from site_builder.content import Site, load_site
from site_builder.errors import Problem, SiteError, display_path
from site_builder.locks import writing
from site_builder.parallel import Forked, collector_paused, worker_count
from site_builder.rebuild import Rebuilder
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
    outcome: object = None    # rebuild.Outcome: which pages were rendered, which files written
    kept: tuple = ()          # the build's caches, alive as long as the result: a command that exits at once
    # does not free them one by one first (0.15 s of a one-edit rebuild at 10,000 documents; cli._leave)

    def summary(self) -> str:
        if self.unchanged:
            return (f"no change: {count(self.documents, 'document')} → {count(self.pages, 'page')}, "
                    f"{count(self.files, 'file')} "
                    f"({self.size / 1e6:.1f} MB) as built before (checked in {self.seconds:.2f} s)")
        if self.outcome is not None and not self.outcome.everything:
            searched = (f", search index ({self.search['engine']})" if self.search else "")
            return (f"rebuilt {count(self.documents, 'document')} → {count(self.pages, 'page')}: "
                    f"{len(self.outcome.rendered)} rendered, {count(len(self.outcome.written), 'file')} rewritten "
                    f"({self.size / 1e6:.1f} MB) in {self.seconds:.2f} s{searched}")
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
    """The immutable Site, every document's URL decided by urls.py as it is loaded (options: content.load_site)."""
    return load_site(config, jobs=jobs, cache=cache, **options)


class Indexer:
    """The search index step of a build: built in a process of its own (search.IndexJob) into a folder — the
    staging tree, or a scratch folder swapped into public/ — reusing the parts of the previous index whose
    documents did not change, and keeping the files of it that came out the same."""

    def __init__(self, config: Config, jobs: int | None, log, progress):
        self.config, self.jobs, self.log, self.progress = config, jobs, log, progress
        self.job = None

    def begin(self, site: Site, folder, previous) -> None:
        import shutil

        from site_builder.search import IndexJob

        if folder != previous.with_name(f".{previous.name}.staging"):
            shutil.rmtree(folder, ignore_errors=True)
        parts, at_once = search_plan(len(site.documents), self.jobs, self.config.search_engine)
        self.log(f"indexing for search ({self.config.search_engine})")
        from site_builder.search import index_dir

        where = display_path(self.config.output_path / index_dir(self.config.search_engine), self.config.root)
        self.job = IndexJob(site, folder, self.config.search_engine, parts=parts, jobs=at_once, previous=previous,
                            where=where)

    def end(self, folder, previous) -> dict:
        from site_builder.output import link_unchanged
        from site_builder.search import index_dir

        self.progress("search", 0, 1)
        summary = self.job.wait()
        link_unchanged(folder, previous, index_dir(self.config.search_engine))
        self.progress("search", 1, 1)
        return summary

    def stop(self) -> None:
        if self.job:
            self.job.stop()
            self.job = None


def build(config: Config, *, search: bool | None = None, log=None, jobs: int | None = None, progress=None,
          use_cache: bool = True) -> BuildResult:
    """Build public/ from content/ and the theme; raise SiteError (public/ untouched) on any problem.

    `jobs`: worker processes for parsing and rendering (default: one per core; 1 = all in this process).
    `progress(stage, done, total)`: called as documents are parsed and pages rendered.
    `use_cache`: with the cache in .site-builder-cache/ (see cache.py) a build whose inputs are all as at the
    last build, into an intact public/, stops at once ("no change"), and unchanged documents are not re-parsed.
    """
    check_output_location(config)
    with collector_paused(), writing(config):   # one build at a time per output folder and cache (locks.py)
        return _build(config, search=search, log=log, jobs=jobs, progress=progress, use_cache=use_cache)


def _build(config: Config, *, search: bool | None, log, jobs: int | None, progress, use_cache: bool) -> BuildResult:
    started = time.perf_counter()
    search = config.search if search is None else search
    log = log or (lambda message: None)
    progress = progress or (lambda stage, done, total: None)
    options = {"search": config.search_engine if search else False}
    store = hashes = scanned = found = digest = None
    try:
        if use_cache:
            from site_builder import cache

            hashes = cache.FileHashes(config.root)
            scanned, found, digest, unchanged = _check(config, hashes, options, log)
            if unchanged:
                return replace(unchanged, seconds=time.perf_counter() - started)
            store = cache.DocumentStore(config.root)
        log("reading content")
        rebuilder = Rebuilder(config, jobs=jobs)
        site = rebuilder.load(store=store, hashes=hashes, progress=lambda d, t: progress("parse", d, t), found=found)
        if not use_cache:
            rebuilder.persist = False   # no record: a clean build, and none kept
        elif found is None:   # what this build is made from: the parsed bytes, theme, code (when it was checked
            # above, every file discovered then is a document now: a broken one stops the build)
            digest = cache.fingerprint(config, sorted(d.source_path for d in site.documents), hashes, options)
        plan = rebuilder.plan(site)
        log(f"rendering {count(len(site.documents), 'document')}")
        indexer = Indexer(config, jobs, log, progress) if search else None
        outcome = rebuilder.build(site, plan, scanned=scanned, indexer=indexer,
                                  progress=lambda d, t: progress("render", d, t))
    finally:
        if scanned is not None:
            scanned.stop()
    counts = {"documents": len(site.documents), "pages": len(plan.pages), "files": outcome.files,
              "size": sum(stamp[0] for stamp in outcome.manifest.values()),
              "rewritten": len(outcome.written) if not outcome.everything else None}
    if use_cache:
        store.save()
        hashes.save()
        cache.record_build(config.root, config.output_path, digest, counts, outcome.manifest)
    _explain(config, outcome)
    return BuildResult(counts["documents"], counts["pages"], counts["files"], time.perf_counter() - started,
                       outcome.search, size=counts["size"], outcome=outcome, kept=(rebuilder, store, hashes))


def _check(config: Config, hashes, options: dict, log) -> tuple:
    """(public/'s manifest as a _Scan, discover()'s answer, the fingerprint of the inputs, a BuildResult if
    nothing changed since the last build into an intact public/), or Nones when there is no last build."""
    from site_builder import cache
    from site_builder.content.loader import discover

    last = cache.last_build(config.root, config.output_path)
    if last is None or not config.output_path.is_dir():
        return None, None, None, None
    log("checking for changes")
    scanned = _Scan(config.output_path)
    found = discover(config)
    digest, recorded = cache.fingerprint(config, found[0], hashes, options), last[1]
    if digest != last[0] or scanned() != recorded["manifest"]:
        return scanned, found, digest, None
    hashes.save()
    counts = recorded["counts"]
    return scanned, found, digest, BuildResult(counts["documents"], counts["pages"], counts["files"], 0.0, None,
                                               unchanged=True, size=counts.get("size", 0))


EXPLAIN = "last-build.json"


def _explain(config: Config, outcome) -> None:
    """What the build did, for a person or a test: .site-builder-cache/last-build.json holds the step ("full":
    a staging tree swapped in whole; "changes": written in place), the routes of the pages rendered ("*": all)
    and the files under public/ written or removed ("*": all)."""
    import json

    from site_builder.cache import cache_dir

    everything = outcome.everything
    record = {"step": outcome.step, "rendered": "*" if everything else sorted(outcome.rendered),
              "written": "*" if everything else sorted(outcome.written)}
    path = cache_dir(config.root) / EXPLAIN
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{EXPLAIN}.{os.getpid()}.tmp")
        temp.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temp, path)
    except OSError:   # a read-only cache folder: the build itself succeeded
        pass


def _scan(output) -> dict | None:
    from site_builder.cache import manifest

    try:
        return manifest(output)
    except OSError:
        return None


class _Scan:
    """_scan(output), read by a forked child from now on (13,700 stats at 10,000 documents) while the build
    goes on; calling it gives the result (read here if the child could not)."""

    def __init__(self, output):
        self.output, self.answer = output, None
        try:
            self.child = Forked(_scan, output)
        except OSError:
            self.child = None

    def __call__(self) -> dict | None:
        if self.answer is None:
            try:
                self.answer = (self.child.result() if self.child else _scan(self.output),)
            except RuntimeError:
                self.answer = (_scan(self.output),)
            self.child = None
        return self.answer[0]

    def stop(self) -> None:
        if self.child is not None:
            self.child.stop()
            self.child = None


# peak memory of indexing one document of a part (measured: exact ~3.4 GB PSS for 10,000; Pagefind ~4 GB RSS
# for 5,000, most of it Pagefind's own process)
SEARCH_MB_PER_DOC = {"exact": 0.35, "pagefind": 0.8}


def search_plan(documents: int, jobs: int | None, engine: str) -> tuple[int, int]:
    """(parts, parts indexed at once) for the search index: one part per the engine's PART_SIZE documents (by
    document count alone, so that every build gives the same bytes), as many at once as the cores and the
    available memory allow."""
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
