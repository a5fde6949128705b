"""A content file's front matter, checked field by field into a ``Document``: every problem found is returned,
each with the line of its field, so that one run shows them all."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

from site_builder.content.markdown import render
from site_builder.content.model import Body, Document, Region
from site_builder.errors import Problem
from site_builder.regions import table as division_table
from site_builder.schema import DOC_TYPES, FORMATS, STAT_KEYS

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


def parse_document(meta: dict[str, Any], body: str, *, path: Path, rel: str, digest: str,
                   lines: dict[str, int] | None = None, base_path: str = "/") -> Document | list[Problem]:
    """Validate the front matter field by field; return the Document or every problem found.

    `lines` (top-level key → line in the file) puts the line of the field into its problem."""
    problems: list[Problem] = []

    def bad(key: str | None, message: str) -> None:
        """A problem with the field `key` (its line in the file when known)."""
        problems.append(Problem(rel, f"front matter: {message}", (lines or {}).get(key) if key else None))

    plain = _plain_data_problem(meta)
    if plain:   # YAML tags, aliases or keys that no consumer (JSON, CSV, templates) can take
        bad(*plain)
        return problems

    title = meta.get("title")
    if title is None and "title" in meta:
        title = _untitled(meta)   # ingest writes `title: null` when the text gives none: never a made-up title
    if not isinstance(title, str) or not title.strip():
        bad('title', "'title' is required and must be text (null when the document has none)")
    doc_type = meta.get("doc_type")
    if not isinstance(doc_type, str) or doc_type not in DOC_TYPES:
        bad('doc_type', f"'doc_type' must be one of {', '.join(DOC_TYPES)}, not {doc_type!r}")
    year = meta.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 1949 <= year <= 2100):
        bad('year', f"'year' must be a year between 1949 and 2100 or null, not {year!r}")
    date = _parse_date(meta.get("date"), bad)
    region = _parse_region(meta.get("region"), bad)
    fmt = meta.get("format")
    if fmt is not None and str(fmt) not in FORMATS:
        bad('format', f"'format' must be one of {', '.join(FORMATS)} or null, not {fmt!r}")
    _check_data(meta, bad)
    slug = meta.get("slug", _slug_from_filename(path))
    if not isinstance(slug, str) or not SLUG.match(slug):
        bad('slug', f"'slug' must be lower-case ASCII letters, digits and '-', not {slug!r}")
    if problems:
        return problems

    from site_builder.urls import document_link

    body_html, body_text = render(body)
    return Document(
        source_path=path, rel_path=rel, slug=slug, title=title.strip(), doc_type=doc_type, year=year,
        date=date, issuing_body=(meta.get("issuing_body") or None), region=region,
        doc_number=meta.get("doc_number") or None, format=str(fmt) if fmt is not None else None,
        stats=dict(meta["stats"]) if meta.get("stats") else None, tables=dict(meta.get("tables") or {}),
        source=dict(meta.get("source") or {}), repairs=tuple(meta.get("repairs") or ()),
        warnings=tuple(str(w) for w in meta.get("warnings") or ()),
        body=Body(body_html, body_text, meta), content_hash=digest, url=document_link(base_path, slug),
        untitled=meta.get("title") is None,
    )


def _check_data(meta: dict, bad) -> None:
    """The figures and the fields that are lists or mappings."""
    stats = meta.get("stats")
    if stats is not None:
        if not isinstance(stats, dict):
            bad('stats', "'stats' must be a mapping or null")
        else:
            for key, value in stats.items():
                if not _number_or_null(value):
                    bad('stats', f"stats.{key} must be a number or null, not {value!r}")
    approx = meta.get("approx")
    if approx is not None and (not isinstance(approx, list)
                               or any(not isinstance(k, str) or k not in STAT_KEYS for k in approx)):
        # the page prefixes 约 to these figures: an unknown key would silently show an exact number
        bad('approx', f"'approx' must be a list of stats keys ({', '.join(STAT_KEYS)}), not {approx!r}")
    for key, kind in (("tables", dict), ("source", dict), ("repairs", list), ("warnings", list)):
        if meta.get(key) is not None and not isinstance(meta.get(key), kind):
            bad(key, f"'{key}' must be a {'mapping' if kind is dict else 'list'}")
    if isinstance(meta.get("tables"), dict):
        for table_id, table in meta["tables"].items():
            problem = _table_problem(table)
            if problem:
                bad('tables', f"tables.{table_id}{problem}")
    for key in ("issuing_body", "doc_number"):
        if meta.get(key) is not None and not isinstance(meta.get(key), str):
            bad(key, f"'{key}' must be text or null, not {meta.get(key)!r}")


def _untitled(meta: dict) -> str:
    """What lists and pages show for a document without a title: who, which year, what kind — marked as such."""
    region = meta.get("region") if isinstance(meta.get("region"), dict) else {}
    who = meta.get("issuing_body") or region.get("county") or region.get("city") or region.get("province") or ""
    year = f"{meta['year']}年" if isinstance(meta.get("year"), int) else ""
    kind = DOC_TYPES.get(meta.get("doc_type"), "文件") if isinstance(meta.get("doc_type"), str) else "文件"
    return f"{who}{year}{kind}（原文无标题）"


MAX_FRONT_MATTER_VALUES = 100_000   # a real document has a few hundred; YAML aliases can multiply a few lines


def _plain_data_problem(meta: dict) -> tuple[str | None, str] | None:
    """(top-level key, problem) unless the front matter is plain data: text keys; text, numbers, booleans, null,
    lists and mappings; no value shared or repeated through YAML aliases beyond reason (a "billion laughs"
    file), no cycles."""
    budget = MAX_FRONT_MATTER_VALUES
    stack: list[tuple[Any, str, str | None, int]] = [(meta, "", None, 0)]
    while stack:
        value, where, top, depth = stack.pop()
        budget -= 1
        if budget < 0 or depth > 50:
            return None, "too many or too deeply nested values (YAML aliases?); refused"
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    return top, f"{where or 'keys'}: keys must be text, not {key!r}"
                stack.append((item, f"{where}.{key}" if where else key, top or key, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{i}]", top, depth + 1) for i, item in enumerate(value))
        elif isinstance(value, float) and not math.isfinite(value):
            return top, f"{where} must be a finite number, not {value!r}"
        elif value is not None and not isinstance(value, (str, int, float, bool, dt.date)):
            return top, f"{where} must be text, a number, a list or a mapping, not {type(value).__name__}"
    return None


def _number_or_null(value: Any) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def _table_problem(table: Any) -> str | None:
    """A rebuilt statistics table: {status: text, rows: {row id: {column id: number or null}}, checks_failed: [...]}."""
    if not isinstance(table, dict):
        return " must be a mapping with status and rows"
    if table.get("status") is not None and not isinstance(table["status"], str):
        return f".status must be text, not {table['status']!r}"
    if table.get("checks_failed") is not None and not isinstance(table["checks_failed"], list):
        return ".checks_failed must be a list"
    rows = table.get("rows")
    if rows is None:
        return None
    if not isinstance(rows, dict):
        return ".rows must be a mapping of row ids to cells"
    for row_id, cells in rows.items():
        if cells is None:
            continue
        if not isinstance(cells, dict):
            return f".rows.{row_id} must be a mapping of column ids to numbers"
        for col_id, value in cells.items():
            if not _number_or_null(value):
                return f".rows.{row_id}.{col_id} must be a number or null, not {value!r}"
    return None


def _parse_date(value: Any, bad) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        bad('date', f"'date' must be an ISO date like 2020-01-31 or null, not {value!r}")
        return None


def _parse_region(value: Any, bad) -> Region | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        bad('region', "'region' must be a mapping with code/province/city/county, or null")
        return None
    code = value.get("code")
    if not isinstance(code, str) or not re.fullmatch(r"\d{6}", code):
        bad('region', f"region.code must be a 6-digit division code in quotes, not {code!r}")
        return None
    if division_table().get(code) is None:
        bad('region', f"region.code {code} is not in the administrative-division table")
        return None
    names = {}
    for key in ("province", "city", "county"):
        name = value.get(key)
        if name is not None and not isinstance(name, str):
            bad('region', f"region.{key} must be text or null, not {name!r}")
            return None
        names[key] = name or None
    return Region(code=code, **names)


def _slug_from_filename(path: Path) -> str:
    """Ingest writes ASCII names; a hand-made file with another name gets a stable ASCII slug."""
    stem = path.stem.lower()
    if SLUG.match(stem):
        return stem
    from site_builder.urls import slugify  # the one place that makes slugs
    return slugify(path.stem)
