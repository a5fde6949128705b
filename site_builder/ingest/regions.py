"""Resolve the place a document belongs to from the evidence in its text.

Evidence, strongest first: the title, the issuing body, labelled 信息来源/发布机构 fields, the 红头 and 落款 lines,
the site banner and breadcrumbs before the title, the document's own 文号 prefix (table below), the footer
(版权所有 …, ICP 备案 province), and — only when nothing else names a place — the body's self-references
("XX县人民政府"). Each mention of a division name (official name, short name, alias) supports that division
and its parents. The most supported division wins; among equally supported ones the most specific wins when
they lie on one chain; two different divisions with equal support (朝阳区 in 北京 and 长春 with no city named)
give region null and a warning.

Special zones that are not administrative divisions (沈抚新区, 雄安新区, 平潭综合实验区 …) follow
content-schema.md: code = the province's code, city = the zone's name, county null, and a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from site_builder.regions import RANK_HISTORICAL, DivisionTable, table

CJK_RE = re.compile(r"[\u4e00-\u9fff]")

# Zones not in aliases.csv (aliases.csv's non_admin rows are used as well).
EXTRA_ZONES = {
    "平潭综合实验区": "350000",
    "平潭实验区": "350000",
    "横琴粤澳深度合作区": "440400",
    "河北雄安新区": "130000",
}

# Names that are official district names but ordinary words (城区 "urban area", 郊区 "suburbs" …).
GENERIC = {"城区", "郊区", "矿区", "东区", "西区", "南区", "北区", "市中区", "市辖区", "新区", "开发区", "中区", "城中区",
           "城关区", "白云", "东方", "长安", "开放", "普通", "和平", "新城", "永安", "中山", "新华", "城东", "城西",
           "城南", "城北", "河口", "平安", "红旗", "建设", "胜利", "光明"}
# GENERIC short names above are only trusted when followed by an admin/organ suffix (see _accept).

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

# Evidence weights
W_TITLE, W_ISSUER, W_LABEL, W_REDHEAD, W_SIGN, W_SITE, W_DOCNO, W_FOOTER, W_ICP, W_BODY = 6, 5, 4, 4, 3, 2, 2, 2, 1, 1


@dataclass
class Evidence:
    source: str  # "title", "issuing_body", "信息来源" …
    text: str
    weight: float
    strict: bool = False  # only names followed by an organ/admin suffix (for free text)


@dataclass
class Resolution:
    region: dict | None
    warnings: list[str] = field(default_factory=list)
    mentions: list[tuple[str, str, str]] = field(default_factory=list)  # (source, name, codes)
    needs_review: bool = False


_SUFFIX_OK = re.compile(r"^(?:[市州县区省盟旗]|人民政府|政府|人大|政协|党|委|办|管委会|[0-9]|$)")


class _Scanner:
    def __init__(self, t: DivisionTable):
        self.t = t
        self.names = set(t.names()) | set(EXTRA_ZONES)
        self.maxlen = max(len(n) for n in self.names)

    def scan(self, text: str, strict: bool) -> list[tuple[str, int]]:
        """(name, position) of division names, longest match first, left to right."""
        out = []
        i = 0
        n = len(text)
        while i < n:
            if not CJK_RE.match(text[i]):
                i += 1
                continue
            found = None
            for L in range(min(self.maxlen, n - i), 1, -1):
                cand = text[i:i + L]
                if cand in self.names:
                    found = cand
                    break
            if found and self._accept(text, i, found, strict):
                out.append((found, i))
                i += len(found)
            else:
                i += 1
        return out

    def _accept(self, text: str, i: int, name: str, strict: bool) -> bool:
        after = text[i + len(name):]
        before = text[i - 1] if i > 0 else ""
        if name in GENERIC:
            return bool(re.match(r"^(?:人民政府|政府|管委会)", after))
        if strict:
            return bool(re.match(r"^(?:人民政府|政府|党委|管委会|委员会|人大|政协)", after)) or (
                len(name) >= 3 and name[-1] in "省市县区州盟旗" and bool(re.match(r"^(?:人民政府|政府|办公|委|党)", after))
            )
        if len(name) == 2:
            # 新县 in 创新县域 is not 新县: a 2-character name must start the text or follow a non-CJK
            # character, or be followed by an admin/organ suffix.
            if before and CJK_RE.match(before) and not _SUFFIX_OK.match(after):
                return False
        return True

    def candidates(self, name: str) -> list[tuple[str, bool]]:
        """[(code, is_zone)] for a name: current names beat historical ones."""
        if name in EXTRA_ZONES:
            return [(EXTRA_ZONES[name], True)]
        matches = self.t.lookup(name)
        if not matches:
            return []
        best = min(m.rank for m in matches)
        if best < RANK_HISTORICAL:
            matches = [m for m in matches if m.rank < RANK_HISTORICAL]
        return [(m.division.code, m.kind == "non_admin") for m in matches]


_scanner: _Scanner | None = None


def scanner() -> _Scanner:
    global _scanner
    if _scanner is None:
        _scanner = _Scanner(table())
    return _scanner


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


_ICP = re.compile(r"([京津沪渝冀晋蒙辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川蜀贵黔云滇藏陕甘陇青宁新])ICP")

NATIONAL = re.compile(r"^(?:国务院|国家|中共中央|全国|中华人民共和国|国办|中央)")


def resolve(evidence: list[Evidence], body: str, issuing_body: str | None) -> Resolution:
    t = table()
    sc = scanner()
    support: dict[str, float] = {}
    zones: dict[str, set[str]] = {}  # code → zone names that produced it
    mentions: list[tuple[str, str, str]] = []
    mention_sets: list[tuple[float, list[str]]] = []

    def add_mention(source: str, name: str, cands: list[tuple[str, bool]], weight: float) -> None:
        codes = sorted({c for c, _ in cands})
        if not codes:
            return
        mentions.append((source, name, ",".join(codes)))
        mention_sets.append((weight, codes))
        for c, is_zone in cands:
            if is_zone:
                zones.setdefault(c, set()).add(name)

    for ev in evidence:
        if not ev.text:
            continue
        if ev.source == "docno":
            known, code = docno_prefix_code(ev.text)
            if known and code:
                add_mention("文号", ev.text, [(code, False)], ev.weight)
            continue
        if ev.source == "icp":
            for m in _ICP.finditer(ev.text):
                add_mention("ICP", m.group(0), [(PROVINCE_ABBR[m.group(1)], False)], ev.weight)
            continue
        seen_names = set()
        for name, _pos in sc.scan(ev.text, ev.strict):
            if name in seen_names:
                continue
            seen_names.add(name)
            add_mention(ev.source, name, sc.candidates(name), ev.weight)

    warnings: list[str] = []
    body_used = False
    if not mention_sets:
        counts: dict[str, int] = {}
        for name, _pos in sc.scan(body, strict=True):
            counts[name] = counts.get(name, 0) + 1
        for name, cnt in sorted(counts.items()):
            add_mention("body", name, sc.candidates(name), W_BODY * min(cnt, 5))
        body_used = bool(mention_sets)

    if not mention_sets:
        if issuing_body and NATIONAL.match(issuing_body):
            return Resolution(None, [], mentions)
        return Resolution(None, ["region: no place name found in the text; region left null"], mentions, True)

    all_codes = sorted({c for _, codes in mention_sets for c in codes})
    for code in all_codes:
        chain = {d.code for d in t.chain(code)}
        s = 0.0
        for w, codes in mention_sets:
            if any(c in chain for c in codes):
                # a mention that could mean several places supports each of them only partly
                s += w / (1 + 0.01 * (len(codes) - 1))
        support[code] = s
    top = max(support.values())
    best = [c for c in all_codes if support[c] >= top - 1e-9]
    # among the best, keep the deepest ones whose chain contains the others
    deepest = [c for c in best if not any(o != c and t.is_ancestor(c, o) for o in best)]
    if len(deepest) > 1:
        names = "、".join(f"{'/'.join(d.name for d in t.chain(c))} ({c})" for c in deepest)
        warnings.append(f"region: ambiguous place evidence, candidates {names}; region left null")
        return Resolution(None, warnings, mentions, True)
    code = deepest[0]
    region = t.region_fields(code)
    div = t.get(code)
    if code in zones and div is not None and div.level == 1:
        zone = sorted(zones[code], key=len, reverse=True)[0]
        zone = {"沈抚改革创新示范区": "沈抚新区", "平潭实验区": "平潭综合实验区", "河北雄安新区": "雄安新区"}.get(zone, zone)
        region = {"code": code, "province": div.name, "city": zone, "county": None}
        warnings.append(
            f"region: {zone} is a special zone, not an administrative division; "
            f"placed directly under {div.name} (code {code})"
        )
    elif code in zones and div is not None:
        zone = sorted(zones[code], key=len, reverse=True)[0]
        warnings.append(f"region: {zone} is not an administrative division; region set to the division containing it ({div.name})")
    if body_used:
        warnings.append("region: inferred from places named in the body text only; please check")
    # conflicting strong evidence: a mention that supports nothing on the chosen chain
    chain_codes = {d.code for d in t.chain(code)}
    conflicts = sorted({m[1] for (w, codes), m in zip(mention_sets, mentions) if w >= W_SITE and not any(
        c in chain_codes or t.is_ancestor(code, c) for c in codes)})
    if conflicts:
        warnings.append(f"region: other places also named ({'、'.join(conflicts)}); chose {region['province']}"
                        f"{region.get('city') or ''}{region.get('county') or ''}")
    return Resolution(region, warnings, mentions, bool(warnings))
