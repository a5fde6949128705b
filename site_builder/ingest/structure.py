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
import unicodedata

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


# --- escaping: scraped text is text, never Markdown ------------------------------------------------------
#
# A body paragraph is one line (build_body joins a paragraph's source lines) that starts with no white space.
# Only what would act is escaped, with a backslash (CommonMark lets one stand before any ASCII punctuation), so
# a person editing the file still reads the text: the markers that start a block at the head of the line, and
# inline the characters that open links, code spans, entities, autolinks and emphasis where they could act.

_BLOCK_START = re.compile(
    r"#{1,6}(?:[ \t]|$)"                  # ATX heading
    r"|>"                                 # block quote
    r"|[-+*](?:[ \t]|$)"                  # bullet list item
    r"|([-*_])(?:[ \t]*\1){2,}[ \t]*$"    # thematic break (--- *** ___)
    r"|~{3,}|`{3,}"                       # code fence (a backtick is escaped below anyway)
)
_ORDERED_START = re.compile(r"\d{1,9}(?=[.)](?:[ \t]|$))")   # 1. / 1) item: the delimiter is escaped
_INLINE = re.compile(r"[\\`\[<&*_]")
_ENTITY = re.compile(r"&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});")
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\x00-\x20]*"
                       r"|[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~\-]+@[a-zA-Z0-9](?:[a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?"
                       r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?)*)>")
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _punct(ch: str) -> bool:
    return ch in _ASCII_PUNCT or unicodedata.category(ch)[0] in "PS"


def _space(ch: str) -> bool:
    return ch.isspace() and ch not in "\x1c\x1d\x1e\x1f\x85"   # CommonMark's white space (Unicode Zs, \t\n\f\r)


def _delimiter_acts(text: str, start: int, end: int) -> bool:
    """Whether the run of * or _ at text[start:end] can open or close emphasis (CommonMark's flanking rules)."""
    last = text[start - 1] if start else " "
    nxt = text[end] if end < len(text) else " "
    last_space, next_space = _space(last), _space(nxt)
    last_punct, next_punct = _punct(last), _punct(nxt)
    left = not next_space and (not next_punct or last_space or last_punct)
    right = not last_space and (not last_punct or next_space or next_punct)
    if text[start] == "*":
        return left or right
    return (left and (not right or last_punct)) or (right and (not left or next_punct))


def escape_inline(text: str) -> str:
    """``text`` with a backslash before each character that would act as inline Markdown."""
    if not _INLINE.search(text):
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        m = _INLINE.search(text, i)
        if not m:
            out.append(text[i:])
            break
        j = m.start()
        out.append(text[i:j])
        ch = text[j]
        if ch in "*_":
            end = j
            while end < n and text[end] == ch:
                end += 1
            run = text[j:end]
            out.append("\\" + "\\".join(run) if _delimiter_acts(text, j, end) else run)
            i = end
            continue
        if ch == "\\":
            acts = j + 1 < n and text[j + 1] in _ASCII_PUNCT
        elif ch == "&":
            acts = _ENTITY.match(text, j) is not None
        elif ch == "<":
            acts = _AUTOLINK.match(text, j) is not None
        else:   # ` or [: a code span, a link, an image, a reference definition
            acts = True
        out.append("\\" + ch if acts else ch)
        i = j + 1
    return "".join(out)


def _escape(par: str) -> str:
    """A paragraph of scraped text as Markdown that shows exactly that text."""
    out = escape_inline(par)
    m = _ORDERED_START.match(par)   # digits are never escaped: the delimiter is still at m.end()
    if m:
        return out[:m.end()] + "\\" + out[m.end():]
    if _BLOCK_START.match(par) and not out.startswith("\\"):
        return "\\" + out
    return out


def escape_heading(text: str) -> str:
    """Heading text after '## ': inline escapes, and a closing run of '#' after a space kept as text."""
    out = escape_inline(text)
    m = re.search(r"(?:^|[ \t])(#+)[ \t]*$", out)
    return out[:m.start(1)] + "\\" + out[m.start(1):] if m else out


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
            out.append("#" * h[0] + " " + escape_heading(h[1]))
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
