"""The search index: Pagefind over overlapping character pairs, so a Chinese query finds exactly its text.

Pagefind's own Chinese segmentation disagrees between indexer and browser (../shared/docs/search-notes.md:
recall 0.84, precision 0.77). Here every run of letters/digits/Han characters is indexed as overlapping
pairs plus its last character ("行政复议" → "行政 政复 复议 议"), every other character as a word of its
own that Pagefind keeps ("〔" → "ǀ03014"), and search.js turns a query into words the same way. Pagefind
finds the documents holding every word of the query; search.js keeps those where the words stand at
consecutive positions (Pagefind returns each result's word positions), i.e. where the text says the query.
Each document's characters are also listed once, so that a one-character query finds every document that
has the character. The records are synthetic pages in a language Pagefind does not segment ("x-pairs");
the title is a weighted heading so that title matches rank first. Traditional characters are folded to
Simplified on both sides. Measurements: benchmarks/README.md, section "Search".
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gzip
import html
import json
import os
import re
import struct
import tempfile
import unicodedata
from functools import lru_cache
from pathlib import Path

from site_builder.content.model import Site

LANGUAGE = "x-pairs"          # not zh: Pagefind must neither segment the text nor split the query
TITLE_WEIGHT = 10
WORD = re.compile(r"[^\W_]+")  # runs of letters (incl. Han) and digits
# Marks index words that are not pairs: a letter (so Pagefind keeps it as part of the word and does not split
# the word at it, as it does at '_') that texts do not use; normalise() turns it into '|' in the text itself.
MARK = "\u01c0"  # ǀ LATIN LETTER DENTAL CLICK
# Everything search writes is under pagefind/ (the Pagefind bundle of the first part), so that the build and
# the dev server carry one folder: the site's own search files in pagefind/site-search/, further parts in
# pagefind/parts/<n>/.
T2S_DIR = "pagefind/site-search/t2s"  # Traditional → Simplified character map in shards, for search.js
T2S_SHARDS = 32               # shard n holds the characters whose code point % 32 == n (search.html says 32 too)
DOCS_FILE = "pagefind/site-search/docs.json"  # Pagefind page id → [url, title]: the full result list without fragments


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
    return unicodedata.normalize("NFKC", text).lower().translate(_t2s_table()).replace(MARK, "|")


def pairs(run: str) -> list[str]:
    """'行政复议' → ['行政', '政复', '复议', '议ǀ']: every pair, then the last character marked (MARK).
    No index word is a prefix of another of a different kind: Pagefind, asked for a word it lacks, answers
    with a word that is a prefix of it ('复鑫' → '复'), which must never be a real character of the text."""
    return [run[i:i + 2] for i in range(len(run) - 1)] + [run[-1] + MARK]


def mark_word(char: str) -> str:
    """A punctuation mark or symbol as an index word Pagefind keeps and can search ('〔' → 'ǀ03014'):
    Pagefind drops punctuation from queries, and 文号 such as 〔2018〕88号 are told apart by it."""
    return f"{MARK}{ord(char):05x}"


def joint_word(mark: str, char: str) -> str:
    """The word after a mark that is followed by a run: mark and the run's first character ('〕8' →
    'ǀǀ030158'), so that a query ending in one character after punctuation ('〔2018〕8') is matched exactly:
    the character starts a run there, whether the run ends ('8ǀ') or goes on ('88')."""
    return f"{MARK}{MARK}{ord(mark):05x}{char}"


SPACE = mark_word(" ")  # any run of spaces and line breaks: a query never matches across one


def marks(between: str) -> list[str]:
    return [SPACE if part.isspace() else mark_word(part) for part in re.findall(r"\s+|\S", between)]


def index_text(text: str) -> str:
    """A document's text as index words: runs become pairs, every other character (a run of spaces and line
    breaks counting as one) a mark word, followed by a joint word where a run follows."""
    out, pos = [], 0
    text = normalise(text)
    for m in WORD.finditer(text):
        between = text[pos:m.start()]
        out.extend(marks(between))
        if between and not between[-1].isspace():
            out.append(joint_word(between[-1], m.group()[0]))
        out.extend(pairs(m.group()))
        pos = m.end()
    out.extend(marks(text[pos:]))
    return " ".join(out)


BODY_MARK = MARK + "body"  # between the title and the body: search.js tells title matches by it
CHARS_MARK = MARK + "chars"  # starts the list of a document's characters at the end of its record


def char_words(text: str) -> str:
    """Each character of the text's runs once, as a word of its own, unless a run already ends with it.
    So a one-character query is one exact word ('复ǀ'), found in every document that has the character."""
    text = normalise(text)
    runs = WORD.findall(text)
    last = {run[-1] for run in runs}
    return " ".join(c + MARK for c in sorted({c for run in runs for c in run} - last))


def record_html(doc, vocabulary: set[str] | None = None) -> str:
    """The synthetic page Pagefind indexes for one document (attributes only for meta and filters); its
    index words are added to `vocabulary`."""
    def attr(kind: str, name: str, value) -> str:
        return f'<span data-pagefind-{kind}="{name}[data-v]" data-v="{html.escape(str(value), quote=True)}"></span>'

    region = doc.region
    region_label = region.label if region else "全国性或地区不详"
    title = index_text(doc.title)
    body = index_text(doc.text.split("\n", 1)[1] if "\n" in doc.text else "")
    chars = char_words(doc.text)
    if vocabulary is not None:
        for words in (title, body, chars):
            vocabulary.update(words.split())
        vocabulary.update((BODY_MARK, CHARS_MARK))
    parts = [f'<html lang="{LANGUAGE}"><body>',
             f'<h1 data-pagefind-weight="{TITLE_WEIGHT}">{html.escape(title)}</h1>',
             f"<div>{BODY_MARK} {html.escape(body)}</div>",
             f"<p>{CHARS_MARK} {html.escape(chars)}</p>",
             attr("meta", "title", doc.title),
             attr("meta", "date", doc.date.isoformat() if doc.date else ""),
             attr("meta", "region", region_label),
             attr("meta", "doc_type", doc.doc_type_label),
             attr("sort", "date", date_key(doc)),
             attr("filter", "doc_type", doc.doc_type),
             attr("filter", "year", str(doc.year) if doc.year else "年份不详")]
    if region and region.province:
        parts.append(attr("filter", "province", region.province))
    if region and region.city:
        parts.append(attr("filter", "city", region.city))
    parts.append("</body></html>")
    return "".join(parts)


PART_SIZE = 10_000  # documents per index part: the build peaks at ~0.7 GB per 1,000 documents of a part (7.1 GB at 10k)
PARTS_DIR = "pagefind/parts"   # parts after the first: <PARTS_DIR>/<n>/, merged in the browser
PARTS_FILE = "pagefind/site-search/parts.json"
OUTPUTS = ("pagefind",)  # all that build_search_index writes under out_dir


def build_search_index(site: Site, out_dir: Path, parts: int | None = None, jobs: int = 1) -> dict:
    """Write the Pagefind index to out_dir/pagefind, plus the character map and the page table for search.js.

    A large archive is indexed in `parts` (default: one per PART_SIZE documents), newest documents first, each
    a Pagefind bundle of its own that search.js merges at query time; since Pagefind lists the results of
    merged indexes one index after the other, date order across parts is kept by splitting on date.
    With `jobs` > 1 that many parts are indexed at once, each in a forked process (memory: one part each)."""
    docs = sorted(site.documents, key=lambda d: (date_key(d), d.url), reverse=True)
    if any(not d.url.startswith("/") for d in docs) or len({d.url for d in docs}) != len(docs):
        raise ValueError("search index: every document needs its own URL (site_builder.build.load sets them)")
    count = parts or max(1, -(-len(docs) // PART_SIZE))
    size = -(-len(docs) // count) if docs else 0
    bundles = [out_dir / "pagefind" if n == 0 else out_dir / PARTS_DIR / str(n) for n in range(count)]
    slices = [docs[n * size:(n + 1) * size] for n in range(count)]
    if jobs > 1 and count > 1:
        _index_in_workers(slices, bundles, jobs)
    else:
        for part, target in zip(slices, bundles):
            _run(_index, part, target)
    folder = out_dir / T2S_DIR
    folder.mkdir(parents=True, exist_ok=True)
    shards: list[dict[str, str]] = [{} for _ in range(T2S_SHARDS)]
    for trad, simp in t2s_map().items():
        shards[ord(trad) % T2S_SHARDS][trad] = simp
    for n, shard in enumerate(shards):
        _write_json(folder / f"{n}.json", shard)
    table = {}
    for bundle in bundles:
        table.update(page_table(bundle))
    _write_json(out_dir / DOCS_FILE, table)
    # the other parts' URLs, relative to this file
    _write_json(out_dir / PARTS_FILE, [f"../parts/{n}/" for n in range(1, count)])
    files = [p for p in (out_dir / "pagefind").rglob("*") if p.is_file()]
    return {"records": len(site.documents), "parts": count, "files": len(files),
            "bytes": sum(p.stat().st_size for p in files)}


_PARTS = None  # (slices, targets) for forked part indexers: inherited, not pickled


def _index_in_workers(slices: list, targets: list[Path], jobs: int) -> None:
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
    _run(_index, slices[n], targets[n])


def _run(function, *args) -> None:
    """asyncio.run(function(*args)), in a thread of its own when the caller already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(function(*args))
        return
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(function(*args))).result()


