"""Discover content files and parse each into a ``Document``; every problem is collected, none is fatal alone.

A content file is Markdown with YAML front matter (../shared/docs/content-schema.md; read by frontmatter_io).
Parsing one file is a pure function of its bytes, so files can be parsed in parallel and cached by content hash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
import hashlib
import math
import multiprocessing
import os
import pickle
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from site_builder.config import Config
from site_builder.content import frontmatter_io
from site_builder.content.markdown import render
from site_builder.content.model import DOC_TYPES, FORMATS, STAT_KEYS, Body, Document, Region, Site
from site_builder.errors import Problem, SiteError, display_path
from site_builder.regions import table as division_table

MAX_CONTENT_BYTES = 8 * 1024 * 1024   # a real report is < 1 MB; 8 MB is a scraping accident
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
PARALLEL_THRESHOLD = 400              # below this, worker start-up costs more than it saves


def discover(config: Config) -> tuple[list[Path], list[Problem]]:
    """Every ``*.md`` under content/, sorted (a folder's files, then its subfolders'); hidden files skipped;
    links that leave content/ refused. One scandir per folder: a rebuild of 10,000 documents runs this first."""
    root = config.content_path
    if not root.is_dir():
        return [], [Problem(display_path(root, config.root), "content folder does not exist")]
    files: list[Path] = []
    problems: list[Problem] = []
    _scan_folder(root, root, config.root, files, problems)
    return files, problems


def _scan_folder(folder: Path, root: Path, project: Path, files: list, problems: list) -> None:
    with os.scandir(folder) as scan:
        entries = sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name)
    subfolders = []
    for entry in entries:
        if entry.is_dir():   # a link to a folder is not followed, as os.walk(followlinks=False) does not
            if not entry.is_symlink():
                subfolders.append(entry.name)
            continue
        if not entry.name.endswith(".md"):
            continue
        path = folder / entry.name
        if entry.is_symlink() and not path.resolve().is_relative_to(root):
            problems.append(Problem(display_path(path, project), "symbolic link points outside the content folder; refused"))
            continue
        files.append(path)
    for name in subfolders:
        _scan_folder(folder / name, root, project, files, problems)


def load_site(config: Config, jobs: int | None = None, cache: dict | None = None, store=None, hashes=None,
              progress=None, found: tuple | None = None) -> Site:
    """Parse every content file; raise SiteError listing all problems if any file is broken.

    `cache` (path → ((mtime, size), result)) lets a long-running process (watch, serve) re-parse only the
    files that changed since its last call; it is updated in place. `store` (cache.DocumentStore) is the
    on-disk cache of parsed documents across builds; `hashes` (cache.FileHashes) lets it accept a file whose
    stat changed but whose bytes did not. `progress(done, total)` is called as files are parsed.
    Files are parsed in chunks by worker processes (`jobs`, default one per core) above PARALLEL_THRESHOLD.
    `found`: what discover() returned, when the caller has just run it.
    """
    files, problems = found if found is not None else discover(config)   # `found`: discover()'s, if just run
    problems = list(problems)
    results: dict[Path, object] = {}
    todo = []
    for path in files:
        try:
            st = path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            st = stamp = None
        if cache is not None and stamp is not None and cache.get(path, (None,))[0] == stamp:
            results[path] = cache[path][1]
            continue
        if store is not None and st is not None:
            doc = store.get(path, _stat_stamp(st), hashes)
            if doc is not None:
                results[path] = doc
                if hashes is not None:
                    hashes.note(path, _stat_stamp(st), doc.content_hash)
                if cache is not None:
                    cache[path] = (stamp, doc)
                continue
        todo.append((path, stamp, st))
    pack_dir = str(store.pack_dir) if store is not None else None
    chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
    args = [([str(path) for path, _, _ in chunk], str(config.root), pack_dir, config.base_path) for chunk in chunks]
    workers = worker_count(jobs)
    by_name = {str(path): (path, stamp, st) for path, stamp, st in todo}
    done = 0

    def take(outcome) -> None:
        nonlocal done
        pack, blob, failed = outcome
        entries = pickle.loads(blob)
        for name, sha, doc in entries:
            path, stamp, st = by_name[name]
            results[path] = doc = attach(doc, path)
            if hashes is not None and st is not None:
                hashes.note(path, _stat_stamp(st), sha)
            if cache is not None and stamp is not None:
                cache[path] = (stamp, doc)
        if store is not None and pack is not None:
            store.added([(name, _stat_stamp(by_name[name][2]), sha)
                         for name, sha, _ in entries if by_name[name][2] is not None], pack)
        for name, failure in failed:
            results[by_name[name][0]] = failure
        done += len(entries) + len(failed)
        if progress:
            progress(done, len(todo))

    if workers > 1 and len(todo) >= PARALLEL_THRESHOLD:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for outcome in pool.map(_parse_chunk, args):
                take(outcome)
    else:
        for a in args:
            take(_parse_chunk(a))
    if cache is not None:
        for gone in set(cache) - set(files):
            del cache[gone]
    documents = []
    for path in files:
        result = results[path]
        if isinstance(result, Document):
            documents.append(_with_url(result, config.base_path))
        else:
            problems.extend(result)
    if problems:   # two documents that want one URL, too: every problem at once, not after the others are fixed
        from site_builder.urls import Urls, find_collisions
        claims = [(Urls.output_file(Urls.document(d.slug)), d.rel_path) for d in documents]
        problems.extend(Problem(srcs[0], f"wants the same output file {out} as {', '.join(srcs[1:])}")
                        for out, srcs in find_collisions(claims))
        raise SiteError(problems)
    documents.sort(key=lambda d: d.sort_key)
    return Site(config=config, documents=tuple(documents))


CHUNK = 64   # files per parse task: coarse enough to keep workers busy, fine enough for a progress bar


def worker_count(jobs: int | None) -> int:
    """`jobs`, or one worker per core this process may run on."""
    if jobs:
        return max(1, jobs)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _stat_stamp(st) -> tuple[int, int, int]:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _with_url(doc: Document, base_path: str) -> Document:
    """A cached document parsed under another base URL gets this one's link (the rest does not depend on it)."""

    from site_builder.urls import document_link

    url = document_link(base_path, doc.slug)
    return doc if doc.url == url else replace(doc, url=url)


