"""The exact engine: our own full-text index over Chinese text, written here and read by search-exact.js.

A query term is found where the text says it, character for character: the index holds, for every pair of
adjacent characters, the documents and positions where it stands, and the browser keeps the documents where
the term's pairs stand one after the other. One-character terms use a second, smaller table: for every
character, the documents that have it. Both sides fold the text the same way (text.normalise(): NFKC, lower
case, Traditional → Simplified) and treat any run of whitespace as one space that no term crosses.
Measurements and the reasons for this design: benchmarks/README.md, section "Search".

Everything is under public/fulltext/, one folder per part of PART_SIZE documents, newest documents first;
besides the shared files of text.py (index.json, t2s/, and per part meta.json, docs/, text/):

  <part>/meta.json        adds the first key of every pairs/ and chars/ file
  <part>/pairs/<s>.bin    positions of consecutive pairs (in code point order), about SHARD_BYTES a file
  <part>/chars/<s>.bin    documents per character, likewise

Document numbers are positions in the part's date order. A .bin file is little-endian: magic (4 bytes),
three u32 counts, the file's keys (u32 arrays), then LEB128 varints (_write_pairs / _write_chars say which;
search-exact.js decodes them).
"""

from __future__ import annotations

import struct
import unicodedata
from pathlib import Path

import numpy as np

from site_builder.parallel import side_by_side
from site_builder.search.text import SPACE, fold_table, write_meta, write_rows_and_texts

INDEX_DIR = "fulltext"
PART_SIZE = 10_000            # documents per part: ~3 GB of memory to index one; the browser loads each part's meta
SHARD_BYTES = 32 * 1024       # aimed size of one .bin file: what a rare term costs to download
PAIRS_MAGIC, CHARS_MAGIC = b"SBp1", b"SBc1"
END = 0                       # code point that follows each document
u64 = np.uint64
KEY_BITS = 64                 # (pair, document, position) sort as one integer when they fit in this many bits


def fold(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The texts as one array of normalised code points, each text followed by END, whitespace runs as one
    SPACE (none at the start of a text); and where each text starts."""
    if not texts:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64)
    joined = "\0".join(unicodedata.normalize("NFKC", t.replace("\0", " ")).lower() for t in texts) + "\0"
    codes = fold_table()[np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)]
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


def write_part(docs: list, folder: Path) -> None:
    """One part: its pair table, and (at the same time, in a forked process) its character table, texts and
    document rows."""
    codes, starts = fold([d.text for d in docs])
    title_codes, title_starts = fold([d.title for d in docs])
    title_lengths = np.diff(np.append(title_starts, len(title_codes))) - 1

    def the_rest() -> list[int]:
        write_rows_and_texts(docs, folder)
        return char_table(codes, starts, title_lengths, folder) if docs else []

    pairs, chars = side_by_side(lambda: pair_table(codes, starts, folder) if docs else [], the_rest)
    write_meta(docs, folder, title_lengths.tolist(), pairs=pairs, chars=chars)
