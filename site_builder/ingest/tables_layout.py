"""Tables flattened one cell per line with a blank line between cells (dev12: `规章` / `` / `0` / `` / `0`):
there an empty cell is one more blank line, so a row `一、本年新收…` / 7 blank lines / ` 0` is six empty cells
and the 总计. Ingest's cleaner collapses runs of blank lines, so the runs are read back from the source text.

The rhythm (blank lines between two cells) is learned from the document's own runs of values, never assumed;
a row is placed by it only when every value stands alone on its line and the cell count then fits exactly.
"""

from __future__ import annotations

from collections import Counter

from site_builder.ingest.clean import normalise_line, normalise_text
from site_builder.ingest.tables_tokens import Token

MIN_EVIDENCE = 4      # pairs of consecutive one-value lines needed to learn the rhythm
MIN_SHARE = 0.75      # the rhythm must be the gap of at least this share of them
LOOKAHEAD = 400       # source lines searched for the next body line (furniture, titles removed in between)


def line_gaps(lines: list[str], raw_text: str) -> list[int | None]:
    """For each line of `lines`, the blank source lines right before it; None where it cannot be aligned."""
    raw = [normalise_line(x) for x in normalise_text(raw_text).split("\n")]
    gaps: list[int | None] = [None] * len(lines)
    pos = 0
    for i, line in enumerate(lines):
        want = normalise_line(line)
        if not want:
            continue
        for j in range(pos, min(len(raw), pos + LOOKAHEAD)):
            if raw[j] == want:
                blanks = 0
                while j - blanks - 1 >= 0 and not raw[j - blanks - 1]:
                    blanks += 1
                gaps[i], pos = blanks, j + 1
                break
    return gaps


def apply_gaps(tokens: list[Token], gaps: list[int | None] | None) -> None:
    if not gaps:
        return
    seen = set()
    for t in tokens:
        if t.line not in seen:
            seen.add(t.line)
            t.gap = gaps[t.line] if t.line < len(gaps) else None


def _alone(tokens: list[Token], k: int) -> bool:
    t = tokens[k]
    return not t.pipe and t.gap is not None and \
        (k + 1 >= len(tokens) or tokens[k + 1].line != t.line) and (k == 0 or tokens[k - 1].line != t.line)


def rhythm(tokens: list[Token]) -> int | None:
    """Blank lines between two cells of a row, from consecutive one-value lines; None when not clear."""
    gaps = Counter()
    for k in range(1, len(tokens)):
        a, b = tokens[k - 1], tokens[k]
        if a.kind == "num" and b.kind == "num" and _alone(tokens, k - 1) and _alone(tokens, k):
            gaps[b.gap] += 1
    if sum(gaps.values()) < MIN_EVIDENCE:
        return None
    gap, n = gaps.most_common(1)[0]
    return gap if gap >= 1 and n >= MIN_SHARE * sum(gaps.values()) else None


def _empty(line: int) -> Token:
    return Token(line, 0, "", "", "empty")


def by_blank_lines(tokens: list[Token], label_end: int, n_values: int, width: int, step: int | None):
    """The row's cells from the blank lines before each value (and before the next label); None if unsure."""
    if step is None or n_values == 0:
        return None
    cells: list[Token] = []
    for k in range(label_end, label_end + n_values):
        if not _alone(tokens, k) or tokens[k].gap < step:
            return None
        cells += [_empty(tokens[k].line)] * (tokens[k].gap - step) + [tokens[k]]
    nxt = label_end + n_values
    if len(cells) < width and nxt < len(tokens) and tokens[nxt].gap is not None and tokens[nxt].gap >= step:
        cells += [_empty(tokens[nxt - 1].line)] * (tokens[nxt].gap - step)   # empty cells ending the row
    return cells if len(cells) == width else None