def attach(doc: Document, path: Path) -> Document:
    """A document from a pack gets its content file's path (discover's): packs leave it out, as building 10,000
    Path objects again while unpickling them cost a fifth of loading a cached site. The document is fresh from
    the pack, seen by nobody yet: setting the field is part of making it."""
    object.__setattr__(doc, "source_path", path)
    return doc


def _parse_chunk(args) -> tuple[str | None, bytes, list]:
    """Parse a chunk of files; documents come back pickled once, and the same bytes become a cache pack."""
    names, root, pack_dir, base_path = args
    entries, failed = [], []
    for name in names:
        result = load_file(Path(name), Path(root), base_path)
        if isinstance(result, Document):
            entries.append((name, result.content_hash, replace(result, source_path=None)))   # see cache.attach
        else:
            failed.append((name, result))
    blob = pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
    pack = None
    if pack_dir is not None and entries:
        from site_builder.cache import write_pack
        try:
            pack = write_pack(Path(pack_dir), blob)
        except OSError:   # a read-only or full cache folder only costs speed
            pack = None
    return pack, blob, failed


def load_file(path: Path, root: Path, base_path: str = "/") -> Document | list[Problem]:
    """One content file → its Document (with its page's link under `base_path`), or its problems."""
    rel = display_path(path, root)
    try:
        if path.stat().st_size > MAX_CONTENT_BYTES:
            return [Problem(rel, f"file is larger than {MAX_CONTENT_BYTES // 1024 // 1024} MB; refused")]
        raw = path.read_bytes()
    except OSError as exc:
        return [Problem(rel, f"cannot read file: {exc.strerror or exc}")]
    if b"\x00" in raw:
        return [Problem(rel, "binary file (contains NUL bytes), not Markdown")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [Problem(rel, f"not valid UTF-8 (byte {exc.start}); re-run ingest or convert the file")]
    try:
        meta, body = frontmatter_io.read(text)
    except frontmatter_io.FrontMatterError as exc:
        return [Problem(rel, exc.message, exc.line)]
    return parse_document(meta, body, path=path, rel=rel, digest=hashlib.sha256(raw).hexdigest(),
                          lines=frontmatter_io.key_lines(text), base_path=base_path)


def parse_document(meta: dict[str, Any], body: str, *, path: Path, rel: str, digest: str,
                   lines: dict[str, int] | None = None, base_path: str = "/") -> Document | list[Problem]:
    """Validate the front matter field by field; return the Document or every problem found.

    `lines` (top-level key → line in the file) puts the line of the field into its problem."""
    problems: list[Problem] = []

    def bad(message: str) -> None:
        key = re.match(r"front matter: '?([A-Za-z_][A-Za-z0-9_]*)", message)
        problems.append(Problem(rel, message, (lines or {}).get(key.group(1)) if key else None))

    plain = _plain_data_problem(meta)
    if plain:   # YAML tags, aliases or keys that no consumer (JSON, CSV, templates) can take
        bad(f"front matter: {plain}")
        return problems

    title = meta.get("title")
    if title is None and "title" in meta:
        title = _untitled(meta)   # ingest writes `title: null` when the text gives none: never a made-up title
    if not isinstance(title, str) or not title.strip():
        bad("front matter: 'title' is required and must be text (null when the document has none)")
    doc_type = meta.get("doc_type")
    if not isinstance(doc_type, str) or doc_type not in DOC_TYPES:
        bad(f"front matter: 'doc_type' must be one of {', '.join(DOC_TYPES)}, not {doc_type!r}")
    year = meta.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 1949 <= year <= 2100):
        bad(f"front matter: 'year' must be a year between 1949 and 2100 or null, not {year!r}")
    date = _parse_date(meta.get("date"), bad)
    region = _parse_region(meta.get("region"), bad)
    fmt = meta.get("format")
    if fmt is not None and str(fmt) not in FORMATS:
        bad(f"front matter: 'format' must be one of {', '.join(FORMATS)} or null, not {fmt!r}")
    stats = meta.get("stats")
    if stats is not None:
        if not isinstance(stats, dict):
            bad("front matter: 'stats' must be a mapping or null")
        else:
            for key, value in stats.items():
                if not _number_or_null(value):
                    bad(f"front matter: stats.{key} must be a number or null, not {value!r}")
    approx = meta.get("approx")
    if approx is not None and (not isinstance(approx, list)
                               or any(not isinstance(k, str) or k not in STAT_KEYS for k in approx)):
        # the page prefixes 约 to these figures: an unknown key would silently show an exact number
        bad(f"front matter: 'approx' must be a list of stats keys ({', '.join(STAT_KEYS)}), not {approx!r}")
    for key, kind in (("tables", dict), ("source", dict), ("repairs", list), ("warnings", list)):
        if meta.get(key) is not None and not isinstance(meta.get(key), kind):
            bad(f"front matter: '{key}' must be a {'mapping' if kind is dict else 'list'}")
    if isinstance(meta.get("tables"), dict):
        for table_id, table in meta["tables"].items():
            problem = _table_problem(table)
            if problem:
                bad(f"front matter: tables.{table_id}{problem}")
    for key in ("issuing_body", "doc_number"):
        if meta.get(key) is not None and not isinstance(meta.get(key), str):
            bad(f"front matter: '{key}' must be text or null, not {meta.get(key)!r}")
    slug = meta.get("slug", _slug_from_filename(path))
    if not isinstance(slug, str) or not SLUG.match(slug):
        bad(f"front matter: 'slug' must be lower-case ASCII letters, digits and '-', not {slug!r}")
    if problems:
        return problems

    from site_builder.urls import document_link

    body_html, body_text = render(body)
    return Document(
        source_path=path, rel_path=rel, slug=slug, title=title.strip(), doc_type=doc_type, year=year,
        date=date, issuing_body=(meta.get("issuing_body") or None), region=region,
        doc_number=meta.get("doc_number") or None, format=str(fmt) if fmt is not None else None,
        stats=dict(stats) if stats else None, tables=dict(meta.get("tables") or {}),
        source=dict(meta.get("source") or {}), repairs=tuple(meta.get("repairs") or ()),
        warnings=tuple(str(w) for w in meta.get("warnings") or ()),
        body=Body(body_html, body_text, meta), content_hash=digest, url=document_link(base_path, slug),
    )


