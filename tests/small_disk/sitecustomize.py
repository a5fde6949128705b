"""A small disk without mounting one: loaded by every Python process the tests start with this folder on
PYTHONPATH, it makes the folder named by SMALL_DISK (``path:bytes``) behave as a file system of that size.

Used by test_faults.small_disk where this machine does not allow mounting a tmpfs (no CAP_SYS_ADMIN: an
unprivileged user, a container). Space is counted as a tmpfs counts it: whole 4 KiB pages of every file below
the folder, a file linked twice counted once. A write that needs more pages than are free fails with ENOSPC
("No space left on device"), as it does on a full disk; opening, creating, renaming and linking files still
work, as they do on a full tmpfs. Every way this program writes bytes goes through one of the wrapped calls:
``open``/``io.open`` (so ``Path.write_*`` and ``os.fdopen``), ``os.write`` and ``os.sendfile`` (``shutil.copy``).
"""

from __future__ import annotations

import builtins
import errno
import io
import os

PAGE = 4096
_spec = os.environ.get("SMALL_DISK", "")
if _spec:
    _folder, _, _size = _spec.rpartition(":")
    FOLDER, CAPACITY = os.path.realpath(_folder), int(_size)

    def pages(size: int) -> int:
        return -(-size // PAGE) * PAGE

    def used() -> int:
        total, seen, stack = 0, set(), [FOLDER]
        while stack:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        st = entry.stat(follow_symlinks=False)
                        if (st.st_dev, st.st_ino) not in seen:
                            seen.add((st.st_dev, st.st_ino))
                            total += pages(st.st_size)
        return total

    def on_disk(path) -> bool:
        path = os.path.realpath(path)
        return path == FOLDER or path.startswith(FOLDER + os.sep)

    def fd_path(fd: int) -> str:
        try:
            return os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            return ""

    def reserve(fd: int, path: str, count: int) -> None:
        """Fail as a full disk does if writing `count` bytes at the file's offset needs pages that are not free."""
        if count <= 0 or not on_disk(path):
            return
        size = os.fstat(fd).st_size
        offset = os.lseek(fd, 0, os.SEEK_CUR)
        if pages(max(size, offset + count)) - pages(size) > CAPACITY - used():
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    class SmallDiskFileIO(io.FileIO):
        def write(self, data):
            reserve(self.fileno(), fd_path(self.fileno()), memoryview(data).nbytes)
            return super().write(data)

    _open = io.open

    def small_disk_open(file, mode="r", buffering=-1, encoding=None, errors=None, newline=None, closefd=True,
                        opener=None):
        writing = any(c in mode for c in "wax+")
        path = fd_path(file) if isinstance(file, int) else os.fspath(file)
        if not writing or not on_disk(path):
            return _open(file, mode, buffering, encoding, errors, newline, closefd, opener)
        raw = SmallDiskFileIO(file, mode.replace("t", "").replace("b", ""), closefd, opener=opener)
        if buffering == 0:
            return raw
        size = buffering if buffering > 1 else io.DEFAULT_BUFFER_SIZE
        buffered = (io.BufferedRandom if "+" in mode else io.BufferedWriter)(raw, size)
        if "b" in mode:
            return buffered
        return io.TextIOWrapper(buffered, encoding, errors, newline, line_buffering=buffering == 1)

    _write, _sendfile = os.write, os.sendfile

    def small_disk_write(fd, data):
        reserve(fd, fd_path(fd), memoryview(data).nbytes)
        return _write(fd, data)

    def small_disk_sendfile(out_fd, in_fd, offset, count, *args, **kwargs):
        path = fd_path(out_fd)
        if on_disk(path):
            count = min(count, max(os.fstat(in_fd).st_size - (offset or os.lseek(in_fd, 0, os.SEEK_CUR)), 0))
            reserve(out_fd, path, count)
        return _sendfile(out_fd, in_fd, offset, count, *args, **kwargs)

    io.open = builtins.open = small_disk_open
    os.write, os.sendfile = small_disk_write, small_disk_sendfile
