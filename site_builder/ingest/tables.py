"""Statistics tables of the annual reports: recognise, rebuild, check; and the headline figures.

    from site_builder.ingest.tables import extract_tables
    result = extract_tables(lines, year_hint, raw_text=source)   # -> TablesResult

Tables arrive flattened in many shapes (one cell per line, rows joined by `|` with empty cells, several cells on
a line, labels split over lines or spaced, blank cells dropped, Markdown tables from HTML with merged cells
expanded as empty cells, blank-line runs for empty cells, cells glued into one line). The text becomes a stream
of tokens (tables_tokens.py, tables_glued.py); each table is read by walking its labels from the format
reference (tables_reference.py): after a data-row label come its values, up to the next label (tables_read.py,
tables_layout.py; the parsers in tables_parse.py and tables_appendix.py). A row whose values cannot be placed
is never guessed: it stays null and the table incomplete; a table that cannot be rebuilt stays as text with a
warning. Arithmetic identities (勾稽关系) are checked and failures reported, never fixed (tables_check.py);
the only values filled are a single blank cell of an identity, recorded as a repair. Rebuilt tables become
Markdown (tables_markdown.py). The format is detected from the labels, never from the year. The headline
figures come from the tables, else from explicit prose (tables_stats.py, tables_prose*.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from site_builder.ingest.tables_appendix import parse_appendix
from site_builder.ingest.tables_check import _fill, check
from site_builder.ingest.tables_layout import apply_gaps, line_gaps
from site_builder.ingest.tables_markdown import _fmt, markdown
from site_builder.ingest.tables_parse import parse_stats_form, parse_t2, parse_t3, parse_t4, _t3_variant
from site_builder.ingest.tables_read import Parsed
from site_builder.ingest.tables_reference import FORMAT_NAMES, STAT_KEYS, TABLE_NAMES, reference, spec, splitter
from site_builder.ingest.tables_stats import headline_stats
from site_builder.ingest.tables_tokens import Token, key, tokenize

__all__ = ["STAT_KEYS", "TablesResult", "extract_tables"]


@dataclass(frozen=True)
class TablesResult:
    format: str | None                 # "2019" | "2021" | "pre2019" | None
    tables: dict                       # table id → {status, rows, checks_failed, raw?, problems?}
    stats: dict                        # the five headline figures (None = not stated)
    blocks: list                       # (start, end_exclusive, markdown) replacing lines[start:end]
    warnings: list
    repairs: list = field(default_factory=list)
    approx: list = field(default_factory=list)   # stats keys whose figure the text gives as approximate


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


def _parse_all(tokens: list[Token], warnings: list[str]) -> tuple[str | None, list[Parsed]]:
    fid, scores = detect_format(tokens)
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
    if fid is None:
        appendix = parse_appendix(tokens)
        if appendix:
            parsed.append(appendix)
            fid = "example_local_2009_putian"
    return fid, parsed


def _entry(p: Parsed, tokens: list[Token], warnings: list[str], repairs: list[dict]) -> tuple[dict, str | None]:
    """The front-matter entry of one parsed table and its Markdown block (None: the text stays)."""
    fills = _fill(p, tokens) if p.status == "ok" else []
    repairs += p.repairs + fills
    failed = check(p) if p.status == "ok" else []
    entry: dict = {"status": "checks_failed" if failed else p.status, "rows": p.rows, "checks_failed": failed}
    raw = {rid: [t.text if t is not None else "" for t in cells] for rid, cells in p.cells.items()
           if any(t is not None and (t.kind != "num" or t.text != _fmt(t.value)) for t in cells)}
    if raw:
        entry["raw"] = raw
    if p.problems:
        entry["problems"] = p.problems
    name = TABLE_NAMES.get(p.tid, f"表二 {p.spec.title}" if p.spec else p.tid)
    for f in failed:
        warnings.append(f"勾稽关系不符 (arithmetic check failed): {f}")
    if p.status != "ok":
        shown = p.problems if len(p.problems) <= 3 else [*p.problems[:3], f"…共 {len(p.problems)} 行"]
        warnings.append(f"{name} 不完整 (incomplete)，未能重建的行保留为空，原文保留: " + "；".join(shown))
        return entry, None
    if p.tid == "appendix":  # the page shows it from front matter; the body keeps the text (its year header)
        return entry, None
    return entry, markdown(p, fills)


def _missing(fid: str | None, tables: dict, lines: list[str], warnings: list[str]) -> None:
    """Tables whose section is there but not the table (an image, an attachment): status missing."""
    heads = _headings(lines)
    missing = {"status": "missing", "rows": {}, "checks_failed": []}
    if fid in ("gov2019", "gov2021"):
        t2_ids = [t["id"] for t in reference()[fid]["tables"] if t["id"].startswith("t2_")]
        if any(t in tables for t in t2_ids):
            for tid in t2_ids:
                if tid not in tables:
                    tables[tid] = dict(missing)
                    warnings.append(f"表二 {spec(fid, tid).title} missing: 该项原文缺失 (image or attachment?)")
        elif "t2" in heads:
            for tid in t2_ids:
                tables[tid] = dict(missing)
            warnings.append("表二 missing (image or attachment?): 主动公开政府信息情况表原文缺失")
    if fid in ("gov2019", "gov2021", None):
        for tid in ("t3_applications", "t4_review_litigation"):
            if tid in heads and tid not in tables and (fid or tables or "t3_applications" in heads):
                tables[tid] = dict(missing)
                title = spec("gov2019", tid).title
                warnings.append(f"{TABLE_NAMES[tid]} missing (image or attachment?): {TABLE_NAMES[tid]}（{title}）"
                                f"在原文中缺失，相关数字未提取")


def _no_overlap(blocks: list, warnings: list[str]) -> list:
    kept: list[tuple[int, int, str]] = []
    for b in sorted(blocks):  # two tables never replace the same line
        if kept and b[0] < kept[-1][1]:
            warnings.append(f"表格位置重叠 (lines {b[0] + 1}–{b[1]})，保留原文 (kept as text)")
            continue
        kept.append(b)
    return kept


def extract_tables(lines: list[str], year_hint: int | None = None, raw_text: str | None = None) -> TablesResult:
    """`raw_text`, the source the lines come from, gives back the runs of blank lines the cleaner collapsed."""
    tokens = tokenize(lines, splitter())
    apply_gaps(tokens, line_gaps(lines, raw_text) if raw_text else None)
    warnings: list[str] = []
    repairs: list[dict] = []
    fid, parsed = _parse_all(tokens, warnings)
    tables: dict = {}
    blocks: list[tuple[int, int, str]] = []
    for p in parsed:
        tables[p.tid], md = _entry(p, tokens, warnings, repairs)
        if md is None:
            continue
        span = _line_span(tokens, p)
        if span is None:
            name = TABLE_NAMES.get(p.tid, f"表二 {p.spec.title}" if p.spec else p.tid)
            warnings.append(f"{name} 与其他文字同行，保留原文 (kept as text)")
            continue
        blocks.append((span[0], span[1], md))
    _missing(fid, tables, lines, warnings)
    stats, approx = headline_stats(tables, lines, year_hint, warnings)
    return TablesResult(format=FORMAT_NAMES.get(fid) if fid else None, tables=tables, stats=stats,
                        blocks=_no_overlap(blocks, warnings), warnings=warnings, repairs=repairs, approx=approx)
