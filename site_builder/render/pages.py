"""The page plan: every HTML page of the site as (route, template, context), a pure function of the Site.

Nothing here writes files or knows about the base URL; urls.py turns routes into links and output paths.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from site_builder.compare import archive_years, child_comparison, coverage_matrix, coverage_row, stats_comparison
from site_builder.content.model import Document, Site
from site_builder.listings import Listings, RegionNode, Term, paginate, region_keys
from site_builder.render.exports import CSV_COLUMN_NOTES
from site_builder.stats import YearTable, figures, region_series, year_table
from site_builder.urls import Urls


@dataclass(frozen=True)
class Page:
    """One HTML page: where it goes, what it is, what it reads, and how to make its template context.

    `reads` names the inputs its context is made of (render/inputs.py digests each one): a rebuild renders the
    page again only when one of them, or a template or static file it used (recorded while rendering), changed.
    The context is made only when the page is rendered (`make()`), so planning every page stays cheap."""

    route: str
    template: str
    title: str
    source: str                                  # who asked for this page (for collision messages)
    breadcrumbs: tuple[tuple[str, str], ...] = ()
    make: Callable[[], dict[str, Any]] = field(default=dict, compare=False, repr=False)
    reads: tuple[tuple[str, ...], ...] = ()
    in_sitemap: bool = True

    @property
    def context(self) -> dict[str, Any]:
        return self.make()


HOME = ("首页", Urls.home)
OUTLINE = ("outline",)     # every region's and term's key, name and count, the number of documents
LATEST = ("latest",)       # the newest documents' listing faces (home page)
ENTRIES = ("entries",)     # every document's listing face (statistics, open data)
YEARS = ("years",)         # the years the archive covers (coverage rows and matrices)
UNPLACED = ("unplaced",)   # the listing faces of the documents without a region
FIGURES = ("figures",)     # every annual report's figures, region, year and issuer


class Plan:
    """The pages of a Site, planned once; what several pages make of the documents is made once and shared."""

    def __init__(self, site: Site, listings: Listings):
        self.site, self.listings = site, listings
        self.own = OwnDocuments(listings)
        self._chains: dict[tuple, tuple] = {}
        self.forget()

    def forget(self) -> None:
        """Drop what was made of the documents' fields (a rebuild updated some in place)."""
        self._series: dict[str, dict] = {}
        self._years = None
        self._contexts: dict[str, dict] = {}

    def series(self, node: RegionNode) -> tuple[dict, tuple]:
        """The own reports over the years of every region in the node's province, and the archive's years. Made
        per province, on the first page that needs it: a region page reads only regions below it, and a rebuild
        of one province's pages need not go through every document."""
        province = _ancestors(node, self.listings)[0]
        if province.key not in self._series:
            self._series[province.key] = region_series(replace(self.site, documents=province.documents), self.listings)
        if self._years is None:
            self._years = archive_years(self.site)
        return self._series[province.key], self._years

    def context(self, key: str, make: Callable[[], dict]) -> dict:
        """make(), once per build for every page that shares `key` (the pages of one listing)."""
        if key not in self._contexts:
            self._contexts[key] = make()
        return self._contexts[key]

    def chain(self, doc: Document) -> tuple:
        """(region chain, breadcrumbs, what the chain makes a document page read): the same for every document
        of a region, so made once per region."""
        keys = region_keys(doc)
        if keys not in self._chains:
            chain = self.listings.chain(doc)
            reads = tuple(("face", n.key) for n in chain) + ((("own", keys[-1]),) if keys else ())
            self._chains[keys] = (chain, (HOME,) + tuple((n.name, Urls.region(n.key)) for n in chain), reads)
        return self._chains[keys]


class OwnDocuments:
    """Region key → the documents naming that region as their most specific one, in 'other years' order (None
    when there are none), made per region when first asked for: a rebuild asks for a few regions' only."""

    def __init__(self, listings: Listings):
        self.listings, self.made = listings, {}

    def get(self, key: str, default=None):
        if key not in self.made:
            node = self.listings.regions.get(key)
            self.made[key] = tuple(sorted(node.own_documents, key=_other_years_order)) if node else ()
        return self.made[key] or default


