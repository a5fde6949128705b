"""Resolve the place a document belongs to from the evidence in its text.

Evidence, strongest first: the title, the issuing body, labelled 信息来源/发布机构 fields, the 红头 and 落款 lines,
the site banner and breadcrumbs before the title, the document's own 文号 prefix (table below), the footer
(版权所有 …, ICP 备案 province), and the body's organ names ("XX县人民政府", "XX市公安局", "XX街道办事处") when
the rest names no place, several, or only in site chrome. Each mention of a division name (official name, short
name, alias) supports that division and its parents; a township name (乡/镇/街道/苏木, towns.csv, matched only
with its suffix and not inside a longer name) supports its county, or each of its counties when several have a
town of that name. The most supported division wins; among equally supported ones the most specific wins when
they lie on one chain, unless it is named only in weak evidence (site lines, footer, body) under an ancestor
named in the title, issuing body or a label; several places under one named division give that division; two
unrelated divisions with equal support (朝阳区 in 北京 and 长春, 三合乡 in two counties, nothing else named)
give region null and a warning — never a guess.

Special zones that are not administrative divisions (沈抚新区, 雄安新区, 平潭综合实验区 …) follow
content-schema.md: code = the province's code, city = the zone's name, county null, and a warning. A county
inside a zone that names itself (雄县人民政府) is the county's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from site_builder.regions import (PROVINCE_ABBR, RANK_HISTORICAL, DivisionTable, TownTable, docno_prefix_code, table,
                                  town_stem, towns)

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

ZONE_NAMES = {"沈抚改革创新示范区": "沈抚新区", "平潭实验区": "平潭综合实验区", "河北雄安新区": "雄安新区"}

# Evidence weights
W_TITLE, W_ISSUER, W_LABEL, W_SITE, W_DOCNO, W_FOOTER, W_ICP, W_BODY = 6, 5, 4, 2, 2, 2, 1, 1


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
# Free text (the body): a division name counts only as part of an organ's name (XX县人民政府, XX市公安局 …).
_ORGAN = re.compile(r"^(?:人民政府|政府|党委|管委会|委员会|人大|政协)")
_ADMIN_ORGAN = re.compile(r"^(?:人民政府|政府|办公|委|党|[\u4e00-\u9fff]{0,8}?(?:局|厅|办公室|委员会|法院|检察院|办事处))")
_TOWN_ORGAN = re.compile(r"^(?:人民政府|政府|办事处|办|党委|党工委|人大|管委会)")
# A town name counts only when it is not the tail of a longer name: it starts the text, follows a non-CJK
# character, a place name just matched (遂溪县建新镇) or one of these words (2020年驼峰路街道 …).
_TOWN_LEFT = set("年在由对和与及的于是为经据至到向从共即原")


class _Scanner:
    def __init__(self, t: DivisionTable, town_table: TownTable):
        self.t = t
        self.towns = town_table
        # a town with a 1-character stem (城镇, 乡镇, 全镇 …) would be an ordinary word: towns need 2+
        self.kind = {n: "town" for n in town_table.names() if len(town_stem(n)) >= 2}
        # 1-character names (aliases.csv has 市, 重庆市's old short name) would match everywhere
        self.kind.update((n, "division") for n in (*t.names(), *EXTRA_ZONES) if len(n) >= 2)
        lengths: dict[str, set[int]] = {}
        for n in self.kind:
            lengths.setdefault(n[0], set()).add(len(n))
        # longest first, so a match at a position is the longest name there
        self.lengths = {c: sorted(ls, reverse=True) for c, ls in lengths.items()}

    def scan(self, text: str, strict: bool) -> list[tuple[str, int]]:
        """(name, position) of division and town names, longest match first, left to right."""
        out: list[tuple[str, int]] = []
        i, n, last_end = 0, len(text), -1
        while i < n:
            found = None
            for L in self.lengths.get(text[i], ()):
                cand = text[i:i + L]
                if len(cand) == L and cand in self.kind and self._accept(text, i, cand, strict, i == last_end):
                    found = cand
                    break
            if found:
                out.append((found, i))
                i += len(found)
                last_end = i
            else:
                i += 1
        return out

    def _accept(self, text: str, i: int, name: str, strict: bool, adjacent: bool) -> bool:
        after = text[i + len(name):]
        before = text[i - 1] if i > 0 else ""
        if self.kind[name] == "town":
            return self._accept_town(name, before, after, strict, adjacent)
        if name in GENERIC:
            return bool(re.match(r"^(?:人民政府|政府|管委会)", after))
        if strict:
            return bool(_ORGAN.match(after)) or (
                len(name) >= 3 and name[-1] in "省市县区州盟旗"
                and (bool(_ADMIN_ORGAN.match(after)) or self._town_follows(after)))
        if len(name) == 2:
            # 新县 in 创新县域 is not 新县: a 2-character name must start the text or follow a non-CJK
            # character, or be followed by an admin/organ suffix.
            if before and CJK_RE.match(before) and not _SUFFIX_OK.match(after):
                return False
        return True

    @staticmethod
    def _accept_town(name: str, before: str, after: str, strict: bool, adjacent: bool) -> bool:
        if name.endswith("乡") and after[:1] in ("镇", "村"):  # 乡镇, 乡村: the word, not a town
            return False
        if not (adjacent or not before or not CJK_RE.match(before) or before in _TOWN_LEFT):
            return False
        return adjacent or not strict or bool(_TOWN_ORGAN.match(after))

    def _town_follows(self, after: str) -> bool:
        """张店区科苑街道…: a county named right before one of its towns is the town's address."""
        return any(after[:L] in self.kind and self.kind[after[:L]] == "town" for L in self.lengths.get(after[:1], ()))

    def candidates(self, name: str) -> list[tuple[str, bool]]:
        """[(code, is_zone)] for a name: current names beat historical ones; a town gives its counties."""
        if self.kind.get(name) == "town":
            return [(c, False) for c in self.towns.counties(name)]
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
        _scanner = _Scanner(table(), towns())
    return _scanner


