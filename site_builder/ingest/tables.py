"""Statistics tables of the annual reports: recognise, rebuild, check; and the headline figures.

    from site_builder.ingest.tables import extract_tables
    result = extract_tables(lines, year_hint)   # -> TablesResult

Tables arrive flattened in many shapes (one cell per line, rows joined by `|` with empty cells, several cells on
a line, labels split over lines or spaced, blank cells dropped, Markdown tables from HTML with merged cells
expanded as empty cells). The text becomes a stream of tokens (tables_tokens.py); each table is read by walking
its labels from the format reference (site_builder/data/annual-report-tables.json): after a data-row label come
its values, up to the next label. A row whose values cannot be placed is never guessed: it stays null and the
table incomplete; a table that cannot be rebuilt stays as text with a warning. Arithmetic identities (勾稽关系)
are checked and failures reported, never fixed; the only values filled are a single blank cell of an identity,
recorded as a repair. The format is detected from the labels, never from the year.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from site_builder.ingest.tables_prose import proactive_from_prose
from site_builder.ingest.tables_tokens import Splitter, Token, key, tokenize

DATA = Path(__file__).resolve().parent.parent / "data" / "annual-report-tables.json"
STAT_KEYS = ("proactive_total", "applications_received_new", "applications_carried_over", "review_total",
             "litigation_total")
FORMAT_NAMES = {"gov2019": "2019", "gov2021": "2021", "pre2019_stats_2014": "pre2019"}
TABLE_NAMES = {"t3_applications": "表三", "t4_review_litigation": "表四", "stats_form": "政府信息公开情况统计表"}
T4_GROUPS = ("review", "lit_direct", "lit_after_review")
T4_LEAVES = ("maintain", "correct", "other", "pending", "total")
T4_GROUP_LABELS = {"review": "行政复议", "lit_direct": "行政诉讼 / 未经复议直接起诉",
                   "lit_after_review": "行政诉讼 / 复议后起诉"}
T4_HEADER_CHARS = set("行政复议诉讼结果维持纠正其他尚未审结总计经直接起后")
STATS_UNITS = {"条", "件", "次", "篇", "个", "人", "人次", "万元", "元", "——", "—", "项"}
# label cells that may be split over up to this many tokens (`本年新` / `制作数量`; the long （二） label)
MAX_SPLIT = 4


@dataclass(frozen=True)
class TablesResult:
    format: str | None                 # "2019" | "2021" | "pre2019" | None
    tables: dict                       # table id → {status, rows, checks_failed, raw?, problems?}
    stats: dict                        # the five headline figures (None = not stated)
    blocks: list                       # (start, end_exclusive, markdown) replacing lines[start:end]
    warnings: list
    repairs: list = field(default_factory=list)


# --- the format reference -------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def reference() -> dict:
    return {f["id"]: f for f in json.loads(DATA.read_text(encoding="utf-8"))["formats"]}


def _table(fid: str, tid: str) -> dict:
    return next(t for t in reference()[fid]["tables"] if t["id"] == tid)


@dataclass(frozen=True)
class Spec:
    fid: str
    tid: str
    title: str
    columns: tuple            # data column ids, in order
    column_labels: tuple      # their labels (display)
    rows: tuple               # row dicts of the reference, in order
    row_keys: dict            # label key → row id (aliases included)
    header_keys: dict         # header label key → itself (column labels, titles, corner note)
    colspans: tuple | None    # value-cell colspans of 表二 rows (Markdown tables from HTML)

    @property
    def width(self) -> int:
        return len(self.columns)

    def is_data(self, rid: str) -> bool:
        return next(r for r in self.rows if r["id"] == rid).get("data", True)

    def data_rows(self) -> list[str]:
        return [r["id"] for r in self.rows if r.get("data", True)]

    def label_path(self, rid: str) -> str:
        by_id = {r["id"]: r for r in self.rows}
        path, row = [], by_id[rid]
        while row is not None:
            path.insert(0, row["label"])
            row = by_id.get(row.get("parent"))
        return " / ".join(path)


ROW_ALIASES = {"normative_docs": ("规范性文件", "行政规范性文件")}


@lru_cache(maxsize=None)
def spec(fid: str, tid: str) -> Spec:
    table = _table(fid, tid)
    if tid == "t4_review_litigation" or tid == "stats_form":
        columns = tuple(c["id"] for c in table["columns"] if c.get("data"))
    else:
        columns = tuple(table.get("data_columns_in_order") or [c["id"] for c in table["columns"] if c.get("data")])
    col_by_id = {c["id"]: c for c in table["columns"]}
    row_keys = {}
    for r in table["rows"]:
        if not r["label"]:
            continue
        for label in (r["label"], r.get("short_label"), *ROW_ALIASES.get(r["id"], ())):
            if label:
                row_keys.setdefault(key(label), r["id"])
    headers = {key(c["label"]) for c in table.get("columns", [])}
    headers |= {key(x) for x in table.get("linearized") or [] if not x.startswith("V×")}
    if table.get("corner_note"):
        headers.add(key(table["corner_note"]))
    headers -= set(row_keys)
    headers.discard("")
    colspans = None
    if table.get("html_colspans"):
        colspans = tuple(table["html_colspans"].get("value_cells") or ()) or None
    return Spec(fid, tid, table.get("title", tid), columns, tuple(col_by_id[c]["label"] for c in columns),
                tuple(table["rows"]), row_keys, {h: h for h in headers}, colspans)


@lru_cache(maxsize=1)
def splitter() -> Splitter:
    labels = set()
    for fid in ("gov2019", "gov2021", "pre2019_stats_2014"):
        for table in reference()[fid]["tables"]:
            s = spec(fid, table["id"])
            labels |= set(s.row_keys) | set(s.header_keys) | {key(s.title)}
    labels |= {"统计指标", "单位", "统计数", "行政复议", "行政诉讼"}
    return Splitter(labels)


# --- label matching -------------------------------------------------------------------------------------

_DELIMS = "(、,;:"


def lookup(text: str, labels: dict) -> str | None:
    if text in labels:
        return labels[text]
    if len(text) >= 5:  # an abbreviated long label: '(二)部分公开' for '(二)部分公开(区分处理的,…)'
        for label, ident in labels.items():
            if len(label) > len(text) and label.startswith(text) and label[len(text)] in _DELIMS:
                return ident
    return None


def match_label(tokens: list[Token], j: int, labels: dict) -> tuple[str, int] | None:
    """The label starting at token j, possibly split over several tokens: (id, tokens used); longest first."""
    joined, exact, prefix = "", None, None
    for n in range(MAX_SPLIT):
        if j + n >= len(tokens) or tokens[j + n].kind != "text":
            break
        joined += tokens[j + n].key
        if len(joined) > 120:
            break
        if joined in labels:
            exact = (labels[joined], n + 1)
        elif prefix is None or exact is None:
            hit = lookup(joined, labels)
            if hit:
                prefix = (hit, n + 1)
    return exact or prefix


def _is_corner_note(t: Token) -> bool:
    return t.kind == "text" and ("勾稽关系" in t.key or "第三项加第四项" in t.key or t.key.startswith("(本列数据"))


# --- reading rows ---------------------------------------------------------------------------------------

@dataclass
class RowRead:
    label: int                          # index of the label's first token
    label_end: int                      # index after the label's tokens
    values: list = field(default_factory=list)   # num/blank tokens up to the next label


@dataclass
class Parsed:
    tid: str
    spec: Spec | None
    rows: dict                          # row id → {col: value}
    cells: dict                         # row id → [Token|None] as placed (display, raw)
    status: str
    first: int                          # first token index of the table (headers included)
    last: int                           # last token index consumed
    problems: list = field(default_factory=list)
    extra: list = field(default_factory=list)    # stats_form: (label, unit, value text) in order


def read_rows(tokens: list[Token], j: int, s: Spec) -> tuple[dict[str, RowRead], int]:
    """Walk tokens from j: labels of s, each data-row label followed by its values. Returns rows and the last index."""
    rows: dict[str, RowRead] = {}
    seen: dict[str, int] = {}
    current: str | None = None
    last = j - 1
    while j < len(tokens):
        t = tokens[j]
        if t.kind in ("num", "blank"):
            if current is None:
                break
            rows[current].values.append(t)
            last = j
            j += 1
            continue
        if t.kind == "empty":
            j += 1
            continue
        hit = match_label(tokens, j, s.row_keys)
        if hit:
            rid, used = hit
            if rid in seen:
                if tokens[seen[rid]].line == t.line:  # a merged cell repeated on its own row
                    j += used
                    continue
                break  # the same label again: something else begins
            seen[rid] = j
            if s.is_data(rid):
                rows[rid] = RowRead(j, j + used)
                current = rid
            else:
                current = None
            last = j + used - 1
            j += used
            continue
        hit = match_label(tokens, j, s.header_keys)
        if hit or _is_corner_note(t):
            used = hit[1] if hit else 1
            last = j + used - 1
            j += used
            continue
        break
    return rows, last


def _line_cells(tokens: list[Token], r: RowRead) -> list[Token]:
    """Value cells (empty ones included) on the label's own |-joined line, after the label."""
    if not tokens[r.label].pipe:
        return []
    line = tokens[r.label].line
    out = []
    k = r.label_end
    while k < len(tokens) and tokens[k].line == line and tokens[k].kind in ("num", "blank", "empty"):
        out.append(tokens[k])
        k += 1
    return out


