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
from site_builder.render.pages import Page, Plan, document_page, plan_pages, stats_pages
from site_builder.render.templates import make_environment
from site_builder.urls import Urls, find_collisions


@dataclass
class RenderPlan:
    """Everything rendering needs, decided before any page is rendered."""

    env: Environment
    pages: list[Page]
    assets: dict[str, tuple[str, bytes]]   # static name → (fingerprinted route, bytes)
    plan: Plan
    made: dict = field(default_factory=dict)   # the open-data files, once made (the /data/ page describes them)
    exports_memo: dict = field(default_factory=dict)   # exports.data_exports' lines per document, across builds
    faces: dict | None = None                          # render/inputs.py's face digests, when known
    rows: dict = field(default_factory=dict)           # open-data route → its number of records
    routes: dict = field(default_factory=dict)         # route → its page's index in `pages` (where())
    sitemap: bytes | None = None                       # made of the pages' routes: kept while they are

    def where(self) -> dict[str, int]:
        if len(self.routes) != len(self.pages):
            self.routes = {page.route: n for n, page in enumerate(self.pages)}
        return self.routes

    def data(self, urls: Urls) -> dict[str, bytes]:
        """Open-data route → bytes, made once per build."""
        if not self.made:
            files, self.rows = exports.data_exports(self.plan.site, urls, self.exports_memo, self.faces)
            self.made.update(files)
        return self.made


def plan_render(site: Site, listings: Listings, urls: Urls, env: Environment | None = None,
                keep_compiled: bool = False, assets: dict | None = None) -> RenderPlan:
    """The page plan and theme; fails (naming both sources) when two outputs want the same file. `env`: the
    last build's environment, when neither templates nor static files nor configuration changed since;
    `keep_compiled`: compiled templates kept in the cache folder; `assets`: collect_assets(), if just made."""
    config = site.config
    assets = assets if assets is not None else collect_assets(config.static_dirs)
    env = env or make_environment(config.template_dirs, urls, assets, config.root, keep_compiled)
    plan = Plan(site, listings)
    render = RenderPlan(env, [], assets, plan)

    def data_page(page: Page) -> Page:
        def make() -> dict:
            files = tuple(exports.describe(route, data, render.rows[route]) for route, data in render.data(urls).items())
            return {**page.make(), "data_files": files}

        return dataclasses.replace(page, make=make)

    render.pages = [data_page(p) if p.route == Urls.data else p for p in plan_pages(plan)]
    claims = [(Urls.output_file(page.route), page.source) for page in render.pages]
    claims += [(Urls.output_file(route), f"theme static file {name}") for name, (route, _) in assets.items()]
    claims += [(Urls.output_file(route), "site") for route in DATA_ROUTES]
    collisions = find_collisions(claims)
    if collisions:
        raise SiteError([Problem(srcs[0], f"wants the same output file {out} as {', '.join(srcs[1:])}")
                         for out, srcs in collisions])
    return render


def refresh_plan(render: RenderPlan, documents: list) -> None:
    """The plan again after `documents` were updated in place (rebuild.Rebuilder.refresh) without moving in any
    listing: only what the plan took from their fields is made again — their own pages (a page's title is the
    document's) and the statistics pages (they keep their tables between renders) — and the memos are dropped."""
    plan = render.plan
    plan.forget()
    render.made, render.rows = {}, {}
    where = render.where()
    for doc in documents:
        render.pages[where[Urls.document(doc.slug)]] = document_page(doc, plan)
    for page in stats_pages(plan.site):
        render.pages[where[page.route]] = page


DATA_ROUTES = (Urls.documents_json, Urls.documents_csv, Urls.tables_csv, Urls.feed, Urls.sitemap, Urls.robots)


def render_site(site: Site, listings: Listings, urls: Urls) -> dict[str, bytes]:
    """Every output file except the search index, keyed by its path under public/ (in memory: `check`)."""
    plan = plan_render(site, listings, urls)
    files = {Urls.output_file(page.route): render_page(plan.env, page, site.config)[0] for page in plan.pages}
    files.update(site_files(plan, urls))
    return files


def site_files(plan: RenderPlan, urls: Urls, data: bool = True) -> dict[str, bytes]:
    """Files that are not pages: static assets, open data (unless `data` is false), feed, sitemap, robots.txt."""
    site = plan.plan.site
    files = {Urls.output_file(route): data for route, data in plan.assets.values()}
    if data:
        files.update((Urls.output_file(route), blob) for route, blob in plan.data(urls).items())
    files[Urls.output_file(Urls.feed)] = feeds.atom_feed(site, urls)
    if plan.sitemap is None:
        plan.sitemap = feeds.sitemap([p.route for p in plan.pages if p.in_sitemap], urls)
    files[Urls.output_file(Urls.sitemap)] = plan.sitemap
    files[Urls.output_file(Urls.robots)] = feeds.robots(urls)
    return files


def render_page(env, page: Page, config) -> tuple[bytes, frozenset]:
    """The page's bytes, and the templates and static files it used (``RecordingEnvironment``)."""
    env.recording = set()
    try:
        template = env.get_template(page.template)
        html = template.render(page=page, config=config, **page.make())
    except TemplateSyntaxError as exc:
        raise SiteError(Problem(display_path(exc.filename or exc.name or page.template, config.root),
                                f"template syntax error: {exc.message}", exc.lineno)) from None
    except (TemplateError, KeyError, AttributeError, TypeError) as exc:
        raise SiteError(Problem(_template_file(env, page.template, config),
                                f"template error while rendering {page.route}: {exc}",
                                _template_line(exc))) from None
    finally:
        used, env.recording = frozenset(env.recording), None
    return html.encode("utf-8"), used


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
