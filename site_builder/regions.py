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
import re
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


# -- abbreviations documents use for divisions (ingest) ----------------------------------------------
PROVINCE_ABBR = {
    "京": "110000", "津": "120000", "沪": "310000", "渝": "500000", "冀": "130000", "晋": "140000", "蒙": "150000",
    "辽": "210000", "吉": "220000", "黑": "230000", "苏": "320000", "浙": "330000", "皖": "340000", "闽": "350000",
    "赣": "360000", "鲁": "370000", "豫": "410000", "鄂": "420000", "湘": "430000", "粤": "440000", "桂": "450000",
    "琼": "460000", "川": "510000", "蜀": "510000", "贵": "520000", "黔": "520000", "云": "530000", "滇": "530000",
    "藏": "540000", "陕": "610000", "甘": "620000", "陇": "620000", "青": "630000", "宁": "640000", "新": "650000",
}

# Well-known 文号 prefixes (发文机关代字) → division. Longest prefix wins. Only the document's OWN 文号 is used.
DOCNO_PREFIXES = {
    "国办": None, "国发": None, "国函": None, "国务院": None,
    "京政": "110000", "津政": "120000", "沪府": "310000", "渝府": "500000", "冀政": "130000", "晋政": "140000",
    "内政": "150000", "辽政": "210000", "吉政": "220000", "黑政": "230000", "苏政": "320000", "浙政": "330000",
    "皖政": "340000", "闽政": "350000", "赣府": "360000", "鲁政": "370000", "豫政": "410000", "鄂政": "420000",
    "湘政": "430000", "粤府": "440000", "桂政": "450000", "琼府": "460000", "川办": "510000", "川府": "510000",
    "黔府": "520000", "云政": "530000", "藏政": "540000", "陕政": "610000", "甘政": "620000", "青政": "630000",
    "宁政": None,  # 宁夏 and 南京 both use 宁政
    "新政": None,  # 新疆 and 新县 both use 新政
    "赣市府": "360700", "宜政": "340800", "信政": "411500", "德政": "533100", "榕政": "350100", "穗府": "440100",
    "深府": "440300", "杭政": "330100", "甬政": "330200", "厦府": "350200", "昆政": "530100", "蓉府": "510100",
    "筑府": "520100", "郑政": "410100", "济政": "370100", "合政": "340100", "沈政": "210100", "大政": "210200",
    "哈政": "230100", "石政": "130100", "兰政": "620100", "银政": "640100", "乌政": "650100", "拉政": "540100",
    "海府": "460100", "邕府": "450100", "锡政": "320200", "苏府": "320500", "武政": "420100", "汉政": None,
    "洛政": "410300", "赣州": "360700",
}

def docno_prefix_code(docno: str | None) -> tuple[bool, str | None]:
    """(known, code) for a 文号's organ prefix. known with code None = a national or ambiguous prefix."""
    if not docno:
        return False, None
    org = re.split(r"[〔\[［(（﹝【〈]", docno)[0]
    for L in range(min(len(org), 4), 1, -1):
        p = org[:L]
        if p in DOCNO_PREFIXES:
            return True, DOCNO_PREFIXES[p]
    return False, None



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
