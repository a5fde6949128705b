"""Comparing regions and seeing who did not disclose (issue 16, points 3 and 4), as data for the templates.

* ``stats_comparison`` — /stats/: for each headline figure (STAT_KEYS) a province × year matrix: each cell sums
  the own annual reports of the province's regions held for the year and says how many it adds; per-year
  totals likewise (never a "national" total: the archive holds some governments' reports, not the country's).
  One row per province (plus one for national bodies), so the page stays small whatever the archive's size;
  each province's page compares its own child areas.
* ``child_comparison`` — a province or city page: its child areas side by side, each with its latest report.
* ``coverage_row`` / ``coverage_matrix`` — for a region, the years the archive covers (first to last year of
  any annual report in it) with the region's own annual report, or a gap; for a province or city, every
  division under it in the division table (which knows every county, not only those with documents) × years.

A region's "own" report is one whose most specific region is that region (a county's report is not its
city's); several in one year (the government and its departments) are represented by the government's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from site_builder.content.model import Document, Site
from site_builder.schema import STAT_KEYS
from site_builder.listings import Listings, RegionNode, region_keys
from site_builder.regions import table as division_table
from site_builder.stats import Figures, RegionSeries, Total, _own_report, figures, total

CHART_ROWS = 20   # a comparison chart shows at most this many regions (the largest values); the table has all


def archive_years(site: Site) -> tuple[int, ...]:
    """The years the archive covers: from the first to the last year of any annual report, without holes
    (a year nobody's report is held for is a gap like any other)."""
    documents, years = _ARCHIVE_YEARS[0]
    if documents is not site.documents:
        years = {d.year for d in site.documents if d.doc_type == "annual_report" and d.year}
        years = tuple(range(min(years), max(years) + 1)) if years else ()
        _ARCHIVE_YEARS[0] = (site.documents, years)
    return years


# The last documents' years: a build asks twice (region pages, the rebuild's digest), 11 ms each at 10k. Kept
# per tuple of documents: a document is changed in place only by Rebuilder.refresh, which keeps its year and type.
_ARCHIVE_YEARS: list = [((), ())]


# --- /stats/ ------------------------------------------------------------------------------------------------

NO_REGION = "全国性或地区不详"
NO_REGION_KEY = "999999"                      # sorts after every division code
CHART_ROWS = 40   # a comparison chart shows at most this many provinces (the largest values); the table has all


@dataclass(frozen=True)
class ProvinceCell:
    total: Total                              # over the province's reports of the year (see stats_comparison)
    flagged: bool                             # some added figure comes from a table that failed its checks

    @property
    def reports(self) -> int:
        return self.total.stated + self.total.missing


@dataclass(frozen=True)
class CompareRow:
    key: str                                  # province key (division code), NO_REGION_KEY for national bodies
    label: str                                # 安徽省 / 全国性或地区不详
    linked: bool                              # the row links to the province's page
    cells: tuple[ProvinceCell | None, ...]    # per year; None: the archive holds no report of the province
    latest: tuple[int, ProvinceCell] | None   # the latest year in which some report states the figure


@dataclass(frozen=True)
class FigureComparison:
    key: str
    label: str
    years: tuple[int, ...]
    rows: tuple[CompareRow, ...]              # by province code, national bodies last
    totals: tuple[Total, ...]                 # per year, over every row's reports of that year
    chart: tuple[tuple[str, object, bool], ...]   # (province year, sum, flagged) of the provinces' latest year
    chart_cut: int                            # provinces with a value left out of the chart
    chart_reports: tuple[int, ...]            # per chart bar: how many reports the sum adds


def stats_comparison(site: Site) -> tuple[FigureComparison, ...]:
    """/stats/: province × year, so the page is bounded by the number of provinces whatever the archive's size.

    A province's cell sums, for the year, the own annual report of each of its regions that the archive holds
    (the province's, its cities', counties' and special zones'; one per region and year, as on region pages:
    the government's report stands for its departments'), and says how many reports stated the figure.
    Annual reports without a region (national bodies) get their own row, one report per issuing body and year.
    """
    groups: dict[tuple[str, str], dict[int, list[Figures]]] = defaultdict(lambda: defaultdict(list))
    names: dict[str, str] = {}
    for doc in site.documents:
        f = figures(doc)
        if not f or not doc.year:
            continue
        keys = region_keys(doc)
        if keys:
            province = keys[0]
            if province not in names:
                division = division_table().get(province)
                names[province] = division.name if division else (doc.region.province or province)
            groups[(province, keys[-1])][doc.year].append(f)
        else:
            names[NO_REGION_KEY] = NO_REGION
            groups[(NO_REGION_KEY, doc.issuing_body or doc.slug)][doc.year].append(f)
    reports: dict[str, dict[int, list[Figures]]] = defaultdict(lambda: defaultdict(list))
    for (province, _), by_year in groups.items():
        for year, fs in by_year.items():
            reports[province][year].append(_own_report(fs))
    years = tuple(sorted({y for by_year in reports.values() for y in by_year}))
    provinces = sorted(reports)
    out = []
    for key, label in STAT_KEYS.items():
        rows = []
        for province in provinces:
            by_year = reports[province]
            cells = tuple(_cell(by_year[y], key) if y in by_year else None for y in years)
            stated = [(y, c) for y, c in zip(years, cells) if c is not None and c.total.stated]
            rows.append(CompareRow(province, names[province], province != NO_REGION_KEY, cells,
                                   stated[-1] if stated else None))
        totals = tuple(total([f.values.get(key) for p in provinces for f in reports[p].get(y, ())]) for y in years)
        ranked = sorted((r for r in rows if r.latest and r.linked),
                        key=lambda r: (-float(r.latest[1].total.value), r.key))[:CHART_ROWS]
        chart = tuple((f"{r.label} {r.latest[0]}", r.latest[1].total.value, r.latest[1].flagged) for r in ranked)
        charted = sum(1 for r in rows if r.latest and r.linked)
        out.append(FigureComparison(key, label, years, tuple(rows), totals, chart, charted - len(chart),
                                    tuple(r.latest[1].total.stated for r in ranked)))
    return tuple(out)


def _cell(reports: list[Figures], key: str) -> ProvinceCell:
    return ProvinceCell(total([f.values.get(key) for f in reports]),
                        any(f.flag(key) for f in reports if f.values.get(key) is not None))


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
        held = _reports(series, key)
        return CoverageRow(key, name, depth, key in listings.regions, tuple((y, held.get(y)) for y in years))

    rows = []
    for child in divisions.children(node.code):
        rows.append(row(child.code, child.name, 1))
        rows += [row(g.code, g.name, 2) for g in divisions.children(child.code)]
    rows += [row(key, listings.regions[key].name, 1) for key in node.children if "/" in key]
    if not rows:
        return None
    held = tuple(sum(1 for r in rows if r.cells[i][1] is not None) for i in range(len(years)))
    return CoverageMatrix(years, tuple(rows), held)
