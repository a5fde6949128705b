"""Theme static files, fingerprinted so they can be cached for a year."""

from __future__ import annotations

import hashlib
from pathlib import Path

from site_builder.urls import Urls


def collect_assets(static_dirs: Path | list[Path] | tuple[Path, ...]) -> dict[str, tuple[str, bytes]]:
    """name (relative to static/) → (fingerprinted route, bytes), in a stable order.

    `static_dirs`: folders in the order they win (the project's static/, then the theme's): a file overrides
    the file of the same name in the folders after it, so a project replaces one stylesheet or script only."""
    folders = [static_dirs] if isinstance(static_dirs, Path) else list(static_dirs)
    found: dict[str, Path] = {}
    for folder in reversed(folders):   # the folder that wins last
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and not any(part.startswith(".") for part in name.split("/")):
                found[name] = path
    assets = {}
    for name in sorted(found):
        data = found[name].read_bytes()
        assets[name] = (Urls.asset(name, hashlib.sha256(data).hexdigest()[:10]), data)
    return assets
