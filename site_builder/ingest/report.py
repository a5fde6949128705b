"""`--report`: per document, the extracted fields, the fields ingest is unsure of and why, and what needs a
person's eye."""

from __future__ import annotations

import re
from typing import TextIO

from site_builder.schema import STAT_KEYS

FIELDS = ("title", "doc_type", "year", "date", "issuing_body", "doc_number", "format", "region", "stats")


def unsure(warnings: list[str]) -> list[tuple[str, str]]:
    """(field, why) for each warning that is about one field (`year: not in the title; …`)."""
    out = []
    for msg in warnings:
        m = re.match(r"^([a-z_]+(?:\.[a-z_]+)?)\s*:\s*(.+)$", msg, re.S)
        if m and (m.group(1) in FIELDS or m.group(1) in STAT_KEYS or m.group(1).startswith("stats.")):
            name = m.group(1) if m.group(1) not in STAT_KEYS else f"stats.{m.group(1)}"
            out.append((name, m.group(2)))
    return out


def _fmt(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, dict):
        return ", ".join(f"{k}={_fmt(x)}" for k, x in v.items())
    return str(v)


def print_report(doc, result_status: str, out_name: str, stream: TextIO) -> None:
    fm = doc.front
    w = stream.write
    w(f"== {doc.source_name} -> {out_name} [{result_status}]\n")
    for key in ("title", "doc_type", "year", "date", "issuing_body", "doc_number", "format"):
        w(f"  {key}: {_fmt(fm.get(key))}\n")
    w(f"  region: {_fmt(fm.get('region'))}\n")
    if fm.get("stats") is not None:
        w(f"  stats: {_fmt(fm.get('stats'))}\n")
    tables = fm.get("tables") or {}
    if tables:
        w(f"  tables: {', '.join(sorted(tables))}\n")
    src = fm.get("source") or {}
    w(f"  source: {src.get('file')} ({doc.encoding}) url={_fmt(src.get('url'))}\n")
    for r in fm.get("repairs") or []:
        w(f"  repair: {r.get('field')} {r.get('rule')}: {r.get('before')} -> {r.get('after')} ({r.get('where')})\n")
    about_fields = unsure(fm.get("warnings") or [])
    for name, why in about_fields:
        w(f"  unsure {name}: {why}\n")
    for msg in fm.get("warnings") or []:
        if not any(msg.endswith(why) for _, why in about_fields):
            w(f"  warning: {msg}\n")
    if doc.review:
        for msg in doc.review:
            w(f"  CHECK: {msg}\n")
    else:
        w("  CHECK: nothing flagged\n")
