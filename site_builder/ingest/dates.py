"""The publish date and the year a document covers.

The publish date is the page's: a 发布时间/发布日期 field, an unlabelled date line of the page header (both read in
header.py), or the HTML page's own metadata. A signing date (落款) is not a publish date: a notice signed on
7 July may be published weeks later, so without a page date the date stays None.

The covered year: the title's year; else the statistics period (统计期限为2019年…); else the year the text is
mostly about (`2020年,本局…`, citations and 文号 years left out). Guides and catalogues cover no year.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import Counter

from .fields import parse_date, title_year
from .header import Header

_STAT_PERIOD = re.compile(r"统计期限?为?(?:自|从)?\s*((?:19|20)\d{2})年")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CITATION = re.compile(r"《[^》]{0,80}》|[〔\[［(（﹝][^〕\]］)）﹞]{0,8}[〕\]］)）﹞]")
_TIMELESS = re.compile(r"(?:指南|目录|制度|清单)$")


def pick_date(header: Header, meta) -> _dt.date | None:
    """The labelled publish (or, failing that, written) date nearest the title; else the HTML page's date."""
    anchor = header.title_start if header.title_start is not None else 0
    cands = []
    for lab in header.labelled:
        if lab.key not in ("publish", "written"):
            continue
        d = parse_date(lab.value)
        if d is not None:
            cands.append((abs(lab.line - anchor), 0 if lab.key == "publish" else 1, lab.line, d))
    if cands:
        return min(cands)[3]
    if meta and meta.pubdate:
        return parse_date(meta.pubdate)
    return None


def signature_date(body_lines: list[str]) -> _dt.date | None:
    """The 落款 date: a short date line among the last lines."""
    tail = [line.strip() for line in body_lines if line.strip()][-12:]
    for line in reversed(tail):
        if len(line) <= 20:
            d = parse_date(line)
            if d and re.fullmatch(r"[\d〇○零OО一二三四五六七八九十\s年月日.\-/]+", line):
                return d
    return None


def _main_year(text: str) -> int | None:
    """The year the text names most often outside citations; None on a tie between different years."""
    counts = Counter(int(y) for y in _YEAR.findall(_CITATION.sub("", text)))
    if not counts:
        return None
    ranked = counts.most_common(2)
    if len(ranked) == 2 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


def covered_year(title: str | None, body_text: str, doc_type: str, date: _dt.date | None) -> tuple[int | None, str | None]:
    """(year, a warning saying where it came from when not from the title)."""
    year = title_year(title)
    if year:
        return year, None
    m = _STAT_PERIOD.search(body_text)
    if m:
        return int(m.group(1)), "year: not in the title; taken from the statistics period"
    if title and _TIMELESS.search(title):
        return None, None
    year = _main_year(body_text[:3000])
    if year:
        return year, "year: not in the title; the year the text is about"
    if date is not None:
        year = date.year - 1 if (doc_type == "annual_report" and date.month <= 6) else date.year
        return year, "year: not in the title; inferred from the publish date"
    return None, "year: not found"
