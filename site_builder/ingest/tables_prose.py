"""The year's number of proactively disclosed items (主动公开) when the tables do not give it: from prose.

A candidate is `[主动]公开[公示][了][政府]信息[数][共…][约]N[万][余]条` or `[共]公开N条[政府]信息` (units
条/件/项/篇, `条次`). Only the whole body's figure for the year counts, never a part:
* skipped: other years, cumulative or comparative figures (累计, 上年 …), applications, per-channel sums
  (通过不同渠道和方式…);
* parts: anything after 其中 in its sentence, a later figure in a sentence that already gave one (a breakdown),
  a sub-unit's or a topic's figure (县直各单位…, 重点领域…);
* a total over several channels (门户网站、政务新媒体…共公开, 等各类媒体) wins; the first one is taken and
  disagreeing ones are reported. Without one, a single channel's figure (在政府信息公开专栏主动公开文件共5件) is
  the body's own statement only when it is the only figure stated; several different ones stay null.
万 scales only when written (`4.59万条`); 约/近/超过/逾/余/多 and 万 are approximations, flagged as such.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_NUM = r"(?P<approx>约|近|超过|逾)?(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)(?P<wan>万)?(?P<more>余|多)?(?P<unit>条|件|项|篇)次?"
_VERB = r"(?P<verb>主动公开|公开公示|公开发布|公开|发布)(?:了)?"
_NOUN = r"(?P<what>各类政府|各类|各级|政府|政务)?(?P<noun>信息|文件)"
_CANDIDATES = (
    re.compile(_VERB + _NOUN + r"(?:数|数量|总数|总量)?(?:共|共计|总计|合计|达到|达|为)?" + _NUM),
    re.compile(_VERB + r"(?:共|共计|总计|合计)?" + _NUM + r"(?:各类)?" + _NOUN),
)
# not this year's total of this body at all
_SKIP = re.compile(r"累计|历年|同比|比上年|较上年|上年|去年|申请|不同渠道|不同方式|各渠道|解读|回应")
# a part of the body (a sub-unit) or of the information (a topic)
_PART = re.compile(r"县直|市直|区直|各单位|各部门|各乡镇|各镇|各街道|(?<!本)(?:单位|部门)|领域|扶贫|财政|预决算")
_WHOLE = re.compile(r"全(?:县|市|区|州|盟|省|旗|镇|乡)")   # 全县各乡镇、各部门共公开…: the whole, not a part
_CHANNEL = re.compile(r"门户网站|网站|政务公开网|专栏|栏目|公开栏|公告栏|宣传栏|公众号|微信|微博|客户端|新媒体|媒体"
                      r"|报纸|报刊|电视|广播|短信|电子屏|平台|公报|查阅点")
_SEVERAL = re.compile(r"各类|各种|多种|等")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_NOT_OWN = ("不予", "予以", "部分", "申请")   # 予以公开信息N条 are answers to applications
_SENTENCE_END = "。；;！!？?\n"


@dataclass(frozen=True)
class Figure:
    value: int | float
    approx: bool
    clause: str
    channel: bool       # one channel only (网站, 专栏 …)


def sentences(text: str) -> list[str]:
    return [s for s in re.split(f"[{_SENTENCE_END}]", text) if s.strip()]


def clause_before(text: str, start: int) -> str:
    """The clause leading to position start: back to the previous ，,：: (or the sentence start)."""
    cut = max(text.rfind(c, 0, start) for c in "，,：:")
    return text[cut + 1:start]


def other_year(lead: str, year_hint: int | None) -> bool:
    years = {int(y) for y in _YEAR.findall(lead)}
    return bool(year_hint and years and year_hint not in years)


def number_value(m: re.Match) -> int | float:
    raw = m.group("num").replace(",", "")
    value: int | float = float(raw) if "." in raw else int(raw)
    if m.group("wan"):
        value = value * 10_000
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value


def _matches(sentence: str) -> list[re.Match]:
    found: dict[int, re.Match] = {}
    for pattern in _CANDIDATES:
        for m in pattern.finditer(sentence):
            found.setdefault(m.start(), m)
    return [found[k] for k in sorted(found)]


def _figures(sentence: str, year_hint: int | None) -> list[Figure]:
    """The sentence's candidate totals; after the first figure the rest of the sentence is a breakdown."""
    out: list[Figure] = []
    for m in _matches(sentence):
        before = sentence[:m.start()]
        lead = clause_before(sentence, m.start())
        part = _PART.search(lead) and not _WHOLE.search(lead)
        if out or "其中" in before or part or _SKIP.search(lead) or other_year(before, year_hint):
            break
        if sentence[max(0, m.start() - 2):m.start()].endswith(_NOT_OWN):
            continue
        if m.group("verb") == "发布" and not m.group("what"):
            continue  # "发布信息N条" alone is too loose (发布 of one kind of item)
        if m.group("noun") == "文件" and m.group("verb") != "主动公开":
            continue  # 公开…文件 N件 is one kind of document; 主动公开文件 is the body's disclosure
        channels = _CHANNEL.findall(lead)
        single = len(channels) == 1 and not _SEVERAL.search(lead)
        approx = bool(m.group("approx") or m.group("more") or m.group("wan"))
        out.append(Figure(number_value(m), approx, (lead + m.group(0)).strip(), single))
    return out


def proactive_from_prose(lines: list[str], year_hint: int | None = None) -> tuple[Figure | None, list[str]]:
    """(the figure, warnings); None when the prose states no whole-body total, or several disagree."""
    text = unicodedata.normalize("NFKC", "\n".join(lines))
    found = [f for s in sentences(text) for f in _figures(s, year_hint)]
    totals = [f for f in found if not f.channel]
    warnings: list[str] = []
    if totals:
        pick = totals[0]
        others = sorted({str(f.value) for f in totals[1:] if f.value != pick.value})
        if others:
            warnings.append(f"正文另有主动公开信息数 {', '.join(others)}，取第一个明确的总数 {pick.value} "
                            f"(several prose totals disagree)")
    else:
        values = {f.value for f in found}
        if len(values) != 1:
            if values:
                warnings.append(f"正文只有分渠道的主动公开信息数 {', '.join(map(str, sorted(values)))}，"
                                f"未取总数 (per-channel figures only)")
            return None, warnings
        pick = found[0]
        warnings.append(f"主动公开信息数取自正文“{pick.clause}”，仅此一处 (the only figure stated, one channel)")
    if pick.approx:
        warnings.append(f"主动公开信息数取自正文“{pick.clause}”，为约数 (approximate)")
    return pick, warnings