def place(values: list[Token], cells: list[Token], width: int, colspans=None) -> list[Token] | None:
    """The row's cells in column order, or None when they cannot be placed without guessing (F7)."""
    if len(values) == width:
        return list(values)
    if not cells or not any(c.kind == "empty" for c in cells):
        return None
    n = len(cells)
    options = []
    if n == width:
        options.append(cells)
    if n > width:
        if all(c.kind == "empty" for c in cells[:n - width]):
            options.append(cells[n - width:])      # a label spanning several grid columns
        if all(c.kind == "empty" for c in cells[width:]):
            options.append(cells[:width])          # colspan residue after the row
    if colspans and len(colspans) == width and sum(colspans) == n and n != width:
        picked, pos, ok = [], 0, True
        for span in colspans:
            picked.append(cells[pos])
            ok = ok and all(c.kind == "empty" for c in cells[pos + 1:pos + span])
            pos += span
        if ok:
            options.append(picked)
    distinct = {tuple(id(c) for c in o): o for o in options}
    if len(distinct) != 1:
        return None
    chosen = next(iter(distinct.values()))
    if sum(1 for c in chosen if c.kind != "empty") != len(values):
        return None  # values on other lines too: not one row
    return chosen


def _grid(tokens: list[Token], reads: dict[str, RowRead], width: int):
    """Markdown tables from HTML keep every grid cell: learn where the values sit, counted from the line's end,
    from the rows whose values are all there; (offsets, cell map, cells per line) or None."""
    ncells: dict[int, int] = {}
    at: dict[tuple[int, int], Token] = {}
    for t in tokens[min((r.label for r in reads.values()), default=0):]:
        if t.pipe:
            ncells[t.line] = max(ncells.get(t.line, 0), t.cell + 1)
            at.setdefault((t.line, t.cell), t)
    seen = set()
    for r in reads.values():
        line = tokens[r.label].line
        if len(r.values) == width and all(v.pipe and v.line == line for v in r.values):
            seen.add(tuple(ncells[line] - v.cell for v in r.values))
    if len(seen) != 1:
        return None
    return next(iter(seen)), at, ncells