def plan_pages(plan: Plan) -> list[Page]:
    """Every page, in a fixed order: cheap, no page's context is made here."""
    site, listings = plan.site, plan.listings
    pages = [home_page(site, listings)]
    pages += [document_page(doc, plan) for doc in site.documents]
    pages += region_pages(plan)
    pages += term_pages(site, listings.years, "years", "按年份浏览", Urls.years, Urls.year)
    pages += term_pages(site, listings.types, "types", "按文件类型浏览", Urls.types, Urls.doc_type)
    pages.append(Page(Urls.search, "search.html", "全文检索", "search page", (HOME,)))
    pages += stats_pages(site)
    pages.append(Page(Urls.data, "data.html", "开放数据", "open data page", (HOME,), reads=(ENTRIES,),
                      make=lambda: {"csv_columns": CSV_COLUMN_NOTES}))
    pages.append(Page(Urls.not_found, "404.html", "页面未找到", "404 page", (HOME,), in_sitemap=False))
    return pages


def home_page(site: Site, listings: Listings) -> Page:
    return Page(Urls.home, "home.html", site.config.title, "home page", reads=(OUTLINE, LATEST), make=lambda: {
        "latest": site.documents[:site.config.latest_size], "total": len(site.documents),
        "provinces": [listings.regions[k] for k in listings.provinces],
        "years": listings.years, "types": listings.types, "no_region": listings.no_region,
    })


def _other_years_order(d: Document) -> tuple:
    return (-(d.year or 0), d.sort_key)


def document_page(doc: Document, plan: Plan) -> Page:
    """A document's page. Its links stay bounded whatever the size of its region (render/document.py:
    related): a handful of the region's other documents, previous / next, and the region's count. It reads
    the document, its region's own documents (the related links) and its regions' names and counts."""
    chain, crumbs, chain_reads = plan.chain(doc)
    reads = (("doc", doc.rel_path),) + chain_reads

    def make() -> dict[str, Any]:
        from site_builder.render import document as D

        region_docs = plan.own.get(chain[-1].key, ()) if chain else ()
        tables = D.shown_tables(doc)
        parts = D.body_parts(doc, tables)
        return {"doc": doc, "region_chain": chain, "related": D.related(doc, region_docs),
                "region_total": len(chain[-1].documents) if chain else 0,
                "tables": tables, "body_parts": parts, "unplaced_tables": D.unplaced(tables, parts),
                "toc": D.table_of_contents(doc.body_html, doc.body_text), "approx": D.approx_keys(doc),
                "place_missing": D.place_missing(doc), "citation": D.citation,
                "figures_given": any(v is not None for v in (doc.stats or {}).values())}

    return Page(Urls.document(doc.slug), "document.html", doc.title, doc.rel_path, crumbs, make, reads)


def region_pages(plan: Plan) -> list[Page]:
    """The region index and each region's pages; a region page reads the documents under it (their listing
    faces: its list, its children, comparisons and coverage are made of them) and the archive's years."""
    site, listings = plan.site, plan.listings
    provinces = [listings.regions[k] for k in listings.provinces]
    index = {"provinces": provinces, "regions": listings.regions, "no_region": listings.no_region}
    pages = [Page(Urls.regions, "regions.html", "按地区浏览", "region index", (HOME,), reads=(OUTLINE, UNPLACED),
                  make=lambda: index)]
    for node in listings.regions.values():
        crumbs = [HOME, ("地区", Urls.regions)] + [(n.name, Urls.region(n.key)) for n in _ancestors(node, listings)[:-1]]
        pages += _paginated(site, Urls.region(node.key), "region.html", node.name, f"region {node.key}",
                            tuple(crumbs), node.documents, _region_context(node, plan),
                            lambda n, key=node.key: (("members", key), YEARS))
    return pages


