"""The search index: Pagefind over overlapping character pairs, so a Chinese query finds exactly its text.

Pagefind's own Chinese segmentation disagrees between indexer and browser (../shared/docs/search-notes.md:
recall 0.84, precision 0.77). Here every run of letters/digits/Han characters is indexed as overlapping
pairs plus its last character ("行政复议" → "行政 政复 复议 议"), every other character is a word of its own
written so that Pagefind keeps it ("〔" → "_03014"), and search.js turns a query into words the same way. A document then matches when it contains every pair of the query, and since Pagefind matches words
by prefix, a one-character query finds every document containing that character. The records are
synthetic HTML pages in a language Pagefind does not segment ("x-pairs"); the title is a weighted heading so
that title matches rank first. Traditional characters are folded to Simplified on both sides.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gzip
import html
import json
import os
import re
import tempfile
import unicodedata
from functools import lru_cache
from pathlib import Path

from site_builder.content.model import Site

LANGUAGE = "x-pairs"          # not zh: Pagefind must neither segment the text nor split the query
TITLE_WEIGHT = 10
WORD = re.compile(r"[^\W_]+")  # runs of letters (incl. Han) and digits
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


def normalise(text: str) -> str:
    """What both the index and the query see: NFKC, lower case, Traditional folded to Simplified."""
    table = t2s_map()
    return "".join(table.get(c, c) for c in unicodedata.normalize("NFKC", text).lower())


def pairs(run: str) -> list[str]:
    """'行政复议' → ['行政', '政复', '复议', '议']: every pair, then the last character."""
    return [run[i:i + 2] for i in range(len(run) - 1)] + [run[-1]]


def mark_word(char: str) -> str:
    """A punctuation mark or symbol as an index word Pagefind keeps and can search ('〔' → '_03014'):
    Pagefind drops punctuation from queries, and 文号 such as 〔2018〕88号 are told apart by it."""
    return f"_{ord(char):05x}"


def index_text(text: str) -> str:
    """A document's text as index words: runs become pairs, other characters one word each, spaces go."""
    out, pos = [], 0
    text = normalise(text)
    for m in WORD.finditer(text):
        out.extend(mark_word(c) for c in text[pos:m.start()] if not c.isspace())
        out.extend(pairs(m.group()))
        pos = m.end()
    out.extend(mark_word(c) for c in text[pos:] if not c.isspace())
    return " ".join(out)


CHARS_MARK = "_chars"  # starts the list of a document's characters at the end of its record


def char_words(text: str) -> str:
    """Each character of the text's runs once, as a word of its own, unless a run already ends with it.
    A one-character query must find every occurrence; Pagefind matches it as a prefix of the pairs, but
    only within the index chunk it loads, and the pairs starting with a common character fill several."""
    text = normalise(text)
    runs = WORD.findall(text)
    last = {run[-1] for run in runs}
    return " ".join(sorted({c for run in runs for c in run} - last))


def record_html(doc) -> str:
    """The synthetic page Pagefind indexes for one document (attributes only for meta and filters)."""
    def attr(kind: str, name: str, value) -> str:
        return f'<span data-pagefind-{kind}="{name}[data-v]" data-v="{html.escape(str(value), quote=True)}"></span>'

    region = doc.region
    region_label = region.label if region else "全国性或地区不详"
    parts = [f'<html lang="{LANGUAGE}"><body>',
             f'<h1 data-pagefind-weight="{TITLE_WEIGHT}">{html.escape(index_text(doc.title))}</h1>',
             f"<div>{html.escape(index_text(doc.text.split(chr(10), 1)[1] if chr(10) in doc.text else ''))}</div>",
             f"<p>{CHARS_MARK} {html.escape(char_words(doc.text))}</p>",
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


PART_SIZE = 20_000  # documents per index part: Pagefind's indexer holds a whole part in memory (~0.5 GB/1,000)
PARTS_DIR = "pagefind/parts"   # parts after the first: <PARTS_DIR>/<n>/, merged in the browser
PARTS_FILE = "pagefind/site-search/parts.json"
OUTPUTS = ("pagefind",)  # all that build_search_index writes under out_dir


def build_search_index(site: Site, out_dir: Path, parts: int | None = None) -> dict:
    """Write the Pagefind index to out_dir/pagefind, plus the character map and the page table for search.js.

    A large archive is indexed in `parts` (default: one per PART_SIZE documents), newest documents first, each
    a Pagefind bundle of its own that search.js merges at query time; since Pagefind lists the results of
    merged indexes one index after the other, date order across parts is kept by splitting on date."""
    docs = sorted(site.documents, key=lambda d: (date_key(d), d.url), reverse=True)
    if any(not d.url.startswith("/") for d in docs) or len({d.url for d in docs}) != len(docs):
        raise ValueError("search index: every document needs its own URL (site_builder.build.load sets them)")
    count = parts or max(1, -(-len(docs) // PART_SIZE))
    size = -(-len(docs) // count) if docs else 0
    bundles = []
    for n in range(count):
        target = out_dir / "pagefind" if n == 0 else out_dir / PARTS_DIR / str(n)
        _run(_index, docs[n * size:(n + 1) * size], target)
        bundles.append(target)
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
        for doc in docs:
            page = Path(scratch) / doc.url.lstrip("/") / "index.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(record_html(doc), encoding="utf-8")
        config = IndexConfig(output_path=str(target), write_playground=False)
        async with PagefindIndex(config) as index:
            await index.add_directory(scratch)


def _standard_binary() -> str | None:
    """The standard binary is enough (nothing is segmented) and is smaller and faster than the extended one."""
    try:
        import pagefind_bin
    except ImportError:  # fall back to whatever the Python API finds
        return None
    binary = Path(pagefind_bin.__file__).parent / "pagefind"
    return str(binary) if binary.is_file() else None
