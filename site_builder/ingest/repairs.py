"""Repairs of characters lost by scraping next to digits (annual-report-format.md §8, failure F13).

Only unambiguous repairs are made; each returns a record {field, rule, before, after, where}.

* 文号 missing 〕: ``〔YYYYNN号`` → ``〔YYYY〕NN号``; ``〔YYYYNN`` at a line end → ``〔YYYY〕NN号``. Safe because the
  year is exactly four digits.
* Dates missing 年/月 before 日: ``201911日至1231日`` → ``2019年1月1日至12月31日``; ``2018710日前`` →
  ``2018年7月10日前`` — only when exactly one split of the digits gives a valid month and day, and the year is
  within one year of the document's year (title year or publish year).
* Dates missing only 年: ``202512月31日`` → ``2025年12月31日`` (the year is four digits, so the split is certain).
* A signature line that is just digits (``2018622`` under the 红头 notice): accepted only when it has exactly one
  valid split and the year equals the document's year.
"""

from __future__ import annotations

import calendar
import re

_OPEN = "〔\\[［﹝【"
_CLOSE = "〕\\]］﹞】"

# 〔2019 + 60 + 号 where the closing bracket was lost. The org part is not needed for the repair.
_DOCNO_NO_CLOSE = re.compile(rf"([{_OPEN}])\s*((?:19|20)\d{{2}})(\d{{1,4}})(号|(?=\s*$))")


def _valid(y: int, m: int, d: int) -> bool:
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return False
    return d <= calendar.monthrange(y, m)[1]


def split_month_day(year: int, digits: str) -> list[tuple[int, int]]:
    """Every (month, day) reading of ``digits`` (2-4 digits, no leading zero ambiguity check)."""
    out = []
    for i in range(1, len(digits)):
        m_s, d_s = digits[:i], digits[i:]
        if len(m_s) > 2 or len(d_s) > 2:
            continue
        if (len(m_s) == 2 and m_s[0] == "0") or (len(d_s) == 2 and d_s[0] == "0" and len(digits) > 3):
            # 0 as first of two digits is legal only in zero-padded forms like 0622; allow them as-is.
            pass
        m, d = int(m_s), int(d_s)
        if _valid(year, m, d):
            out.append((m, d))
    return out


def _year_ok(y: int, ref_years: set[int]) -> bool:
    if not (1990 <= y <= 2100):
        return False
    if not ref_years:
        return False
    return any(abs(y - r) <= 1 for r in ref_years)


# YYYY + M D + 日 with 年/月 lost: 201911日, 2018710日.  Not preceded by a digit/年/月/./-/:.
_YMD_NO_NIAN = re.compile(r"(?<![\d年月./\-:])((?:19|20)\d{2})(\d{2,4})日")
# After 至/到/- : M D + 日 with 月 lost (…至1231日).  Exactly 3-4 digits.
_MD_AFTER_ZHI = re.compile(r"(?<=[至到])(\d{3,4})日")
# YYYY + M + 月 with 年 lost: 202512月31日.
_YM_NO_NIAN = re.compile(r"(?<![\d年月./\-:])((?:19|20)\d{2})(1[0-2]|0?[1-9])月")


def repair_line(line: str, ref_years: set[int], field: str, where: str) -> tuple[str, list[dict]]:
    """Repair one line; returns (new line, repair records)."""
    records: list[dict] = []

    def rec(rule: str, before: str, after: str) -> None:
        records.append({"field": field, "rule": rule, "before": before, "after": after, "where": where})

    # 1. 文号 missing the closing bracket
    def docno(m: re.Match) -> str:
        opener, year, no, hao = m.group(1), m.group(2), m.group(3), m.group(4)
        close = {"〔": "〕", "[": "]", "［": "］", "﹝": "﹞", "【": "】"}[opener]
        after = f"{opener}{year}{close}{no}号"
        rec("docno_missing_bracket" if hao else "docno_missing_bracket_and_hao", m.group(0), after)
        return after

    new = _DOCNO_NO_CLOSE.sub(docno, line)

    # 2. statistics-period idiom and other YYYY M D日 with 年/月 lost
    def ymd(m: re.Match) -> str:
        y, rest = int(m.group(1)), m.group(2)
        if not _year_ok(y, ref_years):
            return m.group(0)
        splits = split_month_day(y, rest)
        if len(splits) != 1:
            return m.group(0)
        mo, d = splits[0]
        after = f"{y}年{mo}月{d}日"
        rec("date_missing_nian_yue", m.group(0), after)
        return after

    new = _YMD_NO_NIAN.sub(ymd, new)

    def md(m: re.Match) -> str:
        digits = m.group(1)
        # any year works for validity except 29 Feb; use a leap year so 229 stays possible
        splits = split_month_day(2000, digits)
        if len(splits) != 1:
            return m.group(0)
        mo, d = splits[0]
        after = f"{mo}月{d}日"
        rec("date_missing_yue", m.group(0), after)
        return after

    new = _MD_AFTER_ZHI.sub(md, new)

    def ym(m: re.Match) -> str:
        y = int(m.group(1))
        if not _year_ok(y, ref_years):
            return m.group(0)
        after = f"{y}年{int(m.group(2))}月"
        rec("date_missing_nian", m.group(0), after)
        return after

    new = _YM_NO_NIAN.sub(ym, new)
    return new, records


_DIGIT_DATE_LINE = re.compile(r"^((?:19|20)\d{2})(\d{2,4})$")


def repair_signature_date(line: str, doc_years: set[int], where: str) -> tuple[str, list[dict]]:
    """A line that is only YYYYMDD digits (a 落款 date that lost 年月日)."""
    s = line.strip()
    m = _DIGIT_DATE_LINE.match(s)
    if not m:
        return line, []
    y = int(m.group(1))
    if y not in doc_years:
        return line, []
    splits = split_month_day(y, m.group(2))
    if len(splits) != 1:
        return line, []
    mo, d = splits[0]
    after = f"{y}年{mo}月{d}日"
    return after, [{"field": "body", "rule": "signature_date_missing_nian_yue_ri", "before": s, "after": after,
                    "where": where}]