def _untitled(meta: dict) -> str:
    """What lists and pages show for a document without a title: who, which year, what kind — marked as such."""
    region = meta.get("region") if isinstance(meta.get("region"), dict) else {}
    who = meta.get("issuing_body") or region.get("county") or region.get("city") or region.get("province") or ""
    year = f"{meta['year']}年" if isinstance(meta.get("year"), int) else ""
    kind = DOC_TYPES.get(meta.get("doc_type"), "文件") if isinstance(meta.get("doc_type"), str) else "文件"
    return f"{who}{year}{kind}（原文无标题）"


MAX_FRONT_MATTER_VALUES = 100_000   # a real document has a few hundred; YAML aliases can multiply a few lines


def _plain_data_problem(meta: dict) -> str | None:
    """Front matter must be plain data: text keys; text, numbers, booleans, null, lists and mappings; no
    value shared or repeated through YAML aliases beyond reason (a "billion laughs" file), no cycles."""
    budget = MAX_FRONT_MATTER_VALUES
    stack: list[tuple[Any, str, int]] = [(meta, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        budget -= 1
        if budget < 0 or depth > 50:
            return "too many or too deeply nested values (YAML aliases?); refused"
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    return f"{where or 'keys'}: keys must be text, not {key!r}"
                stack.append((item, f"{where}.{key}" if where else key, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value))
        elif isinstance(value, float) and not math.isfinite(value):
            return f"{where} must be a finite number, not {value!r}"
        elif value is not None and not isinstance(value, (str, int, float, bool, dt.date)):
            return f"{where} must be text, a number, a list or a mapping, not {type(value).__name__}"
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
        bad(f"front matter: 'date' must be an ISO date like 2020-01-31 or null, not {value!r}")
        return None


def _parse_region(value: Any, bad) -> Region | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        bad("front matter: 'region' must be a mapping with code/province/city/county, or null")
        return None
    code = value.get("code")
    if not isinstance(code, str) or not re.fullmatch(r"\d{6}", code):
        bad(f"front matter: region.code must be a 6-digit division code in quotes, not {code!r}")
        return None
    if division_table().get(code) is None:
        bad(f"front matter: region.code {code} is not in the administrative-division table")
        return None
    names = {}
    for key in ("province", "city", "county"):
        name = value.get(key)
        if name is not None and not isinstance(name, str):
            bad(f"front matter: region.{key} must be text or null, not {name!r}")
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
