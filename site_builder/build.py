"""Orchestration: load content → immutable Site → listings → URLs → render → write → search index."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from site_builder.config import Config
from site_builder.content import Site, load_site
from site_builder.errors import Problem, SiteError, display_path
from site_builder.listings import build_listings
from site_builder.output import Staging
from site_builder.render import render_site
from site_builder.urls import Urls


@dataclass(frozen=True)
class BuildResult:
    documents: int
    pages: int
    files: int
    seconds: float
    search: dict | None

    def summary(self) -> str:
        searched = f", search index of {self.search.get('records', self.documents)} documents" if self.search else ""
        return (f"built {self.documents} documents → {self.pages} pages, {self.files} files "
                f"in {self.seconds:.2f} s{searched}")


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


def load(config: Config, jobs: int | None = None, cache: dict | None = None) -> Site:
    """The immutable Site with every document's URL decided by urls.py."""
    site = load_site(config, jobs=jobs, cache=cache)
    urls = Urls(config)
    return replace(site, documents=tuple(replace(d, url=urls.link(Urls.document(d.slug))) for d in site.documents))


def build(config: Config, *, search: bool | None = None, log=None) -> BuildResult:
    """Build public/ from content/ and the theme; raise SiteError (public/ untouched) on any problem."""
    started = time.perf_counter()
    search = config.search if search is None else search
    log = log or (lambda message: None)
    check_output_location(config)
    log("reading content")
    site = load(config)
    listings = build_listings(site)
    log(f"rendering {len(site.documents)} documents")
    files = render_site(site, listings, Urls(config))
    summary = None
    with Staging(config.output_path) as stage:
        log("writing files")
        stage.write_files(files)
        if search:
            from site_builder.search import build_search_index  # the slowest stage, last
            log("indexing for search")
            summary = build_search_index(site, stage.path)
            stage.adopt_unchanged("pagefind")
        stage.commit()
    pages = sum(1 for name in files if name.endswith(".html"))
    return BuildResult(len(site.documents), pages, len(files), time.perf_counter() - started, summary)