def date_key(doc) -> str:
    """The date the results are sorted by: the publish date, else the year (before the year's dated ones)."""
    return doc.date.isoformat() if doc.date else f"{doc.year or 0:04d}-00-00"


def _write_json(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def page_table(bundle: Path) -> dict[str, list[str]]:
    """Pagefind page id (its fragment's name) → [url, title], read back from the fragments just written."""
    table = {}
    for path in sorted((bundle / "fragment").glob("*.pf_fragment")):
        raw = gzip.decompress(path.read_bytes())
        data = json.loads(raw[raw.index(b"{"):])
        table[path.name.removesuffix(".pf_fragment")] = [data["url"], data["meta"].get("title", "")]
    return table


async def _index(docs, target: Path) -> None:
    """Write the synthetic pages to a scratch folder shaped like the site, then index it in one call."""
    from pagefind.index import IndexConfig, PagefindIndex

    binary = _standard_binary()
    if binary and "PAGEFIND_BINARY_PATH" not in os.environ:
        os.environ["PAGEFIND_BINARY_PATH"] = binary
    with tempfile.TemporaryDirectory(prefix="site-builder-search-") as scratch:
        vocabulary: set[str] = set()
        for doc in docs:
            page = Path(scratch) / doc.url.lstrip("/") / "index.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(record_html(doc, vocabulary), encoding="utf-8")
        config = IndexConfig(output_path=str(target), write_playground=False)
        async with PagefindIndex(config) as index:
            await index.add_directory(scratch)
    fix_chunk_bounds(target, sorted(vocabulary))


# --- Pagefind's chunk table ------------------------------------------------------------------------------
# Pagefind's metadata file lists, for every index chunk, its first and last word, shortened to a prefix
# (['复议', '复'] for a chunk holding the single word 复议). The browser picks the chunk to load for a word by
# these bounds, and for such a chunk it loads the wrong one: 复议 was not found on a 10,000-document archive,
# and Pagefind then answered with the shorter word 复. So the bounds are rewritten to the chunks' real first
# and last words: the first read from each chunk, the last the word before the next chunk's first in the
# sorted vocabulary the records were made of.

def fix_chunk_bounds(bundle: Path, vocabulary: list[str]) -> int:
    """Rewrite the chunk bounds of the Pagefind bundle's metadata; returns how many changed."""
    import bisect

    (meta_path,) = bundle.glob("pagefind.*.pf_meta")
    raw = gzip.decompress(meta_path.read_bytes())
    magic = b"pagefind_dcd"
    if not raw.startswith(magic):
        raise ValueError(f"{meta_path}: not a Pagefind metadata file")
    meta, _ = cbor_load(raw, len(magic))
    chunks = meta[2]
    firsts = [_first_word(bundle / "index" / f"{chunk[2]}.pf_index") for chunk in chunks]
    changed = 0
    for n, chunk in enumerate(chunks):
        if n + 1 < len(chunks):
            last = vocabulary[bisect.bisect_left(vocabulary, firsts[n + 1]) - 1]
        else:
            last = vocabulary[-1]
        if not (firsts[n] <= last and last.startswith(chunk[1]) and firsts[n].startswith(chunk[0])):
            raise ValueError(f"{meta_path}: chunk {chunk} does not match the records' words ({firsts[n]}…{last})")
        if [chunk[0], chunk[1]] != [firsts[n], last]:
            chunk[0], chunk[1] = firsts[n], last
            changed += 1
    meta_path.write_bytes(gzip.compress(magic + cbor_dump(meta), mtime=0))
    return changed


def _first_word(path: Path) -> str:
    """The first word of an index chunk: [[[word, postings], …]]."""
    data = gzip.decompress(path.read_bytes())
    pos = len(b"pagefind_dcd")
    for _ in range(3):
        _, _, pos = _head(data, pos)
    word, _ = cbor_load(data, pos)
    return word


# The part of CBOR that Pagefind writes (definite lengths).
def _head(data: bytes, pos: int) -> tuple[int, int, int]:
    """(major type, argument, position after the head) of the CBOR item at pos."""
    first = data[pos]
    major, info = first >> 5, first & 31
    if info < 24:
        return major, info, pos + 1
    size = {24: 1, 25: 2, 26: 4, 27: 8}[info]  # indefinite lengths are not used by Pagefind
    return major, int.from_bytes(data[pos + 1:pos + 1 + size], "big"), pos + 1 + size


def cbor_load(data: bytes, pos: int = 0):
    """Decode the CBOR item at pos (the subset Pagefind writes): (value, position after it)."""
    major, arg, pos = _head(data, pos)
    if major == 0:
        return arg, pos
    if major == 1:
        return -1 - arg, pos
    if major in (2, 3):
        raw = data[pos:pos + arg]
        return (raw if major == 2 else raw.decode("utf-8")), pos + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, pos = cbor_load(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        out = {}
        for _ in range(arg):
            key, pos = cbor_load(data, pos)
            out[key], pos = cbor_load(data, pos)
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


def cbor_dump(value) -> bytes:
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
        return _put_head(4, len(value)) + b"".join(cbor_dump(v) for v in value)
    if isinstance(value, dict):
        return _put_head(5, len(value)) + b"".join(cbor_dump(k) + cbor_dump(v) for k, v in value.items())
    raise TypeError(type(value))



def _standard_binary() -> str | None:
    """The standard binary is enough (nothing is segmented) and is smaller and faster than the extended one."""
    try:
        import pagefind_bin
    except ImportError:  # fall back to whatever the Python API finds
        return None
    binary = Path(pagefind_bin.__file__).parent / "pagefind"
    return str(binary) if binary.is_file() else None
