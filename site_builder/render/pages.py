"""The page plan: every HTML page of the site as (route, template, context), a pure function of the Site.

Nothing here writes files or knows about the base URL; urls.py turns routes into links and output paths.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from site_builder.compare import archive_years, child_comparison, coverage_matrix, coverage_row, stats_comparison
from site_builder.content.model import Document, Site
from site_builder.listings import Listings, RegionNode, Term, paginate, region_keys
from site_builder.stats import region_series, year_tables
from site_builder.urls import Urls


@dataclass(frozen=True)
class Page:
    route: str
    template: str
    title: str
    source: str                                  # who asked for this page (for collision messages)
    breadcrumbs: tuple[tuple[str, str], ...] = ()
    context: dict[str, Any] = field(default_factory=dict)
    in_sitemap: bool = True


HOME = ("首页", Urls.home)


def plan_pages(site: Site, listings: Listings, urls: Urls) -> list[Page]:
    pages = [home_page(site, listings)]
    own = own_documents(site, listings)
    pages += [document_page(doc, site, listings, own) for doc in site.documents]
    pages += region_pages(site, listings, region_series(site, listings))
    pages += term_pages(site, listings.years, "years", "按年份浏览", Urls.years, Urls.year)
    pages += term_pages(site, listings.types, "types", "按文件类型浏览", Urls.types, Urls.doc_type)
    pages.append(Page(Urls.search, "search.html", "全文检索", "search page", (HOME,)))
    pages += stats_pages(site)
    pages.append(Page(Urls.data, "data.html", "开放数据", "open data page", (HOME,)))
    pages.append(Page(Urls.not_found, "404.html", "页面未找到", "404 page", (HOME,), in_sitemap=False))
    return pages


def home_page(site: Site, listings: Listings) -> Page:
    return Page(Urls.home, "home.html", site.config.title, "home page", context={
        "latest": site.documents[:site.config.latest_size],
        "provinces": [listings.regions[k] for k in listings.provinces],
        "years": listings.years, "types": listings.types, "no_region": listings.no_region,
    })


def _other_years_order(d: Document) -> tuple:
    return (-(d.year or 0), d.sort_key)


def own_documents(site: Site, listings: Listings) -> dict[str, tuple[Document, ...]]:
    """Region key → the documents naming that region as their most specific one, in 'other years' order.
    One pass over the documents: asking each region node per document page would be quadratic."""
    own: dict[str, list[Document]] = {}
    for doc in site.documents:
        keys = region_keys(doc)
        if keys:
            own.setdefault(keys[-1], []).append(doc)
    return {key: tuple(sorted(docs, key=_other_years_order)) for key, docs in own.items()}


def document_page(doc: Document, site: Site, listings: Listings, own: dict | None = None) -> Page:
    """A document's page. Its links stay bounded whatever the size of its region (render/document.py:
    related): a handful of the region's other documents, previous / next, and the region's count."""
    from site_builder.render import document as D

    chain = listings.chain(doc)
    crumbs = [HOME] + [(n.name, Urls.region(n.key)) for n in chain]
    if not chain:
        region_docs: tuple[Document, ...] = ()
    elif own is not None:
        region_docs = own.get(chain[-1].key, ())
    else:
        region_docs = tuple(sorted(listings.regions[chain[-1].key].own_documents, key=_other_years_order))
    tables = D.shown_tables(doc)
    parts = D.body_parts(doc, tables)
    return Page(Urls.document(doc.slug), "document.html", doc.title, doc.rel_path, tuple(crumbs), context={
        "doc": doc, "region_chain": chain, "related": D.related(doc, region_docs),
        "region_total": len(chain[-1].documents) if chain else 0,
        "tables": tables, "body_parts": parts, "unplaced_tables": D.unplaced(tables, parts),
        "toc": D.table_of_contents(doc.body_html, doc.body_text), "approx": D.approx_keys(doc),
        "place_missing": D.place_missing(doc), "citation": D.citation,
    })


def region_pages(site: Site, listings: Listings, series: dict | None = None) -> list[Page]:
    provinces = [listings.regions[k] for k in listings.provinces]
    pages = [Page(Urls.regions, "regions.html", "按地区浏览", "region index", (HOME,), context={
        "provinces": provinces, "regions": listings.regions, "no_region": listings.no_region})]
    # comparisons and coverage read every region's own reports: `series` may hold only some (watch's fast step)
    full, years = (region_series(site, listings), archive_years(site)) if listings.regions else ({}, ())
    for node in listings.regions.values():
        crumbs = [HOME, ("地区", Urls.regions)] + [(n.name, Urls.region(n.key)) for n in _ancestors(node, listings)[:-1]]
        children = [listings.regions[k] for k in node.children]
        pages += _paginated(site, Urls.region(node.key), "region.html", node.name, f"region {node.key}",
                            tuple(crumbs), node.documents, {"node": node, "children": children,
                                                           "year_counts": _year_counts(node.documents),
                                                           "series": (series or {}).get(node.key),
                                                           "compare": child_comparison(node, listings, full),
                                                           "coverage": coverage_row(node, full, years) if years else None,
                                                           "matrix": coverage_matrix(node, listings, full, years)})
    return pages


def stats_pages(site: Site) -> list[Page]:
    """/stats/: provinces × years and the years side by side; /stats/<year>/: the regions of that year side by side."""
    tables = year_tables(site)
    pages = [Page(Urls.stats, "stats.html", "统计数据", "statistics page", (HOME,), context={
        "tables": tables, "figures_compared": stats_comparison(site)})]
    for table in tables:
        pages.append(Page(Urls.stats_year(table.year), "stats_year.html", f"{table.year}年度报告统计数据",
                          f"statistics {table.year}", (HOME, ("统计数据", Urls.stats)), context={"table": table}))
    return pages


def term_pages(site: Site, terms: tuple[Term, ...], kind: str, index_title: str, index_route: str, route_of) -> list[Page]:
    pages = [Page(index_route, "terms.html", index_title, f"{kind} index", (HOME,), context={
        "terms": terms, "kind": kind, "route_of": route_of})]
    for term in terms:
        key = None if term.key == "undated" else (int(term.key) if kind == "years" else term.key)
        crumbs = (HOME, (index_title.removeprefix("按").removesuffix("浏览"), index_route))
        pages += _paginated(site, route_of(key), "list.html", term.label, f"{kind} {term.key}", crumbs,
                            term.documents, {"term": term, "kind": kind})
    return pages


def _paginated(site: Site, route: str, template: str, title: str, source: str, crumbs: tuple,
               documents: tuple[Document, ...], context: dict) -> list[Page]:
    pagers = paginate(documents, site.config.page_size)
    page_routes = [Urls.paginated(route, n) for n in range(1, len(pagers) + 1)]  # one list, shared: linear
    return [Page(Urls.paginated(route, p.number), template,
                 title if p.number == 1 else f"{title}（第{p.number}页）", source, crumbs,
                 context={**context, "pager": p, "documents": p.items, "base_route": route,
                          "page_routes": page_routes})
            for p in pagers]


def _ancestors(node: RegionNode, listings: Listings) -> list[RegionNode]:
    chain = [node]
    while chain[0].parent:
        chain.insert(0, listings.regions[chain[0].parent])
    return chain


def _year_counts(documents) -> list[tuple[str, int]]:
    counts = Counter(d.year for d in documents)
    return [(f"{y}年" if y else "年份不详", counts[y]) for y in sorted(counts, key=lambda y: -(y or 0))]


__all__ = ["Page", "plan_pages", "region_keys"]
