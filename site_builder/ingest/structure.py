"""Body lines → Markdown: the document's numbered headings, joined paragraphs and the table blocks.

Heading levels follow the Chinese numbering hierarchy:

    一、…   → ##        (a whole, short line)
    (一)…   → ###       (a whole, short line)
    1. / 1、 → ####     (a whole, short line: a long numbered paragraph stays a paragraph)

"一是…/二是…" sentences are never headings. Only whole lines are matched, so an intro that lists the section
names inline stays a paragraph. Adjacent non-blank lines are joined into one paragraph when the first does not
end a sentence (a line wrapped by the source); lines separated by a blank line stay separate paragraphs.
"""

from __future__ import annotations

import re

_H2 = re.compile(r"^([一二三四五六七八九十]{1,3})\s*、\s*(\S.*)$")
_H3 = re.compile(r"^[(（]\s*([一二三四五六七八九十]{1,3})\s*[)）]\s*(\S.*)$")
_H4 = re.compile(r"^(\d{1,2})\s*(?:[.．、](?!\d))\s*(\S.*)$")
_LIST_START = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}\s*、|[(（]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]|\d{1,2}\s*[.．、](?!\d)|"
    r"[①②③④⑤⑥⑦⑧⑨⑩]|[一二三四五六七八九十]是|附件|附表|第[一二三四五六七八九十]+[章节条部分])"
)
_TERMINAL = tuple("。！？!?；;：:")
_DATE_LINE = re.compile(r"^(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇○零一二三四五六七八九]{4}年.{1,3}月.{1,3}日)$")

MAX_H2, MAX_H3, MAX_H4 = 40, 40, 30


def _short_heading_text(text: str, limit: int) -> bool:
    t = text.strip()
    if len(t) > limit:
        return False
    inner = t[:-1]
    if re.search(r"[。；;！？!?]", inner):
        return False
    if t.endswith("。") and len(t) > 25:
        return False
    if re.search(r"[:：]\s*\S", t):
        return False
    return True


def heading_level(line: str) -> tuple[int, str] | None:
    """(level, heading text) for a whole line that is a numbered heading, else None."""
    s = line.strip()
    m = _H2.match(s)
    if m and _short_heading_text(s, MAX_H2):
        return 2, f"{m.group(1)}、{m.group(2).strip()}"
    m = _H3.match(s)
    if m and _short_heading_text(s, MAX_H3):
        return 3, s
    m = _H4.match(s)
    if m and _short_heading_text(s, MAX_H4) and not re.fullmatch(r"[\d.\s]+", s):
        return 4, s
    return None


def _is_table_line(line: str) -> bool:
    s = line.strip()
    return len(s) >= 2 and s.startswith("|") and s.endswith("|")


def _escape(par: str) -> str:
    if re.match(r"^[#>]", par):
        return "\\" + par
    if re.match(r"^[-+*](?:\s|$)", par):
        return "\\" + par
    if re.match(r"^(?:=+|-+)\s*$", par):
        return "\\" + par
    return par


def _joinable(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a.endswith(_TERMINAL) or heading_level(a) or heading_level(b):
        return False
    if _LIST_START.match(b) or _DATE_LINE.match(b.strip()):
        return False
    if len(a) < 15:
        return False
    return True


def build_body(lines: list[str], blocks: list[tuple[int, int, str]] | None = None) -> str:
    """Markdown for the body lines; ``blocks`` = (start, end_exclusive, markdown) replacing line ranges."""
    starts = {}
    for start, end, md in sorted(blocks or [], key=lambda b: b[0]):
        if 0 <= start < end <= len(lines) and not any(s <= start < e for s, (e, _) in starts.items()):
            starts[start] = (end, md)
    out: list[str] = []
    para: list[str] = []
    table_lines: list[str] = []

    def flush_para() -> None:
        if para:
            out.append(_escape("".join(para) if _cjk_join(para) else " ".join(para)))
            para.clear()

    def flush_table() -> None:
        if table_lines:
            out.append("\n".join(table_lines))
            table_lines.clear()

    i = 0
    while i < len(lines):
        if i in starts:
            flush_para()
            flush_table()
            end, md = starts[i]
            if md.strip():
                out.append(md.strip("\n"))
            i = end
            continue
        line = lines[i].strip()
        i += 1
        if not line:
            flush_para()
            flush_table()
            continue
        if _is_table_line(line):
            flush_para()
            table_lines.append(line)
            continue
        flush_table()
        h = heading_level(line)
        if h:
            flush_para()
            out.append("#" * h[0] + " " + h[1])
            continue
        if para and _joinable(para[-1] if len(para) == 1 else "".join(para), line):
            para.append(line)
            continue
        flush_para()
        para.append(line)
    flush_para()
    flush_table()
    return "\n\n".join(out).strip() + "\n" if out else ""


def _cjk_join(parts: list[str]) -> bool:
    """Join wrapped lines without a space when the break is between CJK characters."""
    for a, b in zip(parts, parts[1:]):
        if a and b and (a[-1].isascii() and a[-1].isalnum()) and (b[0].isascii() and b[0].isalnum()):
            return False
    return True
