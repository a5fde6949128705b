"""The page header: labelled metadata, the page's own date line, and the document's title.

The header zone is the run of short lines before the first paragraph. There, labelled fields (`发布时间: …`,
`信息来源: …`, `标题 …`) and unlabelled page date lines (`2021-03-29 18:26`, a date split over `2020` / `10/20`)
are read and later removed from the body; lines before the title are kept only as evidence for the region.

The title is, in order: the `标题` field; the best title-like line of the header (a 红头 organ line joined to
the `关于…` line under it); a title-like line further down (an attachment heading such as
`2021年政务公开工作主要任务分解表` after the notice); the name the text gives itself (`现公布XX年度报告`,
`编制了《XX指南》`); the HTML title. When none of these exists the title stays None: a made-up title would be
a wrong title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .clean import compact, is_furniture
from .fields import org_from_title, org_line
from .labels import Labelled, is_md_delimiter, parse_labelled

TITLE_ENDINGS = (
    "报告", "通知", "方案", "要点", "意见", "办法", "规定", "细则", "总结", "年报", "公告", "通告", "通报", "计划",
    "规划", "指南", "目录", "制度", "清单", "决定", "批复", "函", "情况", "报表", "统计表", "安排", "纪要", "说明",
    "分解表", "分工表", "实施方案", "工作报告", "图文版", "全文", "简版", "统计", "公示", "声明", "解读", "条例",
)
YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*(?:年|年度)")
_PARAGRAPH = 60           # a line this long with sentence punctuation is body text, not header
_ZONE_MAX = 40            # nonblank lines searched for the header
_ATTACHMENT_MAX = 80      # nonblank lines searched for an attachment heading
# a page's own date line: 2021-03-29 18:26 (time optional), or 2021年03月29日 with its time (a bare Chinese date
# near a title may be the document's 成文日期)
_PAGE_DATE = re.compile(r"^((?:19|20)\d{2})(?:[-/.](\d{1,2})[-/.](\d{1,2})\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?"
                        r"|年(\d{1,2})月(\d{1,2})日\s*\d{1,2}:\d{2}(?::\d{2})?)\s*(?P<rest>.*)$")
_PROSE_TITLE = (
    re.compile(r"(?:现|特|特此|现予|予以)(?:向社会)?(?:公布|发布)(?:了)?(?P<t>[^。,，;；:：“”《》]{6,60}?(?:年度报告|年报))"),
    re.compile(r"(?:本机关|本单位|本部门)?编制了?《(?P<t>[^》]{6,60}?(?:指南|目录|年度报告|年报))》"),
)
_DATE_LINE = re.compile(r"[\d〇○零一二三四五六七八九十\s年月日.\-/:]+")
_NOT_A_NAME = re.compile(r"本机关|本单位|本部门|本局|我局|我单位|我办")
# a scraper's own lines: the file it saved (`/data/crawl/x.html`, `D:\\spider\\x.htm`) and the line it put
# between its header and the text (`==== 正文 ====`, `正文：`)
_LOCAL_PATH = re.compile(r"^(?:[A-Za-z]:\\|/|file://|\./|~/)\S*\.(?:s?html?|txt|pdf|docx?|json)$", re.I)
_SEPARATOR = re.compile(r"^(?:[=\-*#_~—－]{3,}\s*(?P<word>正文|内容|全文|原文)?\s*[=\-*#_~—－]*|(?P<label>正文|正文内容|全文)\s*[:：]?)$")


def title_core(s: str) -> str:
    return re.sub(r"[\s(（【\[][^)）】\]]{0,8}[)）】\]]\s*$", "", s).strip()


def title_like_end(s: str) -> bool:
    core = title_core(s)
    return any(core.endswith(e) for e in TITLE_ENDINGS) or any(
        s.endswith(e + ")") or s.endswith(e + "）") for e in ("图文版", "全文", "简版"))


def clean_title(s: str) -> str:
    """A title as one line of text: spaces between Chinese characters are layout (`2019年 政府信息…`)."""
    s = re.sub(r"\s+", " ", s.strip())
    return re.sub(r"(?<=[\u4e00-\u9fff\d）)》〕]) (?=[\u4e00-\u9fff（(《〔])", "", s)


def score_title(line: str, html_titles: list[str], count: int, joined: bool = False) -> float:
    s = line.strip()
    n = len(s)
    if n < 5 or n > 90:
        return -10
    if parse_labelled(s, bare=True) is not None or is_furniture(s) or s.startswith("|") or s.endswith("|"):
        return -10
    if re.fullmatch(r"[\d\s.\-/年月日:：]+", s):
        return -10
    score = 0.0
    if title_like_end(s):
        score += 3
    if YEAR_IN_TITLE.search(s) or re.search(r"[〇○零一二][〇○零一二三四五六七八九]{3}年", s):
        score += 1
    if "关于" in s:
        score += 1
    if org_from_title(s) and not joined:
        score += 1  # `XX局主动公开事项目录`: the document names its body; a table cell such as `信息公开指南` does not
    if re.search(r"政府信息公开|政务公开|信息公开", s):
        score += 1
    if re.search(r"[。;；!！?？]", s) or s.endswith(("：", ":", ",", "，", "、")):
        score -= 4
    if re.search(r"[,，]", s):
        score -= 1
    if re.match(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d+[.、．])", s):
        score -= 4
    if re.match(r"^附件\s*\d*\s*[:：]", s):
        score -= 4  # the attachment's name in the notice; its heading comes later
    c = compact(s)
    for t in html_titles:
        tc = compact(t)
        if c and tc and (c == tc or (len(c) >= 6 and c in tc)):
            score += 5
            break
    if count >= 2 and n >= 10:
        score += 1  # the page title repeated as the body title
    return score


@dataclass
class Header:
    title: str | None = None
    title_start: int | None = None  # page-line index where the title starts
    title_end: int | None = None  # exclusive
    title_in_body: bool = False  # the title is a heading inside the text: keep the lines before it
    labelled: list[Labelled] = field(default_factory=list)
    meta_lines: set[int] = field(default_factory=set)  # page-line indices of labelled lines
    pre_title: list[str] = field(default_factory=list)
    body_start: int = 0


def _is_separator(s: str, after_labels: bool) -> bool:
    """`==== 正文 ====` always; a bare `====` only below a labelled block (in a text it is the text's own)."""
    m = _SEPARATOR.match(s)
    return bool(m) and (after_labels or bool(m.group("word") or m.group("label")))


def _zone(lines: list[str]) -> tuple[list[int], list[int], int | None]:
    """(header zone, the nonblank lines, the separator line ending the zone or None) — the zone ends at the
    first paragraph or at a scraper's separator."""
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    zone = []
    labelled = False
    for i in nonblank[:_ZONE_MAX]:
        s = lines[i].strip()
        if _is_separator(s, labelled):
            zone.append(i)
            return zone, nonblank, i  # the scraper's header ends here
        labelled = labelled or parse_labelled(s) is not None
        if len(s) >= _PARAGRAPH and re.search(r"[。，,；;]", s) or len(s) > 120:
            break
        zone.append(i)
    return zone, nonblank, None


def _read_labels(lines: list[str], zone: list[int], separator: int | None, h: Header) -> None:
    for k, i in enumerate(zone):
        if is_md_delimiter(lines[i]) and (i - 1) in h.meta_lines:
            h.meta_lines.add(i)
            continue
        if i == separator or _LOCAL_PATH.match(lines[i].strip()):
            h.meta_lines.add(i)
            continue
        parsed = parse_labelled(lines[i], bare=True)
        if parsed is None:
            parsed = _page_date(lines[i])
        if parsed is None:
            continue
        h.meta_lines.add(i)
        for key, lab, val in parsed:
            if not val and key in ("source", "publisher") and k + 1 < len(zone):
                nxt = lines[zone[k + 1]].strip()
                if parse_labelled(nxt, bare=True) is None and org_line(nxt):
                    val = nxt  # `来源:` with its value on the next line
                    h.meta_lines.add(zone[k + 1])
            h.labelled.append(Labelled(key, lab, val, i))
    _split_date_block(lines, zone, h)


def _page_date(line: str) -> list[tuple[str, str, str]] | None:
    """An unlabelled date (and time) line of the page, maybe followed by labels: `2025-06-23 09:01 来源: X`."""
    m = _PAGE_DATE.match(line.strip())
    if not m:
        return None
    rest = m.group("rest")
    more = parse_labelled(rest) if rest else []
    if more is None:
        return None
    month, day = (m.group(2), m.group(3)) if m.group(2) else (m.group(4), m.group(5))
    return [("publish", "页面日期", f"{m.group(1)}-{month}-{day}"), *more]


def _split_date_block(lines: list[str], zone: list[int], h: Header) -> None:
    """`2020` / `10/20` / `00:07`: a date box whose parts became lines."""
    for a, b in zip(zone, zone[1:]):
        y, md = lines[a].strip(), lines[b].strip()
        m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})", md)
        if re.fullmatch(r"(?:19|20)\d{2}", y) and m:
            h.labelled.append(Labelled("publish", "页面日期", f"{y}-{m.group(1)}-{m.group(2)}", a))
            h.meta_lines.update((a, b))
            nxt = b + 1
            while nxt < len(lines) and re.fullmatch(r"\d{1,2}:\d{2}(?::\d{2})?", lines[nxt].strip()):
                h.meta_lines.add(nxt)
                nxt += 1


