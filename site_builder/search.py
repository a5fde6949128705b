"""The search index: exact full-text search over Chinese text, written here and read by search.js.

A query term is found where the text says it, character for character: the index holds, for every pair of
adjacent characters, the documents and positions where it stands, and search.js keeps the documents where
the term's pairs stand one after the other. One-character terms use a second, smaller table: for every
character, the documents that have it and how often. Both sides fold the text the same way (normalise():
NFKC, lower case, Traditional → Simplified) and treat any run of whitespace as one space that no term
crosses. Measurements and the reasons for this design (Pagefind was used before): benchmarks/README.md,
section "Search".

Everything is under public/fulltext/ (OUTPUTS), one folder per part of PART_SIZE documents, newest
documents first, so that the browser lists results in date order part by part:

  index.json              {"version", "chunk", "t2s_shards", "parts": [{"path", "docs", "digest"}]}
                          (digest: what the part was made of, so that the next build can reuse it)
  t2s/<n>.json            Traditional → Simplified for the characters whose code point % T2S_SHARDS == n
  <part>/meta.json        per document, in date order: title length, filter values (for counts and filters);
                          the first key of every pairs/ and chars/ file
  <part>/docs/<k>.json    documents k·CHUNK … as [url, title, date, region, type label]
  <part>/text/<id>.txt    title and text as written, whitespace runs as one space (excerpts are cut from it)
  <part>/pairs/<s>.bin    positions of consecutive pairs (in code point order), about SHARD_BYTES a file
  <part>/chars/<s>.bin    documents per character, likewise

Document numbers are positions in the part's date order. A .bin file is little-endian: magic (4 bytes),
three u32 counts, the file's keys (u32 arrays), then LEB128 varints (_write_pairs / _write_chars say which;
search.js decodes them).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import struct
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np

from site_builder.content.model import Site

VERSION = 1
OUTPUTS = ("fulltext",)   # all that build_search_index writes under out_dir
INDEX_DIR = "fulltext"
PART_SIZE = 10_000            # documents per part: ~3 GB of memory to index one; the browser loads each part's meta
CHUNK = 128                   # documents per docs/<k>.json
T2S_SHARDS = 32
SHARD_BYTES = 32 * 1024       # aimed size of one .bin file: what a rare term costs to download
PAIRS_MAGIC, CHARS_MAGIC = b"SBp1", b"SBc1"
SPACE, END = 32, 0            # code points: any whitespace run becomes SPACE; END follows each document
u64 = np.uint64
WHITESPACE = re.compile(r"\s+")
KEY_BITS = 64                 # (pair, document, position) sort as one integer when they fit in this many bits


@lru_cache(maxsize=1)
def t2s_map() -> dict[str, str]:
    """Single Traditional characters → Simplified, from OpenCC's table; characters also used in
    Simplified text (乾, 著 …) are left alone so that folding never merges two Simplified words."""
    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"
    simplified_in_use = set()
    for line in (folder / "STCharacters.txt").read_text(encoding="utf-8").splitlines():
        simplified_in_use.add(line.split("\t")[0])
    mapping = {}
    for line in (folder / "TSCharacters.txt").read_text(encoding="utf-8").splitlines():
        trad, simp = line.split("\t")
        simp = simp.split(" ")[0]
        if len(trad) == 1 and len(simp) == 1 and trad != simp and trad not in simplified_in_use:
            mapping[trad] = simp
    return dict(sorted(mapping.items()))


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    return str.maketrans(t2s_map())


def normalise(text: str) -> str:
    """What both the index and the query see: NFKC, lower case, Traditional folded to Simplified."""
    return unicodedata.normalize("NFKC", text).lower().translate(_t2s_table())


@lru_cache(maxsize=1)
def _fold_table() -> np.ndarray:
    """Code point → code point: Traditional → Simplified and whitespace → SPACE (the part of normalise()
    after NFKC and lower case, plus the whitespace rule), for whole arrays of text at once."""
    table = np.arange(0x110000, dtype=np.uint32)
    for trad, simp in t2s_map().items():
        table[ord(trad)] = ord(simp)
    table[[c for c in range(0x3001) if chr(c).isspace()]] = SPACE
    return table


def fold(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The texts as one array of normalised code points, each text followed by END, whitespace runs as one
    SPACE (none at the start of a text); and where each text starts."""
    if not texts:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64)
    joined = "\0".join(unicodedata.normalize("NFKC", t.replace("\0", " ")).lower() for t in texts) + "\0"
    codes = _fold_table()[np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)]
    before = np.empty_like(codes)
    before[0], before[1:] = END, codes[:-1]
    codes = codes[~((codes == SPACE) & ((before == SPACE) | (before == END)))]
    ends = np.flatnonzero(codes == END)
    return codes, np.concatenate(([0], ends[:-1] + 1))


