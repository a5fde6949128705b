"""Run-on lines → the document's lines: recover line breaks a scrape lost.

Some scrapes give a whole document as one line (or a few very long ones): title, sections, statistics and
signature glued together. A line is treated as run-on only when it is far longer than a paragraph **and**
holds several numbered section markers (一、 （一） 1. …) that stand where a section can start and follow each
other in sequence — or when it is the document's only long line and starts with a title or ends with a
signature. Anything else is returned unchanged: a wrong split is worse than none.

Cuts are made
* before a section marker that follows a sentence end, a space or a short heading, never inside 《…》 or
  (…), never in citations (第二十条第(一)项, 第一、二季度) or numbers (1.5万, 〔2019〕1号);
* after a known heading phrase glued to its paragraph (一、工作目标紧紧围绕… → 一、工作目标 / 紧紧围绕…);
* after a title that opens the line, between labelled metadata fields at its head (发布时间:… 来源:…),
  before a closing signature and date, and before table labels (表一, 第二十条第(一)项 信息内容, 附件:).
The pieces are separated by blank lines, so each becomes a paragraph or heading of its own.
"""

from __future__ import annotations

import re

from .fields import CJK, ORG_SUFFIX, suffixes_end
from .labels import LABEL_KEY

LONG = 200            # chars: longer than a title, a heading or a labelled line; run-on only above this
MIN_SECTIONS = 2      # accepted 一、/（一）/第X章/第X条 markers that make a long line run-on …
MIN_ITEMS = 3         # … or accepted markers of any level
SOLE_SHARE = 0.8      # a line holding this share of the document's text is "the document"
MAX_HEADING = 25      # a heading glued to the next marker is at most this long

_NUM = "一二三四五六七八九十"
_MARKER = re.compile(
    rf"(?P<h2>[{_NUM}]{{1,3}})\s*、"
    rf"|[(（]\s*(?P<h3>[{_NUM}]{{1,3}})\s*[)）]"
    r"|(?P<h4>\d{1,2})\s*[.．、](?![\d.．])"
    r"|[(（]\s*(?P<h5>\d{1,2})\s*[)）]"
    rf"|第(?P<art>[{_NUM}百]{{1,4}})(?P<unit>[章条])"
)
_LEVELS = ("h2", "h3", "h4", "h5")  # nested numbering; 章 and 条 are counted on their own
_SENTENCE_END = set("。；;！!？?：:”’」』)）】")
_CITATION_AFTER = re.compile(r"\s*[项款目条号]")      # (一)项, (二)款: a citation, not a section
_TABLE_SECTION = re.compile(r".*(?:主动公开政府信息|收到和处理|申请情况|行政复议|行政诉讼|统计)")
_TABLE_START = re.compile(r"第二十条|信息内容|[(（]本列数据|申请人情况|行政复议|行政诉讼|表[一二三四]|项目|指标")
_PARAGRAPH_START = re.compile(r"(?:19|20)\d{2}\s*年|[“\"(（《]")
_TABLE_ANCHOR = re.compile(
    rf"表[{_NUM}](?=[\s:：、.．]|[{CJK}]{{2,30}}表)"
    rf"|第二十条第\s*[(（][{_NUM}][)）]\s*项\s*(?=信息内容)"
    r"|附(?:件|表)\s*\d{0,2}\s*[:：]"
)

# Headings that a scrape may glue to their paragraph with no punctuation: the national report format's
# sections (docs/annual-report-format.md §3) and the common headings of plans and work points.
_KNOWN_HEADINGS = (
    "总体情况", "总体公开情况", "基本工作情况", "概述", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
    "依申请公开政府信息情况", "政府信息公开行政复议、行政诉讼情况", "政府信息公开行政复议和行政诉讼情况",
    "政府信息公开行政复议及行政诉讼情况", "因政府信息公开工作被申请行政复议、提起行政诉讼情况",
    "存在的主要问题及改进情况", "政府信息公开工作存在的主要问题及改进情况", "存在问题及改进情况",
    "其他需要报告的事项", "主动公开方面", "依申请公开方面", "政府信息管理方面", "政府信息公开平台建设方面",
    "监督保障方面", "指导思想", "总体要求", "基本原则", "工作原则", "工作目标", "主要目标", "工作任务",
    "主要任务", "重点任务", "工作重点", "工作措施", "主要措施", "保障措施", "组织领导", "工作要求", "有关要求",
    "实施步骤", "工作步骤", "工作安排", "进度安排", "职责分工", "责任分工", "适用范围", "主要做法",
    "存在问题", "下步打算", "下一步工作打算", "总则", "附则",
)
_HEADING_RE = re.compile("|".join(re.escape(h) for h in sorted(_KNOWN_HEADINGS, key=len, reverse=True)))
# what may continue a heading phrase (二、工作任务完成情况): then the phrase is not the whole heading
_CONTINUES = re.compile(r"[和及与的、之]|任务|情况|方面|工作|完成|落实|进展|建设|管理|开展|推进|机制|体系|目标")

