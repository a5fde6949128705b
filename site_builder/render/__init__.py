"""Render: the page plan, templates, feed, sitemap and data exports → {output file: bytes}."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from jinja2 import Environment, TemplateError, TemplateSyntaxError

from site_builder.content.model import Site
from site_builder.errors import Problem, SiteError, display_path
from site_builder.listings import Listings
from site_builder.render import exports, feeds
from site_builder.render.assets import collect_assets
from site_builder.render.pages import Page, plan_pages
from site_builder.render.templates import make_environment
from site_builder.urls import Urls, find_collisions


@dataclass(frozen=True)
class RenderPlan:
    """Everything rendering needs, decided before any page is rendered."""

    env: Environment
    pages: list[Page]
    assets: dict[str, tuple[str, bytes]]   # static name → (fingerprinted route, bytes)
    data: dict[str, bytes] = field(default_factory=dict)   # open-data route → bytes (made once, described on /data/)


def plan_render(site: Site, listings: Listings, urls: Urls) -> RenderPlan:
    """The page plan and theme; fails (naming both sources) when two outputs want the same file."""
    config = site.config
    assets = collect_assets(config.static_dirs)
    env = make_environment(config.template_dirs, urls, assets, config.root)
    data = exports.data_exports(site, urls)
    files = tuple(exports.describe(route, data[route]) for route in data)
    pages = [dataclasses.replace(p, context={**p.context, "data_files": files}) if p.route == Urls.data else p
             for p in plan_pages(site, listings, urls)]
    claims = [(Urls.output_file(page.route), page.source) for page in pages]
    claims += [(Urls.output_file(route), f"theme static file {name}") for name, (route, _) in assets.items()]
    claims += [(Urls.output_file(route), "site") for route in DATA_ROUTES]
    collisions = find_collisions(claims)
    if collisions:
        raise SiteError([Problem(srcs[0], f"wants the same output file {out} as {', '.join(srcs[1:])}")
                         for out, srcs in collisions])
    return RenderPlan(env, pages, assets, data)


DATA_ROUTES = (Urls.documents_json, Urls.documents_csv, Urls.tables_csv, Urls.feed, Urls.sitemap, Urls.robots)


def render_site(site: Site, listings: Listings, urls: Urls) -> dict[str, bytes]:
    """Every output file except the search index, keyed by its path under public/."""
    plan = plan_render(site, listings, urls)
    files = {Urls.output_file(page.route): render_page(plan.env, page, site, site.config) for page in plan.pages}
    files.update(site_files(site, plan, urls))
    return files


PARALLEL_PAGES = 600    # below this, forking workers costs more than rendering
PAGE_CHUNK = 100        # pages per task
_WORK = None            # (plan, site, stage) for forked render workers: inherited, never pickled


def write_site(site: Site, listings: Listings, urls: Urls, stage, jobs: int | None = None,
               progress=None) -> tuple[RenderPlan, int]:
    """Render every output file except the search index straight into the staging tree (``output.Staging``).

    Pages are rendered by forked worker processes that inherit the Site, the plan and the Jinja environment
    (nothing but page numbers is sent to them); each worker writes its pages itself, hard-linking files whose
    bytes did not change. Meanwhile this process writes the non-page files. The output is byte for byte that
    of ``render_site``. Returns the plan and the number of files written. `progress(done, total)` counts pages.
    """
    global _WORK
    from site_builder.content.loader import worker_count

    plan = plan_render(site, listings, urls)
    total = len(plan.pages)
    workers = worker_count(jobs)
    if workers <= 1 or total < PARALLEL_PAGES:
        _WORK = (plan, site, stage)
        try:
            for start in range(0, total, PAGE_CHUNK):
                _raise(_render_chunk((start, min(start + PAGE_CHUNK, total))))
                if progress:
                    progress(min(start + PAGE_CHUNK, total), total)
        finally:
            _WORK = None
        others = site_files(site, plan, urls)
        stage.write_files(others)
        return plan, total + len(others)
    import gc
    import multiprocessing

    _WORK = (plan, site, stage)
    if gc.isenabled():   # a build pauses the collector (build.py): nothing to collect, and a full pass costs
        gc.collect()
    gc.freeze()   # keep the inherited objects' pages shared: the collector would otherwise touch them all
    pool = multiprocessing.get_context("fork").Pool(workers)
    try:
        chunks = [(start, min(start + PAGE_CHUNK, total)) for start in range(0, total, PAGE_CHUNK)]
        results = pool.imap_unordered(_render_chunk, chunks)
        others = site_files(site, plan, urls)   # while the workers render
        stage.write_files(others)
        done = 0
        for outcome in results:
            _raise(outcome)
            done += outcome[0]
            if progress:
                progress(done, total)
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        _WORK = None
        gc.unfreeze()
    return plan, total + len(others)


def _render_chunk(bounds: tuple[int, int]) -> tuple[int, list]:
    """In a worker: render and write pages [start, end) of the plan; problems come back as values."""
    plan, site, stage = _WORK
    start, end = bounds
    try:
        for page in plan.pages[start:end]:
            stage.write_file(Urls.output_file(page.route), render_page(plan.env, page, site, site.config))
    except SiteError as exc:
        return end - start, exc.problems
    return end - start, []


def _raise(outcome: tuple[int, list]) -> None:
    if outcome[1]:
        raise SiteError(outcome[1])


def site_files(site: Site, plan: RenderPlan, urls: Urls) -> dict[str, bytes]:
    """Files that are not pages: static assets, open data, feed, sitemap, robots.txt."""
    files = {Urls.output_file(route): data for route, data in plan.assets.values()}
    files.update((Urls.output_file(route), data) for route, data in (plan.data or exports.data_exports(site, urls)).items())
    files[Urls.output_file(Urls.feed)] = feeds.atom_feed(site, urls)
    files[Urls.output_file(Urls.sitemap)] = feeds.sitemap([p.route for p in plan.pages if p.in_sitemap], urls)
    files[Urls.output_file(Urls.robots)] = feeds.robots(urls)
    return files


def render_page(env, page: Page, site: Site, config) -> bytes:
    try:
        template = env.get_template(page.template)
        html = template.render(site=site, page=page, config=config, **page.context)
    except TemplateSyntaxError as exc:
        raise SiteError(Problem(display_path(exc.filename or exc.name or page.template, config.root),
                                f"template syntax error: {exc.message}", exc.lineno)) from None
    except (TemplateError, KeyError, AttributeError, TypeError) as exc:
        raise SiteError(Problem(_template_file(env, page.template, config),
                                f"template error while rendering {page.route}: {exc}",
                                _template_line(exc))) from None
    return html.encode("utf-8")


def _template_file(env, name: str, config) -> str:
    try:
        source, filename, _ = env.loader.get_source(env, name)
        return display_path(filename, config.root)
    except TemplateError:
        return name


def _template_line(exc: BaseException) -> int | None:
    """The line of the template frame where the error happened, if Jinja left one in the traceback."""
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".html"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
