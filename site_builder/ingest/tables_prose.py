"""The year's number of proactively disclosed items (主动公开) when the tables do not give it: from prose.

Conservative: a candidate is `[主动]公开[了][政府]信息[数][共…][约]N[万][余]条` in a clause that is not a
sub-count (其中…, one channel such as 政务微博, 依申请…) and not another year's or a cumulative figure. The first
candidate wins; a disagreeing later one is reported. 万 scales only when written (`4.59万条`); 约/余/多 are
approximations and say so in a warning.
"""

from __future__ import annotations

import re
import unicodedata

_CANDIDATE = re.compile(
    r"(?P<verb>主动公开|公开发布|公开|发布)(?:了)?(?P<what>各类政府|各类|各级|政府|政务)?信息(?:数|数量|总数|总量)?"
    r"(?:共|共计|总计|合计|达到|达|为)?(?P<approx>约|近|超过|逾)?"
    r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)(?P<wan>万)?(?P<more>余|多)?条")
# what makes the clause before the figure a sub-count, or not this year's total
_SUB = re.compile(r"其中|依申请|申请|渠道|方式|微博|微信|客户端|公报|网站|专栏|栏目|累计|历年|同比|比上年|较上年|上年|去年"
                  r"|重点领域|领域|扶贫|财政|解读")
_AGGREGATE = re.compile(r"各类|各种|等(?:各类|多种)?(?:媒体|平台|渠道|载体)")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


def _clause_before(text: str, start: int) -> str:
    """The clause leading to the match: back to the previous ，。；： or line break."""
    cut = max(text.rfind(c, 0, start) for c in "，,。；;：:\n")
    return text[cut + 1:start]


def proactive_from_prose(lines: list[str], year_hint: int | None = None) -> tuple[int | float | None, list[str]]:
    text = unicodedata.normalize("NFKC", "\n".join(lines))
    found: list[tuple[int | float, str, bool]] = []
    for m in _CANDIDATE.finditer(text):
        lead = _clause_before(text, m.start())
        clause = lead + m.group(0)
        if _SUB.search(lead) and not _AGGREGATE.search(lead):
            continue
        if m.group("verb") == "发布" and not m.group("what"):
            continue  # "发布信息N条" alone is too loose (发布 of one kind of item)
        years = {int(y) for y in _YEAR.findall(lead)}
        if year_hint and years and year_hint not in years:
            continue  # another year's figure (a comparison)
        raw = m.group("num").replace(",", "")
        value: int | float = float(raw) if "." in raw else int(raw)
        if m.group("wan"):
            value = value * 10_000
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        approx = bool(m.group("approx") or m.group("more") or m.group("wan"))
        found.append((value, clause.strip(), approx))
    if not found:
        return None, []
    value, clause, approx = found[0]
    warnings = []
    if approx:
        warnings.append(f"主动公开信息数取自正文“{clause}”，为约数 (approximate)")
    others = sorted({str(v) for v, _, _ in found[1:] if v != value})
    if others:
        warnings.append(f"正文另有主动公开信息数 {', '.join(others)}，取第一个明确的总数 {value} (several prose totals disagree)")
    return value, warnings
