"""What a document page shows beyond its front matter: the body with each statistics table once, the table of
contents, the citation, the bounded related links. Pure functions of a Document (and its region's documents).

Tables. Ingest rebuilds the statistics tables into front matter ``tables`` and also writes them into the body
as Markdown tables (``ingest/tables.py: markdown``): a header row of the format's column labels (``信息内容`` /
``项目`` / ``类别`` / ``统计指标`` first), the format's row labels in the first column, and for 第二十条 tables a
bold title paragraph before it. A body table whose header and row labels are those of a rebuilt table of the
document (annual-report-tables.json, labels compared after NFKC and without white space) is that table's copy:
the page shows the rebuilt, checked table in its place, and the copy's title paragraph goes. A table the
original lacks (status ``missing``) is said under the heading of its section (三、…) when the body has one.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

from site_builder.content.model import Document
from site_builder.schema import STAT_KEYS
from site_builder.schema import format_number
from site_builder.schema import table_reference
from site_builder.stats import FORMAT_IDS, STATUS_LABELS, TABLE_ORDER, table_labels

CN_NUMERALS = "一二三四五六七八九十"
MISSING_NOTE = "此表原文缺失，可能为图片或附件，未能重建。"


def norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", html.unescape(text or "")))


def _strip_tags(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


# --- rebuilt tables, ready to show ------------------------------------------------------------------------

@dataclass
class Column:
    id: str
    label: str
    unit: str | None = None
    unit_note: str | None = None
    group: str | None = None            # t4: 行政复议 / 未经复议直接起诉 / 复议后起诉


@dataclass
class ShownTable:
    id: str
    title: str
    status: str
    status_label: str
    section: int | None
    columns: list[Column] = field(default_factory=list)
    rows: list[tuple[str, str | None, list[str]]] = field(default_factory=list)  # (label, unit, shown values)
    checks_failed: list[str] = field(default_factory=list)
    filled: bool = False                # a value filled from an arithmetic identity (marked *)
    layout: str = "plain"               # plain | review_litigation


def _reference_tables(doc_format: str | None, table_id: str) -> list[dict]:
    """The reference tables of that id, the document's format first (an unknown format: every format's)."""
    out = []
    for fid in (FORMAT_IDS.get(doc_format or ""), "gov2019", "gov2021", "pre2019_stats_2014",
                "example_local_2009_putian"):
        if fid:
            out += [t for t in table_reference()[fid]["tables"] if t["id"] == table_id and t not in out]
    return out


def _reference_table(doc_format: str | None, table_id: str, columns=()) -> dict:
    """The reference table that has the document table's columns (a table of a document without a format
    may be either format's)."""
    candidates = _reference_tables(doc_format, table_id)
    for t in candidates:
        if set(columns) <= {c["id"] for c in t.get("columns", [])}:
            return t
    return candidates[0] if candidates else {}


def _shown(value, signed: bool, is_filled: bool) -> str:
    text = format_number(value)
    if signed and isinstance(value, (int, float)) and value > 0:
        text = "+" + text
    return text + ("*" if is_filled and value is not None else "")


# purchase amounts: the 2019 format gives no unit; reports write 万元 or 元 (annual-report-format.md, F11)
UNIT_NOTES = {"purchase_amount": "原表未注明单位，通常为万元"}