_ICP = re.compile(r"([京津沪渝冀晋蒙辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川蜀贵黔云滇藏陕甘陇青宁新])ICP")

NATIONAL = re.compile(r"^(?:国务院|国家|中共中央|全国|中华人民共和国|国办|中央)")


@dataclass
class _Mention:
    source: str
    name: str
    codes: list[str]  # every division the name may mean (several: ambiguous)
    weight: float
    zone: bool = False  # a special zone's name (mapped to its province or city)
    town: bool = False  # a township's name (mapped to its counties)


@dataclass
class _Choice:
    code: str | None  # None: ambiguous
    candidates: list[str]
    note: str | None = None


def _mention(source: str, name: str, sc: _Scanner, weight: float) -> _Mention | None:
    cands = sc.candidates(name)
    codes = sorted({c for c, _ in cands})
    town = sc.kind.get(name) == "town"
    return _Mention(source, name, codes, weight, any(z for _, z in cands), town) if codes else None


def _header_mentions(evidence: list[Evidence], sc: _Scanner) -> list[_Mention]:
    out: list[_Mention | None] = []
    for ev in evidence:
        if not ev.text:
            continue
        if ev.source == "docno":
            known, code = docno_prefix_code(ev.text)
            if known and code:
                out.append(_Mention("文号", ev.text, [code], ev.weight))
            continue
        if ev.source == "icp":
            for m in _ICP.finditer(ev.text):
                out.append(_Mention("ICP", m.group(0), [PROVINCE_ABBR[m.group(1)]], ev.weight))
            continue
        for name in dict.fromkeys(name for name, _pos in sc.scan(ev.text, ev.strict)):
            out.append(_mention(ev.source, name, sc, ev.weight))
    return [m for m in out if m]


_COUNTY_SELF = re.compile(r"[本全我][县旗]")