def _by_grid(tokens: list[Token], r: RowRead, grid) -> list[Token] | None:
    offsets, at, ncells = grid
    label = tokens[r.label_end - 1]
    if not label.pipe:
        return None
    n = ncells.get(label.line, 0)
    chosen = []
    for o in offsets:
        t = at.get((label.line, n - o))
        if t is None or n - o <= label.cell or t.kind not in ("num", "blank", "empty"):
            return None
        chosen.append(t)
    if sum(1 for c in chosen if c.kind != "empty") != len(r.values):
        return None
    return chosen


def _finish(tokens: list[Token], s: Spec, reads: dict[str, RowRead]) -> tuple[dict, dict, list[str]]:
    rows, cells, problems = {}, {}, []
    grid = _grid(tokens, reads, s.width)
    for rid in s.data_rows():
        r = reads.get(rid)
        placed = place(r.values, _line_cells(tokens, r), s.width, s.colspans) if r else None
        if placed is None and r is not None and grid is not None:
            placed = _by_grid(tokens, r, grid)
        if placed is None:
            rows[rid] = {c: None for c in s.columns}
            if r is None:
                problems.append(f"{rid}: 未找到该行 (row not found)")
            else:
                problems.append(f"{rid}: {len(r.values)} 个数值，应为 {s.width} 个 (values cannot be placed)")
            continue
        rows[rid] = {c: (t.value if t.kind == "num" else None) for c, t in zip(s.columns, placed)}
        cells[rid] = placed
    return rows, cells, problems


