"""Render a set of pages into the output: in forked workers for many pages, in this process for a few.

Workers inherit the plan and the Jinja environment (nothing but page numbers is sent to them); each writes its
pages itself through the sink (``output.Staging`` or ``output.InPlace``), which keeps files whose bytes did not
change, and sends back what each page read (templates, static files) for the build record.
"""

from __future__ import annotations

from contextlib import closing

from site_builder.errors import SiteError
from site_builder.parallel import fork_map
from site_builder.render import RenderPlan, render_page
from site_builder.urls import Urls

PARALLEL_PAGES = 600    # below this, forking workers costs more than rendering
PAGE_CHUNK = 100        # pages per task


def render_into(plan: RenderPlan, pages: list, sink, jobs: int | None = None, progress=None) -> dict[str, frozenset]:
    """Render `pages` and write each through `sink.write_file(rel, bytes)`; route → what the page used.
    Raises SiteError with every problem of the first failing chunk."""
    total = len(pages)
    chunks = [(start, min(start + PAGE_CHUNK, total)) for start in range(0, total, PAGE_CHUNK)]
    used: dict[str, frozenset] = {}
    work = (plan, pages, sink)   # inherited by forked workers: only page numbers travel
    results = fork_map(lambda bounds: _render_chunk(work, bounds), chunks, jobs if total >= PARALLEL_PAGES else 1,
                       ordered=False, share=True)
    with closing(results):   # a failing chunk stops the workers at once
        _collect(results, used, total, progress)
    return used


def _collect(results, used: dict, total: int, progress) -> None:
    done = 0
    for count, problems, reads in results:
        if problems:
            raise SiteError(problems)
        used.update(reads)
        done += count
        if progress:
            progress(done, total)


def _render_chunk(work: tuple, bounds: tuple[int, int]) -> tuple[int, list, dict]:
    """In a worker: render and write pages [start, end); problems come back as values."""
    plan, pages, sink = work
    start, end = bounds
    reads = {}
    try:
        for page in pages[start:end]:
            data, reads[page.route] = render_page(plan.env, page, plan.plan.site.config)
            sink.write_file(Urls.output_file(page.route), data)
    except SiteError as exc:
        return end - start, exc.problems, {}
    return end - start, [], reads
