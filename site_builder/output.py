"""Write the site atomically: a staging tree next to public/, swapped in whole when everything succeeded.

Files whose bytes did not change are hard-linked from the previous public/, so a rebuild with no change
rewrites no file (same inode, same mtime), and a failed build leaves the previous public/ untouched.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


class Staging:
    def __init__(self, output: Path):
        self.output = output
        self.path = output.with_name(f".{output.name}.staging")
        self._old = output.with_name(f".{output.name}.old")

    def __enter__(self) -> "Staging":
        """Called under the output folder's lock (locks.py): leftovers are a killed build's, safe to remove."""
        for leftover in (self.path, self._old):
            _remove(leftover)
        self.path.mkdir(parents=True)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None and self.path.exists():
            shutil.rmtree(self.path, ignore_errors=True)

    def write_files(self, files: dict[str, bytes]) -> None:
        """Write rendered files, reusing the previous file wherever the bytes are identical."""
        for rel in sorted(files):
            self.write_file(rel, files[rel])

    def write_file(self, rel: str, data: bytes) -> bool:
        """Write one file (safe to call from several processes at once); True if it was new or changed."""
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        previous = self.output / rel
        if _same_bytes(previous, data) and _link(previous, target):
            return False
        try:
            target.write_bytes(data)
        except OSError as exc:   # a failed write() names no file: name it (locks.os_problem reports it)
            raise OSError(exc.errno, exc.strerror, str(target)) from None
        return True

    def adopt_unchanged(self, subdir: str) -> None:
        """For files another tool wrote into the staging tree (the search index): keep the old identical file."""
        link_unchanged(self.path, self.output, subdir)

    def carry_over(self, rel: str) -> None:
        """Keep a file or folder of the previous public/ (hard-linked) that this build does not produce."""
        previous = self.output / rel
        target = self.path / rel
        if previous.is_dir():
            shutil.copytree(previous, target, copy_function=_link_or_copy, dirs_exist_ok=True)
        elif previous.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            _link_or_copy(previous, target)

    def commit(self) -> None:
        """Swap the staging tree in; the old tree only disappears once the new one is in place."""
        if self.output.exists():
            os.rename(self.output, self._old)
            try:
                os.rename(self.path, self.output)
            except OSError:
                os.rename(self._old, self.output)
                raise
            shutil.rmtree(self._old, ignore_errors=True)
        else:
            self.output.parent.mkdir(parents=True, exist_ok=True)
            os.rename(self.path, self.output)


class InPlace:
    """Writes into public/ itself, file by file, for a rebuild that changes a few files: each by temp file +
    rename (a server never reads half a file), and only when its bytes changed."""

    def __init__(self, output: Path):
        self.output = output
        self.changed: list[str] = []    # files written or removed, under public/

    def write_file(self, rel: str, data: bytes) -> bool:
        target = self.output / rel
        if _same_bytes(target, data):
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            temp.write_bytes(data)
            os.replace(temp, target)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            raise OSError(exc.errno, exc.strerror, str(target)) from None
        self.changed.append(rel)
        return True

    def remove(self, rel: str) -> None:
        """Remove a file no longer produced, and the folders it leaves empty."""
        path = self.output / rel
        if not os.path.lexists(path):
            return
        path.unlink()
        self.changed.append(rel)
        parent = path.parent
        while parent != self.output and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent

    def swap_in(self, new: Path, rel: str) -> None:
        """Put a folder built elsewhere (the search index) in place of public/<rel>, by renames."""
        current = self.output / rel
        old = current.with_name(f".{current.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if current.exists():
            os.rename(current, old)
        if new.exists():
            os.rename(new, current)
        shutil.rmtree(old, ignore_errors=True)


class InMemory(dict):
    """A sink that keeps rendered files (rel → bytes): a small rebuild renders everything before writing
    anything, so that a failing page leaves public/ as it was."""

    def write_file(self, rel: str, data: bytes) -> bool:
        self[rel] = data
        return True


def link_unchanged(new: Path, old: Path, subdir: str) -> None:
    """Replace each file under new/subdir by a hard link to the identical file under old/subdir, if there is one:
    a rebuilt search index leaves the files that did not change as they were (same inode, same mtime)."""
    for target in sorted(p for p in (new / subdir).rglob("*") if p.is_file()):
        previous = old / target.relative_to(new)
        if not previous.is_file() or os.path.samefile(previous, target):   # new, or linked from there already
            continue
        if previous.stat().st_size == target.stat().st_size and previous.read_bytes() == target.read_bytes():
            temp = target.with_name(target.name + ".link")
            if _link(previous, temp):
                os.replace(temp, target)


def identity(folder: Path) -> tuple[int, int] | None:
    """(device, inode) of a folder, None if it is not one: a folder replaced by another process changes it."""
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if os.path.isdir(folder) else None


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _link_or_copy(source, target) -> None:
    if not _link(Path(source), Path(target)):
        shutil.copy2(source, target)


def _link(source: Path, target: Path) -> bool:
    try:
        os.link(source, target)
        return True
    except OSError:
        return False
