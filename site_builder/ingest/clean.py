"""Text and HTML → normalised lines; page furniture (navigation, counters, widgets, footers) removed.

Normalisation is deliberately narrow: full-width ASCII digits and letters (０-９ Ａ-Ｚ ａ-ｚ) become ASCII, odd
spaces (U+00A0, U+2000–U+200A, U+3000 …) become a plain space, zero-width characters go. Chinese punctuation
is left exactly as written (、。“”《》〔〕 and also （）：，), so the text a person reads is the text the source
had; the matchers in this package accept both full-width and ASCII forms instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# -- character normalisation ---------------------------------------------------------------------------

_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\x0b\x0c"
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_TRANS = {ord(c): " " for c in _SPACES}
_TRANS.update({ord(c): None for c in _ZERO_WIDTH})
for _o in range(0xFF10, 0xFF1A):  # ０-９
    _TRANS[_o] = chr(_o - 0xFEE0)
for _o in list(range(0xFF21, 0xFF3B)) + list(range(0xFF41, 0xFF5B)):  # Ａ-Ｚ ａ-ｚ
    _TRANS[_o] = chr(_o - 0xFEE0)


def normalise_text(text: str) -> str:
    """Line endings to \\n, full-width digits/letters to ASCII, odd spaces to ' ', zero-width removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return text.translate(_TRANS)


_CJK_CHAR = "\u4e00-\u9fff\u3001\u3002\u300a-\u3011\u3014\u3015\u201c\u201d\uff08\uff09\uff0c\uff1a\uff1b"
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK_CHAR}]) +(?=[{_CJK_CHAR}])")


def normalise_line(line: str) -> str:
    """normalise_text, then: no spaces between two Chinese characters (an artefact of indentation and
    &nbsp; in the source), runs of spaces shortened."""
    line = normalise_text(line).strip()
    line = _SPACE_BETWEEN_CJK.sub("", line)
    line = re.sub(r" {2,}", lambda m: " " if len(m.group()) < 4 else "   ", line)
    return line


def compact(s: str) -> str:
    """For comparisons: no whitespace, ASCII forms of the common full-width punctuation."""
    s = normalise_text(s)
    s = s.translate(_COMPARE)
    return re.sub(r"\s+", "", s)


_COMPARE = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "；": ";", "！": "!", "？": "?", "﹝": "〔", "﹞": "〕"})


def text_to_lines(text: str) -> list[str]:
    lines = [normalise_line(line) for line in normalise_text(text).split("\n")]
    return collapse_blank(lines)


def collapse_blank(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if not line.strip():
            if out and out[-1] != "":
                out.append("")
            continue
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return out


# -- HTML ------------------------------------------------------------------------------------------------


@dataclass
class HtmlMeta:
    title: str | None = None  # <title>, site name removed
    h1: str | None = None
    meta_title: str | None = None  # <meta name=ArticleTitle>
    pubdate: str | None = None  # <meta name=PubDate> …
    source: str | None = None  # <meta name=ContentSource> …
    url: str | None = None  # canonical / og:url / "saved from url=" comment
    site: str | None = None  # <meta name=SiteName>
    extra: dict = field(default_factory=dict)


_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "center", "dd", "details", "dialog", "dir", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup",
    "hr", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "ul", "tr", "td", "th", "table",
    "tbody", "thead", "tfoot", "caption", "body", "html", "font_block",
}
_DROP_TAGS = ["script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "head",
              "select", "button", "input", "textarea", "option", "map", "audio", "video", "link", "meta"]
_CHROME_TOKENS = {
    "nav", "navbar", "navigation", "menu", "menus", "submenu", "breadcrumb", "breadcrumbs", "crumb", "crumbs",
    "footer", "foot", "sidebar", "share", "bdshare", "copyright", "friendlink", "friendlinks", "toolbar",
    "topbar", "skip", "sitemap", "search", "searchbox", "login", "qrcode", "ewm",
}
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")


