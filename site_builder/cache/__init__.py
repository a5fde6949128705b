"""The build cache in ``.site-builder-cache/`` under the project root: what makes rebuilds cheap.

Four things, each safe to delete at any time (the next build is then a cold one):

* ``files.pickle`` — a stat cache: path → (size, mtime_ns, inode, sha256), so the content hash of an input is
  only recomputed when its stat changed (as git's index does); a touched but unchanged file keeps its hash.
* ``documents/`` — parsed documents (``Document``) keyed by content file and its sha256, in pack files written by
  the parse workers with their documents' faces beside them, plus ``index.pickle`` (path → (stat, sha256,
  pack)): documents.py. A rebuild parses only changed files, and reads bodies only for the pages it renders.
  Everything is dropped when the site_builder code or a parsing dependency changes (``code_digest``).
* ``stamp-<output>.pickle`` — the fingerprint of every input of the last successful build into that output
  folder, and a manifest (size, mtime, inode) of every file it left there. When the fingerprint is the same and
  the output folder still matches its manifest, ``build`` stops with "no change" and touches nothing.
* ``pages-<output>.pickle`` and its ``.changes.pickle`` — what each page of the last build read, and every
  input's digest (rebuild.py): record.py.

Every file here is written to a temporary name and renamed into place, so an interrupted build leaves either the
old or the new file, never half of one. Damage from elsewhere (a truncated or garbled file) is detected — each
file ends with the sha256 of what precedes it, a pack is named by its own — and the file is then ignored: the
build re-parses and rewrites it. Builds into one project hold the cache's lock (locks.py) while they write it.
"""

from __future__ import annotations

import hashlib
import os
import stat as statmod
from pathlib import Path

from site_builder.cache import files
from site_builder.cache.documents import DocumentStore, attach, write_pack
from site_builder.cache.files import CACHE_DIR, atomic_dump, cache_dir, code_digest, load_file, stamp_of
from site_builder.cache.record import RecordFile

__all__ = ["CACHE_DIR", "DocumentStore", "FileHashes", "RecordFile", "attach", "cache_dir", "code_digest",
           "fingerprint", "forget_build", "last_build", "manifest", "record_build", "stamp_of", "tree_files",
           "write_pack"]


class FileHashes:
    """sha256 of input files, recomputed only for files whose (size, mtime, inode) changed."""

    def __init__(self, root: Path):
        self.path = cache_dir(root) / "files.pickle"
        self.known: dict[str, tuple[tuple, str]] = load_file(self.path, {})
        if not isinstance(self.known, dict):
            self.known = {}
        self.seen: dict[str, tuple[tuple, str]] = {}

    def sha256(self, path: Path | str) -> str:
        key = str(path)
        st = os.stat(key)
        stamp = (st.st_size, st.st_mtime_ns, st.st_ino)   # stamp_of, inline: once per input file per build
        entry = self.seen.get(key)
        if entry is None or entry[0] != stamp:
            entry = self.known.get(key)
        if entry is None or entry[0] != stamp:
            with open(key, "rb") as f:
                entry = (stamp, hashlib.sha256(f.read()).hexdigest())
        self.seen[key] = entry
        return entry[1]

    def note(self, path: Path, stamp: tuple[int, int, int], sha: str) -> None:
        """Record a hash computed elsewhere (a parse worker hashed the bytes it parsed)."""
        self.seen[str(path)] = (stamp, sha)

    def save(self) -> None:
        """Keep only the files looked at in this run (deleted inputs drop out)."""
        if self.seen != self.known:
            atomic_dump(self.path, self.seen)
            self.known = dict(self.seen)


def tree_files(folder: Path) -> list[Path]:
    """Every regular file under `folder`, sorted, hidden names skipped."""
    found = []
    if not folder or not folder.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found += [Path(dirpath) / n for n in sorted(filenames) if not n.startswith(".")]
    return found


def fingerprint(config, content_files: list[Path], hashes: FileHashes, options: dict) -> str:
    """One hash of everything the output is a function of: code, configuration, options, theme, content."""
    h = hashlib.sha256()
    h.update(files.code_digest().encode() + b"\n")   # through the module: one place to stand in for it
    h.update(repr(sorted((k, repr(v)) for k, v in vars(config).items())).encode() + b"\n")
    h.update(repr(sorted(options.items())).encode() + b"\n")
    # the theme folders (the packaged one, also in code_digest) and the project's templates/ and static/
    themes = [("theme", tree_files(folder)) for folder in config.theme_layers]
    for label, paths in (*themes, ("templates", tree_files(config.root / "templates")),
                         ("static", tree_files(config.root / "static")), ("content", content_files)):
        h.update(f"[{label}]\n".encode())
        h.update("".join(f"{name}\0{hashes.sha256(name)}\n" for name in sorted(map(str, paths))).encode())
    return h.hexdigest()


# --- the last build's stamp -------------------------------------------------------------------------------

def _stamp_path(root: Path, output: Path) -> Path:
    return cache_dir(root) / f"stamp-{hashlib.sha256(str(output).encode()).hexdigest()[:16]}.pickle"


def manifest(output: Path) -> dict[str, tuple[int, int, int]]:
    """rel path → (size, mtime_ns, inode) of every file and link under the output folder."""
    found = {}
    base = len(str(output)) + 1
    stack = [str(output)]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                st = entry.stat(follow_symlinks=False)
                if statmod.S_ISDIR(st.st_mode):
                    stack.append(entry.path)
                else:
                    found[entry.path[base:]] = stamp_of(st)
    return found


def output_intact(output: Path, recorded: dict) -> bool:
    try:
        return manifest(output) == recorded
    except OSError:
        return False


def last_build(root: Path, output: Path) -> tuple[str, dict] | None:
    value = load_file(_stamp_path(root, output), None)
    ok = isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], dict) and "manifest" in value[1]
    return value if ok else None


def forget_build(root: Path, output: Path) -> None:
    try:
        _stamp_path(root, output).unlink()
    except OSError:
        pass


def record_build(root: Path, output: Path, digest: str, counts: dict, files: dict) -> None:
    """What the output folder was built from (digest) and holds (`files`: its manifest) after a build."""
    atomic_dump(_stamp_path(root, output), (digest, {"manifest": files, "counts": counts}))
