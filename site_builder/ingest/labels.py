"""Labelled metadata lines of a scraped page: `发布时间:2020-01-31 信息来源:潜山市人民政府`.

Sites write these blocks in several shapes, all read here into (key, label, value) triples:

* `label:value` pairs, several to a line, with or without a space after the colon (`发布机构：` … `文号:`);
* pipe rows from a flattened metadata table (`| 发布机构 | 市政府办 | 发布日期 | 2018-02-28 |`, `标 题 | … | ||`);
* labels without a colon (`索引号 0152…/2018-1204001 发布机构昌宁县人民政府`, `标      题 …`) — accepted only when
  the line starts with a label and carries two labels, or one unmistakable label, so that a sentence beginning
  with 时间 or 来源 is never read as metadata.

An empty value (`文号:` with nothing after it) is kept as "" so that the label's line is still recognised as
metadata and dropped from the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .clean import strip_widgets

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
    "category": ["信息分类", "主题分类", "体裁分类", "组配分类", "服务对象分类", "公开目录", "所属栏目", "栏目", "分类",
                 "主题词", "关键词", "关键字"],
    "disclosure": ["公开方式", "公开时限", "公开范围", "公开形式", "公开属性", "有效性", "时效性", "效力状态"],
}
LABEL_KEY = {lab: key for key, labs in LABELS.items() for lab in labs}
# labels too common as ordinary words to be trusted without a colon unless a second label shares the line
WEAK_LABELS = {"时间", "日期", "来源", "名称", "作者", "编辑", "撰稿", "供稿", "点击", "字体", "字号", "栏目", "分类"}


def _spelled(lab: str, gap: str) -> str:
    return gap.join(re.escape(ch) for ch in lab)


_BY_LENGTH = sorted(LABEL_KEY, key=len, reverse=True)
_LABEL_ALT = "|".join(_spelled(lab, r"\s?") for lab in _BY_LENGTH)
_LABEL_RE = re.compile(rf"(?P<label>{_LABEL_ALT})\s*[:：]")
_LABEL_START = re.compile(rf"^[\s【\[]*(?:{_LABEL_ALT})\s*[:：|｜]")
# labels without a colon: cleaning has already removed the spaces between Chinese characters, so the label may be
# glued to its value (`发布机构昌宁县人民政府`); only strong labels are looked for inside a line
_BARE_ALT = "|".join(_spelled(lab, r"[ \u3000]{0,8}") for lab in _BY_LENGTH)
_BARE_RE = re.compile(rf"(?P<label>{_BARE_ALT})")

@dataclass
class Labelled:
    key: str
    label: str
    value: str
    line: int  # index in the page lines


def is_md_delimiter(line: str) -> bool:
    return bool(re.fullmatch(r"\|(?:\s*:?-{3,}:?\s*\|)+", line.strip()))


def _plain(label: str) -> str:
    return re.sub(r"\s+", "", label)


def _pipe_row(s: str) -> list[tuple[str, str, str]] | None:
    cells = [c.strip() for c in s.strip("|").split("|")]
    out = []
    i = 0
    while i < len(cells):
        c = _plain(cells[i]).rstrip(":：")
        if c in LABEL_KEY:
            val = cells[i + 1].strip() if i + 1 < len(cells) else ""
            if _plain(val).rstrip(":：") in LABEL_KEY:
                val = ""
                i += 1
            else:
                i += 2
            out.append((LABEL_KEY[c], c, val))
        else:
            m = _LABEL_RE.match(cells[i])
            if m:
                lab = _plain(m.group("label"))
                out.append((LABEL_KEY[lab], lab, cells[i][m.end():].strip()))
            i += 1
    return out or None


def _bare_pairs(s: str) -> list[tuple[str, str, str]] | None:
    """`索引号 01526376 发布机构昌宁县人民政府` — labels not followed by a colon."""
    s = s.strip()
    matches = [m for m in _BARE_RE.finditer(s) if m.start() == 0 or _plain(m.group("label")) not in WEAK_LABELS]
    if not matches or matches[0].start() != 0 or len(s) > 100:
        return None
    if len(matches) < 2 and _plain(matches[0].group("label")) in WEAK_LABELS:
        return None
    out = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(s)
        lab = _plain(m.group("label"))
        out.append((LABEL_KEY[lab], lab, re.sub(r"\s+", " ", s[m.end():end]).strip()))
    return out


def parse_labelled(line: str, bare: bool = False) -> list[tuple[str, str, str]] | None:
    """[(key, label, value)] when the line is a labelled-metadata line, else None.

    `bare=True` also accepts labels separated from their values by spaces only; the caller allows it in the
    page header, not in the body."""
    s = line.strip()
    first_cell = _plain(s.split("|")[0])
    if (s.startswith("|") and s.endswith("|")) or (s.count("|") >= 2 and first_cell in LABEL_KEY):
        return None if is_md_delimiter(s) else _pipe_row(s)
    if len(s) > 300:
        return None
    if not _LABEL_START.match(s):
        return _bare_pairs(s) if bare else None
    matches = list(_LABEL_RE.finditer(s))
    if not matches:
        # "发布机构 | 市政府办" style
        m = re.match(rf"^[\s【\[]*(?P<label>{_LABEL_ALT})\s*[|｜]\s*(?P<v>.*)$", s)
        if not m:
            return None
        lab = _plain(m.group("label"))
        return [(LABEL_KEY[lab], lab, m.group("v").strip())]
    out = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(s)
        lab = _plain(m.group("label"))
        val = strip_widgets(s[m.end():end]).strip(" ;；,，|")
        val = re.sub(r"^[】\]]|[【\[]$", "", val).strip()  # a bracket of the next widget (`【字体:`), not the value's
        out.append((LABEL_KEY[lab], lab, re.sub(r"\s{2,}", " ", val).strip()))
    return out
