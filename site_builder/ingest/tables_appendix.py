"""The local 附表 of 2008–2013 reports (指标名称 · 计量单位 · 本年度 · 历年累计; `example_local_2009_putian`), also
when flattened into one line with its cells glued: `主动公开信息数条4251516` is 425 this year and 1516 in all.

A glued digit run is split only where the reference and arithmetic leave one reading: this year ≤ cumulative,
no leading zeros, and each sub-item (其中:1.政府网站 …) ≤ its total in both columns, propagated over the
table until nothing changes. A run that still has several readings (or none) stays null with a warning; every
split is recorded as a repair.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

from site_builder.ingest.tables_read import Parsed
from site_builder.ingest.tables_reference import STATS_UNITS, match_label, spec
from site_builder.ingest.tables_tokens import Token

FID, TID = "example_local_2009_putian", "appendix"


def _head(tokens: list[Token]) -> int | None:
    for j, t in enumerate(tokens):
        if t.kind == "text" and "历年累计" in t.key:
            near = "".join(x.key for x in tokens[max(0, j - 4):j + 1])
            if "指标名称" in near or "计量单位" in near:
                return j
    return None


def _read(tokens: list[Token], j: int, s) -> tuple[dict[str, list[Token]], int]:
    """Row id → its value tokens, walking label [unit] values … from j; and the last index consumed."""
    rows: dict[str, list[Token]] = {}
    last = j - 1
    while j < len(tokens):
        hit = match_label(tokens, j, s.row_keys) if tokens[j].kind == "text" else None
        if not hit or hit[0] in rows:
            break
        rid, j = hit[0], j + hit[1]
        if j < len(tokens) and tokens[j].kind == "text" and tokens[j].text in STATS_UNITS:
            j += 1
        values = []
        while j < len(tokens) and tokens[j].kind in ("num", "blank") and len(values) < 2:
            values.append(tokens[j])
            j += 1
        rows[rid] = values
        last = j - 1
    return rows, last


def splits(digits: str) -> list[tuple[int, int]]:
    """Every reading of a glued run as (this year, cumulative) with this year ≤ cumulative, no leading zeros."""
    out = []
    for k in range(1, len(digits)):
        a, b = digits[:k], digits[k:]
        if (len(a) > 1 and a[0] == "0") or (len(b) > 1 and b[0] == "0"):
            continue
        if int(a) <= int(b):
            out.append((int(a), int(b)))
    return out


def _candidates(values: list[Token]) -> list[tuple] | None:
    if len(values) == 2:
        return [tuple(v.value if v.kind == "num" else None for v in values)]
    if len(values) == 1 and values[0].kind == "num" and values[0].glued:
        return splits(values[0].text)
    return None   # one spaced value for two columns, or none: which column is unknown


def _fits(child: tuple, parent: tuple) -> bool:
    return all(c is None or p is None or c <= p for c, p in zip(child, parent))


def solve(cands: dict[str, list[tuple]], parent: dict[str, str | None]) -> dict[str, list[tuple]]:
    """Keep a reading only if it fits some reading of its parent and of each child; repeat to a fixed point."""
    children = defaultdict(list)
    for rid, p in parent.items():
        if p in cands and rid in cands:
            children[p].append(rid)
    changed = True
    while changed:
        changed = False
        for rid in cands:
            kept = [c for c in cands[rid]
                    if (parent.get(rid) not in cands or any(_fits(c, p) for p in cands[parent[rid]]))
                    and all(any(_fits(k, c) for k in cands[ch]) for ch in children[rid])]
            if len(kept) != len(cands[rid]):
                cands[rid], changed = kept, True
    return cands


def _split_token(t: Token, value: int) -> Token:
    return dataclasses.replace(t, text=str(value), key=str(value), value=value, glued=False)


def parse_appendix(tokens: list[Token]) -> Parsed | None:
    head = _head(tokens)
    if head is None:
        return None
    s = dataclasses.replace(spec(FID, TID), column_labels=("本年度", "历年累计"))
    read, last = _read(tokens, head + 1, s)
    if len(read) < 3:
        return None
    cands = {rid: c for rid, values in read.items() if (c := _candidates(values)) is not None}
    solve(cands, {r["id"]: r.get("parent") for r in s.rows})
    rows, cells, problems, repairs = {}, {}, [], []
    for rid in s.data_rows():
        values = read.get(rid)
        if values is None:
            problems.append(f"{rid}: 未找到该行 (row not found)")
        elif rid not in cands:
            problems.append(f"{rid}: {len(values)} 个数值，应为 2 个 (values cannot be placed)")
        elif len(cands[rid]) != 1:
            shown = "、".join(f"{a}/{b}" for a, b in cands[rid][:4]) or "无"
            problems.append(f"{rid}: 粘连的数字 {values[0].text} 无法确定拆分 (glued cells cannot be split; "
                            f"readings: {shown})")
        if rid not in cands or len(cands[rid]) != 1:
            rows[rid] = {c: None for c in s.columns}
            continue
        pair = cands[rid][0]
        rows[rid] = dict(zip(s.columns, pair))
        if len(values) == 2:
            cells[rid] = values
            continue
        cells[rid] = [_split_token(values[0], v) for v in pair]
        # one repair per row (a cell path would read as a blank cell filled from an identity)
        repairs.append({"field": f"tables.{TID}.rows.{rid}", "rule": "粘连单元格按本年度≤历年累计、分项≤合计拆分 "
                        "(glued cells split by arithmetic)", "before": values[0].text,
                        "after": f"{pair[0]} / {pair[1]}", "where": f"line {values[0].line + 1}"})
    status = "incomplete" if problems else "ok"
    return Parsed(TID, s, rows, cells, status, head, last, problems, repairs=repairs)