def _region_context(node: RegionNode, plan: Plan) -> Callable[[], dict]:
    def make() -> dict:
        listings = plan.listings
        full, years = plan.series(node)
        return {"node": node, "children": [listings.regions[k] for k in node.children],
                "year_counts": _year_counts(node.documents), "series": full.get(node.key),
                "compare": child_comparison(node, listings, full),
                "coverage": coverage_row(node, full, years) if years else None,
                "matrix": coverage_matrix(node, listings, full, years)}
    return lambda: plan.context(node.key, make)   # made once for all the region's pages (a province has dozens)


def stats_pages(site: Site) -> list[Page]:
    """/stats/: provinces × years and the years side by side; /stats/<year>/: the regions of that year side by side.
    /stats/ reads the annual reports' figures (no title); a year's page lists its reports with their titles.
    A year's table is made only when a page shows it: a rebuild renders one year's page, not every year's."""
    reports: dict[int, list[Document]] = {}
    for doc in site.documents:
        if doc.doc_type == "annual_report" and doc.year:
            reports.setdefault(doc.year, []).append(doc)
    years = sorted(reports, reverse=True)
    made: dict = {}

    def table(year: int) -> YearTable:
        if year not in made:
            made[year] = year_table(year, [figures(doc) for doc in reports[year]])
        return made[year]

    pages = [Page(Urls.stats, "stats.html", "统计数据", "statistics page", (HOME,), reads=(FIGURES,), make=lambda: {
        "tables": tuple(table(year) for year in years), "figures_compared": stats_comparison(site)})]
    for year in years:
        pages.append(Page(Urls.stats_year(year), "stats_year.html", f"{year}年度报告统计数据",
                          f"statistics {year}", (HOME, ("统计数据", Urls.stats)),
                          reads=(("annual", year),), make=lambda year=year: {"table": table(year)}))
    return pages


def term_pages(site: Site, terms: tuple[Term, ...], kind: str, index_title: str, index_route: str, route_of) -> list[Page]:
    pages = [Page(index_route, "terms.html", index_title, f"{kind} index", (HOME,), reads=(OUTLINE,), make=lambda: {
        "terms": terms, "kind": kind, "route_of": route_of})]
    for term in terms:
        crumbs = (HOME, (index_title.removeprefix("按").removesuffix("浏览"), index_route))
        pages += _paginated(site, route_of(term.key), "list.html", term.label, f"{kind} {term.key}", crumbs,
                            term.documents, lambda term=term: {"term": term, "kind": kind},
                            lambda n, term=term: (("slice", kind, term.key, n),))
    return pages


def _paginated(site: Site, route: str, template: str, title: str, source: str, crumbs: tuple,
               documents: tuple[Document, ...], context: Callable[[], dict], reads: Callable) -> list[Page]:
    """The pages of one listing; `reads(number)`: what page `number` reads."""
    pagers = paginate(documents, site.config.page_size)
    page_routes = [Urls.paginated(route, n) for n in range(1, len(pagers) + 1)]  # one list, shared: linear

    def make(p) -> Callable[[], dict]:
        return lambda: {**context(), "pager": p, "documents": p.items, "year_groups": year_groups(p.items),
                        "base_route": route, "page_routes": page_routes}

    return [Page(Urls.paginated(route, p.number), template,
                 title if p.number == 1 else f"{title}（第{p.number}页）", source, crumbs, make(p), reads(p.number))
            for p in pagers]


def _ancestors(node: RegionNode, listings: Listings) -> list[RegionNode]:
    chain = [node]
    while chain[0].parent:
        chain.insert(0, listings.regions[chain[0].parent])
    return chain


def year_groups(documents) -> list[tuple[str, list[Document]]]:
    """A page's documents by year, newest year first, undated last; each group in the archive's order."""
    by_year: dict = {}
    for doc in sorted(documents, key=lambda d: d.sort_key):
        by_year.setdefault(doc.year, []).append(doc)
    return [(f"{y}年" if y else "年份不详", by_year[y]) for y in sorted(by_year, key=lambda y: (y is None, -(y or 0)))]


def _year_counts(documents) -> list[tuple[str, int]]:
    counts = Counter(d.year for d in documents)
    return [(f"{y}年" if y else "年份不详", counts[y]) for y in sorted(counts, key=lambda y: -(y or 0))]


__all__ = ["Page", "Plan", "plan_pages", "region_keys"]