def _is_chrome_element(tag) -> bool:
    if tag.name in ("nav",):
        return True
    if tag.name in ("header", "footer") and tag.find_parent(["article", "main"]) is None:
        return True
    attrs = getattr(tag, "attrs", None) or {}
    style = attrs.get("style") or ""
    if re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", str(style), re.I):
        return True
    if "hidden" in attrs and tag.name not in ("input",):
        return True
    words: list[str] = []
    for key in ("id", "class", "role"):
        v = attrs.get(key)
        if not v:
            continue
        if isinstance(v, (list, tuple)):
            v = " ".join(v)
        words += [w.lower() for w in _TOKEN_SPLIT.split(str(v)) if w]
    return any(w in _CHROME_TOKENS for w in words)


def _text_len(tag) -> int:
    return len(re.sub(r"\s+", "", tag.get_text()))


def _is_link_list(tag) -> bool:
    """A block that is mostly links (a menu, a related-articles list, a link bar)."""
    if tag.name not in ("ul", "ol", "dl", "div", "table", "td", "p", "span", "section", "tr"):
        return False
    links = tag.find_all("a")
    if len(links) < 3:
        return False
    total = _text_len(tag)
    if total == 0:
        return True
    link_text = sum(_text_len(a) for a in links)
    non_link = total - link_text
    return link_text / total > 0.7 and non_link < 40


def _cell_text(cell) -> str:
    parts: list[str] = []
    _render(cell, parts, in_cell=True)
    text = "".join(parts)
    text = re.sub(r"\s*\n\s*", " ", normalise_text(text))
    return re.sub(r" {2,}", " ", text).strip()


def _is_data_table(table) -> bool:
    if table.find("table") is not None:
        return False
    rows = table.find_all("tr")
    if len(rows) < 2:
        return False
    widths = [len(r.find_all(["td", "th"], recursive=False)) for r in rows]
    return max(widths, default=0) >= 2


def table_to_markdown(table) -> list[str]:
    """An HTML table as Markdown table lines; merged cells are expanded with empty cells."""
    grid: dict[tuple[int, int], str] = {}
    occupied: set[tuple[int, int]] = set()
    rows = table.find_all("tr")
    max_col = 0
    for r, row in enumerate(rows):
        c = 0
        for cell in row.find_all(["td", "th"], recursive=False):
            while (r, c) in occupied:
                c += 1
            try:
                rs = max(1, min(int(cell.get("rowspan", 1) or 1), 200))
            except ValueError:
                rs = 1
            try:
                cs = max(1, min(int(cell.get("colspan", 1) or 1), 50))
            except ValueError:
                cs = 1
            grid[(r, c)] = _cell_text(cell)
            for dr in range(rs):
                for dc in range(cs):
                    occupied.add((r + dr, c + dc))
            c += cs
            max_col = max(max_col, c)
    nrows = len(rows)
    matrix = [[grid.get((r, c), "") for c in range(max_col)] for r in range(nrows)]
    matrix = [row for row in matrix if any(x.strip() for x in row)]
    if not matrix or max_col == 0:
        return []

    def fmt(row: list[str]) -> str:
        return "| " + " | ".join(x.replace("|", "\\|") for x in row) + " |"

    out = [fmt(matrix[0]), "|" + "---|" * max_col]
    out += [fmt(row) for row in matrix[1:]]
    return out


def _render(node, out: list[str], in_cell: bool = False) -> None:
    from bs4 import Comment, NavigableString, Tag

    for child in node.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            s = str(child)
            s = re.sub(r"[ \t\r\n\f]+", " ", s)
            out.append(s)
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name == "br":
            out.append("\n")
            continue
        if name == "table" and not in_cell and _is_data_table(child):
            md = table_to_markdown(child)
            if md:
                out.append("\n\n" + "\n".join(md) + "\n\n")
            continue
        if name in ("td", "th") and in_cell:
            out.append(" ")
            _render(child, out, in_cell)
            out.append(" ")
            continue
        block = name in _BLOCK_TAGS
        if block:
            out.append("\n\n" if not in_cell else "\n")
        _render(child, out, in_cell)
        if block:
            out.append("\n\n" if not in_cell else "\n")


