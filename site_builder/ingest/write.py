"""Output files: stable names, the ingest manifest, hand-edit protection and atomic writes.

``DIR/.ingest-manifest.json`` maps each source name to the output file it produced, the sha256 of the bytes
ingest wrote, and the sha256 of the input. On a re-run:

* output missing or byte-identical to what ingest would write now → written only if different (an unchanged
  document is not touched: same bytes, same mtime);
* output whose bytes differ from what ingest last wrote → a person edited it: left alone with a message, unless
  ``--force``;
* an output file that exists but is not in the manifest → not ingest's: left alone unless ``--force``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

MANIFEST_NAME = ".ingest-manifest.json"
MANIFEST_VERSION = 1


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=str(path.parent))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; content files are ordinary, shareable files
        os.replace(tmp, path)
    except BaseException as exc:   # the file at `path` is as it was: the old bytes whole, or none
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):   # named as the file it was for, not the temporary one
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
        raise


def new_file_name(source_name: str, year: int | None, region_code: str | None, doc_type: str, taken: set[str]) -> str:
    """``{year or 'undated'}-{region code or 'cn'}-{doc_type with -}-{8 hex of sha1(source name)}.md``."""
    digest = hashlib.sha1(source_name.encode("utf-8")).hexdigest()
    y = str(year) if year else "undated"
    code = region_code if region_code and re.fullmatch(r"\d{6}", str(region_code)) else "cn"
    kind = re.sub(r"[^a-z0-9]+", "-", (doc_type or "other").lower()).strip("-") or "other"
    for n in (8, 12, 16, 40):
        name = f"{y}-{code}-{kind}-{digest[:n]}.md"
        if name not in taken:
            return name
    k = 2
    while f"{y}-{code}-{kind}-{digest}-{k}.md" in taken:
        k += 1
    return f"{y}-{code}-{kind}-{digest}-{k}.md"


@dataclass
class Manifest:
    path: Path
    files: dict[str, dict]
    dirty: bool = False

    @classmethod
    def load(cls, out_dir: Path) -> "Manifest":
        path = out_dir / MANIFEST_NAME
        files: dict[str, dict] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("files"), dict):
                files = {
                    k: v for k, v in data["files"].items()
                    if isinstance(v, dict) and isinstance(v.get("output"), str) and _safe_name(v["output"])
                }
        except (OSError, ValueError):
            files = {}
        return cls(path, files)

    def names_in_use(self) -> set[str]:
        return {v["output"] for v in self.files.values()}

    def record(self, source: str, output: str, output_sha: str, input_sha: str) -> None:
        new = {"output": output, "output_sha256": output_sha, "input_sha256": input_sha}
        if self.files.get(source) != new:
            self.files[source] = new
            self.dirty = True

    def save(self) -> None:
        if not self.dirty and self.path.exists():
            return
        data = {"version": MANIFEST_VERSION, "files": {k: self.files[k] for k in sorted(self.files)}}
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
        payload = text.encode("utf-8")
        try:
            if self.path.read_bytes() == payload:
                return
        except OSError:
            pass
        atomic_write(self.path, payload)
        self.dirty = False


def _safe_name(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.md", name))


@dataclass
class WriteResult:
    status: str  # "written" | "unchanged" | "skipped-edited" | "skipped-foreign"
    name: str
    message: str | None = None


def write_document(out_dir: Path, manifest: Manifest, source: str, input_sha: str, content: bytes,
                   name_fields: tuple[int | None, str | None, str], force: bool, taken: set[str]) -> WriteResult:
    entry = manifest.files.get(source)
    if entry:
        name = entry["output"]
    else:
        name = new_file_name(source, *name_fields, taken=taken | manifest.names_in_use())
    taken.add(name)
    path = out_dir / name
    new_sha = sha256_bytes(content)
    current: bytes | None
    try:
        current = path.read_bytes()
    except FileNotFoundError:
        current = None
    if current is not None:
        if current == content:
            manifest.record(source, name, new_sha, input_sha)
            return WriteResult("unchanged", name)
        cur_sha = sha256_bytes(current)
        if not force:
            if entry is None:
                return WriteResult("skipped-foreign", name,
                                   f"skipped {name}: exists and was not written by ingest (use --force to overwrite)")
            if cur_sha != entry.get("output_sha256"):
                return WriteResult("skipped-edited", name,
                                   f"skipped {name}: edited by hand since last ingest (use --force to overwrite)")
    atomic_write(path, content)
    manifest.record(source, name, new_sha, input_sha)
    return WriteResult("written", name)
