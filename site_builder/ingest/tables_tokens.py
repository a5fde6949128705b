"""Tokens for the statistics-table reader: normalised label keys, cells split out of every flattened shape.

A line becomes tokens (cells): `text` (a label or other words), `num` (a value, possibly signed, possibly
with a unit), `blank` (an explicit placeholder: / - -- — 空 无) and, in `|`-joined rows only, `empty` (an
empty cell, whose position may matter). Several cells on a whitespace-separated line are split (numbers
apart from words); a run of words that is exactly a concatenation of known labels (`行政复议行政诉讼`,
`(三)不予公开 1.属于国家秘密`) is split into those labels.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from site_builder.ingest.tables_glued import split_glued
from site_builder.schema import to_simplified

_QUOTES = re.compile("[\"'“”‘’「」『』]")
_LEADING_NUMBER = re.compile(r"^(\d{1,2})[、.．,，]")

NUMBER = re.compile(r"^[+-]?\d+(?:,\d{3})*(?:\.\d+)?$")
# a value followed by a unit (采购总金额 `251000元`); never a year (`2019年`)
NUMBER_UNIT = re.compile(r"^(?P<num>[+-]?\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<unit>万元|亿元|元|件|条|个|次|人次|人|篇|%)$")
UNITS = {"条", "件", "次", "篇", "个", "人", "人次", "万元", "元", "项"}
PLACEHOLDERS = {"/", "-", "--", "—", "——", "－", "－－", "―", "─", "空", "无", "／", "\\"}
_SEPARATOR_CELL = re.compile(r"^:?-{3,}:?$")
_PIPE = re.compile(r"(?<!\\)\|")


def key(text: str) -> str:
    """A label for comparison: NFKC, simplified, no whitespace, no quotes, `1、` → `1.`, no trailing colon."""
    text = to_simplified(unicodedata.normalize("NFKC", text))  # F18: mirrored copies in Traditional
    text = re.sub(r"\s+", "", text)
    text = _QUOTES.sub("", text)
    text = _LEADING_NUMBER.sub(r"\1.", text)
    return text.rstrip(":")


@dataclass
class Token:
    line: int
    cell: int           # index of the cell on its line (|-joined rows), else the token's position on the line
    text: str           # as written (stripped)
    key: str            # normalised for label matching
    kind: str = "text"  # text | num | blank | empty
    value: int | float | None = None
    unit: str | None = None
    pipe: bool = False  # from a |-joined row
    gap: int | None = None  # blank lines in the source right before this token's line (first token only)
    glued: bool = False     # digits glued to a label or unit: maybe several cells run together


def number(text: str) -> tuple[int | float, str | None] | None:
    """`+16` → (16, None); `4868` → (4868, None); `12.35` → 12.35; `251000元` → (251000, '元'); else None."""
    text = text.strip()
    m = NUMBER_UNIT.match(text)
    unit = None
    if m:
        text, unit = m.group("num"), m.group("unit")
    elif not NUMBER.match(text):
        return None
    plain = text.replace(",", "")
    if "." in plain:
        return float(plain), unit
    return int(plain), unit


def _value_token(line: int, cell: int, word: str, pipe: bool) -> Token | None:
    if word in PLACEHOLDERS:
        return Token(line, cell, word, word, "blank", pipe=pipe)
    if re.fullmatch(r"\d{1,2}\.", word):  # a row number `1.` split from its label, not a value
        return None
    parsed = number(word)
    if parsed is None:
        return None
    return Token(line, cell, word, word, "num", parsed[0], parsed[1], pipe=pipe)


class Splitter:
    """Splits a run of words that is exactly a concatenation of known labels into those labels."""

    def __init__(self, labels):
        self.labels = {k for k in labels if k}
        self.by_start: dict[str, list[str]] = {}
        for k in self.labels:
            self.by_start.setdefault(k[:2], []).append(k)
        for v in self.by_start.values():
            v.sort(key=len, reverse=True)

    def split(self, text_key: str) -> list[str] | None:
        if text_key in self.labels or len(text_key) > 160 or len(text_key) < 4:
            return None
        # depth-first, longest label first; positions already known to fail are not retried
        failed: set[int] = set()

        def walk(pos: int) -> list[str] | None:
            if pos == len(text_key):
                return []
            if pos in failed:
                return None
            for label in self.by_start.get(text_key[pos:pos + 2], ()):
                if text_key.startswith(label, pos):
                    rest = walk(pos + len(label))
                    if rest is not None:
                        return [label, *rest]
            failed.add(pos)
            return None

        parts = walk(0)
        return parts if parts and len(parts) > 1 else None


_LOOSE_NUMBER = re.compile(r"(?<!\d)(\d{1,2})[、．]")


def _glued_token(line: int, cell: int, kind: str, text: str, pipe: bool) -> Token:
    if kind == "digits":
        return Token(line, cell, text, text, "num", int(text), pipe=pipe, glued=True)
    return Token(line, cell, text, text, pipe=pipe)


def _words_to_tokens(i: int, start_cell: int, words: list[str], pipe: bool, splitter: Splitter) -> list[Token]:
    out: list[Token] = []
    run: list[str] = []

    def flush():
        if not run:
            return
        text = " ".join(run)
        k = key(text)
        parts = splitter.split(k)
        glued = None if parts else split_glued(_LOOSE_NUMBER.sub(r"\1.", k), splitter.by_start)
        if parts:
            for p in parts:
                out.append(Token(i, start_cell + len(out), p, p, pipe=pipe))
        elif glued:
            for kind, p in glued:
                out.append(_glued_token(i, start_cell + len(out), kind, p, pipe))
        else:
            out.append(Token(i, start_cell + len(out), text, k, pipe=pipe))
        run.clear()

    for w in words:
        t = _value_token(i, 0, w, pipe)
        if t is None and w in UNITS and run:
            flush()  # `（一）主动公开政府信息数 条 1204`: the unit is a cell of its own
            out.append(Token(i, start_cell + len(out), w, w, pipe=pipe))
            continue
        if t is None:
            run.append(w)
            continue
        flush()
        t.cell = start_cell + len(out)
        out.append(t)
    flush()
    return out


def tokenize(lines: list[str], splitter: Splitter) -> list[Token]:
    tokens: list[Token] = []
    for i, raw in enumerate(lines):
        line = unicodedata.normalize("NFKC", raw).replace("\u3000", " ").strip()
        if not line:
            continue
        if _PIPE.search(line):
            cells = _PIPE.split(line)
            if cells and not cells[0].strip():
                cells = cells[1:]
            if cells and not cells[-1].strip() and line.rstrip().endswith("|"):
                cells = cells[:-1]
            cells = [c.replace("\\|", "|").strip() for c in cells]
            if cells and all(_SEPARATOR_CELL.match(c) for c in cells if c) and any(cells):
                continue  # Markdown header separator
            for n, c in enumerate(cells):
                if not c:
                    tokens.append(Token(i, n, "", "", "empty", pipe=True))
                    continue
                words = c.split()
                value = _value_token(i, n, c, True) if len(words) == 1 else None
                if value is not None:
                    tokens.append(value)
                    continue
                sub = _words_to_tokens(i, n, words, True, splitter)
                for t in sub:
                    t.cell = n  # sub-tokens of one cell share its position
                tokens.extend(sub)
            continue
        words = line.split()
        if len(words) == 1:
            t = _value_token(i, 0, line, False)
            if t is not None:
                tokens.append(t)
                continue
        if not any(_value_token(i, 0, w, False) for w in words) and len(line) > 60 and \
                not split_glued(_LOOSE_NUMBER.sub(r"\1.", key(line)), splitter.by_start):
            tokens.append(Token(i, 0, line, key(line)))  # prose: one token, not split (unless glued cells)
            continue
        tokens.extend(_words_to_tokens(i, 0, words, False, splitter))
    return tokens