def _candidates(lines: list[str], idx: list[int], k: int, counts: dict[str, int]) -> list[tuple[str, int, float]]:
    """Title candidates starting at idx[k]: the line, and the line joined with the next one or two."""
    text = lines[idx[k]].strip()
    out = [(text, idx[k] + 1, 0.0)]
    organ = org_line(text)
    joined = text
    for n, j in enumerate(idx[k + 1:k + 3], 1):
        nxt = lines[j].strip()
        if len(joined) > 60 or len(nxt) > 40 or title_like_end(joined) or _DATE_LINE.fullmatch(nxt):
            break
        joined = joined + nxt
        # a 红头 organ line over `关于…` or `2020年…` is part of the title, unless what follows the organ is also
        # a line elsewhere: the page's own title, which then wins
        rest = compact(joined[len(text):])
        elsewhere = counts.get(rest, 0) - (1 if n == 1 else 0)
        red_head = organ and re.match(r"关于|(?:19|20)\d{2}\s*年", rest) and elsewhere < 1
        out.append((joined, j + 1, 0.5 if red_head else -0.5))
    return out


def _best_line(lines: list[str], idx: list[int], skip: set[int], html_titles: list[str]):
    counts: dict[str, int] = {}
    for i in idx:
        counts[compact(lines[i])] = counts.get(compact(lines[i]), 0) + 1
    best: tuple[float, int, int, str] | None = None
    usable = [i for i in idx if i not in skip]
    for k in range(len(usable)):
        for cand, end, bonus in _candidates(lines, usable, k, counts):
            sc = score_title(cand, html_titles, counts.get(compact(cand), 0), end - 1 != usable[k]) + bonus
            if best is None or sc > best[0]:
                best = (sc, usable[k], end, cand)
    return best