def _meta_content(soup, *names: str) -> str | None:
    for n in names:
        tag = soup.find("meta", attrs={"name": re.compile(rf"^{re.escape(n)}$", re.I)}) or soup.find(
            "meta", attrs={"property": re.compile(rf"^{re.escape(n)}$", re.I)}
        )
        if tag and tag.get("content") and tag.get("content").strip():
            return normalise_line(tag["content"])
    return None


_SAVED_FROM = re.compile(r"saved from url=\(\d+\)(\S+?)\s*-->", re.I)


def html_to_lines(html: str) -> tuple[list[str], HtmlMeta]:
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(html, "lxml")
    meta = HtmlMeta()
    m = _SAVED_FROM.search(html[:3000])
    canonical = soup.find("link", rel=lambda v: v and "canonical" in (v if isinstance(v, list) else [v]))
    if canonical and canonical.get("href", "").startswith("http"):
        meta.url = canonical["href"].strip()
    elif _meta_content(soup, "og:url") and _meta_content(soup, "og:url").startswith("http"):
        meta.url = _meta_content(soup, "og:url")
    elif m and m.group(1).startswith("http"):
        meta.url = m.group(1)
    if soup.title and soup.title.get_text(strip=True):
        meta.title = normalise_line(soup.title.get_text(" ", strip=True))
    meta.meta_title = _meta_content(soup, "ArticleTitle", "og:title", "title")
    meta.pubdate = _meta_content(soup, "PubDate", "publishdate", "pubdate", "firstpublishedtime", "article:published_time", "Maketime")
    meta.source = _meta_content(soup, "ContentSource", "source")
    meta.site = _meta_content(soup, "SiteName", "og:site_name")

    for c in soup.find_all(string=lambda s: isinstance(s, Comment)):
        c.extract()
    for name in _DROP_TAGS:
        for t in soup.find_all(name):
            t.decompose()
    h1 = soup.find("h1")
    if h1 and h1.get_text(strip=True):
        meta.h1 = normalise_line(h1.get_text(" ", strip=True))
    for t in list(soup.find_all(True)):
        if t.decomposed if hasattr(t, "decomposed") else False:
            continue
        if t.parent is None:
            continue
        if _is_chrome_element(t):
            chrome = [normalise_line(x) for x in t.get_text("\n").split("\n")]
            meta.extra.setdefault("chrome", []).extend(x for x in chrome if x)
            t.decompose()
    for t in list(soup.find_all(["ul", "ol", "dl", "div", "table", "td", "p", "span", "section", "tr"])):
        if t.parent is None:
            continue
        if _is_link_list(t):
            t.decompose()
    root = soup.body or soup
    parts: list[str] = []
    _render(root, parts)
    text = "".join(parts)
    lines = [normalise_line(x) for x in text.split("\n")]
    return collapse_blank(lines), meta


# -- furniture ------------------------------------------------------------------------------------------

