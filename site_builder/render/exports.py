"""Open data: /data/documents.json and /data/documents.csv (contract in content-schema.md).

The CSV is UTF-8 with a BOM so that spreadsheet programs open the Chinese text correctly.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

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


# -- the open-data page's view of the files: size, rows, the first rows --------------------------------------
PREVIEW_ROWS = 3
PREVIEW_CHARS = 240   # a preview cell or JSON line longer than this is cut (with …)


@dataclass(frozen=True)
class DataFile:
    """One download of /data/ as the open-data page describes it."""

    name: str
    route: str
    size: int                        # bytes, as published
    rows: int                        # records (JSON) or data rows below the header (CSV)
    header: tuple[str, ...] = ()     # CSV: the column names
    preview: tuple = ()              # CSV: the first rows (tuples of cells); JSON: the first lines of the file

    @property
    def size_label(self) -> str:
        """1234567 → '1.2 MB' (1 KB = 1,000 bytes, as the build summary counts)."""
        for unit, scale in (("MB", 1e6), ("KB", 1e3)):
            if self.size >= scale:
                return f"{self.size / scale:.1f} {unit}"
        return f"{self.size} 字节"


def _cut(text: str) -> str:
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"


def describe(route: str, data: bytes) -> DataFile:
    name = route.rsplit("/", 1)[-1]
    text = data.decode("utf-8-sig")
    if name.endswith(".json"):
        records = json.loads(text)
        lines = [line.rstrip(",") for line in text.splitlines()[1:1 + PREVIEW_ROWS] if line not in ("[", "]")]
        return DataFile(name, route, len(data), len(records), (), tuple(_cut(line) for line in lines))
    rows = list(csv.reader(io.StringIO(text)))
    header, body = (tuple(rows[0]), rows[1:]) if rows else ((), [])
    return DataFile(name, route, len(data), len(body), header,
                    tuple(tuple(_cut(cell) for cell in row) for row in body[:PREVIEW_ROWS]))


def data_exports(site: Site, urls: Urls) -> dict[str, bytes]:
    """The open-data files, by route: made once per build (the open-data page describes these very bytes)."""
    from site_builder.render.table_exports import tables_csv

    return {Urls.documents_json: documents_json(site, urls), Urls.documents_csv: documents_csv(site, urls),
            Urls.tables_csv: tables_csv(site, urls)}
