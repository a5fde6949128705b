"""The default engine: Pagefind builds the index, over words that make Chinese search exact.

Pagefind's own Chinese mode is not exact (its indexer and the browser segment words differently:
../shared/docs/search-notes.md, recall 0.84, precision 0.77), so Pagefind is given words of its standard
(whitespace) tokenizer that it cannot get wrong: every character of the folded text (text.normalise()) is
indexed as the pair it starts — itself and the next character — and the last character of a line as the
character followed by END ("行政复议" → 行政 政复 复议 议ǁ). So word positions are character positions, and
search-pagefind.js finds a term where its pairs stand one after the other, using the positions Pagefind
returns with every result (no page text is downloaded for that). A term never crosses a line break or space.

Characters other than ASCII letters, digits and Han are written as letters Pagefind keeps (it drops
punctuation from words): code() maps them into CJK Extension B ("〔" → U+23014), so that 文号 such as
〔2018〕88号 are told apart. No word is a prefix of another word (each character is one code of a
prefix-free code and every word is two of them, or one and END), because Pagefind answers a word it lacks
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
import os
import tempfile
from pathlib import Path

from site_builder.search.pagefind_meta import fix_chunk_bounds
from site_builder.search.text import normalise, write_meta, write_rows_and_texts

INDEX_DIR = "pagefind"
PART_SIZE = 10_000            # documents per Pagefind bundle (memory: ~0.5 GB per 1,000 documents of a part)
LANGUAGE = "x-pairs"          # not zh: Pagefind must neither segment the text nor split the query
MARK, END = "\u01c0", "\u01c1"  # ǀ and ǁ: letters to Pagefind, so kept inside words; not in folded text
# Pagefind's own search interfaces, which the site does not use (search.js is the interface)
UNUSED = ("pagefind-ui.*", "pagefind-modular-ui.*", "pagefind-highlight.js")


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


class Words:
    """The index words of documents. A line is turned into codes with one str.translate and, as its codes are
    then one character each (unless it has a character with a MARK code, which is rare), gives its pairs by
    slicing."""

    def __init__(self):
        self.codes: dict[int, str] = {}   # code point → code, for the characters that do not stay
        self.seen: set[str] = set()
        self.long: set[str] = set()       # characters with a MARK code

    def _learn(self, text: str) -> None:
        for c in set(text).difference(self.seen):
            self.seen.add(c)
            if not c.isspace() and not _plain(ord(c)):
                self.codes[ord(c)] = code(c)
                if len(self.codes[ord(c)]) > 1:
                    self.long.add(c)

    def _line(self, line: str, words: list[str]) -> str:
        """Add a line's pairs and its last code + END to `words`; return that last code."""
        if self.long and not self.long.isdisjoint(line):
            codes = [code(c) for c in line]
        else:
            codes = line.translate(self.codes)
        words.extend(map(str.__add__, codes, codes[1:]))
        words.append(codes[-1] + END)
        return codes[-1]

    def _part(self, text: str, have: set[str], words: list[str]) -> set[str]:
        """Add the words of the text's lines, then "cǁ" for its characters that have none yet (not in `have`,
        not at the end of a line); return the codes that now have one."""
        self._learn(text)
        ends = {self._line(line, words) for line in text.split()}
        chars = {self.codes.get(ord(c), c) for c in set(text) if not c.isspace()}
        words.extend(c + END for c in sorted(chars - ends - have))
        return chars | have

    def record(self, doc) -> tuple[list[str], int]:
        """A document's words, and how many of them are the title's: the title's pairs and its other characters
        as "cǁ", then the body's pairs and the body's characters that have no "cǁ" yet."""
        words: list[str] = []
        have = self._part(normalise(doc.title), set(), words)
        title_length = len(words)
        self._part(normalise(doc.body_text), have, words)
        return words, title_length


def write_part(docs: list, folder: Path) -> None:
    """One part: the shared files, and the Pagefind bundle of its records."""
    write_rows_and_texts(docs, folder)
    words = Words()
    records, title_lengths, vocabulary = [], [], set()
    for n, doc in enumerate(docs):
        record, title_length = words.record(doc)
        vocabulary.update(record)
        records.append((" ".join(record), f"{n:07d}"))
        title_lengths.append(title_length)
    del words
    write_meta(docs, folder, title_lengths)
    if records:
        _run(_index, records, folder)
        fix_chunk_bounds(folder, sorted(vocabulary))
    for name in UNUSED:
        for path in folder.glob(name):
            path.unlink()


async def _index(records: list[tuple[str, str]], folder: Path) -> None:
    """The records as pages in a scratch folder, indexed in one call: the Python API answers one message per
    0.1 s, so adding 10,000 records one by one would take 1,000 s. The words need no HTML escaping: every
    character outside letters, digits and Han is written in hex."""
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


def binary() -> str:
    """The Pagefind binary the Python API runs (for the benchmarks' record)."""
    import pagefind_bin

    return os.environ.get("PAGEFIND_BINARY_PATH") or str(Path(pagefind_bin.__file__).parent / "pagefind")
