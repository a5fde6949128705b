"""Applications received, administrative review and litigation from prose, when no table gives them.

Only explicit statements about the whole body and the year count:
* applications: `[共]受理/收到/接到…[依申请公开|公开申请|申请]…N件` (2021年,汕尾市公安局共受理政府信息依申请公开9件);
  a negation `未收到/未接到/没有收到 … 申请` about disclosure applications (本年度未收到…申请公开政府信息) is 0;
* review / litigation: a negation `未发生/未收到/没有发生 … 行政复议/行政诉讼` in a sentence about 政府信息公开 is
  0 for each kind named in that clause; `行政复议[案件]N件` likewise N.
Never: a part (after 其中, a sub-unit: 县直各单位 …), another year, cumulative figures, 办理 (handled, not new),
a sentence about both kinds of figure at once that cannot be told apart. Two different figures: null.
"""

from __future__ import annotations

import re
import unicodedata

from site_builder.ingest.tables_prose import clause_before, other_year, sentences

_NUM = r"(?P<num>\d+)(?:件|个|宗|条|次|起)"
_APPLY = re.compile(r"(?:共|共计|总计)?(?:新收|新受理|受理|收到|接到|接收)(?:了)?(?:各类)?(?:政府信息)?(?:公开)?"
                    r"(?:依申请公开|公开申请|申请)(?:政府信息)?(?:公开)?(?:申请)?(?:事项|件|案件)?(?:共|共计|总计)?" + _NUM)
_APPLY_NONE = re.compile(r"(?:未|没有)(?:收到|接到|受理)[^，,。；;]{0,30}?申请(?!人)")
_CASE = re.compile(r"(?P<kind>行政复议|行政诉讼)(?:案件)?(?:共|共计)?" + _NUM)
_CASE_NONE = re.compile(r"(?:未|没有)(?:发生|收到|接到|出现|产生|被提起|被申请)")
_SKIP = re.compile(r"累计|历年|同比|比上年|较上年|上年|去年|结转|办结|答复|其中")
_PART = re.compile(r"县直|市直|区直|各单位|各部门|各乡镇|各镇|各街道|(?<!本)(?:单位|部门)")
KINDS = {"行政复议": "review_total", "行政诉讼": "litigation_total"}


def _usable(sentence: str, start: int, year_hint: int | None) -> bool:
    before = sentence[:start]
    lead = clause_before(sentence, start)
    return not ("其中" in before or _SKIP.search(lead) or _PART.search(before) or other_year(before, year_hint))


def _applications(sentence: str, year_hint: int | None) -> set[int]:
    found = set()
    if "复议" in sentence or "诉讼" in sentence:
        return found  # 未收到行政复议申请 is about review, not disclosure applications
    for m in _APPLY.finditer(sentence):
        if _usable(sentence, m.start(), year_hint):
            found.add(int(m.group("num")))
    for m in _APPLY_NONE.finditer(sentence):
        if "公开" in sentence and _usable(sentence, m.start(), year_hint):
            found.add(0)
    return found


def _clause_at(sentence: str, start: int) -> str:
    return clause_before(sentence, start) + re.split(r"[，,]", sentence[start:], maxsplit=1)[0]


def _cases(sentence: str, year_hint: int | None) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {k: set() for k in KINDS.values()}
    for m in _CASE.finditer(sentence):
        # review and litigation of other matters do not count: the clause names 政府信息公开
        if "公开" in _clause_at(sentence, m.start()) and _usable(sentence, m.start(), year_hint):
            found[KINDS[m.group("kind")]].add(int(m.group("num")))
    for m in _CASE_NONE.finditer(sentence):
        clause = re.split(r"[，,]", sentence[m.end():], maxsplit=1)[0]
        if "公开" not in _clause_at(sentence, m.start()) or re.search(r"\d", clause) \
                or not _usable(sentence, m.start(), year_hint):
            continue
        for kind, k in KINDS.items():
            if kind in clause:
                found[k].add(0)
    return found


def cases_from_prose(lines: list[str], year_hint: int | None = None) -> tuple[dict, list[str]]:
    """{stats key: value} for applications_received_new, review_total, litigation_total; and warnings."""
    text = unicodedata.normalize("NFKC", "\n".join(lines))
    seen: dict[str, set[int]] = {"applications_received_new": set(), "review_total": set(),
                                 "litigation_total": set()}
    for s in sentences(text):
        seen["applications_received_new"] |= _applications(s, year_hint)
        for k, values in _cases(s, year_hint).items():
            seen[k] |= values
    out, warnings = {}, []
    for k, values in seen.items():
        if len(values) == 1:
            out[k] = next(iter(values))
            warnings.append(f"{k}: 取自正文 (from prose): {out[k]}")
        elif values:
            warnings.append(f"{k}: 正文给出不同的数字 {sorted(values)}，未取 (prose figures disagree)")
    return out, warnings
