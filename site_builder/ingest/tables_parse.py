"""The parsers of the four table kinds: 表二 sub-blocks, 表三, 表四 and the 2014 统计表."""

from __future__ import annotations

from site_builder.ingest.tables_read import Parsed, _finish, _find_label, _header_start, place, read_rows
from site_builder.ingest.tables_reference import (STATS_UNITS, T4_HEADER_CHARS, Spec, lookup, match_label,
                                                  reference, spec)
from site_builder.ingest.tables_tokens import Token, key

def parse_t2(tokens: list[Token], fid: str) -> list[Parsed]:
    out = []
    for table in reference()[fid]["tables"]:
        tid = table["id"]
        if not tid.startswith("t2_"):
            continue
        s = spec(fid, tid)
        title_keys = {key(s.title): tid, key(s.title).replace("(", "").replace(")", ""): tid}
        found = _find_label(tokens, title_keys)
        if found:
            j, _, used = found
            reads, last = read_rows(tokens, j + used, s)
            first = j
        else:
            # no title line (de-duplicated, or never there): a row label right after this block's headers
            reads, first, last = {}, None, None
            for k in range(1, len(tokens)):
                if tokens[k].kind == "text" and lookup(tokens[k].key, s.row_keys) and \
                        tokens[k - 1].kind == "text" and tokens[k - 1].key == key(s.column_labels[-1]):
                    first = _header_start(tokens, k, s)
                    reads, last = read_rows(tokens, k, s)
                    break
        if not reads:
            continue
        rows, cells, problems = _finish(tokens, s, reads)
        out.append(Parsed(tid, s, rows, cells, "incomplete" if problems else "ok", first, last, problems))
    return out


def _t3_variant(tokens: list[Token]) -> str:
    s21 = spec("gov2021", "t3_applications")
    sub_rows = {k: v for k, v in s21.row_keys.items() if v.startswith("other_overdue")}
    for t in tokens:
        if t.kind == "text" and len(t.key) < 80 and lookup(t.key, sub_rows):
            return "gov2021"
    return "gov2019"


def parse_t3(tokens: list[Token], fid: str) -> Parsed | None:
    s = spec(fid, "t3_applications")
    start = 0
    while True:
        found = _find_label(tokens, s.row_keys, start)
        if not found:
            return None
        j = found[0]
        reads, last = read_rows(tokens, j, s)
        with_values = sum(1 for r in reads.values() if r.values)
        if with_values >= 1 or len(reads) >= 5:
            break
        start = j + 1  # a lone label (a heading-like line): not the table
    first = _header_start(tokens, j, s)
    rows, cells, problems = _finish(tokens, s, reads)
    return Parsed("t3_applications", s, rows, cells, "incomplete" if problems else "ok", first, last, problems)


def _t4_header(t: Token, s: Spec) -> bool:
    if t.kind == "empty":
        return True
    if t.kind != "text":
        return False
    return t.key in s.header_keys or (len(t.key) <= 30 and set(t.key) <= T4_HEADER_CHARS)


def parse_t4(tokens: list[Token], fid: str) -> Parsed | None:
    s = spec(fid, "t4_review_litigation")
    for j, t in enumerate(tokens):
        if t.kind != "text" or t.key not in ("行政复议", "行政复议行政诉讼"):
            continue
        k = j + 1
        if t.key == "行政复议":
            while k < len(tokens) and tokens[k].kind == "empty":
                k += 1
            if k >= len(tokens) or tokens[k].key != "行政诉讼":
                continue
            k += 1
        while k < len(tokens) and _t4_header(tokens[k], s):
            k += 1
        collected = []
        while k < len(tokens) and tokens[k].kind in ("num", "blank", "empty"):
            collected.append(tokens[k])
            k += 1
        values = [c for c in collected if c.kind != "empty"]
        last = max(i for i in range(j, k) if tokens[i].kind != "empty")
        if not values:
            if k - j < 6:
                continue  # 行政复议 / 行政诉讼 without the table's header: not the table
            return Parsed("t4_review_litigation", s, {"count": {c: None for c in s.columns}}, {}, "incomplete", j,
                          last, ["count: 0 个数值，应为 15 个 (no values)"])
        lines = {c.line for c in values}
        cells = [c for c in collected if c.line in lines] if len(lines) == 1 and values[0].pipe else []
        placed = place(values, cells, 15)
        if placed is None:
            row = {c: None for c in s.columns}
            return Parsed("t4_review_litigation", s, {"count": row}, {}, "incomplete", j, last,
                          [f"count: {len(values)} 个数值，应为 15 个 (values cannot be placed)"])
        row = {c: (v.value if v.kind == "num" else None) for c, v in zip(s.columns, placed)}
        return Parsed("t4_review_litigation", s, {"count": row}, {"count": placed}, "ok", j, last)
    return None


