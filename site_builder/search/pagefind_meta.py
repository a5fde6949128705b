"""Pagefind's chunk table, made right: the bundle's metadata lists, for every index chunk, its first and last
word shortened to a prefix (['复议', '复'] for a chunk holding the single word 复议). The browser picks the one
chunk to load for a word by these bounds, and for such a chunk it loads the wrong one (Pagefind 1.4 did not
find 复议 on a 10,000-document archive). So the bounds are rewritten to the chunks' real first and last words:
the first read from each chunk, the last the word before the next chunk's first in the part's sorted
vocabulary. Pagefind's files are gzip'd CBOR after a signature; the part of CBOR it writes is read here."""

from __future__ import annotations

import bisect
import gzip
import struct
from pathlib import Path

SIGNATURE = b"pagefind_dcd"


def fix_chunk_bounds(bundle: Path, vocabulary: list[str]) -> int:
    """Rewrite the chunk bounds of the Pagefind bundle's metadata; returns how many changed."""
    (meta_path,) = bundle.glob("pagefind.*.pf_meta")
    meta, chunks = read_chunks(bundle)
    firsts = [first_word(bundle / "index" / f"{chunk[2]}.pf_index") for chunk in chunks]
    changed = 0
    for n, chunk in enumerate(chunks):
        last = vocabulary[bisect.bisect_left(vocabulary, firsts[n + 1]) - 1] if n + 1 < len(chunks) else vocabulary[-1]
        if not (firsts[n] <= last and last.startswith(chunk[1]) and firsts[n].startswith(chunk[0])):
            raise ValueError(f"{meta_path}: chunk {chunk} does not match the records' words ({firsts[n]}…{last})")
        if [chunk[0], chunk[1]] != [firsts[n], last]:
            chunk[0], chunk[1] = firsts[n], last
            changed += 1
    meta_path.write_bytes(gzip.compress(SIGNATURE + dump(meta), mtime=0))
    return changed


def read_chunks(bundle: Path) -> tuple[list, list]:
    """The bundle's metadata and its chunk table: [[first word, last word, chunk hash], …]."""
    (meta_path,) = bundle.glob("pagefind.*.pf_meta")
    raw = gzip.decompress(meta_path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise ValueError(f"{meta_path}: not a Pagefind metadata file")
    meta, _ = load(raw, len(SIGNATURE))
    return meta, meta[2]


def first_word(path: Path) -> str:
    """The first word of an index chunk: [[[word, postings], …]]."""
    data = gzip.decompress(path.read_bytes())
    pos = len(SIGNATURE)
    for _ in range(3):
        _, _, pos = _head(data, pos)
    word, _ = load(data, pos)
    return word


def _head(data: bytes, pos: int) -> tuple[int, int, int]:
    """(major type, argument, position after the head) of the CBOR item at pos."""
    first = data[pos]
    major, info = first >> 5, first & 31
    if info < 24:
        return major, info, pos + 1
    size = {24: 1, 25: 2, 26: 4, 27: 8}[info]  # indefinite lengths are not used by Pagefind
    return major, int.from_bytes(data[pos + 1:pos + 1 + size], "big"), pos + 1 + size


def load(data: bytes, pos: int = 0):
    """Decode the CBOR item at pos: (value, position after it)."""
    major, arg, pos = _head(data, pos)
    if major in (0, 1):
        return (arg if major == 0 else -1 - arg), pos
    if major in (2, 3):
        raw = data[pos:pos + arg]
        return (raw if major == 2 else raw.decode("utf-8")), pos + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, pos = load(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        out = {}
        for _ in range(arg):
            key, pos = load(data, pos)
            out[key], pos = load(data, pos)
        return out, pos
    if major == 7 and arg in (20, 21, 22):
        return {20: False, 21: True, 22: None}[arg], pos
    if major == 7 and data[pos - 5] & 31 == 26:
        return struct.unpack(">f", data[pos - 4:pos])[0], pos
    if major == 7 and data[pos - 9] & 31 == 27:
        return struct.unpack(">d", data[pos - 8:pos])[0], pos
    raise ValueError(f"unsupported CBOR item (major type {major})")


def _put_head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * size):
            return bytes([major << 5 | info]) + arg.to_bytes(size, "big")
    raise ValueError("integer too large")


def dump(value) -> bytes:
    if isinstance(value, bool) or value is None:
        return bytes([0xF4 if value is False else 0xF5 if value is True else 0xF6])
    if isinstance(value, int):
        return _put_head(0, value) if value >= 0 else _put_head(1, -1 - value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, bytes):
        return _put_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _put_head(3, len(raw)) + raw
    if isinstance(value, list):
        return _put_head(4, len(value)) + b"".join(dump(v) for v in value)
    if isinstance(value, dict):
        return _put_head(5, len(value)) + b"".join(dump(k) + dump(v) for k, v in value.items())
    raise TypeError(type(value))