def _header_start(tokens: list[Token], j: int, s: Spec) -> int:
    """Walk back from the first row label over the table's header cells."""
    while j > 0:
        t = tokens[j - 1]
        if t.kind == "empty" or _is_corner_note(t) or (t.kind == "text" and lookup(t.key, s.header_keys)):
            j -= 1
            continue
        # a header split over two tokens (`本年新` / `制作数量`)
        if j > 1 and t.kind == "text" and tokens[j - 2].kind == "text" and \
                lookup(tokens[j - 2].key + t.key, s.header_keys):
            j -= 2
            continue
        break
    return j


# --- the tables -----------------------------------------------------------------------------------------

def _find_label(tokens: list[Token], labels: dict, start: int = 0) -> tuple[int, str, int] | None:
    for j in range(start, len(tokens)):
        if tokens[j].kind == "text":
            hit = match_label(tokens, j, labels)
            if hit:
                return j, hit[0], hit[1]
    return None


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


def parse_stats_form(tokens: list[Token]) -> Parsed | None:
    s = spec("pre2019_stats_2014", "stats_form")
    head = None
    for j, t in enumerate(tokens):
        if t.kind == "text" and t.key in ("统计指标", "统计指标单位统计数"):
            nxt = [x.key for x in tokens[j + 1:j + 6] if x.kind == "text"]
            if t.key != "统计指标" or "统计数" in nxt:
                head = j
                break
    if head is None:
        return None
    j = head + 1
    while j < len(tokens) and tokens[j].kind in ("text", "empty") and tokens[j].key in ("单位", "统计数", ""):
        j += 1
    rows, cells, extra, problems = {}, {}, [], []
    by_id = {r["id"]: r for r in s.rows}
    top = {}
    for r in s.rows:
        a = r
        while a.get("parent"):
            a = by_id[a["parent"]]
        top[r["id"]] = a["id"]
    same_label: dict[str, list[str]] = {}
    for r in s.rows:
        same_label.setdefault(key(r["label"]), []).append(r["id"])
    labels_by_key = {k: k for k in same_label}
    block = None
    last = j - 1
    while j < len(tokens):
        t = tokens[j]
        if t.kind == "empty":
            j += 1
            continue
        if t.kind != "text" or len(t.key) > 80 or t.key.endswith("。"):
            break
        hit = match_label(tokens, j, s.row_keys)
        used = hit[1] if hit else 1
        label = "".join(x.text for x in tokens[j:j + used])
        if hit:
            # the same label under 四/五/六 ((一)维持具体行政行为数 …): the one in the current block
            matched = "".join(x.key for x in tokens[j:j + used])
            ids = [r["id"] for r in s.rows if r["id"] in same_label.get(lookup(matched, labels_by_key) or "", ())]
            if len(ids) > 1:
                ids = [r for r in ids if top[r] == block]
                hit = (ids[0], used) if len(ids) == 1 else None
            if hit and top[hit[0]] == hit[0]:
                block = hit[0]
        k = j + used
        while k < len(tokens) and tokens[k].kind == "empty":
            k += 1
        unit = None
        if k < len(tokens) and tokens[k].kind in ("text", "blank") and tokens[k].text in STATS_UNITS:
            unit = tokens[k].text
            k += 1
            while k < len(tokens) and tokens[k].kind == "empty":
                k += 1
        value = None
        if k < len(tokens) and tokens[k].kind in ("num", "blank"):
            value = tokens[k]
            k += 1
        if not hit and unit is None and value is None:
            break  # not a row of the form: the form has ended
        if hit:
            rid = hit[0]
            data = s.is_data(rid)
            if data and value is None and unit != "——":
                problems.append(f"{rid}: 无数值 (no value)")
            if data:
                rows[rid] = {"value": value.value if value is not None and value.kind == "num" else None}
                if value is not None:
                    cells[rid] = [value]
        if hit:
            label = next(r["label"] for r in s.rows if r["id"] == hit[0])
        extra.append((label, unit or "", value.text if value is not None else ""))
        last = k - 1
        j = k
    if len(rows) < 3:
        return None
    return Parsed("stats_form", s, rows, cells, "incomplete" if problems else "ok", head, last, problems, extra)