def prose_title(lines: list[str]) -> str | None:
    """The name the text gives itself in its first paragraphs: `现公布XX2018年政府信息公开工作年度报告`."""
    head = "\n".join(line.strip() for line in lines[:12])[:1500]
    for pattern in _PROSE_TITLE:
        for m in pattern.finditer(head):
            t = m.group("t").strip()
            if not _NOT_A_NAME.search(t):
                return t
    return None


def analyse_header(lines: list[str], html_titles: list[str]) -> Header:
    h = Header()
    zone, nonblank, separator = _zone(lines)
    _read_labels(lines, zone, separator, h)
    label_title = next((lab.value for lab in h.labelled if lab.key == "title" and len(lab.value) >= 5), None)
    best = _best_line(lines, zone, h.meta_lines, html_titles)
    if label_title:
        h.title = clean_title(label_title)
        if best and compact(best[3]) == compact(label_title):
            h.title_start, h.title_end = best[1], best[2]
    elif best and best[0] >= 3:
        h.title, h.title_start, h.title_end = clean_title(best[3]), best[1], best[2]
    else:
        later = _best_line(lines, nonblank[:_ATTACHMENT_MAX], h.meta_lines, html_titles)
        if later and later[0] >= 4:
            h.title, h.title_start, h.title_end = clean_title(later[3]), later[1], later[2]
            h.title_in_body = True
        else:
            h.title = prose_title(lines) or _html_title(html_titles)
    last_meta = max(h.meta_lines, default=-1)
    if h.title_in_body or h.title_end is None:
        h.body_start = last_meta + 1 if label_title else 0
    else:
        h.body_start = h.title_end
    if h.title_start is not None:
        h.pre_title = [lines[i] for i in nonblank if i < h.title_start and i not in h.meta_lines]
    else:
        h.pre_title = [lines[i] for i in zone if i < last_meta and i not in h.meta_lines]
    return h


def _html_title(html_titles: list[str]) -> str | None:
    for t in html_titles:
        if t and len(t) >= 5:
            return clean_title(_strip_site_name(t))
    return None


def _strip_site_name(t: str) -> str:
    parts = [p for p in re.split(r"\s*(?:_|－|—|\s-\s|\||｜)\s*", t) if p]
    if not parts:
        return t
    return max(parts, key=lambda p: (title_like_end(p), len(p)))
