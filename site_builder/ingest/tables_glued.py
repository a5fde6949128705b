"""Cells glued together when a table was flattened into one line: `主动公开信息数条4251516其中:1.政府网站条3801203`
is label, unit, digits, label, unit, digits. Split only where the text is exactly a sequence of known labels,
units and digit runs, and only one such reading exists; the digits of one row may still be several glued cells
(this year's and the cumulative figure), which the table's reader decides (tables_appendix.py).
"""

from __future__ import annotations

import re

UNITS = ("人次", "万元", "条", "件", "次", "篇", "个", "人", "元", "项", "——")
_YEAR_HEADER = re.compile(r"(?:19|20)\d{2}年度?")
_DIGITS = re.compile(r"\d+")


def split_glued(text_key: str, by_start: dict[str, list[str]]) -> list[tuple[str, str]] | None:
    """[(kind, text)] with kind label | header | unit | digits, or None when the text is not exactly one such sequence."""
    if not _DIGITS.search(text_key) or len(text_key) > 400:
        return None
    found: list[list[tuple[str, str]]] = []
    failed: set[tuple[int, str]] = set()

    def options(pos: int, prev: str):
        for label in by_start.get(text_key[pos:pos + 2], ()):
            if text_key.startswith(label, pos):
                yield "label", label
        m = _YEAR_HEADER.match(text_key, pos)
        if m and prev in ("", "label", "header"):
            yield "header", m.group()           # a column header (2009年度): no value follows it
        if prev == "label":
            for unit in UNITS:
                if text_key.startswith(unit, pos):
                    yield "unit", unit
        if prev in ("label", "unit"):
            m = _DIGITS.match(text_key, pos)
            if m:
                for end in range(m.end(), pos, -1):   # a digit run may end where a label `2.政府公报` begins
                    yield "digits", text_key[pos:end]

    def walk(pos: int, prev: str, path: list[tuple[str, str]]) -> None:
        if len(found) > 1 or (pos, prev) in failed:
            return
        if pos == len(text_key):
            found.append(list(path))
            return
        before = len(found)
        for kind, part in options(pos, prev):
            path.append((kind, part))
            walk(pos + len(part), kind, path)
            path.pop()
        if len(found) == before:
            failed.add((pos, prev))

    walk(0, "", [])
    if len(found) != 1 or not any(kind == "digits" for kind, _ in found[0]):
        return None
    return found[0]
