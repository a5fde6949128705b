"""Open data: /data/documents.json and /data/documents.csv (contract in content-schema.md).

The CSV is UTF-8 with a BOM so that spreadsheet programs open the Chinese text correctly.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from site_builder.content.model import Document, Site
from site_builder.schema import DOC_TYPES, FORMATS, STAT_KEYS
from site_builder.urls import Urls

# documents.csv's columns with what each holds: the CSV is written and the open-data page explains it from this
CSV_COLUMN_NOTES = [
    (("url",), "文件页网址"),
    (("title",), "标题；原文无标题时为空（网站上显示为本站所拟的说明，注明“原文无标题”）"),
    (("doc_type",), "文件类型：" + " · ".join(f"{k} {v}" for k, v in DOC_TYPES.items())),
    (("year",), "文件所属年度（计划类文件为计划年度）"),
    (("date",), "发布日期（ISO 8601），原文未显示时为空"),
    (("issuing_body",), "发布机关"),
    (("region_code",), "最具体的已知行政区划的6位代码；全国性机关为空"),
    (("region_province", "region_city", "region_county"),
     "省级、地级、县级名称（规范全称）；直辖市的 city 为空；不属于行政区划的新区等放在 city 中"),
    (("doc_number",), "文件自身的文号，无文号为空"),
    (("format",), "年度报告格式：" + " · ".join(FORMATS)),
    *[((f"stats_{k}",), f"{label}（年度报告；原文未列明为空）") for k, label in STAT_KEYS.items()],
    (("source_file", "source_sha256", "source_url"), "原始抓取文件名、其 SHA-256 校验值、原网页地址"),
    (("repairs_count", "warnings_count"), "整理时修复的文字处数、需人工留意的提示条数"),
]
CSV_COLUMNS = [column for columns, _ in CSV_COLUMN_NOTES for column in columns]


def document_record(doc: Document, urls: Urls) -> dict:
    return {
        "url": urls.absolute(Urls.document(doc.slug)),
        "title": None if doc.untitled else doc.title,   # open data says what the text says
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


def _json_line(doc: Document, urls: Urls) -> bytes:
    """One document of documents.json: compact (json's fast C encoder), one per line so diffs stay readable."""
    return json.dumps(document_record(doc, urls), ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str).encode()


def documents_json(site: Site, urls: Urls, lines: list[bytes] | None = None) -> bytes:
    """A JSON array with one document per line (`lines`: each document's, if already made)."""
    lines = lines if lines is not None else [_json_line(d, urls) for d in site.documents]
    return b"[\n" + b",\n".join(lines) + b"\n]\n" if lines else b"[]\n"


def flat_row(doc: Document, urls: Urls) -> dict:
    region = doc.region
    stats = doc.stats or {}
    return {
        "url": urls.absolute(Urls.document(doc.slug)), "title": "" if doc.untitled else doc.title,
        "doc_type": doc.doc_type,
        "year": doc.year, "date": doc.date.isoformat() if doc.date else "",
        "issuing_body": doc.issuing_body, "region_code": region.code if region else "",
        "region_province": region.province if region else "", "region_city": region.city if region else "",
        "region_county": region.county if region else "", "doc_number": doc.doc_number,
        "format": doc.format, **{f"stats_{k}": stats.get(k) for k in STAT_KEYS},
        "source_file": doc.source.get("file"), "source_sha256": doc.source.get("sha256"),
        "source_url": doc.source.get("url"), "repairs_count": len(doc.repairs),
        "warnings_count": len(doc.warnings),
    }


def _csv_rows(rows, columns=None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n") if columns else \
        csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _csv_line(doc: Document, urls: Urls) -> bytes:
    return _csv_rows([{k: ("" if v is None else v) for k, v in flat_row(doc, urls).items()}], CSV_COLUMNS)


def documents_csv(site: Site, urls: Urls, lines: list[bytes] | None = None) -> bytes:
    lines = lines if lines is not None else [_csv_line(d, urls) for d in site.documents]
    return "\ufeff".encode() + _csv_rows([CSV_COLUMNS]) + b"".join(lines)


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


def describe(route: str, data: bytes, rows: int | None = None) -> DataFile:
    """The file as /data/ shows it. `rows`: its number of records, when known (else counted by parsing it)."""
    name = route.rsplit("/", 1)[-1]
    if name.endswith(".json"):
        head = data.split(b"\n", PREVIEW_ROWS + 2)[1:1 + PREVIEW_ROWS]   # one record per line
        lines = [line.decode("utf-8").rstrip(",") for line in head if line not in (b"[", b"]", b"")]
        count = rows if rows is not None else len(json.loads(data.decode("utf-8-sig")))
        return DataFile(name, route, len(data), count, (), tuple(_cut(line) for line in lines))
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    first = [row for _, row in zip(range(PREVIEW_ROWS + 1), reader)]
    header, body = (tuple(first[0]), first[1:]) if first else ((), [])
    count = rows if rows is not None else len(body) + sum(1 for _ in reader)
    return DataFile(name, route, len(data), count, header,
                    tuple(tuple(_cut(cell) for cell in row) for row in body[:PREVIEW_ROWS]))


def data_exports(site: Site, urls: Urls, memo: dict | None = None, faces: dict | None = None) -> tuple[dict, dict]:
    """The open-data files, by route, and their numbers of records: made once per build (the open-data page
    describes these very bytes).

    Each file is one line (or a few rows) per document: `memo` (rel path → (listing-face digest, its lines))
    keeps them from the last build, so that only changed documents are written out again; `faces` gives each
    document's current face digest (render/inputs.py). Both are updated in place."""
    from site_builder.render.table_exports import table_rows, tables_csv

    memo = {} if memo is None else memo
    parts: list[tuple] = []
    for doc in site.documents:
        face = faces[doc.rel_path][2] if faces else None
        known = memo.get(doc.rel_path)
        if face is None or known is None or known[0] != face:
            known = (face, _json_line(doc, urls), _csv_line(doc, urls), *table_rows(doc, urls))
            if face is not None:
                memo[doc.rel_path] = known
        parts.append(known)
    for gone in set(memo) - {d.rel_path for d in site.documents}:
        del memo[gone]
    rows = {Urls.documents_json: len(parts), Urls.documents_csv: len(parts), Urls.tables_csv: sum(p[4] for p in parts)}
    return {Urls.documents_json: documents_json(site, urls, [p[1] for p in parts]),
            Urls.documents_csv: documents_csv(site, urls, [p[2] for p in parts]),
            Urls.tables_csv: tables_csv(site, urls, [p[3] for p in parts])}, rows