# --- identities (勾稽关系), repairs ------------------------------------------------------------------------

def _sum(values):
    values = list(values)
    return None if any(v is None for v in values) else sum(values)


def _eq(a, b) -> bool:
    return abs(a - b) < 1e-6


def _t3_parts(s: Spec) -> list[str]:
    return [r["id"] for r in s.rows if r.get("data", True) and r["id"] != "results_total"
            and r.get("parent") in ("results", "denied", "unable", "not_processed", "other")]


def _fill(p: Parsed, tokens: list[Token]) -> list[dict]:
    """Fill a single blank cell of a row identity (表三 row total, 表四 group total), recorded as a repair."""
    repairs = []

    def fill(rid, parts, total_col, label):
        row = p.rows[rid]
        group = [*parts, total_col]
        unknown = [c for c in group if row.get(c) is None]
        if len(unknown) != 1 or rid not in p.cells:
            return
        col = unknown[0]
        if col == total_col:
            value = sum(row[c] for c in parts)
        else:
            value = row[total_col] - sum(row[c] for c in parts if c != col)
        if value < 0:
            return
        cell = p.cells[rid][p.spec.columns.index(col)]
        row[col] = value
        repairs.append({"field": f"tables.{p.tid}.rows.{rid}.{col}", "rule": label, "before": cell.text,
                        "after": value, "where": f"line {cell.line + 1}"})

    if p.tid == "t3_applications":
        cols = list(p.spec.columns)
        for rid in p.rows:
            fill(rid, cols[:-1], "total", "表三 行勾稽: 总计 = 自然人+商业企业+科研机构+社会公益组织+法律服务机构+其他")
    elif p.tid == "t4_review_litigation":
        for g in T4_GROUPS:
            fill("count", [f"{g}_{leaf}" for leaf in T4_LEAVES[:-1]], f"{g}_total",
                 f"表四 {T4_GROUP_LABELS[g]}: 总计 = 结果维持+结果纠正+其他结果+尚未审结")
    return repairs


