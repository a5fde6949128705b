"""Open data: /data/documents.json and /data/documents.csv (contract in content-schema.md).

The CSV is UTF-8 with a BOM so that spreadsheet programs open the Chinese text correctly.
"""

from __future__ import annotations

import csv
import io
import json

from site_builder.content.model import STAT_KEYS, Document, Site
from site_builder.urls import Urls

CSV_COLUMNS = [
    "url", "title", "doc_type", "year", "date", "issuing_body",
    "region_code", "region_province", "region_city", "region_county",
    "doc_number", "format", *[f"stats_{k}" for k in STAT_KEYS],
    "source_file", "source_sha256", "source_url", "repairs_count", "warnings_count",
]


def document_record(doc: Document, urls: Urls) -> dict:
    return {
        "url": urls.absolute(Urls.document(doc.slug)),
        "title": doc.title,
        "doc_type": doc.doc_type,
        "year": doc.year,
        "date": doc.date.isoformat() if doc.date else None,
        "issuing_body": doc.issuing_body,
        "region": None if doc.region is None else {
            "code": doc.region.code, "province": doc.region.province,
            "city": doc.region.city, "county": doc.region.county},
        "doc_number": doc.doc_number,
        "format": doc.format,
        "stats": doc.stats,
        "tables": doc.tables,
        "source": doc.source,
        "repairs": list(doc.repairs),
        "warnings": list(doc.warnings),
    }


def documents_json(site: Site, urls: Urls) -> bytes:
    """A JSON array with one document per line (compact lines: json's fast C encoder, and diffs stay readable)."""
    lines = [json.dumps(document_record(d, urls), ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                        default=str) for d in site.documents]
    return ("[\n" + ",\n".join(lines) + "\n]\n").encode() if lines else b"[]\n"


def flat_row(doc: Document, urls: Urls) -> dict:
    region = doc.region
    stats = doc.stats or {}
    return {
        "url": urls.absolute(Urls.document(doc.slug)), "title": doc.title, "doc_type": doc.doc_type,
        "year": doc.year, "date": doc.date.isoformat() if doc.date else "",
        "issuing_body": doc.issuing_body, "region_code": region.code if region else "",
        "region_province": region.province if region else "", "region_city": region.city if region else "",
        "region_county": region.county if region else "", "doc_number": doc.doc_number,
        "format": doc.format, **{f"stats_{k}": stats.get(k) for k in STAT_KEYS},
        "source_file": doc.source.get("file"), "source_sha256": doc.source.get("sha256"),
        "source_url": doc.source.get("url"), "repairs_count": len(doc.repairs),
        "warnings_count": len(doc.warnings),
    }


def documents_csv(site: Site, urls: Urls) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for doc in site.documents:
        writer.writerow({k: ("" if v is None else v) for k, v in flat_row(doc, urls).items()})
    return ("\ufeff" + out.getvalue()).encode("utf-8")
