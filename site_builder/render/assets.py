"""Theme static files, fingerprinted so they can be cached for a year.

A script's relative imports (``import … from "./x.js"``, ``import("./x.js")``) are pointed at the imported
file's fingerprinted name, and the script is fingerprinted after that: a change to a module renames every
module that imports it, up to the page's entry, so the ES modules of the search page can be cached for good
with no bundler and no import map (an inline import map is an inline script, which the site's CSP forbids)."""

from __future__ import annotations

import hashlib
import posixpath
import re
from pathlib import Path

from site_builder.urls import Urls

# A relative module specifier after `from`, `import` or `import(`: the quote, then the specifier.
IMPORT = re.compile(r"""(\bfrom\s*|\bimport\s*\(?\s*)(["'])(\.{1,2}/[^"'\s]+)\2""")


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
    assets: dict[str, tuple[str, bytes]] = {}
    for name in sorted(found):
        _fingerprint(name, found, assets, ())
    return {name: assets[name] for name in sorted(found)}


def _fingerprint(name: str, found: dict[str, Path], assets: dict, importers: tuple[str, ...]) -> str:
    """The fingerprinted route of `name`, adding it to `assets` after the modules it imports."""
    if name not in assets:
        if name in importers:
            raise ValueError(f"static/{name}: its modules import one another in a cycle "
                             f"({' → '.join(importers[importers.index(name):] + (name,))}), so none of them can "
                             "name the others' fingerprinted files")
        data = found[name].read_bytes()
        if name.endswith((".js", ".mjs")):
            data = _point_imports(name, data, found, assets, importers + (name,))
        assets[name] = (Urls.asset(name, hashlib.sha256(data).hexdigest()[:10]), data)
    return assets[name][0]


def _point_imports(name: str, data: bytes, found: dict[str, Path], assets: dict, importers: tuple[str, ...]) -> bytes:
    """The script with each relative import of another static file pointed at that file's fingerprinted name
    (relative still, so it works under any base URL); other specifiers are left as written."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    here = posixpath.dirname(Urls.asset(name, "0" * 10))   # the folder of the script's own route

    def point(match: re.Match) -> str:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(name), match[3]))
        if target not in found:
            return match[0]
        route = posixpath.relpath(_fingerprint(target, found, assets, importers), here)
        return f"{match[1]}{match[2]}{route if route.startswith('../') else './' + route}{match[2]}"

    pointed = IMPORT.sub(point, text)
    return data if pointed == text else pointed.encode("utf-8")