def shown_tables(doc: Document) -> list[ShownTable]:
    """The document's rebuilt tables, in the order of the format, with units, signs and marks."""
    filled = set()   # repairs "tables.<id>.rows.<row>.<column>": a blank cell filled from an identity
    for r in doc.repairs:
        parts = str(r.get("field", "")).split(".") if isinstance(r, dict) else []
        if len(parts) == 5 and parts[0] == "tables":
            filled.add((parts[1], parts[3], parts[4]))
    out = []
    for table_id in sorted(doc.tables, key=lambda t: (TABLE_ORDER.index(t) if t in TABLE_ORDER else 99, t)):
        table = doc.tables[table_id]
        if not isinstance(table, dict):
            continue
        rows = table.get("rows") or {}
        ref = _reference_table(doc.format, table_id, {c for values in rows.values() for c in (values or {})})
        labels = table_labels(doc.format, table_id)
        ref_cols = {c["id"]: c for c in ref.get("columns", [])}
        ref_rows = {r["id"]: r for r in ref.get("rows", [])}
        status = table.get("status", "ok")
        order = ref.get("data_columns_in_order") or [c["id"] for c in ref.get("columns", []) if c.get("data")]
        present = [c for values in rows.values() for c in (values or {})]
        col_ids = [c for c in order if c in present] + [c for c in dict.fromkeys(present) if c not in order]
        columns = []
        for c in col_ids:
            rc = ref_cols.get(c, {})
            parent = ref_cols.get(rc.get("parent") or "", {})
            label = rc.get("label") or labels["columns"].get(c, c)
            label = "本年度" if re.fullmatch(r"(?:19|20)\d{2}年度", label) else label   # the 附表's example year
            columns.append(Column(c, label, rc.get("unit"),
                                  UNIT_NOTES.get(c) if not rc.get("unit") else None, parent.get("label")))
        shown = ShownTable(table_id, ref.get("title") or labels["title"], status, STATUS_LABELS.get(status, status),
                           ref.get("section"), columns, checks_failed=list(table.get("checks_failed") or []),
                           layout="review_litigation" if table_id == "t4_review_litigation" else "plain")
        for rid, values in rows.items():
            rr = ref_rows.get(rid, {})
            label = rr.get("short_label") or rr.get("label") or labels["rows"].get(rid, rid)
            cells = []
            for col in columns:
                is_filled = (table_id, rid, col.id) in filled
                shown.filled |= is_filled
                cells.append(_shown((values or {}).get(col.id), bool(ref_cols.get(col.id, {}).get("signed")),
                                    is_filled))
            shown.rows.append((label, rr.get("unit"), cells))
        out.append(shown)
    return out


# --- the body with each table once -------------------------------------------------------------------------

_TABLE = re.compile(r'(?:<p><strong>(?P<title>[^<]*)</strong></p>\n)?'
                    r'(?P<table><div class="table-scroll"><table class="data-table">\n(?P<inner>.*?)</table></div>\n)', re.S)
_HEADING = re.compile(r'<h([2-6]) id="([^"]+)">(.*?)</h\1>', re.S)


