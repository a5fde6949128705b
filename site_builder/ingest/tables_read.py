"""Reading a table's rows from the token stream: after each data-row label its values, up to the next label;
then placing the values in columns without guessing (F7): whole rows, |-joined cells with colspan residue, a
Markdown grid from HTML, or a one-cell-per-line layout whose blank lines mark empty cells."""

from __future__ import annotations

from dataclasses import dataclass, field

from site_builder.ingest.tables_layout import by_blank_lines, rhythm
from site_builder.ingest.tables_reference import Spec, _is_corner_note, lookup, match_label
from site_builder.ingest.tables_tokens import Token

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
    repairs: list = field(default_factory=list)  # changes made while reading (glued cells split)


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


def _contiguous(tokens: list[Token], r: RowRead) -> bool:
    """The row's values follow its label directly (no header cells or empty cells in between)."""
    k = r.label_end
    return all(k + n < len(tokens) and tokens[k + n] is v for n, v in enumerate(r.values))


def _finish(tokens: list[Token], s: Spec, reads: dict[str, RowRead]) -> tuple[dict, dict, list[str]]:
    rows, cells, problems = {}, {}, []
    grid = _grid(tokens, reads, s.width)
    step = rhythm(tokens)
    for rid in s.data_rows():
        r = reads.get(rid)
        placed = place(r.values, _line_cells(tokens, r), s.width, s.colspans) if r else None
        if placed is None and r is not None and grid is not None:
            placed = _by_grid(tokens, r, grid)
        if placed is None and r is not None and _contiguous(tokens, r):
            placed = by_blank_lines(tokens, r.label_end, len(r.values), s.width, step)
        if placed is None:
            rows[rid] = {c: None for c in s.columns}
            if r is None:
                problems.append(f"{rid}: 未找到该行 (row not found)")
            elif not r.values:  # a label and nothing after it: the text ends, or the cells are an image
                problems.append(f"{rid}: 0 个数值，应为 {s.width} 个 (no values)")
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
