"""`site-builder ingest INPUT... --out DIR [--force] [--report]`: raw scraped documents → content/*.md.

Entry point: run_ingest(inputs, out_dir, force, report, stdout, stderr) -> exit status.
"""

from __future__ import annotations

import errno
import sys
from pathlib import Path
from typing import TextIO

from site_builder.errors import Problem
from site_builder.locks import FolderLock

DOC_SUFFIXES = (".txt", ".htm", ".html", ".shtml", ".xhtml")
HTML_SUFFIXES = (".htm", ".html", ".shtml", ".xhtml")
MAX_BYTES = 20 * 1024 * 1024

__all__ = ["run_ingest", "collect_inputs"]


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
                    stderr.write(f"{q}: symbolic link points outside {p}; refused\n")
                    missing += 1
        elif p.is_file():
            if p.suffix.lower() in DOC_SUFFIXES:
                files.append(p)
            # other files (truth.json, images …) are not documents: skipped silently
        else:
            stderr.write(f"{p}: no such file or directory\n")
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
               stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    out_dir = Path(out_dir)
    files, failed = collect_inputs([Path(i) for i in inputs], stderr)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        lock = FolderLock(out_dir, "ingest").__enter__()   # one ingest at a time into a folder: a second waits
    except OSError as e:
        stderr.write(f"{Problem(str(out_dir), f'cannot create output folder: {e.strerror or e}')}\n")
        return 1
    try:
        return _ingest(files, failed, out_dir, force, report, stdout, stderr)
    finally:
        lock.__exit__(None, None, None)


def _ingest(files: list[Path], failed: int, out_dir: Path, force: bool, report: bool,
            stdout: TextIO, stderr: TextIO) -> int:
    from .decode import DecodeError
    from .pipeline import process
    from .report import print_report
    from .write import Manifest, sha256_bytes, write_document

    manifest = Manifest.load(out_dir)
    taken: set[str] = set()
    used_sources: dict[str, Path] = {}
    for path in files:
        source = path.name
        if source in used_sources and used_sources[source].resolve() != path.resolve():
            source = path.as_posix()
        used_sources[source] = path
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise DecodeError(f"file too large ({size} bytes; limit {MAX_BYTES})")
            data = path.read_bytes()
            doc = process(data, path.name, is_html=path.suffix.lower() in HTML_SUFFIXES)
        except DecodeError as e:
            stderr.write(f"{path}: {e}\n")
            failed += 1
            continue
        except ValueError as e:
            stderr.write(f"{path}: {e}\n")
            failed += 1
            continue
        except OSError as e:
            stderr.write(f"{path}: cannot read: {e.strerror or e}\n")
            failed += 1
            continue
        except ImportError:
            raise
        except Exception as e:  # never a traceback for one bad input
            stderr.write(f"{path}: internal error while ingesting: {type(e).__name__}: {e}\n")
            failed += 1
            continue
        fm = doc.front
        region_code = (fm.get("region") or {}).get("code")
        try:
            res = write_document(out_dir, manifest, source, sha256_bytes(data), doc.render(),
                                 (fm.get("year"), region_code, fm.get("doc_type") or "other"), force, taken)
        except OSError as e:   # the file is as it was (written whole or not at all); a full disk stops the run
            stderr.write(f"{Problem(str(e.filename or out_dir), f'cannot write ({path}): {e.strerror or e}')}\n")
            failed += 1
            if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
                break
            continue
        if res.message:
            stdout.write(res.message + "\n")
        if report:
            print_report(doc, res.status, res.name, stdout)
    try:
        manifest.save()
    except OSError as e:
        stderr.write(f"{Problem(str(manifest.path), f'cannot write manifest: {e.strerror or e}')}\n")
        failed += 1
    return 1 if failed else 0
