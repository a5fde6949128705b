"""The statistics of the annual reports as data: per document, per region over the years, per year across regions.

A figure a report does not state is None and stays None: totals add only stated figures and say how many
reports stated them, never treating a missing figure as 0. Figures from a table that failed its arithmetic
checks are flagged wherever they are shown.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from site_builder.content.model import Document, Site
from site_builder.schema import STAT_KEYS, table_reference
from site_builder.listings import Listings, region_keys

FORMAT_IDS = {"2019": "gov2019", "2021": "gov2021", "pre2019": "pre2019_stats_2014"}

# 表三 outcome groups (total column), in the order of the national format.
OUTCOMES = {
    "granted": "予以公开",
    "partial": "部分公开",
    "denied": "不予公开",
    "unable": "无法提供",
    "not_processed": "不予处理",
    "other": "其他处理",
    "carried_forward": "结转下年度",
}
# the table each headline figure is read from (proactive_total: the 2014 form, else prose)
FIGURE_SOURCE = {"proactive_total": "stats_form", "applications_received_new": "t3_applications",
                 "applications_carried_over": "t3_applications", "review_total": "t4_review_litigation",
                 "litigation_total": "t4_review_litigation"}
_OUTCOME_PARTS = {"denied": "denied_", "unable": "unable_", "not_processed": "np_", "other": "other_"}


@dataclass(frozen=True)
class Figures:
    doc: Document
    values: dict          # STAT_KEYS → number | None
    outcomes: dict | None  # OUTCOMES → number | None, when 表三 was rebuilt
    failed: tuple[str, ...]  # ids of tables whose arithmetic checks failed

    @property
    def flagged(self) -> bool:
        return bool(self.failed)

    def flag(self, key: str) -> bool:
        """Whether the figure comes from a table that failed its arithmetic checks."""
        return FIGURE_SOURCE.get(key) in self.failed


def _total(rows: dict, row_id: str):
    return (rows.get(row_id) or {}).get("total")


def _sum(values):
    values = list(values)
    return None if not values or any(v is None for v in values) else sum(values)


def figures(doc: Document) -> Figures | None:
    """An annual report's figures; None for other kinds of document."""
    if doc.doc_type != "annual_report":
        return None
    stats = doc.stats or {}
    values = {k: stats.get(k) for k in STAT_KEYS}
    t3 = doc.tables.get("t3_applications") or {}
    outcomes = None
    if t3.get("status") in ("ok", "checks_failed"):
        rows = t3.get("rows") or {}
        outcomes = {}
        for key in OUTCOMES:
            prefix = _OUTCOME_PARTS.get(key)
            parts = [r for r in rows if prefix and r.startswith(prefix)]
            outcomes[key] = _sum(_total(rows, r) for r in parts) if parts else _total(rows, key)
    failed = tuple(sorted(t for t, v in doc.tables.items() if isinstance(v, dict) and v.get("status") == "checks_failed"))
    return Figures(doc, values, outcomes, failed)


def _own_report(reports: list[Figures]) -> Figures:
    """Several annual reports for one region and year (the government and its departments): the
    government's own report stands for the region; otherwise the first by title."""
    def rank(f: Figures):
        body = f.doc.issuing_body or ""
        return (0 if ("人民政府" in body or "管委会" in body or not body) else 1, f.doc.title, f.doc.slug)
    return sorted(reports, key=rank)[0]


@dataclass(frozen=True)
class RegionSeries:
    years: tuple[tuple[int, Figures, int], ...]   # (year, the region's figures, number of reports that year)

    def values(self, key: str) -> list[tuple[str, object, bool]]:
        return [(str(y), f.values.get(key), f.flag(key)) for y, f, _ in self.years]


def region_series(site: Site, listings: Listings) -> dict[str, RegionSeries]:
    """Region key → its own annual reports' figures over the years (oldest first)."""
    by_region: dict[str, dict[int, list[Figures]]] = defaultdict(lambda: defaultdict(list))
    for doc in site.documents:
        keys = region_keys(doc)
        f = figures(doc)
        if f and keys and doc.year:
            by_region[keys[-1]][doc.year].append(f)
    return {key: RegionSeries(tuple((y, _own_report(fs), len(fs)) for y, fs in sorted(years.items())))
            for key, years in by_region.items()}


@dataclass(frozen=True)
class Total:
    value: float | int | None   # sum of the stated figures
    stated: int                 # reports that state the figure
    missing: int                # reports that do not


