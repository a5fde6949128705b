"""Render a set of pages into the output: in forked workers for many pages, in this process for a few.

Workers inherit the plan and the Jinja environment (nothing but page numbers is sent to them); each writes its
pages itself through the sink (``output.Staging`` or ``output.InPlace``), which keeps files whose bytes did not
change, and sends back what each page read (templates, static files) for the build record.
"""

from __future__ import annotations

import gc
import multiprocessing

from site_builder.errors import SiteError
from site_builder.render import RenderPlan, render_page
from site_builder.urls import Urls

PARALLEL_PAGES = 600    # below this, forking workers costs more than rendering
PAGE_CHUNK = 100        # pages per task
_WORK = None            # (plan, pages, sink) for forked render workers: inherited, never pickled


def render_into(plan: RenderPlan, pages: list, sink, jobs: int | None = None, progress=None) -> dict[str, frozenset]:
    """Render `pages` and write each through `sink.write_file(rel, bytes)`; route → what the page used.
    Raises SiteError with every problem of the first failing chunk."""
    global _WORK
    from site_builder.content.loader import worker_count

    total = len(pages)
    chunks = [(start, min(start + PAGE_CHUNK, total)) for start in range(0, total, PAGE_CHUNK)]
    used: dict[str, frozenset] = {}
    _WORK = (plan, pages, sink)
    workers = worker_count(jobs)
    try:
        if workers <= 1 or total < PARALLEL_PAGES:
            results = map(_render_chunk, chunks)
            _collect(results, used, total, progress)
            return used
        if gc.isenabled():   # a build pauses the collector (build.py): nothing to collect, and a full pass costs
            gc.collect()
        gc.freeze()   # keep the inherited objects' pages shared: the collector would otherwise touch them all
        pool = multiprocessing.get_context("fork").Pool(workers)
        try:
            _collect(pool.imap_unordered(_render_chunk, chunks), used, total, progress)
            pool.close()
        finally:
            pool.terminate()
            pool.join()
            gc.unfreeze()
        return used
    finally:
        _WORK = None


def _collect(results, used: dict, total: int, progress) -> None:
    done = 0
    for count, problems, reads in results:
        if problems:
            raise SiteError(problems)
        used.update(reads)
        done += count
        if progress:
            progress(done, total)


def _render_chunk(bounds: tuple[int, int]) -> tuple[int, list, dict]:
    """In a worker: render and write pages [start, end); problems come back as values."""
    plan, pages, sink = _WORK
    start, end = bounds
    reads = {}
    try:
        for page in pages[start:end]:
            data, reads[page.route] = render_page(plan.env, page, plan.plan.site.config)
            sink.write_file(Urls.output_file(page.route), data)
    except SiteError as exc:
        return end - start, exc.problems, {}
    return end - start, [], reads