def check(p: Parsed) -> list[str]:
    failed = []
    rows = p.rows
    if p.tid == "t3_applications":
        labels = dict(zip(p.spec.columns, p.spec.column_labels))
        parts = _t3_parts(p.spec)
        for col in p.spec.columns:
            def get(r, col=col):
                return rows.get(r, {}).get(col)
            lhs = _sum([get("new_received"), get("carried_over")])
            rhs = _sum([get("results_total"), get("carried_forward")])
            if lhs is not None and rhs is not None and not _eq(lhs, rhs):
                failed.append(f"表三 {labels[col]}列: 一+二 ({lhs}) ≠ （七）总计+四 ({rhs})")
            total = get("results_total")
            got = _sum([get(r) for r in parts])
            if got is not None and total is not None and not _eq(got, total):
                failed.append(f"表三 {labels[col]}列: （七）总计 ({total}) ≠ 各项办理结果之和 ({got})")
        for rid, row in rows.items():
            got = _sum([row.get(c) for c in p.spec.columns[:-1]])
            if got is not None and row.get("total") is not None and not _eq(got, row["total"]):
                failed.append(f"表三 {p.spec.label_path(rid)}: 总计 ({row['total']}) ≠ 各类申请人之和 ({got})")
    elif p.tid == "t4_review_litigation":
        row = rows["count"]
        for g in T4_GROUPS:
            got = _sum([row.get(f"{g}_{leaf}") for leaf in T4_LEAVES[:-1]])
            total = row.get(f"{g}_total")
            if got is not None and total is not None and not _eq(got, total):
                failed.append(f"表四 {T4_GROUP_LABELS[g]}: 总计 ({total}) ≠ 结果维持+结果纠正+其他结果+尚未审结 ({got})")
    return failed


# --- Markdown -------------------------------------------------------------------------------------------

def _esc(text) -> str:
    return "" if text is None else str(text).replace("|", "\\|").replace("\n", " ")


def _display(p: Parsed, rid: str, filled: set) -> list[str]:
    cells = p.cells.get(rid)
    if not cells:
        return [""] * p.spec.width
    out = []
    for col, t in zip(p.spec.columns, cells):
        if (rid, col) in filled:
            out.append(f"{_fmt(p.rows[rid][col])}*")
        else:
            out.append(t.text if t is not None else "")
    return out


