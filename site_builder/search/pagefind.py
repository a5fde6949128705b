"""The default engine: Pagefind builds the index, over words that make Chinese search exact.

Pagefind's own Chinese mode is not exact (its indexer and the browser segment words differently:
../shared/docs/search-notes.md, recall 0.84, precision 0.77), so Pagefind is given words of its standard
(whitespace) tokenizer that it cannot get wrong: every character of the folded text (text.normalise()) is
indexed as the pair it starts — itself and the next character —, the last character of a line as the
character followed by END, and the line break as END alone ("行政复议 案件" → 行政 政复 复议 议ǁ ǁ 案件 件ǁ ǁ).
So word positions are character positions, and search-pagefind.js finds a term where its pairs stand one
after the other, using the positions Pagefind returns with every result (no page text is downloaded for
that). A term never crosses a line break or space.

Characters other than ASCII letters, digits and Han are written as letters Pagefind keeps (it drops
punctuation from words): code() maps them into CJK Extension B ("〔" → U+23014), so that 文号 such as
〔2018〕88号 are told apart. No word is a prefix of another word (each character is one code of a
prefix-free code and every word is two of them, one and END, or END), because Pagefind answers a word it lacks
with a word it is a prefix of.

One-character terms: after the title's words come the title's distinct characters as "cǁ" words, and after
the body's words the body's; a document has the character where "cǁ" stands at all, in the title where it
stands before the title's end (meta.json's title_length, in words).

Each part of the index (PART_SIZE documents, date order) is one Pagefind bundle in public/pagefind/<n>/,
beside the shared files of text.py; records are sorted by document number ("rank"), which is how the
browser maps Pagefind's page ids to document numbers.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import tempfile
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np

from site_builder.search.pagefind_meta import fix_chunk_bounds
from site_builder.search.text import SPACE, fold_table, write_meta, write_rows_and_texts

INDEX_DIR = "pagefind"
PART_SIZE = 5_000             # documents per Pagefind bundle: two at once keep two cores busy (Pagefind indexes on one)
LANGUAGE = "x-pairs"          # not zh: Pagefind must neither segment the text nor split the query
MARK, END = "\u01c0", "\u01c1"  # ǀ and ǁ: letters to Pagefind, so kept inside words; not in folded text
END_POINT = ord(END)
# Pagefind's own search interfaces, which the site does not use (search.js is the interface)
UNUSED = ("pagefind-ui.*", "pagefind-modular-ui.*", "pagefind-component-ui.*", "pagefind-highlight.js")


def _plain(x: int) -> bool:
    return 0x30 <= x <= 0x39 or 0x61 <= x <= 0x7A or 0x4E00 <= x <= 0x9FFF or 0x3400 <= x <= 0x4DBF


def code(c: str) -> str:
    """A character as Pagefind's word material: ASCII digits and letters and Han stay; any other character
    below U+A6E0 becomes the letter U+20000 + its code point (CJK Extension B, which Pagefind keeps in
    words); the rest (rarer) MARK + six hex digits. A prefix-free code: no word is a prefix of another."""
    x = ord(c)
    if _plain(x):
        return c
    return chr(0x20000 + x) if x < 0xA6E0 else f"{MARK}{x:06x}"


@lru_cache(maxsize=1)
def _plain_table() -> np.ndarray:
    """For the Basic Multilingual Plane: which code points stay as they are."""
    return np.array([_plain(x) for x in range(0x10000)])


def _unique(values: np.ndarray) -> np.ndarray:
    values = np.sort(values)
    return values[np.append(True, values[1:] != values[:-1])] if len(values) else values


class Words:
    """The index words of documents, made with array operations: the folded text (text.fold_table()) as code
    points, turned into codes, then every character's word (pair, or code + END and the line break) laid out
    in rows. A text with a character that has a MARK code (seven characters, rare) goes through the same steps
    character by character.

    record() gives a document's content for Pagefind (words separated by spaces) and the number of the title's
    words; `keys` collects the words as numbers (first code · 2^21 + second) and `rare` the MARK words, so that
    the part's sorted vocabulary can be made once (pagefind_meta.fix_chunk_bounds needs it)."""

    def __init__(self):
        self.keys: list[np.ndarray] = []
        self.rare: set[str] = set()

    def record(self, doc) -> tuple[str, int]:
        title, body = (fold_table()[np.frombuffer(unicodedata.normalize("NFKC", t).lower().encode("utf-32-le"),
                                                  dtype=np.uint32)] for t in (doc.title, doc.body_text))
        try:
            title_content, title_words, have = self._part(title, np.zeros(0, dtype=np.uint32))
            body_content, _, _ = self._part(body, have)
        except _Rare:
            return self._slow(*(t.tobytes().decode("utf-32-le") for t in (title, body)))
        return title_content + body_content, title_words

    def _part(self, p: np.ndarray, have: np.ndarray) -> tuple[str, int, np.ndarray]:
        """(content, number of words, codes that have a "cǁ" word) of one folded text: its lines' words, then
        "cǁ" for its characters without one."""
        is_space = p == SPACE
        keep = np.zeros(len(p), dtype=bool)
        bmp = p < 0x10000
        keep[bmp] = _plain_table()[p[bmp]]
        keep |= is_space
        if np.any(~keep & (p >= 0xA6E0)):
            raise _Rare
        codes = np.where(keep, p, p + 0x20000).astype(np.uint32)
        chars = np.flatnonzero(~is_space)
        first, after = codes[chars], chars + 1
        ends = np.ones(len(chars), dtype=bool)   # the character ends its line
        inside = after < len(p)
        ends[inside] = is_space[after[inside]]
        second = np.full(len(chars), END_POINT, dtype=np.uint32)
        second[~ends] = codes[after[~ends]]
        rows = np.empty((len(chars), 5), dtype=np.uint32)
        rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3], rows[:, 4] = first, second, SPACE, END_POINT, SPACE
        wanted = np.ones((len(chars), 5), dtype=bool)
        wanted[:, 3:] = ends[:, None]
        present = _unique(first)
        listed = present[~np.isin(present, np.concatenate((first[ends], have)))]
        tail = np.empty((len(listed), 3), dtype=np.uint32)
        tail[:, 0], tail[:, 1], tail[:, 2] = listed, END_POINT, SPACE
        content = (rows[wanted].tobytes() + tail.tobytes()).decode("utf-32-le")
        self.keys.append(_unique(np.concatenate((
            (first.astype(np.uint64) << 21) | second, np.array([END_POINT << 21] * bool(len(chars)), dtype=np.uint64),
            (listed.astype(np.uint64) << 21) | END_POINT))))
        return content, len(chars) + int(ends.sum()) + len(listed), np.union1d(have, present)

    def _slow(self, title: str, body: str) -> tuple[str, int]:
        words: list[str] = []
        have = self._slow_part(title, set(), words)
        title_words = len(words)
        self._slow_part(body, have, words)
        self.rare.update(words)
        return "".join(w + " " for w in words), title_words

    @staticmethod
    def _slow_part(text: str, have: set[str], words: list[str]) -> set[str]:
        ends = set()
        for line in text.split(" "):
            if not line:
                continue
            codes = [code(c) for c in line]
            words.extend(map(str.__add__, codes, codes[1:]))
            words += [codes[-1] + END, END]
            ends.add(codes[-1])
        chars = {code(c) for c in text if c != " "}
        words.extend(c + END for c in sorted(chars - ends - have))
        return chars | have

    def vocabulary(self) -> list[str]:
        """Every word of the records so far, sorted."""
        keys = _unique(np.concatenate(self.keys)) if self.keys else np.zeros(0, dtype=np.uint64)
        words = set(self.rare)
        for key in keys.tolist():
            second = key & 0x1FFFFF
            words.add(chr(key >> 21) + chr(second) if second else chr(key >> 21))
        return sorted(words)