def _body_mentions(body: str, sc: _Scanner) -> list[_Mention]:
    counts: dict[str, int] = {}
    for name, _pos in sc.scan(body, strict=True):
        counts[name] = counts.get(name, 0) + 1
    if _COUNTY_SELF.search(body):
        # a county's own text (全县, 本县) names its county without an organ too (绥棱县“都城地”)
        loose: dict[str, int] = {}
        for name, _pos in sc.scan(body, strict=False):
            if len(name) >= 3 and name[-1] in "县旗" and sc.kind[name] == "division":
                loose[name] = loose.get(name, 0) + 1
        for name, cnt in loose.items():
            counts[name] = max(counts.get(name, 0), cnt)
    out = [_mention("body", name, sc, W_BODY * min(cnt, 5)) for name, cnt in sorted(counts.items())]
    return [m for m in out if m]


def _decide(mentions: list[_Mention]) -> _Choice:
    """The most supported division; the most specific among equals on one chain (see the module doc)."""
    t = table()
    all_codes = sorted({c for m in mentions for c in m.codes})
    support: dict[str, float] = {}
    for code in all_codes:
        chain = {d.code for d in t.chain(code)}
        # a mention that could mean several places supports each of them only partly
        # (a town counts a little less than a county's own name: towns merge and move, the table is of 2023)
        support[code] = sum(m.weight * (0.9 if m.town else 1) / (1 + 0.01 * (len(m.codes) - 1)) for m in mentions
                            if any(c in chain for c in m.codes))
    top = max(support.values())
    best = [c for c in all_codes if support[c] >= top - 1e-9]
    deepest = [c for c in best if not any(o != c and t.is_ancestor(c, o) for o in best)]
    own: dict[str, float] = {}
    for m in mentions:
        for c in m.codes:
            own[c] = max(own.get(c, 0.0), m.weight)
    lifted = sorted({_lift(c, own) for c in deepest})
    if len(lifted) == 1:
        return _Choice(lifted[0], deepest)
    common = _common_ancestor(lifted)
    if common and common in own:
        # several places under one named division, none ahead (a notice to 乌鲁木齐县、各区): the named one
        names = "、".join(t.get(c).name for c in lifted)
        note = f"region: {names} named equally; placed at {t.get(common).name}, which names them"
        return _Choice(common, lifted, note)
    return _Choice(None, lifted)


def _lift(code: str, own: dict[str, float]) -> str:
    """A place named only in weak evidence (site lines, footer, body) does not override its ancestor named in the
    title, the issuing body or a 来源 label: a zone's or a city's document that lists its counties stays theirs."""
    if own.get(code, 0.0) >= W_LABEL:
        return code
    for d in reversed(table().chain(code)[:-1]):
        if own.get(d.code, 0.0) >= W_LABEL:
            return d.code
    return code


def _common_ancestor(codes: list[str]) -> str | None:
    chains = [[d.code for d in table().chain(c)] for c in codes]
    common = None
    for level in zip(*chains):
        if len(set(level)) > 1:
            break
        common = level[0]
    return common


def resolve(evidence: list[Evidence], body: str, issuing_body: str | None) -> Resolution:
    sc = scanner()
    mentions = _header_mentions(evidence, sc)
    choice = _decide(mentions) if mentions else None
    body_used = False
    if choice is None or choice.code is None or _weak(choice.code, mentions):
        choice, mentions, body_used = _with_body(choice, mentions, body, sc)
    trace = [(m.source, m.name, ",".join(m.codes)) for m in mentions]
    if choice is None:
        if issuing_body and NATIONAL.match(issuing_body):
            return Resolution(None, [], trace)
        return Resolution(None, [_nothing_found(evidence)], trace, True)
    if choice.code is None and (kind := _county_kind(body)):
        fits = [c for c in choice.candidates if table().get(c).level == 3 and table().get(c).name.endswith(kind)]
        if len(fits) == 1:
            choice = _Choice(fits[0], choice.candidates,
                             f"region: of {len(choice.candidates)} candidates, the one that is a {kind} "
                             f"(the text names its {kind}委/{kind}政府 or 省、市、{kind}); please check")
    if choice.code is None:
        names = "、".join(f"{'/'.join(d.name for d in table().chain(c))} ({c})" for c in choice.candidates)
        warning = f"region: ambiguous place evidence, candidates {names}; region left null"
        return Resolution(None, [warning], trace, True)
    region, warnings = _region(choice, mentions)
    if body_used:
        warnings.append("region: decided by places named in the body text; please check")
    return Resolution(region, warnings, trace, bool(warnings))