def total(values) -> Total:
    stated = [v for v in values if v is not None]
    return Total(sum(stated) if stated else None, len(stated), len(values) - len(stated))


@dataclass(frozen=True)
class YearTable:
    year: int
    rows: tuple[Figures, ...]                              # by region code, then title
    national: dict                                         # STAT_KEYS → Total
    outcomes: dict                                         # OUTCOMES → Total (over reports with 表三)
    provinces: tuple[tuple[str, int, dict], ...]           # (province, reports, STAT_KEYS → Total)


def year_table(year: int, reports: list[Figures]) -> YearTable:
    """The table of one year's annual reports (`reports`: their figures, in the archive's order)."""
    rows = sorted(reports, key=lambda f: (f.doc.region.code if f.doc.region else "999999", f.doc.title))
    with_t3 = [f for f in rows if f.outcomes]
    by_province: dict[str, list[Figures]] = defaultdict(list)
    for f in rows:
        by_province[(f.doc.region.province if f.doc.region else None) or "全国性或地区不详"].append(f)
    return YearTable(
        year=year, rows=tuple(rows),
        national={k: total([f.values[k] for f in rows]) for k in STAT_KEYS},
        outcomes={k: total([f.outcomes[k] for f in with_t3]) for k in OUTCOMES},
        provinces=tuple((p, len(fs), {k: total([f.values[k] for f in fs]) for k in STAT_KEYS})
                        for p, fs in sorted(by_province.items(), key=lambda kv: _province_code(kv[1]))))


def _province_code(reports: list[Figures]) -> str:
    return reports[0].doc.region.code[:2] if reports[0].doc.region else "99"


# --- table labels (annual-report-tables.json) -----------------------------------------------------------

def table_labels(doc_format: str | None, table_id: str) -> dict:
    """{title, rows: {id: label}, columns: {id: label}} for a table of a document's format."""
    for fid in (FORMAT_IDS.get(doc_format or ""), "gov2021", "gov2019", "pre2019_stats_2014"):
        if not fid:
            continue
        table = next((t for t in table_reference()[fid]["tables"] if t["id"] == table_id), None)
        if table:
            columns = {c["id"]: c["label"] for c in table.get("columns", [])}
            full = {}
            for c in table.get("columns", []):
                parent = columns.get(c.get("parent") or "")
                full[c["id"]] = f"{parent} {c['label']}" if parent and table_id == "t4_review_litigation" else c["label"]
            rows = {r["id"]: r["label"] or "数量" for r in table.get("rows", [])}
            return {"title": table.get("title", table_id), "rows": rows, "columns": full}
    return {"title": table_id, "rows": {}, "columns": {}}


TABLE_ORDER = ("t2_art20_1", "t2_art20_5", "t2_art20_6", "t2_art20_8", "t2_art20_9", "t3_applications",
               "t4_review_litigation", "stats_form")
STATUS_LABELS = {"ok": "已重建", "incomplete": "不完整", "missing": "原文缺失", "checks_failed": "勾稽关系不符"}


def document_tables(doc: Document) -> list[dict]:
    """The document's rebuilt tables, labelled, in the order of the format."""
    out = []
    for table_id in sorted(doc.tables, key=lambda t: (TABLE_ORDER.index(t) if t in TABLE_ORDER else 99, t)):
        table = doc.tables[table_id]
        if not isinstance(table, dict):
            continue
        labels = table_labels(doc.format, table_id)
        rows = table.get("rows") or {}
        columns = []
        for values in rows.values():
            for col in (values or {}):
                if col not in columns:
                    columns.append(col)
        out.append({
            "id": table_id, "title": labels["title"], "status": table.get("status", "ok"),
            "status_label": STATUS_LABELS.get(table.get("status", "ok"), table.get("status")),
            "checks_failed": table.get("checks_failed") or [],
            "columns": [(c, labels["columns"].get(c, c)) for c in columns],
            "rows": [(labels["rows"].get(r, r), [(values or {}).get(c) for c in columns]) for r, values in rows.items()],
        })
    return out


def table_cells(doc: Document):
    """One (table id, table label, row id, row label, column id, column label, value, status) per cell."""
    for table in document_tables(doc):
        row_ids = list((doc.tables[table["id"]].get("rows") or {}).keys())
        for row_id, (row_label, values) in zip(row_ids, table["rows"]):
            for (col_id, col_label), value in zip(table["columns"], values):
                yield table["id"], table["title"], row_id, row_label, col_id, col_label, value, table["status"]
