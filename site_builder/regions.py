"""The administrative-division table (site_builder/data/divisions.csv, aliases.csv).

Used by ingest (to resolve place names found in a document) and by the site build (region pages, filters).

    from site_builder.regions import table
    t = table()
    t.get("340882")            -> Division(code="340882", name="潜山市", ...)
    t.chain("340882")          -> [安徽省, 安庆市, 潜山市]
    t.region_fields("340882")  -> {"code": "340882", "province": "安徽省", "city": "安庆市", "county": "潜山市"}
    t.find("德宏州")            -> [Division(533100, 德宏傣族景颇族自治州)]
    towns().counties("建新镇")  -> ["350104", "440823"]   (township level: name → county codes)

``find`` ranks its results: divisions whose official name matches come first, then those whose short name
matches, then current aliases (generated short names, non-administrative areas), then historical and
abolished names (which map to today's division). Within a rank the order is by code, so results are
deterministic.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"

MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})

# find() ranks (lower = better evidence that the name means this division today)
RANK_NAME, RANK_SHORT, RANK_ALIAS, RANK_HISTORICAL = 0, 1, 2, 3
_ALIAS_RANK = {
    "short": RANK_ALIAS,
    "non_admin": RANK_ALIAS,
    "historical": RANK_HISTORICAL,
    "historical_short": RANK_HISTORICAL,
    "abolished": RANK_HISTORICAL,
    "abolished_short": RANK_HISTORICAL,
}


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    short: tuple[str, ...]
    level: int  # 1 province, 2 prefecture, 3 county
    parent: str | None


@dataclass(frozen=True)
class NameMatch:
    """One way a name refers to a division (see DivisionTable.lookup)."""

    division: Division
    rank: int  # RANK_NAME / RANK_SHORT / RANK_ALIAS / RANK_HISTORICAL
    kind: str  # "name", "short" or the aliases.csv kind (historical, non_admin …)


class DivisionTable:
    def __init__(self, divisions: list[Division], aliases: list[tuple[str, str, str]]):
        self._by_code: dict[str, Division] = {d.code: d for d in divisions}
        self._children: dict[str, list[Division]] = {}
        for d in divisions:
            if d.parent:
                self._children.setdefault(d.parent, []).append(d)
        for kids in self._children.values():
            kids.sort(key=lambda d: d.code)
        names: dict[str, dict[str, NameMatch]] = {}

        def add(name: str, div: Division, rank: int, kind: str) -> None:
            if not name:
                return
            slot = names.setdefault(name, {})
            old = slot.get(div.code)
            if old is None or rank < old.rank:
                slot[div.code] = NameMatch(div, rank, kind)

        for d in divisions:
            add(d.name, d, RANK_NAME, "name")
            for s in d.short:
                add(s, d, RANK_SHORT, "short")
                add(_autonomous_short(d.name, s), d, RANK_SHORT, "short")
        for alias, code, kind in aliases:
            div = self._by_code.get(code)
            if div is not None:
                add(alias, div, _ALIAS_RANK.get(kind, RANK_HISTORICAL), kind)
        self._names: dict[str, list[NameMatch]] = {
            n: sorted(v.values(), key=lambda m: (m.rank, m.division.code)) for n, v in names.items()
        }
        self.max_name_length = max(len(n) for n in self._names) if self._names else 0

    # -- the public API -------------------------------------------------------------------------------
    def get(self, code: str | None) -> Division | None:
        if code is None:
            return None
        return self._by_code.get(str(code))

    def chain(self, code: str) -> list[Division]:
        out: list[Division] = []
        d = self.get(code)
        seen = set()
        while d is not None and d.code not in seen:
            seen.add(d.code)
            out.append(d)
            d = self.get(d.parent) if d.parent else None
        out.reverse()
        return out

    def region_fields(self, code: str) -> dict:
        """{code, province, city, county} for a division code, following content-schema.md.

        Municipalities (北京 上海 天津 重庆): province = the municipality, city = None, county = the district.
        """
        chain = self.chain(code)
        fields = {"code": str(code), "province": None, "city": None, "county": None}
        for d in chain:
            if d.level == 1:
                fields["province"] = d.name
            elif d.level == 2:
                fields["city"] = d.name
            else:
                fields["county"] = d.name
        if chain and chain[0].code in MUNICIPALITIES:
            fields["city"] = None
        return fields

    def find(self, name: str) -> list[Division]:
        return [m.division for m in self.lookup(name)]

    def children(self, code: str) -> list[Division]:
        return list(self._children.get(str(code), []))

    # -- extras used by ingest ------------------------------------------------------------------------
    def lookup(self, name: str) -> list[NameMatch]:
        """Like find(), with how each division matched (rank and kind)."""
        return list(self._names.get(name.strip(), ()))

    def has_name(self, name: str) -> bool:
        return name in self._names

    def is_ancestor(self, ancestor: str, code: str) -> bool:
        """True when ``ancestor`` is ``code`` itself or one of its parents."""
        return any(d.code == ancestor for d in self.chain(code))

    def names(self) -> list[str]:
        return sorted(self._names)

    def all(self) -> list[Division]:
        return [self._by_code[c] for c in sorted(self._by_code)]


def _autonomous_short(name: str, short: str) -> str:
    """镇宁自治县 for 镇宁布依族苗族自治县 (short 镇宁县): documents often drop only the peoples' names."""
    for kind in ("自治县", "自治州", "自治旗"):
        if name.endswith(kind) and short.endswith(kind[-1]) and len(short) > 2:
            return short[:-1] + kind
    return ""


TOWN_SUFFIXES = ("街道", "苏木", "镇", "乡")  # every name in towns.csv ends with one of these


def town_stem(name: str) -> str:
    """桂花坪 for 桂花坪街道."""
    for suffix in TOWN_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


class TownTable:
    """Township-level units (乡 / 镇 / 街道 / 苏木) from site_builder/data/towns.csv: name → county codes."""

    def __init__(self, counties: dict[str, list[str]]):
        self._counties = counties  # name → sorted county codes

    def counties(self, name: str) -> list[str]:
        """Codes of the county-level divisions that have a town of this name (several: ambiguous)."""
        return list(self._counties.get(name, ()))

    def names(self) -> list[str]:
        """Every town name, in file order (unsorted: the scanner builds a set of them on each ingest worker)."""
        return list(self._counties)


@lru_cache(maxsize=1)
def towns() -> TownTable:
    """Loaded on first use only: ingest needs it, the site build does not."""
    counties: dict[str, list[str]] = {}
    with open(DATA_DIR / "towns.csv", encoding="utf-8") as f:
        next(f)  # header: code,name,county
        for line in f:  # plain split: much faster than csv.DictReader on 39k rows, and no field is quoted
            code, name, county = line.rstrip("\n").split(",")
            codes = counties.setdefault(name, [])
            county = county or code[:6]
            if county not in codes:
                codes.append(county)
    for codes in counties.values():
        codes.sort()
    return TownTable(counties)


def _read_csv(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=1)
def table() -> DivisionTable:
    divisions = []
    for row in _read_csv("divisions.csv"):
        short = tuple(s for s in (row.get("short") or "").split("|") if s)
        parent = (row.get("parent") or "").strip() or None
        divisions.append(Division(row["code"].strip(), row["name"].strip(), short, int(row["level"]), parent))
    aliases = [
        (r["alias"].strip(), r["code"].strip(), (r.get("kind") or "").strip())
        for r in _read_csv("aliases.csv")
        if r.get("alias") and r.get("code")
    ]
    return DivisionTable(divisions, aliases)