class _Rare(Exception):
    """A text with a character that has a MARK code."""


def write_part(docs: list, folder: Path) -> None:
    """One part: the shared files, and the Pagefind bundle of its records."""
    write_rows_and_texts(docs, folder)
    words = Words()
    records, title_lengths = [], []
    for n, doc in enumerate(docs):
        content, title_length = words.record(doc)
        records.append((content, f"{n:07d}"))
        title_lengths.append(title_length)
    write_meta(docs, folder, title_lengths)
    if records:
        for attempt in range(TRIES):
            _run(_index, records, folder)
            broken = damaged(folder)
            if not broken:
                break
            if attempt + 1 == TRIES:
                raise RuntimeError(f"Pagefind wrote {broken} incompletely, {TRIES} times")
        fix_chunk_bounds(folder, words.vocabulary())
    for name in UNUSED:
        for path in folder.glob(name):
            path.unlink()


TRIES = 3
WRITTEN = ("pagefind.js", "pagefind-entry.json", "wasm.*.pagefind", "pagefind.*.pf_meta", "index/*.pf_index",
           "filter/*.pf_filter")


def damaged(bundle: Path) -> str | None:
    """The first file of the bundle that the browser reads and that is missing, empty or not whole, or None.
    The Python API ends Pagefind's process as soon as it has answered that the files are written, and on a
    busy machine a file was once left empty (the WebAssembly: no search worked)."""
    import gzip
    import zlib

    for pattern in WRITTEN:
        paths = sorted(bundle.glob(pattern))
        if not paths:
            return pattern
        for path in paths:
            data = path.read_bytes()
            try:
                if not data or (path.suffix != ".js" and path.suffix != ".json" and not gzip.decompress(data)):
                    return str(path.relative_to(bundle))
            except (OSError, EOFError, zlib.error):
                return str(path.relative_to(bundle))
    return None


async def _index(records: list[tuple[str, str]], folder: Path) -> None:
    """The records as pages in a scratch folder, indexed in one call: the Python API answers one message per
    0.1 s, so adding 10,000 records one by one would take 1,000 s. The words need no HTML escaping: no
    character of theirs is markup (code() writes every character other than letters, digits and Han as a
    letter or in hex)."""
    from pagefind.index import IndexConfig, PagefindIndex

    with tempfile.TemporaryDirectory(prefix="site-builder-pagefind-") as scratch:
        for content, rank in records:
            Path(scratch, f"{rank}.html").write_text(
                f'<html lang="{LANGUAGE}"><body data-pagefind-filter="all:1" data-pagefind-sort="rank:{rank}">'
                f"<p>{content}</p></body></html>", encoding="utf-8")
        config = IndexConfig(output_path=str(folder), write_playground=False)
        async with PagefindIndex(config) as index:
            await index.add_directory(scratch)


def _run(function, *args) -> None:
    """asyncio.run(function(*args)), in a thread of its own when the caller already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(function(*args))
        return
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(function(*args))).result()