def _with_body(choice: _Choice | None, mentions: list[_Mention], body: str, sc: _Scanner):
    """The header names no place, several, or only in site chrome: the body's organ names may decide."""
    extra = _body_mentions(body, sc)
    if not extra:
        return choice, mentions, False
    again = _decide(mentions + extra)
    if choice is not None and (again.code is None or (choice.code and _speaks_as_city(again.code, body))):
        return choice, mentions, False
    return again, mentions + extra, again.code != (choice.code if choice else None)


def _speaks_as_city(code: str, body: str) -> bool:
    """A city's text (全市, 本市) that names one of its counties is still the city's, unless it says 全县 too."""
    d = table().get(code)
    return (d is not None and d.level == 3 and not d.name.endswith("市") and bool(re.search("[全本我]市", body))
            and not re.search(f"[全本我]{d.name[-1]}", body))


# The text names its own chain of levels: 省、市、区要求; 县委、县政府; 旗委旗政府 (not 自治区党委).
_KIND_RE = re.compile(r"省、市、([县区旗])|(?<!治)([县区旗])委[、,]?([县区旗])(?:人民)?政府")


def _county_kind(body: str) -> str | None:
    """区, 县 or 旗 when the text says which kind of county it belongs to, and only one."""
    kinds = {m.group(1) or m.group(2) for m in _KIND_RE.finditer(body) if m.group(1) or m.group(2) == m.group(3)}
    return kinds.pop() if len(kinds) == 1 else None


def _weak(code: str, mentions: list[_Mention]) -> bool:
    chain = {d.code for d in table().chain(code)}
    return not any(m.weight >= W_LABEL and chain.intersection(m.codes) for m in mentions)


_TOWNISH = re.compile(r"[\u4e00-\u9fff]{2,8}?(?:街道|镇|乡|苏木)(?=人民政府|政府|办事处|党委|$)")


def _nothing_found(evidence: list[Evidence]) -> str:
    for ev in evidence:
        if ev.weight >= W_LABEL and ev.text and (m := _TOWNISH.search(ev.text)):
            return f"region: {m.group(0)} is not in the township table and no county is named; region left null"
    return "region: no place name found in the text; region left null"


def _region(choice: _Choice, mentions: list[_Mention]) -> tuple[dict, list[str]]:
    t = table()
    code = choice.code
    region = t.region_fields(code)
    div = t.get(code)
    warnings = [choice.note] if choice.note else []
    zone_ms = [m for m in mentions if m.zone and code in m.codes]
    plain_w = max((m.weight for m in mentions if not m.zone and code in m.codes), default=0.0)
    if zone_ms and div is not None:
        zone_m = max(zone_ms, key=lambda m: (m.weight, len(m.name)))
        zone = ZONE_NAMES.get(zone_m.name, zone_m.name)
        if div.level == 1 and zone_m.weight >= plain_w:
            region = {"code": code, "province": div.name, "city": zone, "county": None}
            warnings.append(f"region: {zone} is a special zone, not an administrative division; "
                            f"placed directly under {div.name} (code {code})")
        elif div.level > 1:
            warnings.append(f"region: {zone} is not an administrative division; "
                            f"region set to the division containing it ({div.name})")
    # conflicting strong evidence: a mention that supports nothing on the chosen chain
    chain_codes = {d.code for d in t.chain(code)}
    conflicts = sorted({m.name for m in mentions if m.weight >= W_SITE and m.source != "body" and not any(
        c in chain_codes or t.is_ancestor(code, c) for c in m.codes)})
    if conflicts:
        warnings.append(f"region: other places also named ({'、'.join(conflicts)}); chose {region['province']}"
                        f"{region.get('city') or ''}{region.get('county') or ''}")
    return region, warnings