def varints(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unsigned LEB128 (7 bits a byte, low bits first, high bit set on all but the last byte): the bytes,
    and where each value's bytes start (plus the total at the end)."""
    values = values.astype(np.uint32, copy=False)
    sizes = np.ones(len(values), dtype=np.uint8)
    for k in (7, 14, 21, 28):
        sizes += values >= (1 << k)
    offsets = np.concatenate(([0], np.cumsum(sizes, dtype=np.int64)))
    out = np.empty(int(offsets[-1]), dtype=np.uint8)
    out[offsets[:-1]] = (values & 0x7F).astype(np.uint8) | ((sizes > 1).astype(np.uint8) << 7)
    for k in range(1, 5):     # the few values of more than one byte
        more = np.flatnonzero(sizes > k)
        if not len(more):
            break
        byte = ((values[more] >> np.uint32(7 * k)) & np.uint32(0x7F)).astype(np.uint8)
        out[offsets[more] + k] = byte | ((sizes[more] > k + 1).astype(np.uint8) << 7)
    return out, offsets


def _changes(*keys: np.ndarray) -> np.ndarray:
    """Flags: element i differs from element i-1 in one of the keys (the first element always does)."""
    flags = np.ones(len(keys[0]), dtype=bool)
    if len(flags) > 1:
        np.not_equal(keys[0][1:], keys[0][:-1], out=flags[1:])
        for key in keys[1:]:
            flags[1:] |= key[1:] != key[:-1]
    return flags


class Postings:
    """Elements sorted by word, then document (then position): the words, their entries (one per word and
    document holding it) and the entries' sizes (how many elements each has)."""

    def __init__(self, word: np.ndarray, doc: np.ndarray):
        new_word = _changes(word)
        self.new_entry = _changes(word, doc)
        self.entry_at = np.flatnonzero(self.new_entry)
        starts_word = new_word[self.entry_at]
        first_entries = np.flatnonzero(starts_word)
        entry_doc = doc[self.entry_at]
        self.words = word[self.entry_at[first_entries]]
        self.entries_per_word = np.diff(np.append(first_entries, len(self.entry_at)))
        self.doc_delta = entry_doc - np.where(starts_word, 0, np.roll(entry_doc, 1))  # from the word's previous
        self.entry_size = np.diff(np.append(self.entry_at, len(doc)))

    def shards(self, bytes_per_word: np.ndarray) -> np.ndarray:
        """Consecutive words into shards of about SHARD_BYTES: the first word of each shard."""
        before = np.cumsum(bytes_per_word) - bytes_per_word
        return np.flatnonzero(_changes(before // SHARD_BYTES))


class Layout:
    """A part's folded text as arrays: dense character numbers, and every position as
    document·2^pos_bits + position in the document."""

    def __init__(self, codes: np.ndarray, starts: np.ndarray):
        self.chars = np.flatnonzero(np.bincount(codes, minlength=1))      # distinct code points, ascending
        dense = np.zeros(int(self.chars[-1]) + 1, dtype=u64)
        dense[self.chars] = np.arange(len(self.chars), dtype=u64)
        self.ids = dense[codes]
        self.text = (codes != END) & (codes != SPACE)
        self.lengths = np.diff(np.append(starts, len(codes)))
        self.doc_bits = max(1, (len(starts) - 1).bit_length())
        self.pos_bits = int(self.lengths.max()).bit_length()
        self.place = np.repeat((np.arange(len(starts), dtype=u64) << u64(self.pos_bits)) - starts.astype(u64),
                               self.lengths)
        self.place += np.arange(len(codes), dtype=u64)     # uint64 arithmetic wraps back


def pair_table(codes: np.ndarray, starts: np.ndarray, folder: Path) -> list[int]:
    """pairs/: (pair, document, position) in one sort of 64-bit keys when the three fit (else lexsort);
    returns the files' first pairs, flat [first, second, …]. The big arrays are let go as soon as used."""
    at = Layout(codes, starts)
    n, pos_bits = len(at.chars), at.pos_bits
    low_bits = at.doc_bits + pos_bits
    pair_at = at.text[:-1] & at.text[1:]
    if (n * n - 1).bit_length() + low_bits <= KEY_BITS:
        key = at.ids[:-1] * u64(n)
        key += at.ids[1:]
        key <<= u64(low_bits)
        key |= at.place[:-1]
        at.ids = at.place = None
        key = key[pair_at]
        key.sort()
        pair, where = key >> u64(low_bits), key & u64((1 << low_bits) - 1)
        del key
    else:
        first = np.flatnonzero(pair_at)
        pair, where = at.ids[first] * u64(n) + at.ids[first + 1], at.place[first]
        at.ids = at.place = first = None
        order = np.lexsort((where, pair))
        pair, where = pair[order], where[order]
    del pair_at

    def points(pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:   # pair numbers → code points
        return at.chars[pairs // u64(n)], at.chars[pairs % u64(n)]

    postings = Postings(pair, where >> u64(pos_bits))
    del pair
    firsts = _write_pairs(folder / "pairs", postings, where & u64((1 << pos_bits) - 1), points)
    return [int(c) for pair in zip(*points(firsts)) for c in pair]


def char_table(codes: np.ndarray, starts: np.ndarray, title_lengths: np.ndarray, folder: Path) -> list[int]:
    """chars/: (character, document, outside the title) sorted → documents per character, with counts;
    returns the files' first characters."""
    at = Layout(codes, starts)
    docs = np.arange(len(starts), dtype=u64)
    key = at.ids << u64(at.doc_bits + 1)
    key |= np.repeat(docs << u64(1), at.lengths)
    key |= at.place >= np.repeat((docs << u64(at.pos_bits)) + title_lengths.astype(u64), at.lengths)
    key = key[at.text]
    at.ids = at.place = at.text = None
    key.sort()
    char, rest = key >> u64(at.doc_bits + 1), key & u64((1 << (at.doc_bits + 1)) - 1)
    del key
    firsts = _write_chars(folder / "chars", Postings(char, rest >> u64(1)), (rest & u64(1)) == 0, at.chars)
    return [int(at.chars[k]) for k in firsts]


def _write_pairs(folder: Path, p: Postings, pos: np.ndarray, points) -> np.ndarray:
    """pairs/<s>.bin: 'SBp1', u32 words, entries, positions; u32 first[words], u32 second[words] (code
    points, from points(words)); varints: documents per word, then per entry (word,
    document) the document (delta from the word's previous one) and its number of positions, then the
    positions (delta from the entry's previous one). Returns each shard's first word."""
    pos_delta = pos.copy()
    pos_delta[1:] -= pos[:-1]
    pos_delta[p.new_entry] = pos[p.new_entry]     # the first of an entry: from 0
    words_entries = np.cumsum(p.entries_per_word) - p.entries_per_word
    positions_per_word = np.add.reduceat(p.entry_size, words_entries) if len(words_entries) else words_entries
    firsts = p.shards(2 + 2 * p.entries_per_word + 1.3 * positions_per_word)
    _write_shards(folder, PAIRS_MAGIC, firsts, p, [p.doc_delta, p.entry_size], pos_delta, points)
    return p.words[firsts]


def _write_chars(folder: Path, p: Postings, in_title: np.ndarray, chars: np.ndarray) -> np.ndarray:
    """chars/<s>.bin: 'SBc1', u32 words, entries, 0; u32 character[words]; varints: documents per character,
    then per entry the document (delta) and count·2 + (1 if the title has the character)."""
    value = p.entry_size * 2 + in_title[p.entry_at]   # an entry's first element is in the title if any is
    firsts = p.shards(2 + 3 * p.entries_per_word)
    _write_shards(folder, CHARS_MAGIC, firsts, p, [p.doc_delta, value], None, lambda words: (chars[words],))
    return p.words[firsts]


def _write_shards(folder: Path, magic: bytes, firsts: np.ndarray, p: Postings, entry_columns: list,
                  positions: np.ndarray | None, points) -> None:
    """One file per shard of consecutive words: the header, its words' code points, then its varints: per
    word, per entry (the entry columns interleaved), and the positions."""
    folder.mkdir(parents=True, exist_ok=True)
    per_word, word_bytes = varints(p.entries_per_word)
    per_entry, entry_bytes = varints(np.stack(entry_columns, axis=1).reshape(-1))
    entry_bytes = entry_bytes[::2]   # each entry has two values
    entry_of_word = np.concatenate(([0], np.cumsum(p.entries_per_word)))
    if positions is not None:
        per_position, position_bytes = varints(positions)
        position_of_entry = np.concatenate(([0], np.cumsum(p.entry_size)))
    bounds = np.append(firsts, len(p.words))
    for s in range(len(firsts)):
        w0, w1 = int(bounds[s]), int(bounds[s + 1])
        e0, e1 = int(entry_of_word[w0]), int(entry_of_word[w1])
        q0 = q1 = 0
        if positions is not None:
            q0, q1 = int(position_of_entry[e0]), int(position_of_entry[e1])
        parts = [magic + struct.pack("<III", w1 - w0, e1 - e0, q1 - q0),
                 *(c.astype("<u4").tobytes() for c in points(p.words[w0:w1])),
                 per_word[word_bytes[w0]:word_bytes[w1]].tobytes(),
                 per_entry[entry_bytes[e0]:entry_bytes[e1]].tobytes()]
        if positions is not None:
            parts.append(per_position[position_bytes[q0]:position_bytes[q1]].tobytes())
        (folder / f"{s}.bin").write_bytes(b"".join(parts))


def date_key(doc) -> str:
    """The date the results are sorted by: the publish date, else the year (before the year's dated ones)."""
    return doc.date.isoformat() if doc.date else f"{doc.year or 0:04d}-00-00"


FILTERS = ("province", "city", "year", "doc_type")


def filter_values(doc) -> dict[str, str]:
    """The document's value for each search filter ('' when it has none)."""
    region = doc.region
    return {"province": (region.province if region else "") or "",
            "city": (region.city if region else "") or "",
            "year": str(doc.year) if doc.year else "年份不详",
            "doc_type": doc.doc_type}


def write_part(docs: list, folder: Path) -> None:
    """One part: its pair table, and (at the same time, in a forked process) its character table, texts and
    document tables."""
    codes, starts = fold([d.text for d in docs])
    title_codes, title_starts = fold([d.title for d in docs])
    title_lengths = np.diff(np.append(title_starts, len(title_codes))) - 1

    def the_rest() -> list[int]:
        (folder / "text").mkdir(parents=True, exist_ok=True)
        for n, doc in enumerate(docs):   # as written, for excerpts (search.js finds the terms in it itself)
            text = WHITESPACE.sub(" ", doc.text).strip()
            (folder / "text" / f"{n}.txt").write_text(text, encoding="utf-8")
        (folder / "docs").mkdir(exist_ok=True)
        for k in range(0, len(docs), CHUNK):
            rows = [[d.url, d.title, d.date.isoformat() if d.date else (f"{d.year}年" if d.year else ""),
                     d.region.label if d.region else "全国性或地区不详", d.doc_type_label] for d in docs[k:k + CHUNK]]
            _write_json(folder / "docs" / f"{k // CHUNK}.json", rows)
        return char_table(codes, starts, title_lengths, folder) if docs else []

    pairs, chars = _side_by_side(lambda: pair_table(codes, starts, folder) if docs else [], the_rest)
    values = [filter_values(d) for d in docs]
    filters = {}
    for key in FILTERS:
        names = sorted({v[key] for v in values})
        number = {v: i for i, v in enumerate(names)}
        filters[key] = {"values": names, "of": [number[v[key]] for v in values]}
    _write_json(folder / "meta.json", {"docs": len(docs), "title_length": title_lengths.tolist(),
                                       "filters": filters, "pairs": pairs, "chars": chars})


def _side_by_side(first, second) -> tuple:
    """(first(), second()), second() in a forked child meanwhile — unless this process is a pool worker
    indexing one of several parts, which already keeps the cores busy (and may not fork)."""
    import multiprocessing
    import pickle
    import traceback

    if multiprocessing.current_process().daemon:
        return first(), second()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(read)
            with os.fdopen(write, "wb") as answer:
                answer.write(pickle.dumps(second()))
            code = 0
        except BaseException:  # noqa: BLE001 - the parent reports the failure
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(write)
    try:
        result = first()
    finally:
        with os.fdopen(read, "rb") as answer:
            data = answer.read()
        _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"search index: writing {second.__name__} failed in a forked process")
    return result, pickle.loads(data)


def build_search_index(site: Site, out_dir: Path, parts: int | None = None, jobs: int = 1,
                       previous: Path | None = None) -> dict:
    """Write the search index to out_dir/fulltext: `parts` of the documents (default: one per PART_SIZE),
    newest first, `jobs` of them at once in forked processes. A part whose documents are as in the index
    under `previous` (the last output) is hard-linked from there instead of being built again."""
    docs = sorted(site.documents, key=lambda d: (date_key(d), d.url), reverse=True)
    if any(not d.url.startswith("/") for d in docs) or len({d.url for d in docs}) != len(docs):
        raise ValueError("search index: every document needs its own URL (site_builder.build.load sets them)")
    count = parts or max(1, -(-len(docs) // PART_SIZE))
    size = -(-len(docs) // count) if docs else 0
    root = out_dir / INDEX_DIR
    slices = [docs[n * size:(n + 1) * size] for n in range(count)]
    digests = [part_digest(part) for part in slices]
    reused = _reusable_parts(previous / INDEX_DIR if previous else None, digests)
    todo = [n for n in range(count) if n not in reused]
    for n in reused:
        shutil.copytree(reused[n], root / str(n), copy_function=os.link)
    if jobs > 1 and len(todo) > 1:
        _in_workers([slices[n] for n in todo], [root / str(n) for n in todo], jobs)
    else:
        for n in todo:
            write_part(slices[n], root / str(n))
    shards: list[dict[str, str]] = [{} for _ in range(T2S_SHARDS)]
    for trad, simp in t2s_map().items():
        shards[ord(trad) % T2S_SHARDS][trad] = simp
    for n, shard in enumerate(shards):
        _write_json(root / "t2s" / f"{n}.json", shard)
    _write_json(root / "index.json", {"version": VERSION, "chunk": CHUNK, "t2s_shards": T2S_SHARDS, "parts": [
        {"path": f"{n}/", "docs": len(part), "digest": digest} for n, (part, digest) in enumerate(zip(slices, digests))]})
    return {"records": len(docs), "parts": count, "reused": len(reused)}


@lru_cache(maxsize=1)
def _code_digest() -> bytes:
    """This code and the character table: what, besides the documents, decides a part's bytes."""
    return hashlib.sha256(Path(__file__).read_bytes() + json.dumps(t2s_map()).encode("ascii")).digest()


def part_digest(docs: list) -> str:
    """What a part's files are made of: its documents' URLs, rows, filter values and text, and this code."""
    digest = hashlib.sha256(_code_digest())
    for d in docs:
        digest.update(json.dumps([d.url, d.title, date_key(d), d.region.label if d.region else "", d.doc_type_label,
                                  filter_values(d), d.text], ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def _reusable_parts(previous: Path | None, digests: list[str]) -> dict[int, Path]:
    """Part number → folder of the previous index holding the same part (same number, same digest)."""
    try:
        recorded = json.loads((previous / "index.json").read_text(encoding="utf-8"))["parts"] if previous else []
    except (OSError, ValueError, KeyError):
        return {}
    return {n: previous / str(n) for n, (part, digest) in enumerate(zip(recorded, digests))
            if isinstance(part, dict) and part.get("digest") == digest and (previous / str(n) / "meta.json").is_file()}


class IndexJob:
    """build_search_index in a forked process, so that the index is built while the pages are rendered."""

    def __init__(self, site: Site, out_dir: Path, parts: int | None = None, jobs: int = 1,
                 previous: Path | None = None):
        import multiprocessing

        context = multiprocessing.get_context("fork")   # the site is inherited, not pickled
        self._answer, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_index_job, args=(site, out_dir, parts, jobs, previous, send))
        self._process.start()
        send.close()

    def wait(self) -> dict:
        """The summary of build_search_index; its error, if it failed, as a RuntimeError."""
        try:
            kind, value = self._answer.recv()
        except EOFError:
            kind, value = "error", "the indexing process ended without an answer"
        self._process.join()
        if kind == "error":
            raise RuntimeError(f"search index: {value} (exit code {self._process.exitcode})")
        return value

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()
        self._answer.close()


def _index_job(site: Site, out_dir: Path, parts: int | None, jobs: int, previous: Path | None, send) -> None:
    try:
        send.send(("ok", build_search_index(site, out_dir, parts=parts, jobs=jobs, previous=previous)))
    except BaseException as exc:  # noqa: BLE001 - reported to the build, which raises it
        send.send(("error", f"{type(exc).__name__}: {exc}"))


_PARTS = None  # (slices, targets) for forked part indexers: inherited, not pickled


def _in_workers(slices: list, targets: list[Path], jobs: int) -> None:
    """Index the parts `jobs` at a time, each in a fresh forked process that exits after its part."""
    global _PARTS
    import multiprocessing

    _PARTS = (slices, targets)
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, len(slices)), maxtasksperchild=1) as pool:
            pool.map(_index_part, range(len(slices)), chunksize=1)
    finally:
        _PARTS = None


def _index_part(n: int) -> None:
    slices, targets = _PARTS
    write_part(slices[n], targets[n])


def _write_json(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
