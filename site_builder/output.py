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
        root = self.path / subdir
        for target in sorted(p for p in root.rglob("*") if p.is_file()):
            previous = self.output / target.relative_to(self.path)
            if not previous.is_file() or os.path.samefile(previous, target):   # new, or linked from there already
                continue
            if previous.stat().st_size == target.stat().st_size and previous.read_bytes() == target.read_bytes():
                temp = target.with_name(target.name + ".link")
                if _link(previous, temp):
                    os.replace(temp, target)

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