def _fmt(v) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def markdown(p: Parsed, repairs: list[dict]) -> str:
    filled = {(r["field"].split(".")[3], r["field"].split(".")[4]) for r in repairs
              if r["field"].startswith(f"tables.{p.tid}.")}
    s = p.spec
    lines: list[str] = []

    def row(cells):
        lines.append("| " + " | ".join(_esc(c) for c in cells) + " |")

    if p.tid == "t4_review_litigation":
        row(["类别", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"])
        lines.append("|---|---|---|---|---|---|")
        shown = _display(p, "count", filled)
        for n, g in enumerate(T4_GROUPS):
            row([T4_GROUP_LABELS[g], *shown[n * 5:n * 5 + 5]])
    elif p.tid == "stats_form":
        row(["统计指标", "单位", "统计数"])
        lines.append("|---|---|---|")
        for label, unit, value in p.extra:
            row([label, unit, value])
    else:
        first = "信息内容" if p.tid.startswith("t2_") else "项目"
        if p.tid.startswith("t2_"):
            lines += [f"**{s.title}**", ""]
        row([first, *s.column_labels])
        lines.append("|" + "---|" * (len(s.columns) + 1))
        for rid in s.data_rows():
            row([s.label_path(rid), *_display(p, rid, filled)])
    if filled:
        lines += ["", "\\* 原表空白，据勾稽关系推算 (filled from an arithmetic identity)。"]
    return "\n".join(lines)


# --- format, sections -----------------------------------------------------------------------------------

def detect_format(tokens: list[Token]) -> tuple[str | None, dict]:
    """gov2019 / gov2021 from the marker labels present as cells (not in prose); None when none."""
    cands = set()
    texts = [t for t in tokens if t.kind == "text"]
    for n, t in enumerate(texts):
        if len(t.key) <= 60:
            cands.add(t.key)
        joined = t.key
        for m in range(1, 3):
            if n + m < len(texts) and len(texts[n + m].key) <= 20 and texts[n + m].line - texts[n + m - 1].line <= 2:
                joined += texts[n + m].key
                cands.add(joined)
    scores = {}
    for fid in ("gov2019", "gov2021"):
        hits = set()
        for marker in reference()[fid]["detection_markers"]:
            mk = key(marker)
            for c in cands:
                if c == mk or (c.startswith(mk) and len(c) <= len(mk) + 12) or \
                        (re.match(r"^\d{1,2}\.", c) and mk in c and len(c) <= len(mk) + 40):
                    hits.add(mk)
                    break
        scores[fid] = len(hits)
    if not any(scores.values()):
        return None, scores
    return max(("gov2021", "gov2019"), key=lambda f: scores[f]), scores


_HEADING_T2 = re.compile(r"^[二2][、.]主动公开政府信息情况$")
_HEADING_T3 = re.compile(r"^[三3][、.]收到和处理政府信息公开申请情况$")
_HEADING_T4 = re.compile(r"^[四4][、.].{0,14}行政复议.{0,4}行政诉讼.{0,4}情况(?:情况)?$")


def _headings(lines: list[str]) -> set[str]:
    found = set()
    for line in lines:
        k = key(line)
        if len(k) > 40:
            continue
        if _HEADING_T2.match(k):
            found.add("t2")
        if _HEADING_T3.match(k):
            found.add("t3_applications")
        if _HEADING_T4.match(k):
            found.add("t4_review_litigation")
    return found


# --- entry point ----------------------------------------------------------------------------------------

def _line_span(tokens: list[Token], p: Parsed) -> tuple[int, int] | None:
    """Lines [start, end) of the table, if no line in it carries anything else."""
    start, end = tokens[p.first].line, tokens[p.last].line + 1
    for i, t in enumerate(tokens):
        if start <= t.line < end and not (p.first <= i <= p.last) and t.kind != "empty":
            return None
    return start, end


def extract_tables(lines: list[str], year_hint: int | None = None) -> TablesResult:
    tokens = tokenize(lines, splitter())
    fid, scores = detect_format(tokens)
    warnings: list[str] = []
    repairs: list[dict] = []
    if scores.get("gov2019") and scores.get("gov2021"):
        warnings.append(f"统计表同时出现2019年与2021年格式的标签 ({scores['gov2019']} / {scores['gov2021']})，"
                        f"按{FORMAT_NAMES[fid]}年格式读取 (mixed format labels)")

    parsed: list[Parsed] = []
    if fid:
        parsed += parse_t2(tokens, fid)
    t3_fid = _t3_variant(tokens)
    t3 = parse_t3(tokens, t3_fid)
    if t3:
        parsed.append(t3)
        if fid is None:
            fid = t3_fid
    t4 = parse_t4(tokens, fid or "gov2019")
    if t4:
        parsed.append(t4)
    if fid is None:
        form = parse_stats_form(tokens)
        if form:
            parsed.append(form)
            fid = "pre2019_stats_2014"

    tables: dict = {}
    blocks: list[tuple[int, int, str]] = []
    for p in parsed:
        fills = _fill(p, tokens) if p.status == "ok" else []
        repairs += fills
        failed = check(p) if p.status == "ok" else []
        status = "checks_failed" if failed else p.status
        entry: dict = {"status": status, "rows": p.rows, "checks_failed": failed}
        raw = {rid: [t.text if t is not None else "" for t in cells] for rid, cells in p.cells.items()
               if any(t is not None and (t.kind != "num" or t.text != _fmt(t.value)) for t in cells)}
        if raw:
            entry["raw"] = raw
        if p.problems:
            entry["problems"] = p.problems
        tables[p.tid] = entry
        name = TABLE_NAMES.get(p.tid, f"表二 {p.spec.title}" if p.spec else p.tid)
        for f in failed:
            warnings.append(f"勾稽关系不符 (arithmetic check failed): {f}")
        if p.status != "ok":
            shown = p.problems if len(p.problems) <= 3 else [*p.problems[:3], f"…共 {len(p.problems)} 行"]
            warnings.append(f"{name} 不完整 (incomplete)，未能重建的行保留为空，原文保留: " + "；".join(shown))
            continue
        span = _line_span(tokens, p)
        if span is None:
            warnings.append(f"{name} 与其他文字同行，保留原文 (kept as text)")
            continue
        blocks.append((span[0], span[1], markdown(p, fills)))

    # tables whose section is there but not the table (an image, an attachment)
    heads = _headings(lines)
    if fid in ("gov2019", "gov2021"):
        t2_ids = [t["id"] for t in reference()[fid]["tables"] if t["id"].startswith("t2_")]
        t2_found = [t for t in t2_ids if t in tables]
        if t2_found:
            for tid in t2_ids:
                if tid not in tables:
                    tables[tid] = {"status": "missing", "rows": {}, "checks_failed": []}
                    warnings.append(f"表二 {spec(fid, tid).title} missing: 该项原文缺失 (image or attachment?)")
        elif "t2" in heads:
            for tid in t2_ids:
                tables[tid] = {"status": "missing", "rows": {}, "checks_failed": []}
            warnings.append("表二 missing (image or attachment?): 主动公开政府信息情况表原文缺失")
    if fid in ("gov2019", "gov2021", None):
        for tid in ("t3_applications", "t4_review_litigation"):
            if tid in heads and tid not in tables and (fid or tables or "t3_applications" in heads):
                tables[tid] = {"status": "missing", "rows": {}, "checks_failed": []}
                title = spec("gov2019", tid).title
                warnings.append(f"{TABLE_NAMES[tid]} missing (image or attachment?): {TABLE_NAMES[tid]}（{title}）"
                                f"在原文中缺失，相关数字未提取")

    stats = _stats(tables, lines, year_hint, warnings)
    blocks.sort()
    kept: list[tuple[int, int, str]] = []
    for b in blocks:  # two tables never replace the same line
        if kept and b[0] < kept[-1][1]:
            warnings.append(f"表格位置重叠 (lines {b[0] + 1}–{b[1]})，保留原文 (kept as text)")
            continue
        kept.append(b)
    blocks = kept
    return TablesResult(format=FORMAT_NAMES.get(fid) if fid else None, tables=tables, stats=stats,
                        blocks=blocks, warnings=warnings, repairs=repairs)


def _stats(tables: dict, lines: list[str], year_hint: int | None, warnings: list[str]) -> dict:
    stats = {k: None for k in STAT_KEYS}
    usable = ("ok", "checks_failed")
    t3 = tables.get("t3_applications", {})
    if t3.get("status") in usable:
        stats["applications_received_new"] = t3["rows"].get("new_received", {}).get("total")
        stats["applications_carried_over"] = t3["rows"].get("carried_over", {}).get("total")
    t4 = tables.get("t4_review_litigation", {})
    if t4.get("status") in usable:
        row = t4["rows"]["count"]
        stats["review_total"] = row.get("review_total")
        stats["litigation_total"] = _sum([row.get("lit_direct_total"), row.get("lit_after_review_total")])
    form = tables.get("stats_form", {})
    if form.get("rows"):  # rows of the 统计表 are independent single values
        rows = form["rows"]
        stats["proactive_total"] = rows.get("s1_total", {}).get("value")
        stats["applications_received_new"] = rows.get("s3_received", {}).get("value")
        stats["review_total"] = rows.get("s4", {}).get("value")
        stats["litigation_total"] = rows.get("s5", {}).get("value")
    if stats["proactive_total"] is None:
        value, notes = proactive_from_prose(lines, year_hint)
        if value is not None:
            stats["proactive_total"] = value
            warnings += notes
    return stats
