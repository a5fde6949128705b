"""The default engine: Pagefind builds the index, over words that make Chinese search exact.

Pagefind's own Chinese mode is not exact (its indexer and the browser segment words differently:
../shared/docs/search-notes.md, recall 0.84, precision 0.77), so Pagefind is given words of its standard
(whitespace) tokenizer that it cannot get wrong: every character of the folded text (text.normalise()) is
indexed as the pair it starts — itself and the next character — and the last character of a line as the
character followed by END ("行政复议" → 行政 政复 复议 议ǁ). So word positions are character positions, and
search-pagefind.js finds a term where its pairs stand one after the other, using the positions Pagefind
returns with every result (no page text is downloaded for that). A term never crosses a line break or space.

Characters other than ASCII letters, digits and Han are written as MARK + six hex digits ("〔" →
"ǀ003014"), so Pagefind keeps them (it drops punctuation from words) and 文号 such as 〔2018〕88号 are told
apart. No word is a prefix of another word (each character is one code of a prefix-free code and every word
is two of them, or one and END), because Pagefind answers a word it lacks with a word it is a prefix of.

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
from pathlib import Path

from site_builder.search.pagefind_meta import fix_chunk_bounds
from site_builder.search.text import normalise, write_meta, write_rows_and_texts

INDEX_DIR = "pagefind"
PART_SIZE = 10_000            # documents per Pagefind bundle (memory: ~0.5 GB per 1,000 documents of a part)
LANGUAGE = "x-pairs"          # not zh: Pagefind must neither segment the text nor split the query
MARK, END = "\u01c0", "\u01c1"  # ǀ and ǁ: letters to Pagefind, so kept inside words; not in folded text
_ALL = {"all": ["1"]}         # every record has it: the browser lists every page of a part with it


def _plain(c: str) -> bool:
    return "0" <= c <= "9" or "a" <= c <= "z" or "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"


class Words:
    """The index words of folded text; the codes of characters are memoised."""

    def __init__(self):
        self.codes: dict[str, str] = {}

    def code(self, c: str) -> str:
        code = self.codes.get(c)
        if code is None:
            code = self.codes[c] = c if _plain(c) and c not in (MARK, END) else f"{MARK}{ord(c):06x}"
        return code

    def lines(self, text: str) -> tuple[list[str], set[str]]:
        """The words of the text's lines (its whitespace-separated runs), and the characters that end one."""
        words, ends = [], set()
        code = self.code
        for line in text.split():
            codes = [code(c) for c in line]
            words.extend([a + b for a, b in zip(codes, codes[1:])])
            words.append(codes[-1] + END)
            ends.add(line[-1])
        return words, ends

    def chars(self, text: str, skip: set[str]) -> list[str]:
        """The text's distinct characters as "cǁ" words (those in `skip` already have one)."""
        return [self.code(c) + END for c in sorted(set(text) - skip) if not c.isspace()]

    def record(self, doc) -> tuple[list[str], int]:
        """A document's words, and how many of them are the title's."""
        title = normalise(doc.title)
        body = normalise(doc.text[len(doc.title):]) if doc.text.startswith(doc.title) else normalise(doc.text)
        title_words, title_ends = self.lines(title)
        title_words += self.chars(title, title_ends)
        body_words, body_ends = self.lines(body)
        body_words += self.chars(body, body_ends | set(title))
        return title_words + body_words, len(title_words)


def write_part(docs: list, folder: Path) -> None:
    """One part: the shared files, and the Pagefind bundle of its records."""
    write_rows_and_texts(docs, folder)
    words = Words()
    records, title_lengths, vocabulary = [], [], set()
    for n, doc in enumerate(docs):
        record, title_length = words.record(doc)
        vocabulary.update(record)
        records.append((doc.url, " ".join(record), f"{n:07d}"))
        title_lengths.append(title_length)
    del words
    write_meta(docs, folder, title_lengths)
    if records:
        _run(_index, records, folder)
        fix_chunk_bounds(folder, sorted(vocabulary))


async def _index(records: list[tuple[str, str, str]], folder: Path) -> None:
    from pagefind.index import IndexConfig, PagefindIndex

    config = IndexConfig(output_path=str(folder), write_playground=False)
    async with PagefindIndex(config) as index:
        for url, content, rank in records:
            await index.add_custom_record(url=url, content=content, language=LANGUAGE, filters=_ALL,
                                          sort={"rank": rank})


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
