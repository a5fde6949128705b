"""The build cache in ``.site-builder-cache/`` under the project root: what makes rebuilds cheap.

Three things, each safe to delete at any time (the next build is then a cold one):

* ``files.pickle`` — a stat cache: path → (size, mtime_ns, inode, sha256), so the content hash of an input is
  only recomputed when its stat changed (as git's index does); a touched but unchanged file keeps its hash.
* ``documents/`` — parsed documents (``Document``) keyed by content file and its sha256, in pack files written by
  the parse workers, plus ``index.pickle`` (path → (stat, sha256, pack)). A rebuild parses only changed files.
  Everything is dropped when the site_builder code or a parsing dependency changes (``code_digest``).
* ``stamp-<output>.pickle`` — the fingerprint of every input of the last successful build into that output
  folder, and a manifest (size, mtime, inode) of every file it left there. When the fingerprint is the same and
  the output folder still matches its manifest, ``build`` stops with "no change" and touches nothing.

Every file here is written to a temporary name and renamed into place, so an interrupted build leaves either the
old or the new file, never half of one. Damage from elsewhere (a truncated or garbled file) is detected — each
file ends with the sha256 of what precedes it, a pack is named by its own — and the file is then ignored: the
build re-parses and rewrites it. Builds into one project hold the cache's lock (locks.py) while they write it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import re
import stat as statmod
import sys
import uuid
from functools import lru_cache
from pathlib import Path

CACHE_DIR = ".site-builder-cache"
FORMAT = 4                 # bump when the layout of the cache changes
PICKLE = pickle.HIGHEST_PROTOCOL
DEPENDENCIES = ("jinja2", "markdown-it-py", "mdit-py-plugins", "python-frontmatter", "PyYAML", "numpy", "pagefind-bin",
                "opencc-python-reimplemented", "pypinyin")


def cache_dir(root: Path) -> Path:
    return Path(root) / CACHE_DIR


def _atomic_dump(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    data = pickle.dumps(value, protocol=PICKLE)
    try:
        with open(temp, "wb") as f:
            f.write(data + hashlib.sha256(data).digest())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _load(path: Path, default, name_hash: str | None = None, raw: bool = False):
    """The value in a cache file, or `default` if it is missing or damaged (checksum, or for a pack its name).
    `raw`: a pack already checked, unchanged since."""
    try:
        with open(path, "rb") as f:
            data = f.read()
        if raw:
            pass
        elif name_hash is not None:
            if hashlib.sha256(data).hexdigest()[:len(name_hash)] != name_hash:
                return default
        elif len(data) < 32 or hashlib.sha256(data[:-32]).digest() != data[-32:]:
            return default
        else:
            data = data[:-32]
        return pickle.loads(data)
    except Exception:   # whatever a damaged file makes pickle do, the cache is only ever a shortcut
        return default


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Every file of the site_builder package but ingest/ (code, data, scripts) and the versions of the libraries that
    decide parsing and rendering: a change in any of them makes every cached result stale."""
    package = Path(__file__).resolve().parent
    h = hashlib.sha256(f"format {FORMAT}\n".encode())
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package).parts
        if rel[0] == "ingest":   # writes content files; nothing a build runs imports it
            continue
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            h.update(path.relative_to(package).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    versions = _versions(DEPENDENCIES)
    for name in DEPENDENCIES:
        h.update(f"{name}={versions.get(name, '-')}\n".encode())
    return h.hexdigest()


def _versions(names) -> dict[str, str]:
    """name → version of these installed distributions, from the names of their .dist-info folders on sys.path
    (first found wins, as for imports): what importlib.metadata reads, without its 50 ms on every build."""
    def norm(name: str) -> str:
        return re.sub(r"[-_.]+", "_", name).lower()

    wanted, found = {norm(n): n for n in names}, {}
    for folder in sys.path:
        try:
            entries = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in entries:
            if entry.endswith(".dist-info"):
                name, _, version = entry[:-len(".dist-info")].partition("-")
                found.setdefault(wanted.get(norm(name)), version)
    found.pop(None, None)
    return found


def stamp_of(st: os.stat_result) -> tuple[int, int, int]:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


class FileHashes:
    """sha256 of input files, recomputed only for files whose (size, mtime, inode) changed."""

    def __init__(self, root: Path):
        self.path = cache_dir(root) / "files.pickle"
        self.known: dict[str, tuple[tuple, str]] = _load(self.path, {})
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
            _atomic_dump(self.path, self.seen)
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
    h.update(code_digest().encode() + b"\n")
    h.update(repr(sorted((k, repr(v)) for k, v in vars(config).items())).encode() + b"\n")
    h.update(repr(sorted(options.items())).encode() + b"\n")
    # the theme folders (the packaged one, also in code_digest) and the project's templates/ and static/
    themes = [("theme", tree_files(folder)) for folder in config.theme_layers]
    for label, files in (*themes, ("templates", tree_files(config.root / "templates")),
                         ("static", tree_files(config.root / "static")), ("content", content_files)):
        h.update(f"[{label}]\n".encode())
        h.update("".join(f"{name}\0{hashes.sha256(name)}\n" for name in sorted(map(str, files))).encode())
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
    value = _load(_stamp_path(root, output), None)
    ok = isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], dict) and "manifest" in value[1]
    return value if ok else None


