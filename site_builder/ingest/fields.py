"""Field readers: dates, the document's own 文号, organ names (issuing bodies).

The page header (labels, title) is read in header.py, the document type in doctype.py, the issuing body is
chosen in issuer.py from what these readers find.
"""

from __future__ import annotations

import datetime as _dt
import re

CJK = "\u4e00-\u9fff"
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "О": 0, "0": 0, "Ο": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*(?:年|年度)")

# -- dates ------------------------------------------------------------------------------------------------

_DATE_NUM = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_DATE_CN = re.compile(r"([〇○零Oо0Ο一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")


def _cn_number(s: str) -> int | None:
    if not s:
        return None
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN_DIGITS.get(s[1], 0)
    if "十" in s:
        a, _, b = s.partition("十")
        return _CN_DIGITS.get(a, 0) * 10 + (_CN_DIGITS.get(b, 0) if b else 0)
    return _CN_DIGITS.get(s)


def parse_date(s: str | None) -> _dt.date | None:
    if not s:
        return None
    m = _DATE_NUM.search(s)
    if m:
        try:
            return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
    m = _DATE_CN.search(s.replace("О", "〇").replace("O", "〇"))
    if m:
        y = "".join(str(_CN_DIGITS.get(c, "")) for c in m.group(1))
        mo, d = _cn_number(m.group(2)), _cn_number(m.group(3))
        try:
            return _dt.date(int(y), mo or 0, d or 0)
        except (ValueError, TypeError):
            return None
    return None


def title_year(title: str | None) -> int | None:
    if not title:
        return None
    m = _YEAR_IN_TITLE.search(title)
    if m:
        return int(m.group(1))
    m = re.search(r"([〇○零Oо0Ο一二三四五六七八九]{4})年", title)
    if m:
        y = "".join(str(_CN_DIGITS.get(c, "")) for c in m.group(1))
        if len(y) == 4:
            return int(y)
    return None


# -- 文号 -------------------------------------------------------------------------------------------------

DOCNO = re.compile(
    rf"(?P<org>[{CJK}]{{1,12}}?)\s*[〔\[［(（﹝【〈]\s*(?P<year>(?:19|20)\d{{2}})\s*[〕\]］)）﹞】〉]\s*(?P<no>\d{{1,5}})\s*号"
)
_DOCNO_LINE = re.compile(
    rf"^(?P<org>[{CJK}]{{1,12}}?)\s*[〔\[［(（﹝【〈]\s*(?P<year>(?:19|20)\d{{2}})\s*[〕\]］)）﹞】〉]\s*(?P<no>\d{{1,5}})\s*号"
    rf"(?:\s+(?:签发人|签发)[:：]?.*)?$"
)


def written_docno(m: re.Match) -> str:
    """The 文号 as the document writes it (brackets kept: `奈政公字(2020)1号`), without stray spaces."""
    return re.sub(r"\s+", "", m.group(0))


def _docno_line(s: str) -> re.Match | None:
    """A line that is a 文号 and nothing else (maybe in brackets, or with 签发人)."""
    return _DOCNO_LINE.match(s.strip().strip("()（）"))


def find_own_docno(labelled: list, body_lines: list[str], header_lines: list[str] = ()) -> tuple[str | None, int | None]:
    """(文号, body line index or None): a labelled 文号 field, else a 红头 line of its own above the title
    (header_lines) or near the top of the body."""
    for lab in labelled:
        if lab.key == "doc_number" and lab.value:
            m = DOCNO.search(lab.value)
            if m:
                return written_docno(m), None
    for line in header_lines:
        m = _docno_line(line)
        if m:
            return written_docno(m), None
    seen = 0
    for i, line in enumerate(body_lines):
        s = line.strip()
        if not s:
            continue
        seen += 1
        if seen > 12:
            break
        m = _docno_line(s)
        if m:
            return written_docno(m), i
        if len(s) > 80:
            break
    return None, None


# -- issuing body -----------------------------------------------------------------------------------------

ORG_SUFFIX = (
    r"(?:人民政府办公厅|人民政府办公室|人民政府|政府办公厅|政府办公室|政府办|办公厅|办公室|管委会|管理委员会|委员会|"
    r"工作委员会|党工委|街道办事处|办事处|领导小组|局|厅|委|署|中心|公开办|政务公开办公室)"
)
ORG_SUFFIX_RE = re.compile(ORG_SUFFIX)
_ORG_LINE = re.compile(rf"^(?P<org>[{CJK}()（）、]{{2,40}}?{ORG_SUFFIX})(?:文件)?$")
_BAD_SOURCE = re.compile(r"^(?:本站|本网|原创|网络|互联网|转载|本单位|未知|无|-+|/)$")


def suffixes_end(text: str, end: int, suffix: re.Pattern = ORG_SUFFIX_RE) -> int:
    """Where the run of organ suffixes starting at `end` stops: 某镇 + 人民政府 + 办公室 is one organ name."""
    while (more := suffix.match(text, end)) is not None and more.end() > end:
        end = more.end()
    return end


def normalise_org(s: str) -> str:
    s = s.strip().strip(" :：,，;；|")
    s = re.sub(r"\s+", "", s)
    # 潜山市人民政府(办公室) → 潜山市人民政府办公室
    s = re.sub(r"^(.*(?:人民政府|政府))[(（](办公室|办公厅)[)）]$", r"\1\2", s)
    return s


def org_from_title(title: str | None) -> str | None:
    if not title:
        return None
    m = re.match(rf"^(?P<org>[{CJK}()（）、]{{2,40}}?{ORG_SUFFIX})"
                 rf"(?:关于|(?:19|20)\d{{2}}\s*年|政府信息公开|政务公开|信息公开|主动公开)", title)
    if m:
        return normalise_org(m.group("org"))
    return None


def org_line(s: str) -> str | None:
    s = s.strip()
    if len(s) > 40:
        return None
    m = _ORG_LINE.match(s)
    return normalise_org(m.group("org")) if m else None


def valid_source(v: str) -> bool:
    v = v.strip()
    return bool(v) and not _BAD_SOURCE.match(v) and len(v) <= 40 and bool(re.search(f"[{CJK}]", v))
