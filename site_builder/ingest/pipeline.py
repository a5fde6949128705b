"""One raw document → front matter + Markdown body."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.content import frontmatter_io
from site_builder.schema import STAT_KEYS

from . import fields as F
from . import regions as R
from .clean import compact, html_to_lines, normalise_text, remove_furniture, text_to_lines
from .decode import decode_bytes
from .dates import covered_year, pick_date, signature_date
from .doctype import classify
from .header import analyse_header
from .issuer import pick_issuer
from .repairs import repair_line, repair_signature_date
from .linebreaks import restore_line_breaks
from .structure import build_body
from .tables import extract_tables
from .write import sha256_bytes



@dataclass
class Ingested:
    """One raw document as ingest made it: front matter, Markdown body, and what needs a person's eye."""

    source_name: str
    front: dict
    body: str
    warnings: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)  # what needs a person's eye
    encoding: str = ""
    tables_incomplete: list[str] = field(default_factory=list)

    def render(self) -> bytes:
        return frontmatter_io.write(self.front, self.body).encode("utf-8")


@dataclass
class _Page:
    """The raw document read into lines: decoded, cleaned, furniture removed (kept aside as evidence)."""

    text: str
    encoding: str
    sha: str
    lines: list[str]
    meta: object | None       # clean.HtmlMeta of an HTML page
    removed: list[str]        # furniture lines: banners, footers (evidence for the region)
    url: str | None


@dataclass
class _Notes:
    warnings: list[str] = field(default_factory=list)
    repairs: list[dict] = field(default_factory=list)


def looks_html(text: str) -> bool:
    """A page saved as .txt starts with markup; prose that merely contains a tag (<div>, <svg …) stays text,
    or an unclosed element would swallow the lines after it."""
    head = text[:2000].lstrip().lower()
    return head.startswith("<") and bool(re.search(r"<(?:!doctype\s+html|html|head|body|meta|div|p|table)\b", head))


_URL_LINE = re.compile(r"^(?:url|URL|原文(?:链接|地址|网址)|来源网址|网址|链接)\s*[:：]\s*(https?://\S+)\s*$")
_FOOTER = re.compile(r"版权所有|主办|承办|Copyright|©|位置", re.I)


def process(source: bytes | Path, source_name: str, is_html: bool) -> Ingested:
    """The pipeline of one document: read → header → body and repairs → fields → region → tables → front."""
    page = _read_page(source, is_html)
    header = analyse_header(page.lines, _html_titles(page.meta))
    notes = _Notes()
    if not header.title:
        notes.warnings.append("title: the text gives no title; left empty")
    date = pick_date(header, page.meta)
    title, body_lines = _repaired(page, header, date, notes)
    doc_number, _ = F.find_own_docno(header.labelled, body_lines, header.pre_title)
    for r in notes.repairs:
        if doc_number and r["field"] == "body" and r["after"] and r["after"] in doc_number:
            r["field"] = "doc_number"
    body_text = "\n".join(body_lines)
    issuing_body, doc_type, year = _fields(page, header, title, date, body_lines, body_text, notes)
    evidence = _evidence(page, header, title, issuing_body, doc_number)
    res = R.resolve(evidence, _head_and_tail(body_text), issuing_body)
    notes.warnings += res.warnings
    fmt, stats, tables, approx, blocks = _statistics(page, body_lines, doc_type, year, notes)
    front = {
        "title": title, "doc_type": doc_type, "year": year, "date": date.isoformat() if date else None,
        "issuing_body": issuing_body, "region": res.region, "doc_number": doc_number, "format": fmt,
        "stats": stats, "tables": tables,
        "source": {"file": source_name, "sha256": page.sha, "url": page.url},
        "repairs": notes.repairs, "warnings": notes.warnings,
    }
    if approx:  # after the keys every document has (their order is an interface)
        front["approx"] = approx
    doc = Ingested(source_name, front, build_body(body_lines, blocks), warnings=notes.warnings,
                   encoding=page.encoding)
    _flag_for_review(doc, res.needs_review)
    return doc


def _read_page(source: bytes | Path, is_html: bool) -> _Page:
    text, encoding, sha = _read(source, is_html)
    meta = None
    if is_html or looks_html(text):
        lines, meta = html_to_lines(text)
    else:
        lines = text_to_lines(text)
    lines = restore_line_breaks(lines)  # a document scraped as one long line gets its lines back
    url = meta.url if meta else None
    kept = []
    for line in lines:  # a crawler may have written the URL as a first/last line
        m = _URL_LINE.match(line.strip())
        if m:
            url = url or m.group(1)
        else:
            kept.append(line)
    lines, removed = remove_furniture(kept)
    if meta:
        removed = removed + list(meta.extra.get("chrome", []))
    if not any(line.strip() for line in lines):
        raise ValueError("no document text found")
    return _Page(text, encoding, sha, lines, meta, removed, url)


def _html_titles(meta) -> list[str]:
    return [t for t in ((meta.meta_title, meta.h1, meta.title) if meta else ()) if t]