def _form_head(tokens: list[Token]) -> int | None:
    for j, t in enumerate(tokens):
        if t.kind == "text" and t.key in ("统计指标", "统计指标单位统计数"):
            nxt = [x.key for x in tokens[j + 1:j + 6] if x.kind == "text"]
            if t.key != "统计指标" or "统计数" in nxt:
                return j
    return None


class _FormLabels:
    """Row labels of the 统计表; the same label under 四/五/六 ((一)维持具体行政行为数 …) is the one in the
    current top-level block."""

    def __init__(self, s: Spec):
        self.s = s
        by_id = {r["id"]: r for r in s.rows}
        self.top = {}
        for r in s.rows:
            a = r
            while a.get("parent"):
                a = by_id[a["parent"]]
            self.top[r["id"]] = a["id"]
        self.same_label: dict[str, list[str]] = {}
        for r in s.rows:
            self.same_label.setdefault(key(r["label"]), []).append(r["id"])
        self.labels_by_key = {k: k for k in self.same_label}
        self.block = None

    def match(self, tokens: list[Token], j: int) -> tuple[str, int] | None:
        hit = match_label(tokens, j, self.s.row_keys)
        if not hit:
            return None
        used = hit[1]
        matched = "".join(x.key for x in tokens[j:j + used])
        ids = [r["id"] for r in self.s.rows
               if r["id"] in self.same_label.get(lookup(matched, self.labels_by_key) or "", ())]
        if len(ids) > 1:
            ids = [r for r in ids if self.top[r] == self.block]
            hit = (ids[0], used) if len(ids) == 1 else None
        if hit and self.top[hit[0]] == hit[0]:
            self.block = hit[0]
        return hit


def _skip_empty(tokens: list[Token], k: int) -> int:
    while k < len(tokens) and tokens[k].kind == "empty":
        k += 1
    return k


def _unit_value(tokens: list[Token], k: int) -> tuple[str | None, Token | None, int]:
    """The unit and value cells after a form label at k: (unit, value token, next index)."""
    k = _skip_empty(tokens, k)
    unit = None
    if k < len(tokens) and tokens[k].kind in ("text", "blank") and tokens[k].text in STATS_UNITS:
        unit = tokens[k].text
        k = _skip_empty(tokens, k + 1)
    value = None
    if k < len(tokens) and tokens[k].kind in ("num", "blank"):
        value = tokens[k]
        k += 1
    return unit, value, k


def parse_stats_form(tokens: list[Token]) -> Parsed | None:
    s = spec("pre2019_stats_2014", "stats_form")
    head = _form_head(tokens)
    if head is None:
        return None
    j = head + 1
    while j < len(tokens) and tokens[j].kind in ("text", "empty") and tokens[j].key in ("单位", "统计数", ""):
        j += 1
    rows, cells, extra, problems = {}, {}, [], []
    labels = _FormLabels(s)
    last = j - 1
    while j < len(tokens):
        t = tokens[j]
        if t.kind == "empty":
            j += 1
            continue
        if t.kind != "text" or len(t.key) > 80 or t.key.endswith("。"):
            break
        hit = labels.match(tokens, j)
        used = hit[1] if hit else 1
        label = "".join(x.text for x in tokens[j:j + used])
        unit, value, k = _unit_value(tokens, j + used)
        if not hit and unit is None and value is None:
            break  # not a row of the form: the form has ended
        if hit:
            rid = hit[0]
            if s.is_data(rid):
                if value is None and unit != "——":
                    problems.append(f"{rid}: 无数值 (no value)")
                rows[rid] = {"value": value.value if value is not None and value.kind == "num" else None}
                if value is not None:
                    cells[rid] = [value]
            label = next(r["label"] for r in s.rows if r["id"] == rid)
        extra.append((label, unit or "", value.text if value is not None else ""))
        last = k - 1
        j = k
    if len(rows) < 3:
        return None
    return Parsed("stats_form", s, rows, cells, "incomplete" if problems else "ok", head, last, problems, extra)
