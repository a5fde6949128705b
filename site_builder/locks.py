"""One writer at a time for the folders a run writes: the output folder, the build cache, an ingest's output.

A lock is an exclusive ``fcntl.flock`` on a file beside the folder (``.public.lock`` for ``public/``), holding
the holder's process id. The kernel releases it when the holder dies, however it dies, so a killed run never
leaves a stale lock; the file itself is removed by the holder when it is done (while still holding it, and
whoever then takes the lock checks that the file it locked is still the one at the path).

Policy: a second run waits for the first, saying once on stderr ``waiting for the build of <pid> (public) …``,
then does its own work from the state the first left. So an editor's save hook plus a manual build, or
``build --watch`` plus a CI step, both end with the output of the last inputs. ``serve`` and ``build --watch``
take the lock for each rebuild only, never for their whole life.

``writing(config)`` is the one lock every path that writes the output folder takes (``build``, and each rebuild
and search-index swap of serve/watch): the output folder's, then the cache's. An OS error inside it (disk full,
no permission, read-only file system) becomes one ``SiteError`` line naming the folder and the reason.
"""

from __future__ import annotations

import errno
import fcntl
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from site_builder.errors import Problem, SiteError, display_path

_HELD: set[int] = set()   # descriptors of the locks this process holds: closed in forked children (see below)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class FolderLock:
    """``with FolderLock(folder, what="build"):`` — exclusive, waiting (and saying so once) while another holds it."""

    def __init__(self, folder: Path, what: str = "build", say=_say, root: Path | None = None):
        self.folder = Path(os.path.abspath(folder))
        self.path = self.folder.with_name(f".{self.folder.name}.lock")
        self.what, self.say, self.root = what, say, root
        self.fd: int | None = None

    def __enter__(self) -> "FolderLock":
        said = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if not said:
                        holder = _holder(fd)
                        who = holder[0] if holder else "another process"
                        self.say(f"waiting for the {self.what} of {who} "
                                 f"({display_path(self.folder, self.root)}) …")
                        said = True
                    fcntl.flock(fd, fcntl.LOCK_EX)
                if not _same_file(fd, self.path):   # the holder removed it as it finished: lock the new one
                    os.close(fd)
                    continue
                try:   # who holds it, for whoever waits: only information (a full disk may refuse it)
                    os.ftruncate(fd, 0)
                    os.pwrite(fd, f"{os.getpid()} {self.what}\n".encode("ascii"), 0)
                except OSError:
                    pass
            except BaseException:
                os.close(fd)
                raise
            self.fd = fd
            _HELD.add(fd)
            return self

    def __exit__(self, *exc) -> None:
        fd, self.fd = self.fd, None
        if fd is None:
            return
        _HELD.discard(fd)
        try:
            os.unlink(self.path)   # still held: nobody can have this file locked meanwhile
        except OSError:
            pass
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _holder(fd: int) -> list[str]:
    """What the holder wrote: its pid and what it does (it writes them just after taking the lock)."""
    for _ in range(20):
        holder = os.pread(fd, 64, 0).decode("ascii", "replace").split()
        if holder:
            return holder
        time.sleep(0.01)
    return []


def _same_file(fd: int, path: Path) -> bool:
    try:
        st, now = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (st.st_dev, st.st_ino) == (now.st_dev, now.st_ino)


def _forget_in_child() -> None:
    """A forked worker must not keep its parent's lock alive: were the parent killed, workers that outlive it
    (a multiprocessing pool's never see their queue close) would hold the lock for ever. Closing the inherited
    descriptor leaves the parent's lock as it is."""
    for fd in _HELD:
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


os.register_at_fork(after_in_child=_forget_in_child)


@contextmanager
def writing(config, say=_say):
    """Hold the output folder's lock and the build cache's for a build or one rebuild; OS errors → SiteError."""
    from site_builder.cache import cache_dir

    output, root = config.output_path, config.root
    try:
        with FolderLock(output, "build", say, root), FolderLock(cache_dir(root), "build", say, root):
            yield
    except OSError as exc:
        raise SiteError(os_problem(exc, output, root)) from None


def os_problem(exc: OSError, folder: Path, root: Path | None = None) -> Problem:
    """One line for an OS error while writing `folder` (or the files beside it): the folder and the reason."""
    reason = exc.strerror or errno.errorcode.get(exc.errno or 0) or str(exc)
    if exc.filename is None:
        return Problem(display_path(folder, root), f"cannot write: {reason}")
    path = Path(os.path.abspath(exc.filename))
    folder = Path(os.path.abspath(folder))
    first = path.relative_to(folder.parent).parts[:1] if path.is_relative_to(folder.parent) else ()
    if first and (first[0] == folder.name or first[0].startswith(f".{folder.name}.")):   # staging, lock …
        return Problem(display_path(folder, root), f"cannot write: {reason} ({display_path(path, root)})")
    return Problem(display_path(path, root), f"cannot write: {reason}")
