"""The format reference (annual-report-tables.json) as the table readers need it: each table's Spec (columns,
row labels with aliases, header labels), the label splitter, and label matching that tolerates split and
abbreviated labels."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from site_builder.ingest.tables_tokens import Splitter, Token, key
from site_builder.schema import STAT_KEYS as SCHEMA_STAT_KEYS
from site_builder.schema import table_reference

STAT_KEYS = tuple(SCHEMA_STAT_KEYS)
FORMAT_NAMES = {"gov2019": "2019", "gov2021": "2021", "pre2019_stats_2014": "pre2019",
                "example_local_2009_putian": "pre2019"}
TABLE_NAMES = {"t3_applications": "表三", "t4_review_litigation": "表四", "stats_form": "政府信息公开情况统计表",
               "appendix": "附表"}
T4_GROUPS = ("review", "lit_direct", "lit_after_review")
T4_LEAVES = ("maintain", "correct", "other", "pending", "total")
T4_GROUP_LABELS = {"review": "行政复议", "lit_direct": "行政诉讼 / 未经复议直接起诉",
                   "lit_after_review": "行政诉讼 / 复议后起诉"}
T4_HEADER_CHARS = set("行政复议诉讼结果维持纠正其他尚未审结总计经直接起后")
STATS_UNITS = {"条", "件", "次", "篇", "个", "人", "人次", "万元", "元", "——", "—", "项"}
# label cells that may be split over up to this many tokens (`本年新` / `制作数量`; the long （二） label)
MAX_SPLIT = 4

# --- the format reference -------------------------------------------------------------------------------

def reference() -> dict:
    return table_reference()


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
                if key(label).startswith("其中:"):   # the 其中 often sits on the parent's line or is dropped
                    row_keys.setdefault(key(label)[3:], r["id"])
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
    for fid in ("gov2019", "gov2021", "pre2019_stats_2014", "example_local_2009_putian"):
        for table in reference()[fid]["tables"]:
            s = spec(fid, table["id"])
            labels |= set(s.row_keys) | set(s.header_keys) | {key(s.title)}
    labels |= {"统计指标", "单位", "统计数", "行政复议", "行政诉讼", "本年度"}
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