_TITLE_END = re.compile(
    r"(?:年度报告|工作报告|报告|年报|实施方案|方案|要点|通知|意见|办法|规定|细则|总结|指南|目录|计划|规划|安排|"
    r"通报|公告|清单|分解表|分工表|制度)(?:[(（](?:图文版|全文|简版|试行)[)）])?"
)
_BODY_OPENER = re.compile(
    rf"\s|(?:为|根据|按照|依据|依照|现将|近年来|今年|本年度|本报告|本方案|(?:19|20)\d{{2}}\s*年|"
    rf"各[{CJK}()（）、,，]{{1,40}}[:：])"
)
# Labels of a page's metadata block (labels.py's); only labels with a colon count.
_LABEL = re.compile("(?:" + "|".join(sorted(LABEL_KEY, key=len, reverse=True)) + r")\s*[:：]")
# an organ, or the township it is part of (a signature may end with 镇 before its date)
_ORG_SUFFIX = rf"(?:{ORG_SUFFIX}|街道|镇|乡)"
_DATETIME = re.compile(r"\s*(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?")
_DATE = (r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
         r"|[〇○零Oо0Ο一二][〇○零Oо0Ο一二三四五六七八九]{3}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日")
_ORG_SUFFIX_RE = re.compile(_ORG_SUFFIX)
_ORG = re.compile(rf"[{CJK}()（）]{{2,30}}?{_ORG_SUFFIX}")
_SIGNATURE = re.compile(
    rf"(?<=[。！!？?”])\s*(?P<org>[{CJK}()（）]{{2,30}}?{_ORG_SUFFIX})?"
    rf"\s*(?P<date>{_DATE})\s*(?P<note>[(（]此件[{CJK}]{{2,8}}[)）])?\s*$"
)


def restore_line_breaks(lines: list[str]) -> list[str]:
    """The lines with each run-on line split into the document's lines (blank lines between the pieces);
    every other line, and a document with no run-on line, unchanged."""
    total = sum(len(line.strip()) for line in lines) or 1
    out: list[str] = []
    changed = False
    for line in lines:
        s = line.strip()
        long_text = len(s) >= LONG and not s.startswith("|")   # a Markdown table row from a page is no run-on text
        pieces = split_run_on(s, sole=len(s) >= SOLE_SHARE * total) if long_text else [line]
        if len(pieces) == 1:
            out.append(line)
            continue
        changed = True
        if out and out[-1].strip():
            out.append("")
        for p in pieces:
            out += [p, ""]
    if not changed:
        return list(lines)
    while lines[-1].strip() and not out[-1].strip():
        out.pop()  # the blank added after a last line's pieces
    return [line for k, line in enumerate(out) if line.strip() or (k and out[k - 1].strip())]


def split_run_on(s: str, sole: bool = False) -> list[str]:
    """One long line → its pieces; [s] when it does not look run-on (see the module doc)."""
    head_cuts, body_start = _head_cuts(s)
    marker_cuts, (top, sections, items) = _marker_cuts(s, body_start)
    # a top-level heading and another section inside one line, or numbering inside the document's only line
    run_on = (top >= 1 and sections >= MIN_SECTIONS) or (sole and (sections >= MIN_SECTIONS or items >= MIN_ITEMS))
    tail_cuts = _signature_cuts(s)
    if not run_on and not (sole and (head_cuts or tail_cuts)):
        return [s]
    cuts = set(head_cuts) | set(tail_cuts)
    if run_on:
        cuts |= set(marker_cuts) | set(_anchor_cuts(s, body_start))
    bounds = sorted(c for c in cuts if 0 < c < len(s)) + [len(s)]
    pieces, start = [], 0
    for b in bounds:
        piece = s[start:b].strip()
        if piece:
            pieces.append(piece)
        start = b
    return pieces


