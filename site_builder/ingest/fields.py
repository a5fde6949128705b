"""Metadata: the page header (title, labelled fields), title, doc_type, year, date, issuing body, 文号.

The header is read from the lines around the title: labelled fields (发布时间: …, 信息来源: …, 文号: …) are
parsed and removed from the body, lines before the title (site banners, breadcrumbs) are kept only as evidence.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

from .clean import compact, is_furniture, strip_widgets

CJK = "\u4e00-\u9fff"

# -- labelled fields --------------------------------------------------------------------------------------

LABELS = {
    # canonical key: label spellings
    "publish": ["发布时间", "发布日期", "公开日期", "公开时间", "发表时间", "发表日期", "上传时间", "更新时间", "更新日期", "时间", "日期"],
    "written": ["成文日期", "成文时间", "生成日期", "印发日期", "发文日期", "签发日期"],
    "source": ["信息来源", "文章来源", "稿件来源", "内容来源", "来源"],
    "publisher": ["发布机构", "发文机关", "发文单位", "发布单位", "发布部门", "制发机关", "所属机构", "责任部门", "公开责任部门", "主办单位"],
    "doc_number": ["发文字号", "发布文号", "文件编号", "文号", "文件字号"],
    "index_no": ["信息索取号", "索取号", "索引号"],
    "title": ["标题", "文件名称", "名称"],
    "author": ["作者", "责任编辑", "编辑", "撰稿", "供稿"],
    "views": ["浏览次数", "点击次数", "点击数", "点击", "访问量", "浏览量", "阅读量", "阅读次数"],
    "widget": ["字体", "字号"],
    "category": ["信息分类", "主题分类", "体裁分类", "组配分类", "服务对象分类", "分类", "主题词", "关键词", "关键字"],
    "disclosure": ["公开方式", "公开时限", "公开范围", "公开形式", "公开属性", "有效性", "时效性", "效力状态"],
}
_LABEL_KEY = {lab: key for key, labs in LABELS.items() for lab in labs}
_LABEL_ALT = "|".join(
    r"\s?".join(re.escape(ch) for ch in lab) for lab in sorted(_LABEL_KEY, key=len, reverse=True)
)
_LABEL_RE = re.compile(rf"(?P<label>{_LABEL_ALT})\s*[:：]")
_LABEL_START = re.compile(rf"^[\s【\[]*(?:{_LABEL_ALT})\s*[:：|｜]")


@dataclass
class Labelled:
    key: str
    label: str
    value: str
    line: int  # index in the page lines


def _is_md_delimiter(line: str) -> bool:
    return bool(re.fullmatch(r"\|(?:\s*:?-{3,}:?\s*\|)+", line.strip()))


def parse_labelled(line: str) -> list[tuple[str, str, str]] | None:
    """[(key, label, value)] when the line is a labelled-metadata line, else None."""
    s = line.strip()
    if s.startswith("|") and s.endswith("|"):
        cells = [c.strip() for c in s.strip("|").split("|")]
        if _is_md_delimiter(s):
            return None
        out = []
        i = 0
        while i < len(cells):
            c = re.sub(r"\s+", "", cells[i]).rstrip(":：")
            if c in _LABEL_KEY:
                val = cells[i + 1].strip() if i + 1 < len(cells) else ""
                if re.sub(r"\s+", "", val).rstrip(":：") in _LABEL_KEY:
                    val = ""
                    i += 1
                else:
                    i += 2
                out.append((_LABEL_KEY[c], c, val))
            else:
                m = _LABEL_RE.match(cells[i])
                if m:
                    lab = re.sub(r"\s+", "", m.group("label"))
                    out.append((_LABEL_KEY[lab], lab, cells[i][m.end():].strip()))
                i += 1
        return out if out else None
    if not _LABEL_START.match(s):
        return None
    if len(s) > 300:
        return None
    matches = list(_LABEL_RE.finditer(s))
    if not matches:
        # "发布机构 | 市政府办" style
        m = re.match(rf"^[\s【\[]*(?P<label>{_LABEL_ALT})\s*[|｜]\s*(?P<v>.*)$", s)
        if not m:
            return None
        lab = re.sub(r"\s+", "", m.group("label"))
        return [(_LABEL_KEY[lab], lab, m.group("v").strip())]
    out = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(s)
        lab = re.sub(r"\s+", "", m.group("label"))
        val = strip_widgets(s[m.end():end]).strip(" ;；,，|【】[]")
        out.append((_LABEL_KEY[lab], lab, re.sub(r"\s{2,}", " ", val).strip()))
    return out


# -- title ------------------------------------------------------------------------------------------------

TITLE_ENDINGS = (
    "报告", "通知", "方案", "要点", "意见", "办法", "规定", "细则", "总结", "年报", "公告", "通告", "通报", "计划",
    "规划", "指南", "目录", "制度", "清单", "决定", "批复", "函", "情况", "报表", "统计表", "安排", "纪要", "说明",
    "分解表", "分工表", "实施方案", "工作报告", "图文版", "全文", "简版", "统计", "公示", "声明", "解读", "条例",
)
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*(?:年|年度)")
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "О": 0, "0": 0, "Ο": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _title_core(s: str) -> str:
    return re.sub(r"[\s(（【\[][^)）】\]]{0,8}[)）】\]]\s*$", "", s).strip()


def _title_like_end(s: str) -> bool:
    core = _title_core(s)
    return any(core.endswith(e) for e in TITLE_ENDINGS) or any(s.endswith(e + ")") or s.endswith(e + "）") for e in ("图文版", "全文", "简版"))


def score_title(line: str, html_titles: list[str], count: int) -> float:
    s = line.strip()
    n = len(s)
    if n < 5 or n > 90:
        return -10
    if parse_labelled(s) is not None or is_furniture(s):
        return -10
    if s.startswith("|"):
        return -10
    score = 0.0
    if _title_like_end(s):
        score += 3
    if _YEAR_IN_TITLE.search(s) or re.search(r"[〇○零一二][〇○零一二三四五六七八九]{3}年", s):
        score += 1
    if "关于" in s:
        score += 1
    if re.search(r"政府信息公开|政务公开|信息公开", s):
        score += 1
    if re.search(r"[。;；!！?？]", s) or s.endswith(("：", ":", ",", "，", "、")):
        score -= 4
    if re.search(r"[,，]", s):
        score -= 1
    if re.match(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d+[.、．])", s):
        score -= 4
    if re.fullmatch(r"[\d\s.\-/年月日:：]+", s):
        return -10
    c = compact(s)
    for t in html_titles:
        tc = compact(t)
        if c and tc and (c == tc or (len(c) >= 6 and c in tc)):
            score += 5
            break
    if count >= 2:
        score += 1
    return score


@dataclass
class Header:
    title: str | None = None
    title_start: int | None = None  # page-line index where the title starts
    title_end: int | None = None  # exclusive
    labelled: list[Labelled] = field(default_factory=list)
    meta_lines: set[int] = field(default_factory=set)  # page-line indices of labelled lines
    pre_title: list[str] = field(default_factory=list)
    title_guessed: bool = False  # no line scored as a title: the best poor candidate was taken


def analyse_header(lines: list[str], html_titles: list[str]) -> Header:
    h = Header()
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    window = nonblank[:80]
    counts: dict[str, int] = {}
    for i in window:
        counts[compact(lines[i])] = counts.get(compact(lines[i]), 0) + 1
    best: tuple[float, int, int, str] | None = None  # (score, start, end, text)
    for k, i in enumerate(window):
        text = lines[i].strip()
        if len(text) > 120:
            # the first long paragraph ends the title search
            break
        cands = [(text, i + 1)]
        # red-head titles wrap over 2-3 short lines
        joined = text
        for j in window[k + 1:k + 3]:
            nxt = lines[j].strip()
            if len(joined) > 60 or len(nxt) > 40 or _title_like_end(joined):
                break
            if nxt.startswith("关于") and org_line(joined):
                break  # 红头 organ line above the title: not part of it
            joined = joined + nxt
            cands.append((joined, j + 1))
        for cand, end in cands:
            sc = score_title(cand, html_titles, counts.get(compact(cand), 0))
            if end - 1 != i:
                sc -= 0.5
            if best is None or sc > best[0]:
                best = (sc, i, end, cand)
    if best is not None and best[0] >= 3:
        h.title, h.title_start, h.title_end = best[3], best[1], best[2]
    else:
        for t in html_titles:
            if t and len(t) >= 5:
                h.title = _strip_site_name(t)
                break
        if h.title is None and best is not None and best[0] > -10:
            h.title, h.title_start, h.title_end = best[3], best[1], best[2]
            h.title_guessed = True
    # labelled metadata: before the title, and the run of labelled lines right after it
    limit = h.title_end if h.title_end is not None else 0
    zone: list[int] = []
    prev_table_meta = False
    for i in nonblank:
        if h.title_start is not None and h.title_start <= i < h.title_end:
            continue
        if i < limit:
            zone.append(i)
            continue
        if _is_md_delimiter(lines[i]):
            if prev_table_meta:
                h.meta_lines.add(i)
                continue
            break
        parsed = parse_labelled(lines[i])
        if parsed is None:
            break
        zone.append(i)
        prev_table_meta = lines[i].strip().startswith("|")
    for i in zone:
        parsed = parse_labelled(lines[i])
        if parsed is None:
            continue
        h.meta_lines.add(i)
        for key, lab, val in parsed:
            h.labelled.append(Labelled(key, lab, val, i))
    if h.title_start is not None:
        h.pre_title = [lines[i] for i in nonblank if i < h.title_start and i not in h.meta_lines]
    return h


def _strip_site_name(t: str) -> str:
    parts = re.split(r"\s*(?:_|－|—|\s-\s|\||｜)\s*", t)
    parts = [p for p in parts if p]
    if not parts:
        return t
    return max(parts, key=lambda p: (_title_like_end(p), len(p)))


# -- doc type ---------------------------------------------------------------------------------------------

def classify(title: str | None, body: str) -> str:
    t = compact(title or "")
    notice = bool(re.search(r"通知|通告|做好|印发|转发", t))
    if re.search(r"落实情况|自查报告|自查情况|工作总结|执行情况|完成情况|推进情况的报告|情况的报告|情况报告", t) and not re.search(r"印发|转发|做好", t):
        return "implementation_report"
    if re.search(r"年度报表", t):
        return "other"
    annual = re.search(r"(?:政府信息公开|政务公开|信息公开)[^,，]{0,12}(?:年度报告|年报|工作报告)", t) or re.search(
        r"(?:年度报告|年报)$", _title_core(t)
    )
    if annual and not notice:
        return "annual_report"
    if re.search(r"工作要点", t):
        return "work_points"  # also a local 要点 breakdown: …工作要点分工方案 (§9)
    if re.search(r"重点工作安排|工作安排", t) and not re.search(r"方案|分工|分解", t):
        return "work_points"
    if re.search(r"方案|任务分解|责任分工|分工|工作计划", t):
        return "work_plan"
    if annual:
        return "other"  # "年度报告" inside a 关于做好…的通知
    if not notice and re.search(r"特此报告|现将.{0,30}(?:落实|完成|推进|开展)?情况(?:报告|汇报)如下", body[:6000] + body[-1500:]):
        return "implementation_report"
    return "other"


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


def canonical_docno(m: re.Match) -> str:
    return f"{m.group('org')}〔{m.group('year')}〕{int(m.group('no'))}号"


def find_own_docno(labelled: list[Labelled], body_lines: list[str]) -> tuple[str | None, int | None]:
    """(文号, body line index or None). Labelled 文号 fields first, then a 红头 line of its own near the top."""
    for lab in labelled:
        if lab.key == "doc_number" and lab.value:
            m = DOCNO.search(lab.value)
            if m:
                return canonical_docno(m), None
    seen = 0
    for i, line in enumerate(body_lines):
        s = line.strip()
        if not s:
            continue
        seen += 1
        if seen > 12:
            break
        m = _DOCNO_LINE.match(s)
        if m:
            return canonical_docno(m), i
        if len(s) > 80:
            break
    return None, None


# -- issuing body -----------------------------------------------------------------------------------------

ORG_SUFFIX = (
    r"(?:人民政府办公厅|人民政府办公室|人民政府|政府办公厅|政府办公室|政府办|办公厅|办公室|管委会|管理委员会|委员会|"
    r"工作委员会|党工委|局|厅|委|署|中心|公开办|政务公开办公室)"
)
_ORG_LINE = re.compile(rf"^(?P<org>[{CJK}()（）、]{{2,40}}?{ORG_SUFFIX})(?:文件)?$")
_BAD_SOURCE = re.compile(r"^(?:本站|本网|原创|网络|互联网|转载|本单位|未知|无|-+|/)$")


def normalise_org(s: str) -> str:
    s = s.strip().strip(" :：,，;；|")
    s = re.sub(r"\s+", "", s)
    # 潜山市人民政府(办公室) → 潜山市人民政府办公室
    s = re.sub(r"^(.*(?:人民政府|政府))[(（](办公室|办公厅)[)）]$", r"\1\2", s)
    return s


def org_from_title(title: str | None) -> str | None:
    if not title:
        return None
    m = re.match(rf"^(?P<org>[{CJK}()（）、]{{2,40}}?{ORG_SUFFIX})(?:关于|(?:19|20)\d{{2}}\s*年)", title)
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
