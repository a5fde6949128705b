"""Parsed documents kept across builds: packs of pickled documents written by the parse workers, each with its
documents' faces beside it, and an index of which pack holds which content file's document."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path

from site_builder.cache import files
from site_builder.cache.files import atomic_dump, cache_dir, load_file, stamp_of


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
        code = files.code_digest()
        saved = load_file(self.index_path, None)
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

    def get(self, path: Path, stamp: tuple, hashes=None):
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
            entries = load_file(self.pack_dir / faces_name(name), None)
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
            entries = load_file(path, None, name_hash=None if trusted else name.split(".")[0], raw=trusted)
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
            atomic_dump(self.index_path, {"code": self.code, "entries": self.new_index, "checked": checked})
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
    atomic_dump(pack_dir / faces_name(name),
                 [(path, sha, dataclasses.replace(doc, source_path=None, body=None)) for path, sha, doc in faces])
    return name


def attach(doc, path: Path):
    """A document from a pack gets its content file's path (discover's): packs leave it out, as building 10,000
    Path objects again while unpickling them cost a fifth of loading a cached site. The document is fresh from
    the pack, seen by nobody yet: setting the field is part of making it."""
    object.__setattr__(doc, "source_path", path)
    return doc