# -- the head: labelled metadata and the title ------------------------------------------------------------

def _head_cuts(s: str) -> tuple[list[int], int]:
    """Cuts at the line's head and where its body starts: labelled fields, then the title, then fields again
    (a title may sit before or after its 发布时间/来源 fields)."""
    cuts: list[int] = []
    pos = _skip_space(s, 0)
    for step in (_meta_cuts, _title_cut, _meta_cuts):
        for c in step(s, pos):
            c = _skip_space(s, c)
            if c > pos:
                cuts.append(c)
                pos = c
    return cuts, pos


def _meta_cuts(s: str, pos: int) -> list[int]:
    """Cuts between the labelled fields that open the line (发布时间:… 来源:…) and after the last one, when
    its value visibly ends (a date and time, or a space)."""
    cuts: list[int] = []
    m = _LABEL.match(s, pos)
    while m:
        date = _DATETIME.match(s, m.end())
        nxt = _LABEL.search(s, m.end(), m.end() + 60)
        if nxt and (nxt.start() == _skip_space(s, date.end()) if date
                    else not re.search(r"[。；;！!？?]", s[m.end():nxt.start()])):
            cuts.append(nxt.start())
            m = nxt
            continue
        end = date.end() if date else _org_end(s, _skip_space(s, m.end()))
        if end is None:  # a value that is no date and no organ name ends at a space, if any
            space = re.compile(r"\s").search(s, m.end(), m.end() + 40)
            end = space.start() if space else None
        cuts += [end] if end else []
        break
    return cuts


def _org_end(s: str, pos: int) -> int | None:
    """End of the organ name at pos (来源:青山县人民政府办公室…), taking the longest run of organ suffixes
    (镇 + 人民政府), since the title that often follows may start with an organ name too."""
    m = _ORG.match(s, pos)
    if not m:
        return None
    return suffixes_end(s, m.end(), _ORG_SUFFIX_RE)


def _title_cut(s: str, pos: int) -> list[int]:
    """The end of a title that opens the line and runs straight into the body: the first title-like ending
    (…报告, …方案) within 80 chars that is followed by a section marker, a label, a space or a body opener."""
    for m in _TITLE_END.finditer(s, pos, pos + 80):
        title = s[pos:m.end()]
        if re.search(r"[。，,；;：:！!？?]", title) or len(title) < 6:
            return []
        if title.count("《") != title.count("》"):
            continue  # an ending inside a cited 《…》 title: the title, if any, ends later
        after = m.end()
        marker = _MARKER.match(s, after)
        section = marker is not None and not (marker.group("h4") or marker.group("h5"))
        if after < len(s) and (_BODY_OPENER.match(s, after) or _LABEL.match(s, after) or section):
            return [after]
    return []


def _skip_space(s: str, i: int) -> int:
    while i < len(s) and s[i].isspace():
        i += 1
    return i


# -- section markers --------------------------------------------------------------------------------------

def _marker_cuts(s: str, start: int) -> tuple[list[int], tuple[int, int, int]]:
    """Cuts before the markers that can start a section (and after known glued headings), with the number of
    accepted top-level (一、, 第X章), section-level (also （一）, 第X条) and all markers.

    Inside a flattened statistics table (a section heading followed by 第二十条…/信息内容/申请人情况…) the
    table's own row labels (一、本年新收…, （一）予以公开, 1.属于国家秘密) are not sections: only the next known
    section heading ends the table; the rows are left to the table reader."""
    counters = dict.fromkeys(_LEVELS + ("章", "条"), 0)
    cuts: list[int] = []
    last_cut = start
    top = sections = items = 0
    in_table = False
    for m in _MARKER.finditer(s, start):
        level = next((k for k in _LEVELS if m.group(k)), None) or m.group("unit")
        n = _number(m.group(level) if level in _LEVELS else m.group("art"))
        if in_table and not (level == "h2" and _HEADING_RE.match(s, _skip_space(s, m.end()))):
            continue
        if not _starts_section(s, m, last_cut, level) or not _in_sequence(counters, level, n):
            continue
        _advance(counters, level, n)
        items += 1
        top += level in ("h2", "章")
        sections += level in ("h2", "h3", "章", "条")
        cuts.append(m.start())
        last_cut = m.start()
        end = _glued_heading_end(s, m) if level in ("h2", "h3", "章") else None
        if end is not None:
            cuts.append(end)
        in_table = (level == "h2" and end is not None and bool(_TABLE_SECTION.match(s[m.end():end]))
                    and bool(_TABLE_START.match(s, _skip_space(s, end))))
    return cuts, (top, sections, items)


