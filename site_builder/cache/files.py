"""The cache folder's files: where it is, how a file is written and read back (whole or not at all), and what
makes every cached result stale (the code and the libraries that decide parsing and rendering)."""

from __future__ import annotations

import hashlib
import os
import pickle
import re
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


def atomic_dump(path: Path, value) -> None:
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


def load_file(path: Path, default, name_hash: str | None = None, raw: bool = False):
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
    package = Path(__file__).resolve().parent.parent   # site_builder/
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