def forget_build(root: Path, output: Path) -> None:
    try:
        _stamp_path(root, output).unlink()
    except OSError:
        pass


def record_build(root: Path, output: Path, digest: str, counts: dict, files: dict) -> None:
    """What the output folder was built from (digest) and holds (`files`: its manifest) after a build."""
    _atomic_dump(_stamp_path(root, output), (digest, {"manifest": files, "counts": counts}))


# --- parsed documents ----------------------------------------------------------------------------------

class DocumentStore:
    """Parsed documents by content file, valid while the file's sha256 (and the code) are the same.

    Packs are written by whoever parsed the documents (the parse workers), one per chunk, so a cold build
    pays no extra serialisation: the worker pickles its chunk once, writes it here and hands the same bytes
    to the parent. Beside each pack the worker writes its documents' faces (all but their path and body,
    ``<pack>.faces``): a rebuild reads the faces (0.06 s at 10,000 documents) and a pack only when a page shows
    one of its bodies (reading every pack took 0.5 s of a one-edit rebuild)."""

    def __init__(self, root: Path):
        self.folder = cache_dir(root) / "documents"
        self.index_path = self.folder / "index.pickle"
        code = code_digest()
        saved = _load(self.index_path, None)
        if isinstance(saved, dict) and saved.get("code") == code:
            self.index: dict[str, tuple] = saved["entries"]     # path → (stat stamp, sha256, pack)
            self.checked: dict[str, tuple] = saved.get("checked", {})   # pack → its stat when its hash matched
        else:
            self.index, self.checked = {}, {}
        self.code = code
        self.saved_checked = dict(self.checked)
        self.new_index: dict[str, tuple] = {}
        self._packs: dict[str, dict] = {}
        self._faces: dict[str, dict] = {}    # pack → path → (sha256, face)
        self._bodies: dict[str, dict] = {}   # pack → path → (sha256, encoded body): read once per process
        self._sound: dict[str, bool] = {}    # pack → its file is there and as checked

    @property
    def pack_dir(self) -> Path:
        return self.folder / "packs"

    def get(self, path: Path, stamp: tuple, hashes: FileHashes | None = None):
        """The cached Document for this file, or None. A changed stat is checked against the content hash.
        Its `body` is None when only its face was read: ``body(path)`` gives the body when it is needed."""
        key = str(path)
        entry = self.index.get(key)
        if entry is None:
            return None
        if entry[0] != stamp:
            if hashes is None:
                return None
            try:
                if hashes.sha256(path) != entry[1]:
                    return None
            except OSError:
                return None
        face = self._faces_of(entry[2]).get(key)
        if face is not None and face[0] == entry[1] and self._pack_sound(entry[2]):
            doc = face[1]
        else:
            found = self._pack(entry[2]).get(key)
            if found is None or found[0] != entry[1]:
                return None
            doc = found[1]
        self.new_index[key] = (stamp, entry[1], entry[2])
        return attach(doc, path)

    def body(self, path: Path) -> tuple[bytes, bytes, bytes] | None:
        """The encoded body (Body.encoded) of a document get() gave without one; None if its pack is gone."""
        key = str(path)
        entry = self.new_index.get(key) or self.index.get(key)
        if entry is None:
            return None
        if entry[2] not in self._bodies:
            pack = self._packs.pop(entry[2], None) or self._pack(entry[2])
            self._bodies[entry[2]] = {k: (sha, doc.body.encoded()) for k, (sha, doc) in pack.items()}
        found = self._bodies[entry[2]].get(key)
        return found[1] if found is not None and found[0] == entry[1] else None

    def _faces_of(self, name: str) -> dict:
        if name not in self._faces:
            entries = _load(self.pack_dir / faces_name(name), None)
            try:
                self._faces[name] = {path: (sha, face) for path, sha, face in entries}
            except (TypeError, ValueError):   # missing or damaged: the pack itself is read instead
                self._faces[name] = {}
        return self._faces[name]

    def _pack_sound(self, name: str) -> bool:
        """The pack is there and was checked since it last changed; else it is read (and checked) now."""
        if name not in self._sound:
            try:
                stamp = stamp_of((self.pack_dir / name).stat())
            except OSError:
                stamp = None
            self._sound[name] = stamp is not None and (self.checked.get(name) == stamp or bool(self._pack(name)))
        return self._sound[name]

    def _pack(self, name: str) -> dict:
        """A pack's entries. Its hash (its name) is checked once: again only when its stat changed, as for input
        files (hashing 200 MB of packs was a third of a one-edit rebuild of 10,000 documents)."""
        if name not in self._packs:
            path = self.pack_dir / name
            try:
                stamp = stamp_of(path.stat())
            except OSError:
                stamp = None
            trusted = stamp is not None and self.checked.get(name) == stamp
            entries = _load(path, None, name_hash=None if trusted else name.split(".")[0], raw=trusted)
            if entries is not None and stamp is not None:
                self.checked[name] = stamp
            try:
                self._packs[name] = {path: (sha, doc) for path, sha, doc in entries}
            except (TypeError, ValueError):   # damaged: removed, so that the documents re-parsed write it anew
                self._packs[name] = {}
                (self.pack_dir / name).unlink(missing_ok=True)
        return self._packs[name]

    def added(self, entries: list[tuple[str, tuple, str]], pack: str) -> None:
        """Record documents a worker wrote to `pack`: (path, stat stamp, sha256). The pack counts as checked: it
        was named by the hash of the bytes written, a moment ago."""
        for path, stamp, sha in entries:
            self.new_index[path] = (stamp, sha, pack)
        try:
            self.checked[pack] = stamp_of((self.pack_dir / pack).stat())
        except OSError:
            pass

    def save(self) -> None:
        """Write the index of this build's documents; delete packs (and faces) no document refers to any more."""
        self._packs.clear()
        live = {entry[2] for entry in self.new_index.values()}
        checked = {name: stamp for name, stamp in self.checked.items() if name in live}
        if self.new_index != self.index or checked != self.saved_checked:
            _atomic_dump(self.index_path, {"code": self.code, "entries": self.new_index, "checked": checked})
            self.saved_checked = dict(checked)
        if self.pack_dir.is_dir():
            for file in self.pack_dir.iterdir():
                if file.name.removesuffix(FACES) not in live and not file.name.startswith("."):
                    file.unlink(missing_ok=True)
        self.index, self.new_index = self.new_index, {}