def _signature(ref: dict, table_id: str) -> tuple[list[str], set[str]]:
    """Expected header (as ingest writes it) and the row labels of a reference table, normalised."""
    if table_id == "t4_review_litigation":
        return [norm(x) for x in ("类别", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计")], set()
    cols = [c for c in ref.get("columns", []) if c.get("data") or c.get("role") == "unit"]
    first = "统计指标" if table_id == "stats_form" else ("信息内容" if table_id.startswith("t2_") else "项目")
    return [norm(first)] + [norm(c["label"]) for c in cols], {norm(r["label"]) for r in ref.get("rows", [])}


def _matches(block: str, header: list[str], row_labels: set[str]) -> bool:
    head = re.search(r"<thead>(.*?)</thead>", block, re.S)
    if not head:
        return False
    cells = [norm(_strip_tags(c)) for c in re.findall(r"<th[^>]*>(.*?)</th>", head.group(1), re.S)]
    if cells != header:
        return False
    if not row_labels:
        return True
    body_rows = re.findall(r"<tr>\s*<td[^>]*>(.*?)</td>", block, re.S)
    return any(norm(_strip_tags(label)).endswith(r) for label in body_rows for r in row_labels if r)


def body_parts(doc: Document, tables: list[ShownTable]) -> list[tuple[str, object]]:
    """[("html", str) | ("table", ShownTable) | ("missing", ShownTable)]: the body, each rebuilt table in the
    place of its copy, a missing table said under its section's heading. Tables placed nowhere are returned
    by ``unplaced``."""
    source = doc.body_html
    pending = {t.id: t for t in tables if t.status != "missing"}
    spans: list[tuple[int, int, str, object]] = []
    for m in _TABLE.finditer(source):
        for tid, table in list(pending.items()):
            if any(_matches(m.group("inner"), *_signature(ref, tid)) for ref in _reference_tables(doc.format, tid)):
                titled = m.group("title") is not None and norm(m.group("title")) == norm(table.title)
                start = m.start() if titled else m.start("table")
                spans.append((start, m.end(), "table", table))
                del pending[tid]
                break
    placed = {id(t) for _, _, _, t in spans}
    for table in tables:   # missing, or rebuilt without a copy in the body: under the heading of its section
        if id(table) not in placed and table.section:
            numeral = CN_NUMERALS[table.section - 1] + "、"
            for h in _HEADING.finditer(source):
                if norm(_strip_tags(h.group(3))).startswith(numeral):
                    spans.append((h.end(), h.end(), "missing" if table.status == "missing" else "table", table))
                    break
    spans.sort(key=lambda s: (s[0], s[1]))
    parts: list[tuple[str, object]] = []
    pos = 0
    for start, end, kind, table in spans:
        if start < pos:
            continue
        if start > pos:
            parts.append(("html", source[pos:start]))
        parts.append((kind, table))
        pos = end
    if pos < len(source):
        parts.append(("html", source[pos:]))
    return parts


def unplaced(tables: list[ShownTable], parts: list[tuple[str, object]]) -> list[ShownTable]:
    placed = {id(t) for kind, t in parts if kind != "html"}
    return [t for t in tables if id(t) not in placed]


# --- reading ----------------------------------------------------------------------------------------------

def table_of_contents(body_html: str, body_text: str) -> list[tuple[str, str, int]]:
    """(id, text, level) of the body's sections when the page is longer than a screen: its top-level
    headings (and the next level when there are fewer than three of those)."""
    heads = [(m.group(2), _strip_tags(m.group(3)).strip(), int(m.group(1))) for m in _HEADING.finditer(body_html)]
    if len(heads) < 2 or len(body_text) < 800:
        return []
    top = min(level for _, _, level in heads)
    keep = [h for h in heads if h[2] == top]
    if len(keep) < 3:
        keep = [h for h in heads if h[2] <= top + 1]
    return keep


_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "自治旗",
             "地区", "林区", "新区", "省", "市", "县", "区", "盟", "旗")


def _short_names(name: str) -> set[str]:
    out = {name}
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            out.add(name[: -len(suffix)])
            break
    return out


def place_missing(doc: Document) -> bool:
    """Whether the title names none of the document's regions (2018年政务公开工作要点)."""
    if not doc.region:
        return False
    names = [n for n in (doc.region.province, doc.region.city, doc.region.county) if n]
    return not any(short in doc.title for n in names for short in _short_names(n))


def related(doc: Document, own: tuple[Document, ...], limit: int = 8) -> dict:
    """Bounded links within the document's own region: the same type's other years (nearest first), then
    other types, at most ``limit``; previous / next in time. ``own`` is newest first."""
    others = [d for d in own if d is not doc]
    year = doc.year or 0

    def distance(d: Document):
        return (abs((d.year or 0) - year), -(d.year or 0), d.sort_key)

    same = sorted((d for d in others if d.doc_type == doc.doc_type), key=distance)
    rest = sorted((d for d in others if d.doc_type != doc.doc_type), key=distance)
    picked = same[: max(limit - min(len(rest), limit // 2), limit // 2)]
    picked += rest[: limit - len(picked)]
    picked = sorted(picked, key=lambda d: (-(d.year or 0), d.sort_key))
    index = next((i for i, d in enumerate(own) if d is doc), None)
    newer = own[index - 1] if index else None
    older = own[index + 1] if index is not None and index + 1 < len(own) else None
    same_years = sorted({d.year for d in same if d.year}, reverse=True)
    return {"docs": picked, "same_type_years": [next(d for d in same if d.year == y) for y in same_years][:limit],
            "newer": newer, "older": older}


# --- citing -----------------------------------------------------------------------------------------------

def citation(doc: Document, permalink: str) -> str:
    """GB/T 7714-2015 reference to an electronic resource (8.1.1, 8.8; [EB/OL]):
    主要责任者. 题名[EB/OL]. (发表或更新日期)[引用日期]. 获取和访问路径.
    The 引用日期 is the reader's to fill: the build writes the same bytes for the same input."""
    author = doc.issuing_body or "佚名"
    published = f"({doc.date.isoformat()})" if doc.date else ""
    return f"[1] {author}. {doc.title}[EB/OL]. {published}[引用日期]. {permalink}."


def approx_keys(doc: Document) -> set[str]:
    """Stats keys whose figure the text gives as approximate: front matter ``approx``, and the one ingest's
    prose reading warns about."""
    keys = {k for k in (doc.front_matter.get("approx") or []) if k in STAT_KEYS}
    if any("(approximate)" in w and "主动公开" in w for w in doc.warnings):
        keys.add("proactive_total")
    return keys
