"""`site-builder ingest INPUT... --out DIR [--force] [--report] [--jobs N] [--max-size SIZE]`: raw scraped
documents → content/*.md.

Entry point: run_ingest(inputs, out_dir, force, report, stdout, stderr, jobs, progress, max_bytes) -> exit status.

Documents are parsed in forked worker processes, a chunk of documents per task (parsing is nearly all of the
time); the output names, the writing and the manifest stay in this process, in input order, so the output is
byte for byte that of a one-process run (``--jobs 1``).
"""

from __future__ import annotations

import errno
import re
import sys
import time
from pathlib import Path
from typing import TextIO

from site_builder.errors import Problem, print_problems
from site_builder.locks import FolderLock
from site_builder.parallel import fork_map
from site_builder.schema import MAX_CONTENT_BYTES
from site_builder.wording import count

DOC_SUFFIXES = (".txt", ".htm", ".html", ".shtml", ".xhtml")
HTML_SUFFIXES = (".htm", ".html", ".shtml", ".xhtml")
MAX_BYTES = 64 * 1024 * 1024   # default of --max-size: far above any real report, below what 2 GB of RAM holds

__all__ = ["run_ingest", "collect_inputs", "parse_size"]


def parse_size(text: str) -> int:
    """`64M`, `200MB`, `1.5G`, `500000` → bytes (for --max-size); ValueError with a readable message."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?)(?:i?B)?\s*", text, re.I)
    if not m:
        raise ValueError(f"not a size: {text!r} (write e.g. 64M, 200MB, 1G or a number of bytes)")
    scale = {"": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}[m.group(2).upper()]
    return int(float(m.group(1)) * scale)


def _mb(n: int) -> str:
    for unit, scale in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def collect_inputs(inputs: list[Path], stderr: TextIO) -> tuple[list[Path], int]:
    """Files to ingest (folders searched recursively for documents), and the number of missing or refused inputs."""
    files: list[Path] = []
    missing = 0
    for inp in inputs:
        p = Path(inp)
        if p.is_dir():
            found = sorted(
                (q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in DOC_SUFFIXES
                 and not any(part.startswith(".") for part in q.relative_to(p).parts)),
                key=lambda q: q.as_posix(),
            )
            inside = p.resolve()
            for q in found:   # a link in a folder of raw files must not publish a file from elsewhere
                if q.resolve().is_relative_to(inside):
                    files.append(q)
                else:
                    print_problems(Problem(str(q), f"symbolic link points outside {p}; refused"), stderr)
                    missing += 1
        elif p.is_file():
            if p.suffix.lower() in DOC_SUFFIXES:
                files.append(p)
            # other files (truth.json, images …) are not documents: skipped silently
        else:
            print_problems(Problem(str(p), "no such file or directory"), stderr)
            missing += 1
    seen: set[Path] = set()
    unique = []
    for f in files:
        r = f.resolve()
        if r not in seen:
            seen.add(r)
            unique.append(f)
    return unique, missing


def run_ingest(inputs: list[Path], out_dir: Path, force: bool = False, report: bool = False,
               stdout: TextIO | None = None, stderr: TextIO | None = None, jobs: int | None = None,
               progress=None, max_bytes: int = MAX_BYTES) -> int:
    """`progress(stage, done, total)` (build.terminal_progress's) is told of every document handled; a file
    over `max_bytes` is refused with a message naming the option."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    out_dir = Path(out_dir)
    started = time.perf_counter()
    files, failed = collect_inputs([Path(i) for i in inputs], stderr)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        lock = FolderLock(out_dir, "ingest").__enter__()   # one ingest at a time into a folder: a second waits
    except OSError as e:
        print_problems(Problem(str(out_dir), f"cannot create output folder: {e.strerror or e}"), stderr)
        return 1
    try:
        counts = _ingest(files, out_dir, force, report, stdout, stderr, jobs, progress, max_bytes)
    finally:
        lock.__exit__(None, None, None)
    counts["failed"] += failed
    stdout.write(summary(counts, out_dir, time.perf_counter() - started) + "\n")
    return 1 if counts["failed"] else 0


def summary(counts: dict[str, int], out_dir: Path, seconds: float) -> str:
    """One line: what happened to every input."""
    total = sum(counts[k] for k in ("written", "unchanged", "kept", "failed"))
    kept = f", {counts['kept']} kept (edited by hand or not ingest's; --force overwrites)" if counts["kept"] else ""
    warned = f", {counts['warnings']} with warnings (--report shows them)" if counts["warnings"] else ""
    return (f"ingested {count(total, 'document')} into {out_dir} in {seconds:.1f} s: {counts['written']} written, "
            f"{counts['unchanged']} unchanged{kept}, {counts['failed']} failed{warned}")


PARALLEL_DOCS = 8     # below this, forking workers costs more than parsing
CHUNK = 8             # documents per worker task: small enough to keep both cores busy to the end


def _parse(path: Path, keep_doc: bool, max_bytes: int) -> tuple:
    """("ok", input sha256, file bytes, name fields, warnings, doc or None) or ("failed", Problem)."""
    from .decode import DecodeError
    from .pipeline import process

    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise DecodeError(f"file too large: {_mb(size)} (limit {_mb(max_bytes)}; raise it with --max-size)")
        doc = process(path, path.name, is_html=path.suffix.lower() in HTML_SUFFIXES)
        content = doc.render()
        if len(content) > MAX_CONTENT_BYTES:   # said where a person looks, not discovered at build time
            doc.front["warnings"].append(f"size: the content file is {_mb(len(content))}; site-builder build "
                                         f"refuses content files over {_mb(MAX_CONTENT_BYTES)}: trim or split it")
            content = doc.render()
    except (DecodeError, ValueError) as e:
        return ("failed", Problem(str(path), str(e)))
    except OSError as e:
        return ("failed", Problem(str(path), f"cannot read: {e.strerror or e}"))
    except ImportError:
        raise
    except Exception as e:  # never a traceback for one bad input
        return ("failed", Problem(str(path), f"internal error while ingesting: {type(e).__name__}: {e}"))
    fm = doc.front
    name_fields = (fm.get("year"), (fm.get("region") or {}).get("code"), fm.get("doc_type") or "other")
    return ("ok", fm["source"]["sha256"], content, name_fields, len(fm.get("warnings") or []),
            doc if keep_doc else None)


def _parsed(files: list[Path], keep_doc: bool, jobs: int | None, max_bytes: int):
    """Every file's _parse result, in input order; with workers, chunks are parsed ahead meanwhile."""
    if len(files) < PARALLEL_DOCS:
        jobs = 1
    chunks = [files[i:i + CHUNK] for i in range(0, len(files), CHUNK)]
    for chunk in fork_map(lambda part: [_parse(path, keep_doc, max_bytes) for path in part], chunks, jobs):
        yield from chunk


def _ingest(files: list[Path], out_dir: Path, force: bool, report: bool, stdout: TextIO, stderr: TextIO,
            jobs: int | None, progress, max_bytes: int) -> dict[str, int]:
    from .report import print_report
    from .write import Manifest, write_document

    counts = dict.fromkeys(("written", "unchanged", "kept", "failed", "warnings"), 0)
    manifest = Manifest.load(out_dir)
    taken: set[str] = set()
    used_sources: dict[str, Path] = {}
    sources = []
    for path in files:
        source = path.name
        if source in used_sources and used_sources[source].resolve() != path.resolve():
            source = path.as_posix()
        used_sources[source] = path
        sources.append(source)
    if progress:
        progress("ingest", 0, len(files))
    try:   # the manifest is saved however the loop ends (Ctrl-C too): the files written are known as ingest's
        for done, (path, source, parsed) in enumerate(zip(files, sources, _parsed(files, report, jobs, max_bytes)), 1):
            if progress:
                progress("ingest", done, len(files))
            if parsed[0] == "failed":
                print_problems(parsed[1], stderr)
                counts["failed"] += 1
                continue
            _, input_sha, content, name_fields, warnings, doc = parsed
            try:
                res = write_document(out_dir, manifest, source, input_sha, content, name_fields, force, taken)
            except OSError as e:   # the file is as it was (written whole or not at all); a full disk stops the run
                print_problems(Problem(str(e.filename or out_dir), f"cannot write ({path}): {e.strerror or e}"), stderr)
                counts["failed"] += 1
                if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
                    break
                continue
            counts["kept" if res.status.startswith("skipped") else res.status] += 1
            counts["warnings"] += 1 if warnings else 0
            if res.message:
                stdout.write(res.message + "\n")
            if report:
                print_report(doc, res.status, res.name, stdout)
    finally:
        try:
            manifest.save()
        except OSError as e:
            print_problems(Problem(str(manifest.path), f"cannot write manifest: {e.strerror or e}"), stderr)
            counts["failed"] += 1
    return counts
