"""One raw document → front matter + Markdown body."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.content import frontmatter_io

from . import fields as F
from . import regions as R
from .clean import compact, html_to_lines, normalise_text, remove_furniture, text_to_lines
from .decode import decode_bytes
from .dates import covered_year, pick_date, signature_date
from .doctype import classify
from .header import analyse_header
from .issuer import pick_issuer
from .repairs import repair_line, repair_signature_date
from .structure import build_body
from .write import sha256_bytes

DOC_TYPES = ("annual_report", "work_points", "work_plan", "implementation_report", "other")
STATS_KEYS = ("proactive_total", "applications_received_new", "applications_carried_over", "review_total",
              "litigation_total")


@dataclass
class Document:
    source_name: str
    front: dict
    body: str
    warnings: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)  # what needs a person's eye
    encoding: str = ""
    tables_incomplete: list[str] = field(default_factory=list)

    def render(self) -> bytes:
        return frontmatter_io.write(self.front, self.body).encode("utf-8")


def looks_html(text: str) -> bool:
    """A page saved as .txt starts with markup; prose that merely contains a tag (<div>, <svg …) stays text,
    or an unclosed element would swallow the lines after it."""
    head = text[:2000].lstrip().lower()
    return head.startswith("<") and bool(re.search(r"<(?:!doctype\s+html|html|head|body|meta|div|p|table)\b", head))


_URL_LINE = re.compile(r"^(?:url|URL|原文(?:链接|地址|网址)|来源网址|网址|链接)\s*[:：]\s*(https?://\S+)\s*$")


def _source_line_finder(text: str):
    """where(before) → "line N" of the raw text that contains `before` (found on demand: no copy of the text)."""
    cache: dict[str, str] = {}

    def where(before: str) -> str:
        if before not in cache:
            at = text.find(before)
            cache[before] = "body" if at < 0 else f"line {text.count(chr(10), 0, at) + 1}"
        return cache[before]

    return where


def _read(source: bytes | Path, is_html: bool) -> tuple[str, str, str]:
    """(text with normalised line ends and characters, encoding, sha256 of the bytes). A path is read here so
    that the bytes are freed as soon as they are decoded: a big file is never held as bytes and text at once
    for longer than the decoding."""
    data = source.read_bytes() if isinstance(source, Path) else source
    sha = sha256_bytes(data)
    text, encoding = decode_bytes(data, is_html=is_html)
    del data
    return normalise_text(text), encoding, sha


def process(source: bytes | Path, source_name: str, is_html: bool) -> Document:
    text, encoding, sha = _read(source, is_html)
    warnings: list[str] = []
    repairs: list[dict] = []
    meta = None
    if is_html or looks_html(text):
        lines, meta = html_to_lines(text)
    else:
        lines = text_to_lines(text)
    from .linebreaks import restore_line_breaks  # a document scraped as one long line gets its lines back
    lines = restore_line_breaks(lines)

    where_of = _source_line_finder(text)
    url = meta.url if meta else None
    # a crawler may have written the URL as a first/last line
    kept = []
    for line in lines:
        m = _URL_LINE.match(line.strip())
        if m and not url:
            url = m.group(1)
            continue
        if m:
            continue
        kept.append(line)
    lines, removed = remove_furniture(kept)
    if meta:
        removed = removed + list(meta.extra.get("chrome", []))
    if not any(line.strip() for line in lines):
        raise ValueError("no document text found")

    html_titles = [t for t in ((meta.meta_title, meta.h1, meta.title) if meta else ()) if t]
    header = analyse_header(lines, html_titles)
    title = header.title
    if not title:
        warnings.append("title: the text gives no title; left empty")

    # -- body lines: after the title, without the labelled header lines and repeated titles ------------
    body_lines = [line for i, line in enumerate(lines) if i >= header.body_start and i not in header.meta_lines]
    body_lines = _drop_title_repeats(body_lines, title)
    body_lines = _trim_blank(body_lines)

    # -- dates needed as references for repairs ---------------------------------------------------------
    t_year = F.title_year(title)
    date = pick_date(header, meta)
    ref_years = {y for y in (t_year, date.year if date else None) if y}

    # -- repairs (dates and 文号 that lost characters) ---------------------------------------------------
    new_title, recs = repair_line(title, ref_years, "title", "title") if title else (title, [])
    if recs:
        title = new_title
        for r in recs:
            r["where"] = "title"
        repairs += recs
    for lab in header.labelled:
        if lab.key in ("doc_number",) and lab.value:
            v, recs = repair_line(lab.value, ref_years, "doc_number", "")
            for r in recs:
                r["where"] = where_of(r["before"])
            lab.value = v
            repairs += recs
    fixed: list[str] = []
    for line in body_lines:
        new, recs = repair_line(line, ref_years, "body", "")
        if not recs:
            new, recs = repair_signature_date(line, {y for y in (t_year, date.year if date else None) if y}, "")
            if recs and date:
                sig = F.parse_date(new)
                if sig and not (date - _dt.timedelta(days=400) <= sig <= date + _dt.timedelta(days=1)):
                    new, recs = line, []
        for r in recs:
            r["where"] = where_of(r["before"])
        repairs += recs
        fixed.append(new)
    body_lines = fixed

    # -- 文号 --------------------------------------------------------------------------------------------
    doc_number, docno_idx = F.find_own_docno(header.labelled, body_lines, header.pre_title)
    if doc_number:
        for r in repairs:
            if r["field"] == "body" and r["after"] and r["after"] in doc_number:
                r["field"] = "doc_number"

    # -- issuing body -----------------------------------------------------------------------------------
    body_text = "\n".join(body_lines)
    issuing_body, issuer_note = pick_issuer(header, meta, title, body_lines, body_text)
    if issuer_note:
        warnings.append(issuer_note)

    if date is None:
        signed = signature_date(body_lines)
        note = f"; signed (落款) {signed.isoformat()}, which is not a publish date" if signed else ""
        warnings.append("date: the page shows no publish date" + note)

    # -- year / type ------------------------------------------------------------------------------------
    doc_type = classify(title, body_text)
    year, year_note = covered_year(title, body_text, doc_type, date)
    if year_note:
        warnings.append(year_note)

    # -- region -----------------------------------------------------------------------------------------
    evidence = [R.Evidence("title", title or "", R.W_TITLE)]
    if issuing_body:
        evidence.append(R.Evidence("issuing_body", issuing_body, R.W_ISSUER))
    for lab in header.labelled:
        if lab.key in ("source", "publisher") and lab.value:
            evidence.append(R.Evidence(lab.label, lab.value, R.W_LABEL))
    if meta and meta.source:
        evidence.append(R.Evidence("meta source", meta.source, R.W_LABEL))
    if meta and meta.title:
        evidence.append(R.Evidence("html title", meta.title, R.W_SITE))
    if meta and meta.site:
        evidence.append(R.Evidence("site name", meta.site, R.W_SITE))
    for line in header.pre_title[-6:]:
        evidence.append(R.Evidence("site", line, R.W_SITE))
    if doc_number:
        evidence.append(R.Evidence("docno", doc_number, R.W_DOCNO))
    for line in removed:
        if re.search(r"版权所有|主办|承办|Copyright|©|位置", line, re.I):
            evidence.append(R.Evidence("footer", line, R.W_FOOTER))
        if "ICP" in line:
            evidence.append(R.Evidence("icp", line, R.W_ICP))
    res = R.resolve(evidence, _head_and_tail(body_text), issuing_body)
    warnings += res.warnings

    # -- tables -----------------------------------------------------------------------------------------
    from site_builder.ingest.tables import extract_tables

    tres = extract_tables(body_lines, year, raw_text=text)  # the source keeps blank-line runs (empty cells)
    annual = doc_type == "annual_report"
    if annual or tres.tables:  # prose figures of other kinds of document are not reported
        warnings += list(tres.warnings)
        repairs += list(tres.repairs)
    fmt = None
    if annual:
        fmt = tres.format or _format_from_year(year)
    stats = None
    if annual:
        raw = dict(tres.stats or {})
        stats = {k: raw.get(k) for k in STATS_KEYS}
        for k, v in raw.items():
            if k not in stats:
                stats[k] = v
    tables = tres.tables or {}
    approx = [k for k in tres.approx if stats and stats.get(k) is not None]  # shown as 约…, never exact

    body_md = build_body(body_lines, list(tres.blocks or []))

    region = res.region
    front = {
        "title": title,
        "doc_type": doc_type,
        "year": year,
        "date": date.isoformat() if date else None,
        "issuing_body": issuing_body,
        "region": region,
        "doc_number": doc_number,
        "format": fmt,
        "stats": stats,
        "tables": tables,
        "source": {"file": source_name, "sha256": sha, "url": url},
        "repairs": repairs,
        "warnings": warnings,
    }
    if approx:  # after the keys every document has (their order is an interface)
        front["approx"] = approx
    doc = Document(source_name, front, body_md, warnings=warnings, encoding=encoding)
    # what needs a person's eye
    for k in ("year", "date", "issuing_body", "region"):
        if front[k] is None:
            doc.review.append(f"{k} is null")
    if annual and stats:
        nulls = [k for k in STATS_KEYS if stats.get(k) is None]
        if nulls:
            doc.review.append("stats not stated: " + ", ".join(nulls))
    if res.needs_review:
        doc.review.append("region needs checking (see warnings)")
    if repairs:
        doc.review.append(f"{len(repairs)} repair(s) to confirm")
    for tid, tv in sorted(tables.items()) if isinstance(tables, dict) else []:
        status = tv.get("status") if isinstance(tv, dict) else None
        if status and status != "ok":
            doc.tables_incomplete.append(f"{tid}: {status}")
    if doc.tables_incomplete:
        doc.review.append("tables not complete: " + "; ".join(doc.tables_incomplete))
    return doc


def _head_and_tail(text: str, head: int = 20000, tail: int = 3000) -> str:
    """What a document says about its own place is in its opening and its signature: scanning a 20 MB body for
    place names would take minutes and add only the places it talks about."""
    return text if len(text) <= head + tail else text[:head] + "\n" + text[-tail:]


def _format_from_year(year: int | None) -> str | None:
    if year is None:
        return None
    if year >= 2021:
        return "2021"
    if year >= 2019:
        return "2019"
    return "pre2019"


def _trim_blank(lines: list[str]) -> list[str]:
    out = list(lines)
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    # collapse runs of blanks
    res: list[str] = []
    for line in out:
        if not line.strip() and res and not res[-1].strip():
            continue
        res.append(line)
    return res


def _drop_title_repeats(lines: list[str], title: str | None) -> list[str]:
    if not title:
        return lines
    tc = compact(title)
    out = list(lines)
    nonblank = [i for i, line in enumerate(out) if line.strip()][:40]
    drop: set[int] = set()
    for k, i in enumerate(nonblank):
        if i in drop:
            continue
        acc = ""
        for j in nonblank[k:k + 4]:
            acc += compact(out[j])
            if acc == tc:
                drop.update(x for x in nonblank[k:nonblank.index(j) + 1])
                break
            if not tc.startswith(acc):
                break
    return [line for i, line in enumerate(out) if i not in drop]


