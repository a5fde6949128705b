"""`--report`: per document, the extracted fields, warnings and what needs a person's eye."""

from __future__ import annotations

from typing import TextIO


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
    for msg in fm.get("warnings") or []:
        w(f"  warning: {msg}\n")
    if doc.review:
        for msg in doc.review:
            w(f"  CHECK: {msg}\n")
    else:
        w("  CHECK: nothing flagged\n")