# Fragments that are page widgets wherever they occur on a short line.
_WIDGET = [
    r"设为首页", r"加入收藏", r"收藏本站", r"收藏本页", r"无障碍浏览", r"无障碍阅读", r"无障碍", r"长者模式", r"关怀版",
    r"繁[體体]版?", r"简体版?", r"手机版", r"网站地图", r"返回首页", r"返回顶部", r"English",
    r"【?\s*字[体號号]\s*[:：]?\s*[\[【]?\s*(?:[大中小]\s*)*[\]】]?\s*】?",
    r"【\s*[大中小]\s*[大中小]\s*[大中小]\s*】",
    r"\[\s*\]",
    r"【?\s*打印本?[页文]\s*】?", r"【\s*打印\s*】", r"\[\s*打印\s*\]", r"打印此页",
    r"【?\s*关闭(?:本页|窗口|本窗口)\s*】?", r"【\s*关闭\s*】", r"\[\s*关闭\s*\]",
    r"(?:浏览次数|点击次数|点击数|点击量|阅读次数|阅读数|访问次数|访问量|浏览量|阅读量|点击|浏览|阅读)\s*[:：]\s*\d*\s*次?",
    r"【?\s*我要纠错\s*】?", r"【?\s*发表评论\s*】?", r"【?\s*收藏\s*】?",
    r"分享到\s*[:：]?", r"扫一扫在手机(?:上)?打开当前页(?:面)?", r"(?:手机)?扫一扫", r"用手机扫描二维码.{0,10}",
    r"读取内容中\s*[,，]?\s*请等待\.*(?:…)*", r"正在加载\.*", r"站长统计", r"网站统计",
    r"Produced\s+By\s+CMS.*", r"publishdate\s*[:：]\s*[\d/\-: ]*",
]
_WIDGET_RE = re.compile("|".join(f"(?:{w})" for w in _WIDGET), re.I)
# Lines made only of bullets and bars (a lone "-", "/" or "—" is NOT one: in a table it is a value).
_SEPARATORS_ONLY = re.compile(r"^[\s|｜•·●◆■▪>»›:：\[\]【】]*$")

# Whole lines that are page chrome (matched against the line start; only on short lines).
_CHROME_LINE = re.compile(
    r"^\s*(?:"
    r"您(?:现在)?(?:所在|的)?(?:的)?位置|当前位置|所在位置|现在位置|您的位置|当前所在位置"
    r"|上一篇|下一篇|上一条|下一条|上一页|下一页"
    r"|版权所有|Copyright|©|\(c\)\s*\d|主办单位|承办单位|协办单位|主办\s*[:：]|承办\s*[:：]|网站主办|网站承办|技术支持|技术保障"
    r"|网站标识码|网站识别码|[\u4e00-\u9fff]{0,4}ICP[备证]|[\u4e00-\u9fff]{1,2}公网安备|网站维护|维护单位|运行维护"
    r"|建议使用|最佳浏览|推荐使用.*浏览器|分辨率|联系我们|网站声明|隐私声明|关于我们|相关链接|友情链接|相关文章|相关阅读|相关新闻|相关信息\s*$"
    r"|返回.{0,12}首页"
    r")",
    re.I,
)
_FOOTER_ANYWHERE = re.compile(r"版权所有|ICP备|ICP证|网站标识码|公网安备|技术支持\s*[:：]|Copyright", re.I)
_BREADCRUMB_SEP = re.compile(r"\s*(?:>>|>|›|»|→|＞|》{2})\s*")


def is_breadcrumb(line: str) -> bool:
    if not _BREADCRUMB_SEP.search(line) or len(line) > 100:
        return False
    if re.search(r"[。;；!?！？]", line):
        return False
    segs = [s for s in _BREADCRUMB_SEP.split(line) if s.strip()]
    if not segs:
        return True
    return all(len(s.strip()) <= 30 for s in segs)


def strip_widgets(line: str) -> str:
    return _WIDGET_RE.sub(" ", line)


def is_furniture(line: str) -> bool:
    """True when the whole line is page chrome rather than document text."""
    s = line.strip()
    if not s:
        return False
    if _SEPARATORS_ONLY.match(s):
        return True
    short = len(s) <= 160 and not s.endswith("。")
    if short and _CHROME_LINE.match(s):
        return True
    if short and _FOOTER_ANYWHERE.search(s) and len(s) <= 120:
        return True
    if short and is_breadcrumb(s):
        return True
    rest = strip_widgets(s)
    if rest != s and _SEPARATORS_ONLY.match(rest):
        return True
    return False


def remove_furniture(lines: list[str]) -> tuple[list[str], list[str]]:
    """(kept lines, removed lines). Removed lines are kept for the caller as evidence (版权所有 …)."""
    kept: list[str] = []
    removed: list[str] = []
    for line in lines:
        if is_furniture(line):
            removed.append(line)
            continue
        kept.append(line)
    return collapse_blank(kept), removed