def _repaired(page: _Page, header, date, notes: _Notes) -> tuple[str | None, list[str]]:
    """(title, body lines), with dates and 文号 that lost characters restored; every change recorded."""
    where_of = _source_line_finder(page.text)
    body_lines = [line for i, line in enumerate(page.lines)
                  if i >= header.body_start and i not in header.meta_lines]
    body_lines = _trim_blank(_drop_title_repeats(body_lines, header.title))
    title = header.title
    ref_years = {y for y in (F.title_year(title), date.year if date else None) if y}
    if title:
        title, recs = repair_line(title, ref_years, "title", "title")
        notes.repairs += [{**r, "where": "title"} for r in recs]
    for lab in header.labelled:
        if lab.key == "doc_number" and lab.value:
            lab.value, recs = repair_line(lab.value, ref_years, "doc_number", "")
            notes.repairs += [{**r, "where": where_of(r["before"])} for r in recs]
    fixed: list[str] = []
    for line in body_lines:
        new, recs = repair_line(line, ref_years, "body", "")
        if not recs:
            new, recs = _signature_repair(line, ref_years, date)
        notes.repairs += [{**r, "where": where_of(r["before"])} for r in recs]
        fixed.append(new)
    return title, fixed


def _signature_repair(line: str, ref_years: set[int], date) -> tuple[str, list[dict]]:
    """A 落款 date that lost 年/月 is restored only if it falls in the year before the publish date."""
    new, recs = repair_signature_date(line, ref_years, "")
    if recs and date:
        sig = F.parse_date(new)
        if sig and not (date - _dt.timedelta(days=400) <= sig <= date + _dt.timedelta(days=1)):
            return line, []
    return new, recs


def _fields(page: _Page, header, title, date, body_lines: list[str], body_text: str, notes: _Notes):
    """(issuing body, doc type, covered year), with a warning for each one that was not stated plainly."""
    issuing_body, issuer_note = pick_issuer(header, page.meta, title, body_lines, body_text)
    if issuer_note:
        notes.warnings.append(issuer_note)
    if date is None:
        signed = signature_date(body_lines)
        note = f"; signed (落款) {signed.isoformat()}, which is not a publish date" if signed else ""
        notes.warnings.append("date: the page shows no publish date" + note)
    doc_type = classify(title, body_text)
    year, year_note = covered_year(title, body_text, doc_type, date)
    if year_note:
        notes.warnings.append(year_note)
    return issuing_body, doc_type, year


def _evidence(page: _Page, header, title, issuing_body, doc_number) -> list[R.Evidence]:
    """Where the text names its place, strongest first (regions.py weighs them)."""
    meta = page.meta
    evidence = [R.Evidence("title", title or "", R.W_TITLE)]
    if issuing_body:
        evidence.append(R.Evidence("issuing_body", issuing_body, R.W_ISSUER))
    evidence += [R.Evidence(lab.label, lab.value, R.W_LABEL) for lab in header.labelled
                 if lab.key in ("source", "publisher") and lab.value]
    for source, value, weight in (("meta source", meta and meta.source, R.W_LABEL),
                                  ("html title", meta and meta.title, R.W_SITE),
                                  ("site name", meta and meta.site, R.W_SITE)):
        if value:
            evidence.append(R.Evidence(source, value, weight))
    evidence += [R.Evidence("site", line, R.W_SITE) for line in header.pre_title[-6:]]
    if doc_number:
        evidence.append(R.Evidence("docno", doc_number, R.W_DOCNO))
    for line in page.removed:
        if _FOOTER.search(line):
            evidence.append(R.Evidence("footer", line, R.W_FOOTER))
        if "ICP" in line:
            evidence.append(R.Evidence("icp", line, R.W_ICP))
    return evidence


def _statistics(page: _Page, body_lines: list[str], doc_type: str, year, notes: _Notes):
    """(format, stats, tables, approx keys, table blocks of the body) — figures of annual reports only."""
    tres = extract_tables(body_lines, year, raw_text=page.text)  # the source keeps blank-line runs (empty cells)
    annual = doc_type == "annual_report"
    if annual or tres.tables:  # prose figures of other kinds of document are not reported
        notes.warnings += list(tres.warnings)
        notes.repairs += list(tres.repairs)
    fmt = (tres.format or _format_from_year(year)) if annual else None
    stats = None
    if annual:
        raw = dict(tres.stats or {})
        stats = {k: raw.get(k) for k in STAT_KEYS} | raw
    approx = [k for k in tres.approx if stats and stats.get(k) is not None]  # shown as 约…, never exact
    return fmt, stats, tres.tables or {}, approx, list(tres.blocks or [])


def _flag_for_review(doc: Ingested, region_doubt: bool) -> None:
    front = doc.front
    for k in ("year", "date", "issuing_body", "region"):
        if front[k] is None:
            doc.review.append(f"{k} is null")
    stats = front["stats"]
    if stats:
        nulls = [k for k in STAT_KEYS if stats.get(k) is None]
        if nulls:
            doc.review.append("stats not stated: " + ", ".join(nulls))
    if region_doubt:
        doc.review.append("region needs checking (see warnings)")
    if front["repairs"]:
        doc.review.append(f"{len(front['repairs'])} repair(s) to confirm")
    for tid, tv in sorted(front["tables"].items()):
        status = tv.get("status") if isinstance(tv, dict) else None
        if status and status != "ok":
            doc.tables_incomplete.append(f"{tid}: {status}")
    if doc.tables_incomplete:
        doc.review.append("tables not complete: " + "; ".join(doc.tables_incomplete))


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


