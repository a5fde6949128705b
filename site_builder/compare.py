"""Comparing regions and seeing who did not disclose (issue 16, points 3 and 4), as data for the templates.

* ``stats_comparison`` — /stats/: for each headline figure (STAT_KEYS) a region × year matrix of the regions'
  own annual reports, with per-year totals that say how many reports they add (never a "national" total:
  the archive holds some governments' reports, not the country's).
* ``child_comparison`` — a province or city page: its child areas side by side, each with its latest report.
* ``coverage_row`` / ``coverage_matrix`` — for a region, the years the archive covers (first to last year of
  any annual report in it) with the region's own annual report, or a gap; for a province or city, every
  division under it in the division table (which knows every county, not only those with documents) × years.

A region's "own" report is one whose most specific region is that region (a county's report is not its
city's); several in one year (the government and its departments) are represented by the government's.
"""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.content.model import STAT_KEYS, Document, Site
from site_builder.listings import Listings, RegionNode
from site_builder.regions import table as division_table
from site_builder.stats import Figures, RegionSeries, Total, total

CHART_ROWS = 20   # a comparison chart shows at most this many regions (the largest values); the table has all


def archive_years(site: Site) -> tuple[int, ...]:
    """The years the archive covers: from the first to the last year of any annual report, without holes
    (a year nobody's report is held for is a gap like any other)."""
    years = {d.year for d in site.documents if d.doc_type == "annual_report" and d.year}
    return tuple(range(min(years), max(years) + 1)) if years else ()


# --- /stats/ ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CompareRow:
    key: str                                  # region key (division code or zone key)
    label: str                                # 安徽省 安庆市 潜山市
    name: str                                 # 潜山市 (short, for charts)
    cells: tuple[tuple[object, bool] | None, ...]   # per year: (value, flagged) from the region's report, None: no report
    latest: tuple[int, object, bool] | None   # (year, value, flagged) of the latest report stating the figure


@dataclass(frozen=True)
class FigureComparison:
    key: str
    label: str
    years: tuple[int, ...]
    rows: tuple[CompareRow, ...]              # by region key (division code order)
    totals: tuple[Total, ...]                 # per year, over the rows' reports of that year
    chart: tuple[tuple[str, object, bool], ...]   # (label, latest value, flagged): the largest CHART_ROWS
    chart_cut: int                            # regions with a value left out of the chart


def stats_comparison(series: dict[str, RegionSeries]) -> tuple[FigureComparison, ...]:
    years = tuple(sorted({y for s in series.values() for y, _, _ in s.years}))
    regions = sorted(series)
    out = []
    for key, label in STAT_KEYS.items():
        rows = []
        for region in regions:
            by_year = {y: f for y, f, _ in series[region].years}
            cells = tuple((by_year[y].values.get(key), by_year[y].flag(key)) if y in by_year else None for y in years)
            stated = [(y, f.values.get(key), f.flag(key)) for y, f in by_year.items() if f.values.get(key) is not None]
            latest_doc = by_year[max(by_year)].doc
            region_label = latest_doc.region.label if latest_doc.region else region
            rows.append(CompareRow(region, region_label, _short(latest_doc, region_label), cells,
                                   max(stated, key=lambda t: t[0]) if stated else None))
        totals = tuple(total([r.cells[i][0] for r in rows if r.cells[i] is not None]) for i in range(len(years)))
        ranked = sorted((r for r in rows if r.latest), key=lambda r: (-float(r.latest[1]), r.key))
        chart = tuple((f"{r.name} {r.latest[0]}", r.latest[1], r.latest[2]) for r in ranked[:CHART_ROWS])
        out.append(FigureComparison(key, label, years, tuple(rows), totals, chart, max(0, len(ranked) - CHART_ROWS)))
    return tuple(out)


def _short(doc: Document, label: str) -> str:
    region = doc.region
    if region is None:
        return label
    return region.county or region.city or region.province or label


# --- province and city pages: the areas under them ---------------------------------------------------------

@dataclass(frozen=True)
class ChildRow:
    key: str
    name: str
    year: int | None             # of the child's latest own annual report; None: the archive holds none
    figures: Figures | None


@dataclass(frozen=True)
class ChildComparison:
    rows: tuple[ChildRow, ...]   # by division code
    reported: int                # children with an annual report of their own
    chart: tuple[tuple[str, object, bool], ...]   # 主动公开 of their latest reports


def child_comparison(node: RegionNode, listings: Listings, series: dict[str, RegionSeries]) -> ChildComparison | None:
    """The node's child areas that have documents, side by side; None when fewer than two have reports."""
    rows = []
    for key in node.children:
        child = listings.regions[key]
        s = series.get(key)
        year, f = (s.years[-1][0], s.years[-1][1]) if s and s.years else (None, None)
        rows.append(ChildRow(key, child.name, year, f))
    reported = sum(1 for r in rows if r.figures)
    if reported < 2:
        return None
    chart = tuple((f"{r.name} {r.year}", r.figures.values["proactive_total"], r.figures.flag("proactive_total"))
                  for r in rows if r.figures and r.figures.values.get("proactive_total") is not None)
    return ChildComparison(tuple(rows), reported, chart)


# --- coverage: who did not disclose -------------------------------------------------------------------------

@dataclass(frozen=True)
class CoverageRow:
    key: str
    name: str
    depth: int                              # 0 the region itself, 1 a child, 2 a grandchild
    has_page: bool                          # the archive has documents for this area (a region page exists)
    cells: tuple[tuple[int, Document | None], ...]   # per archive year: the area's own annual report, or None

    @property
    def held(self) -> int:
        return sum(1 for _, doc in self.cells if doc is not None)


@dataclass(frozen=True)
class CoverageMatrix:
    years: tuple[int, ...]
    rows: tuple[CoverageRow, ...]           # division-table order: each city followed by its counties
    held_per_year: tuple[int, ...]


def _reports(series: dict[str, RegionSeries], key: str) -> dict[int, Document]:
    s = series.get(key)
    return {y: f.doc for y, f, _ in s.years} if s else {}


def coverage_row(node: RegionNode, series: dict[str, RegionSeries], years: tuple[int, ...]) -> CoverageRow:
    held = _reports(series, node.key)
    return CoverageRow(node.key, node.name, 0, True, tuple((y, held.get(y)) for y in years))


def coverage_matrix(node: RegionNode, listings: Listings, series: dict[str, RegionSeries],
                    years: tuple[int, ...]) -> CoverageMatrix | None:
    """Every division under a province or city (the division table's, with or without documents), plus the
    special zones that have documents, × the archive's years. None for counties, zones and an empty archive."""
    if not years or node.level > 2 or "/" in node.key:
        return None
    divisions = division_table()

    def row(key: str, name: str, depth: int) -> CoverageRow:
        try:
            listings.regions[key]
            has_page = True
        except KeyError:
            has_page = False
        held = _reports(series, key)
        return CoverageRow(key, name, depth, has_page, tuple((y, held.get(y)) for y in years))

    rows = []
    for child in divisions.children(node.code):
        rows.append(row(child.code, child.name, 1))
        rows += [row(g.code, g.name, 2) for g in divisions.children(child.code)]
    rows += [row(key, listings.regions[key].name, 1) for key in node.children if "/" in key]
    if not rows:
        return None
    held = tuple(sum(1 for r in rows if r.cells[i][1] is not None) for i in range(len(years)))
    return CoverageMatrix(years, tuple(rows), held)
