"""Theme static files, fingerprinted so they can be cached for a year."""

from __future__ import annotations

import hashlib
from pathlib import Path

from site_builder.urls import Urls


def collect_assets(static_dir: Path) -> dict[str, tuple[str, bytes]]:
    """name (relative to static/) → (fingerprinted route, bytes), in a stable order."""
    assets = {}
    if not static_dir.is_dir():
        return assets
    for path in sorted(p for p in static_dir.rglob("*") if p.is_file() and not p.name.startswith(".")):
        data = path.read_bytes()
        name = path.relative_to(static_dir).as_posix()
        assets[name] = (Urls.asset(name, hashlib.sha256(data).hexdigest()[:10]), data)
    return assets
