"""Region, year and document type as taxonomies: the listings are data, computed before any rendering.

Every document is listed under its whole region chain (province → city → county), its year and its type.
Special zones that are not divisions (沈抚新区 …) hang directly under their province.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from site_builder.content.model import Document, Site
from site_builder.schema import DOC_TYPES
from site_builder.regions import table as division_table
from site_builder.urls import UNDATED, Urls


@dataclass(frozen=True)
class RegionNode:
    key: str                       # division code, or "<province code>/<zone slug>" for a special zone
    name: str                      # official full name (the zone's name as documents give it)
    level: int                     # 1 province, 2 prefecture or zone, 3 county level
    parent: str | None
    code: str
    documents: tuple[Document, ...]  # every document in this region and below it, newest first
    children: tuple[str, ...]        # keys of child regions that have documents

    @property
    def own_documents(self) -> tuple[Document, ...]:
        """Documents that name this region itself as their most specific region."""
        return tuple(d for d in self.documents if d.region and region_keys(d)[-1] == self.key)


@dataclass(frozen=True)
class Term:
    key: str                       # "2019" / "annual_report" / "undated": what urls.py makes its route of
    label: str                     # "2019年" / "年度报告"
    documents: tuple[Document, ...]


@dataclass(frozen=True)
class Listings:
    regions: dict[str, RegionNode]   # by key, in code order
    provinces: tuple[str, ...]
    years: tuple[Term, ...]          # newest first, undated last
    types: tuple[Term, ...]          # in DOC_TYPES order
    no_region: tuple[Document, ...]  # national bodies and documents whose region is unknown

    def chain(self, doc: Document) -> list[RegionNode]:
        return [self.regions[k] for k in region_keys(doc)]


def region_keys(doc: Document) -> tuple[str, ...]:
    """The document's region chain as node keys, province first."""
    region = doc.region
    return () if region is None else _region_keys(region.code, region.city, region.county)


# A few thousand distinct regions, asked for several times per document. Keyed on the strings, not the Region:
# each document has its own Region, and comparing dataclasses in the cache's lookups cost 60 ms of a plan at 10k.
@lru_cache(maxsize=65536)
def _region_keys(code: str, city: str | None, county: str | None) -> tuple[str, ...]:
    keys = tuple(d.code for d in division_table().chain(code))
    if _is_zone(code, city, county) and keys:
        keys = (keys[0], Urls.zone_key(keys[0], city))
    return keys


def _is_zone(code: str, city: str | None, county: str | None) -> bool:
    """A special zone: region code is a province's, yet the document names a 'city' below it."""
    division = division_table().get(code)
    return bool(division and division.level == 1 and city and not county)


def build_listings(site: Site) -> Listings:
    members: dict[str, list[Document]] = defaultdict(list)
    names: dict[str, tuple[str, int, str | None, str]] = {}
    no_region = []
    by_year: dict[int | None, list[Document]] = defaultdict(list)
    by_type: dict[str, list[Document]] = defaultdict(list)
    for doc in site.documents:
        by_year[doc.year].append(doc)
        by_type[doc.doc_type].append(doc)
        keys = region_keys(doc)
        if not keys:
            no_region.append(doc)
        for depth, key in enumerate(keys):
            members[key].append(doc)
            if key not in names:
                if "/" in key:
                    names[key] = (doc.region.city, 2, keys[0], keys[0])
                else:
                    division = division_table().get(key)
                    names[key] = (division.name, division.level, keys[depth - 1] if depth else None, key)
    children: dict[str, list[str]] = defaultdict(list)
    for key, (_, _, parent, _) in names.items():
        if parent:
            children[parent].append(key)
    regions = {
        key: RegionNode(key=key, name=names[key][0], level=names[key][1], parent=names[key][2],
                        code=names[key][3], documents=tuple(members[key]),
                        children=tuple(sorted(children[key])))
        for key in sorted(names)
    }
    years = tuple(Term(str(y), f"{y}年", tuple(by_year[y])) for y in sorted((y for y in by_year if y), reverse=True))
    if None in by_year:
        years += (Term(UNDATED, "年份不详", tuple(by_year[None])),)
    types = tuple(Term(t, label, tuple(by_type[t])) for t, label in DOC_TYPES.items() if by_type[t])
    return Listings(regions=regions, provinces=tuple(k for k, n in regions.items() if n.parent is None),
                    years=years, types=types, no_region=tuple(no_region))


@dataclass(frozen=True)
class Pager:
    number: int      # 1-based
    total: int       # number of pages
    items: tuple


def paginate(items: tuple, size: int) -> list[Pager]:
    """Linear in the number of items; an empty listing still has one (empty) page."""
    total = max(1, math.ceil(len(items) / size))
    return [Pager(n + 1, total, items[n * size:(n + 1) * size]) for n in range(total)]
