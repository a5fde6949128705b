"""The five headline figures of an annual report: from the rebuilt tables when they give them, else from an
explicit prose statement about the whole body and year (tables_prose.py). Never a part, never a guess."""

from __future__ import annotations

from site_builder.ingest.tables_check import _sum
from site_builder.ingest.tables_prose import proactive_from_prose
from site_builder.ingest.tables_prose_cases import cases_from_prose
from site_builder.ingest.tables_reference import STAT_KEYS


def _trusted(table: dict) -> bool:
    """A table whose rows were all placed, or only lacks rows (a capped text, cells as an image): its placed
    rows are right. One with a row whose values could not be placed is damaged: none of its figures is used."""
    if table.get("status") in ("ok", "checks_failed"):
        return True
    return table.get("status") == "incomplete" and \
        not any("cannot be placed" in p for p in table.get("problems", []))


def _from_tables(tables: dict) -> dict:
    stats = {k: None for k in STAT_KEYS}
    t3 = tables.get("t3_applications", {})
    if _trusted(t3):
        stats["applications_received_new"] = t3["rows"].get("new_received", {}).get("total")
        stats["applications_carried_over"] = t3["rows"].get("carried_over", {}).get("total")
    t4 = tables.get("t4_review_litigation", {})
    if _trusted(t4):
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
    appendix = tables.get("appendix", {})
    if _trusted(appendix):  # the 附表: this year's column
        rows = appendix["rows"]
        for k, rid in (("proactive_total", "active"), ("applications_received_new", "req_total"),
                       ("review_total", "review"), ("litigation_total", "litigation")):
            stats[k] = rows.get(rid, {}).get("this_year")
    return stats


def headline_stats(tables: dict, lines: list[str], year_hint: int | None,
                   warnings: list[str]) -> tuple[dict, list[str]]:
    """(stats, approx keys)."""
    stats = _from_tables(tables)
    approx: list[str] = []
    if stats["proactive_total"] is None:
        figure, notes = proactive_from_prose(lines, year_hint)
        warnings += notes
        if figure is not None:
            stats["proactive_total"] = figure.value
            if figure.approx:
                approx.append("proactive_total")
    if any(stats[k] is None for k in ("applications_received_new", "review_total", "litigation_total")):
        found, notes = cases_from_prose(lines, year_hint)
        warnings += [n for n in notes if stats.get(n.split(":")[0], 0) is None]
        for k, v in found.items():
            if stats[k] is None:
                stats[k] = v
    return stats, approx
