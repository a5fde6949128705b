"""Discover content files and parse each into a ``Document``; every problem is collected, none is fatal alone.

A content file is Markdown with YAML front matter (docs/content-schema.md; read by frontmatter_io, checked by
validate.py). Parsing one file is a pure function of its bytes, so files are parsed in parallel and cached by
content hash.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import replace
from functools import partial
from pathlib import Path

from site_builder.config import Config
from site_builder.cache import attach, stamp_of
from site_builder.content import frontmatter_io
from site_builder.content.model import Body, Document, Site
from site_builder.content.validate import parse_document
from site_builder.errors import Problem, SiteError, display_path
from site_builder.parallel import fork_map
from site_builder.schema import MAX_CONTENT_BYTES

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

    `cache` (path → (its stat as cache.stamp_of gives it, result)) lets a long-running process (watch, serve)
    re-parse only the files that changed since its last call; it is updated in place. `store` (cache.DocumentStore) is the
    on-disk cache of parsed documents across builds; `hashes` (cache.FileHashes) lets it accept a file whose
    stat changed but whose bytes did not. `progress(done, total)` is called as files are parsed.
    Files are parsed in chunks by worker processes (`jobs`, default one per core) above PARALLEL_THRESHOLD.
    `found`: what discover() returned, when the caller has just run it.
    """
    files, problems = found if found is not None else discover(config)
    problems = list(problems)
    results, todo = _known(files, cache, store, hashes, config)
    _parse_new(todo, config, results, cache, store, hashes, jobs, progress)
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
        raise SiteError(problems + _collisions(documents))
    documents.sort(key=lambda d: d.sort_key)
    return Site(config=config, documents=tuple(documents))


def _known(files: list[Path], cache: dict | None, store, hashes, config: Config) -> tuple[dict, list]:
    """(path → result already known from the process's cache or the on-disk store, the files left to parse as
    (path, stat stamp)). A stat the build's fingerprint just took (hashes) is not taken again."""
    results: dict[Path, object] = {}
    todo = []
    seen = hashes.seen if hashes is not None else {}
    for path in files:
        stamp = _stamp(path, seen)
        if cache is not None and stamp is not None and cache.get(path, (None,))[0] == stamp:
            results[path] = cache[path][1]
            continue
        doc = store.get(path, stamp, hashes) if store is not None and stamp is not None else None
        if doc is not None:
            if doc.body is None:   # read from its pack when a page shows it
                object.__setattr__(doc, "body", Body.later(partial(_cached_body, store, path, config)))
            results[path] = doc
            if hashes is not None:
                hashes.note(path, stamp, doc.content_hash)
            if cache is not None:
                cache[path] = (stamp, doc)
            continue
        todo.append((path, stamp))
    return results, todo


def _stamp(path: Path, seen: dict) -> tuple[int, int, int] | None:
    """cache.stamp_of the file: (size, mtime_ns, inode); None if it cannot be read."""
    known = seen.get(str(path))
    if known is not None:
        return known[0]
    try:
        return stamp_of(path.stat())
    except OSError:
        return None


def _parse_new(todo: list, config: Config, results: dict, cache, store, hashes, jobs, progress) -> None:
    """Parse the files of `todo` (in forked workers when there are many) into `results` and the caches."""
    pack_dir = str(store.pack_dir) if store is not None else None
    chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
    args = [([str(path) for path, _ in chunk], str(config.root), pack_dir, config.base_path) for chunk in chunks]
    by_name = {str(path): (path, stamp) for path, stamp in todo}
    done = 0
    outcomes = fork_map(_parse_chunk, args, jobs if len(todo) >= PARALLEL_THRESHOLD else 1)
    for pack, blob, failed in outcomes:
        entries = pickle.loads(blob)
        for name, sha, doc in entries:
            path, stamp = by_name[name]
            results[path] = doc = attach(doc, path)
            if stamp is not None:
                if hashes is not None:
                    hashes.note(path, stamp, sha)
                if cache is not None:
                    cache[path] = (stamp, doc)
        if store is not None and pack is not None:
            store.added([(name, by_name[name][1], sha) for name, sha, _ in entries if by_name[name][1] is not None],
                        pack)
        for name, failure in failed:
            results[by_name[name][0]] = failure
        done += len(entries) + len(failed)
        if progress:
            progress(done, len(todo))


def _collisions(documents: list[Document]) -> list[Problem]:
    from site_builder.urls import Urls, find_collisions

    claims = [(Urls.output_file(Urls.document(d.slug)), d.rel_path) for d in documents]
    return [Problem(srcs[0], f"wants the same output file {out} as {', '.join(srcs[1:])}")
            for out, srcs in find_collisions(claims)]


CHUNK = 64   # files per parse task: coarse enough to keep workers busy, fine enough for a progress bar


def _with_url(doc: Document, base_path: str) -> Document:
    """A cached document parsed under another base URL gets this one's link (the rest does not depend on it)."""

    from site_builder.urls import document_link

    url = document_link(base_path, doc.slug)
    return doc if doc.url == url else replace(doc, url=url)


def _cached_body(store, path: Path, config: Config) -> tuple[bytes, bytes, bytes]:
    """The body of a document the cache gave without one; parsed again if its pack went away meanwhile (the
    cache folder is anyone's to delete)."""
    found = store.body(path)
    if found is None:
        doc = load_file(path, config.root, config.base_path)
        if not isinstance(doc, Document):
            raise SiteError(doc)
        found = doc.body.encoded()
    return found


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
            pack = write_pack(Path(pack_dir), blob, entries)
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
