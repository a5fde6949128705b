"""What each page of the last build read (rebuild.py): the record, kept in the cache folder between processes.

A rebuild changes little of it (the pages it rendered, the digests that changed, the manifest entries of the
files it wrote, a few documents' lines), so it is kept as a base file and a file of the changes since the base:
a rebuild writes the changes only (writing the whole record, 14 MB at 10,000 documents, took 0.09 s of a
one-edit rebuild), and the base is written again once the changes grow to a tenth of it.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from site_builder.cache import files
from site_builder.cache.files import atomic_dump, cache_dir, load_file

TABLES = ("pages", "digests", "faces", "manifest", "exports")   # the record's tables; the rest are single values


class _Gone:
    """A removed entry in the changes file; pickled by name, so that it is this very object when read back."""

    def __reduce__(self):
        return "GONE"


GONE = _Gone()


class RecordFile:
    """The record of the last build into `output`: ``load()`` it, ``save()`` the next one."""

    def __init__(self, root: Path, output: Path):
        name = hashlib.sha256(str(output).encode()).hexdigest()[:16]
        self.base_path = cache_dir(root) / f"pages-{name}.pickle"
        self.changes_path = cache_dir(root) / f"pages-{name}.changes.pickle"
        self.base_id: str | None = None
        self.base_size = 0
        self.changes: dict[str, dict] = {}   # table → key → value (GONE: removed) since the base
        self.last: dict | None = None         # the record as last loaded or saved: what save() compares with

    def load(self) -> dict | None:
        """The last build's record, if it was made by this code."""
        base = load_file(self.base_path, None)
        if not isinstance(base, dict) or base.get("code") != files.code_digest() or not all(t in base for t in TABLES):
            return None
        changes = load_file(self.changes_path, None)
        self.base_id, self.base_size = base.pop("id", None), sum(len(base[t]) for t in TABLES)
        del base["code"]
        self.changes = {table: {} for table in TABLES}
        if isinstance(changes, dict) and changes.get("base") == self.base_id:
            base.update(changes["values"])
            for table in TABLES:
                self.changes[table] = changes["tables"][table]
                _apply(base[table], self.changes[table])
        self.last = base
        return base

    def save(self, record: dict) -> None:
        if self.last is None or self.base_id is None:
            return self._save_base(record)
        for table in TABLES:
            self.changes[table].update(_changed(self.last[table], record[table]))
        if sum(len(c) for c in self.changes.values()) * 10 > self.base_size:
            return self._save_base(record)
        values = {k: v for k, v in record.items() if k not in TABLES}
        atomic_dump(self.changes_path, {"base": self.base_id, "values": values, "tables": self.changes})
        self.last = record

    def _save_base(self, record: dict) -> None:
        """The whole record. Pages that read the same input share one key object, so that pickle writes each key
        once: a quarter of the bytes, and a fifth of the time to write and read the pages' keys."""
        keys: dict = {}
        pages = {route: tuple(keys.setdefault(key, key) for key in used) for route, used in record["pages"].items()}
        self.base_id = uuid.uuid4().hex
        atomic_dump(self.base_path, {**record, "pages": pages, "code": files.code_digest(), "id": self.base_id})
        self.changes_path.unlink(missing_ok=True)
        self.base_size = sum(len(record[t]) for t in TABLES)
        self.changes = {table: {} for table in TABLES}
        self.last = record


def _changed(before: dict, after: dict) -> dict:
    """key → new value (GONE: removed) for what differs between two versions of a table. Most values are the
    very objects of the version before (a rebuild copies the tables it updates): compared by identity first."""
    found = {key: value for key, value in after.items()
             if (old := before.get(key, GONE)) is not value and old != value}
    found.update((key, GONE) for key in before.keys() - after.keys())
    return found


def _apply(table: dict, changes: dict) -> None:
    for key, value in changes.items():
        if value is GONE:
            table.pop(key, None)
        else:
            table[key] = value
