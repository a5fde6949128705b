"""Open data: /data/tables.csv, one row per document × rebuilt table cell, with labels (UTF-8 with BOM)."""

from __future__ import annotations

import csv
import io

from site_builder.content.model import Site
from site_builder.stats import table_cells
from site_builder.urls import Urls

COLUMNS = ["url", "title", "region_code", "region_province", "region_city", "region_county", "year", "format",
           "table_id", "table_label", "row_id", "row_label", "column_id", "column_label", "value", "status"]


def table_rows(doc, urls: Urls) -> tuple[bytes, int]:
    """The rows of tables.csv for one document (one per cell of its rebuilt tables), and how many."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    region = doc.region
    head = [urls.absolute(Urls.document(doc.slug)), doc.title, region.code if region else "",
            (region.province or "") if region else "", (region.city or "") if region else "",
            (region.county or "") if region else "", doc.year or "", doc.format or ""]
    cells = list(table_cells(doc))
    for cell in cells:
        writer.writerow(head + ["" if v is None else v for v in cell])
    return out.getvalue().encode("utf-8"), len(cells)


def tables_csv(site: Site, urls: Urls, rows: list[bytes] | None = None) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(COLUMNS)
    rows = rows if rows is not None else [table_rows(doc, urls)[0] for doc in site.documents]
    return ("\ufeff" + out.getvalue()).encode("utf-8") + b"".join(rows)