FACES = ".faces"   # a pack's faces file: the pack's name + this


def faces_name(pack: str) -> str:
    return pack + FACES


def write_pack(pack_dir: Path, data: bytes, faces: list) -> str:
    """Write a pickled list of (path, sha256, Document) entries as a pack, and `faces` — (path, sha256, the
    document without path and body) — beside it; returns the pack's name."""
    name = hashlib.sha256(data).hexdigest()[:24] + ".pickle"
    pack_dir.mkdir(parents=True, exist_ok=True)
    target = pack_dir / name
    try:
        same = target.read_bytes() == data   # a pack of that name is there: damaged, it is written again
    except OSError:
        same = False
    if not same:
        temp = pack_dir / f".{name}.{os.getpid()}.tmp"
        temp.write_bytes(data)
        os.replace(temp, target)
    _atomic_dump(pack_dir / faces_name(name),
                 [(path, sha, dataclasses.replace(doc, source_path=None, body=None)) for path, sha, doc in faces])
    return name


# --- what each page of the last build read (rebuild.py) -------------------------------------------------------

def _record_path(root: Path, output: Path) -> Path:
    return cache_dir(root) / f"pages-{hashlib.sha256(str(output).encode()).hexdigest()[:16]}.pickle"


def load_record(root: Path, output: Path) -> dict | None:
    """The last build's page record (rebuild.Record fields), if it was made by this code."""
    value = _load(_record_path(root, output), None)
    return value if isinstance(value, dict) and value.get("code") == code_digest() else None


def save_record(root: Path, output: Path, record: dict) -> None:
    """Pages that read the same input share one key object, so that pickle writes each key once: a quarter of
    the bytes, and a fifth of the time to write and read the 13,700 pages' keys at 10,000 documents."""
    keys: dict = {}
    pages = {route: tuple(keys.setdefault(key, key) for key in used) for route, used in record["pages"].items()}
    _atomic_dump(_record_path(root, output), {**record, "pages": pages, "code": code_digest()})


def attach(doc, path: Path):
    """A document from a pack gets its content file's path (discover's): packs leave it out, as building 10,000
    Path objects again while unpickling them cost a fifth of loading a cached site. The document is fresh from
    the pack, seen by nobody yet: setting the field is part of making it."""
    object.__setattr__(doc, "source_path", path)
    return doc