def _starts_section(s: str, m: re.Match, last_cut: int, level: str) -> bool:
    i = m.start()
    if _CITATION_AFTER.match(s, m.end()) and level in ("h3", "h5"):
        return False
    if level == "h2" and m.end() < len(s) and s[m.end()] in _NUM:
        return False  # 一、二季度
    if _inside(s, i, "《", "》", 120) or _inside(s, i, "(（", ")）", 60):
        return False
    if i == 0 or i == last_cut:
        return True
    j = i
    while j > 0 and s[j - 1].isspace():
        j -= 1
    prev = s[j - 1] if j else ""
    if j < i and prev not in "第、" + _NUM:
        return True  # after a space
    if prev in _SENTENCE_END:
        return True
    if level == "h2" and prev.isdigit() and _HEADING_RE.match(s, m.end()):
        return True  # a known section heading after the last cell of a flattened table
    return _short_heading(s[last_cut:i])


def _short_heading(segment: str) -> bool:
    """"二、工作任务" right before the next marker: short, numbered and without punctuation."""
    seg = segment.strip()
    return 0 < len(seg) <= MAX_HEADING and bool(_MARKER.match(seg)) and not re.search(r"[。，,；;：:！!？?]", seg)


def _inside(s: str, i: int, opens: str, closes: str, reach: int) -> bool:
    """Whether position i lies inside an unclosed bracket opened at most `reach` chars before it."""
    depth = 0
    for ch in reversed(s[max(0, i - reach):i]):
        if ch in closes:
            depth += 1
        elif ch in opens:
            if depth == 0:
                return True
            depth -= 1
    return False


def _in_sequence(counters: dict[str, int], level: str, n: int | None) -> bool:
    """Numbers continue their level (一 then 二); a sub-list may restart at 1 under a heading we did not see."""
    if n is None:
        return False
    return n == counters[level] + 1 or (n == 1 and level in ("h3", "h4", "h5"))


def _advance(counters: dict[str, int], level: str, n: int) -> None:
    counters[level] = n
    if level in _LEVELS:
        for lower in _LEVELS[_LEVELS.index(level) + 1:]:
            counters[lower] = 0


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    digits = {c: k for k, c in enumerate(_NUM, 1)}
    if any(c not in digits for c in text) or len(text) > 3:
        return None
    if "十" not in text:
        return digits[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (digits[tens] if tens else 1) * 10 + (digits[ones] if ones else 0)


def _glued_heading_end(s: str, m: re.Match) -> int | None:
    """End of a heading glued to its paragraph: a known heading phrase right after the marker, followed by
    text that does not continue the phrase; or a short unpunctuated heading ended by a space."""
    pos = _skip_space(s, m.end())
    h = _HEADING_RE.match(s, pos)
    if h:
        end = h.end()
        if end < len(s) and s[end] in "。:：":
            end += 1
        if _skip_space(s, end) < len(s) and not _CONTINUES.match(s, end):
            return end
        return None
    # an unknown heading: Chinese words only, then a space and what starts a paragraph (a year, a quote)
    sp = re.compile(r"\s").search(s, pos, pos + MAX_HEADING)
    if sp and re.fullmatch(f"[{CJK}、]{{2,}}", s[pos:sp.start()]) and _PARAGRAPH_START.match(s, _skip_space(s, sp.start())):
        return sp.start()
    return None


# -- tables and the signature -----------------------------------------------------------------------------

def _anchor_cuts(s: str, start: int) -> list[int]:
    """Table labels at a boundary: 表一…, 第二十条第(一)项 before 信息内容, 附件:."""
    cuts = []
    for m in _TABLE_ANCHOR.finditer(s, start):
        i = m.start()
        prev = s[i - 1] if i else ""
        if (not prev or prev.isspace() or prev.isdigit() or prev in _SENTENCE_END) and not _inside(s, i, "《", "》", 120):
            cuts.append(i)
    return cuts


def _signature_cuts(s: str) -> list[int]:
    """Cuts before the closing organ name, its date and a (此件主动公开) note after a sentence end."""
    m = _SIGNATURE.search(s)
    if not m:
        return []
    return [m.start(g) for g in ("org", "date", "note") if m.group(g)]
