"""Render: the page plan, templates, feed, sitemap and data exports → {output file: bytes}."""

from __future__ import annotations

from jinja2 import TemplateError, TemplateSyntaxError

from site_builder.content.model import Site
from site_builder.errors import Problem, SiteError, display_path
from site_builder.listings import Listings
from site_builder.render import exports, feeds
from site_builder.render.assets import collect_assets
from site_builder.render.pages import Page, plan_pages
from site_builder.render.templates import make_environment
from site_builder.urls import Urls, find_collisions


def render_site(site: Site, listings: Listings, urls: Urls) -> dict[str, bytes]:
    """Every output file except the search index, keyed by its path under public/."""
    config = site.config
    assets = collect_assets(config.theme_path / "static")
    env = make_environment(config.theme_path, config.root / "templates", urls, assets)
    pages = plan_pages(site, listings, urls)
    files: dict[str, bytes] = {}
    claims = []
    for page in pages:
        claims.append((Urls.output_file(page.route), page.source))
    for route, data in assets.values():
        claims.append((Urls.output_file(route), "theme static file"))
    for route in (Urls.documents_json, Urls.documents_csv, Urls.feed, Urls.sitemap, Urls.robots):
        claims.append((Urls.output_file(route), "site"))
    collisions = find_collisions(claims)
    if collisions:
        raise SiteError([Problem(srcs[0], f"wants the same output file {out} as {', '.join(srcs[1:])}")
                         for out, srcs in collisions])

    for page in pages:
        files[Urls.output_file(page.route)] = render_page(env, page, site, config)
    for route, data in assets.values():
        files[Urls.output_file(route)] = data
    files[Urls.output_file(Urls.documents_json)] = exports.documents_json(site, urls)
    files[Urls.output_file(Urls.documents_csv)] = exports.documents_csv(site, urls)
    files[Urls.output_file(Urls.feed)] = feeds.atom_feed(site, urls)
    files[Urls.output_file(Urls.sitemap)] = feeds.sitemap([p.route for p in pages if p.in_sitemap], urls)
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
