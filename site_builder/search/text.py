"""What both search engines share: how text is folded, how documents are ordered, and the site's own files
beside each engine's index (document rows, texts for excerpts, filter values, the character map), which
search.js reads the same way whichever engine built the index.

A part's shared files (write_part_files), documents numbered in date order (newest first):

  <part>/meta.json        {"docs", "title_length": [...], "filters": {key: {"values", "of"}}, …engine's own keys}
  <part>/docs/<k>.json    documents k·CHUNK … as [url, title, date, region, type label]
  <part>/text/<n>.txt     title and text as written, whitespace runs as one space (excerpts are cut from it)

and once per index: t2s/<n>.json, Traditional → Simplified for the characters whose code point % T2S_SHARDS == n.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from site_builder.schema import t2s_map, to_simplified

CHUNK = 128                   # documents per docs/<k>.json
T2S_SHARDS = 32
FILTERS = ("province", "city", "year", "doc_type")
WHITESPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """What both the index and the query see: NFKC, lower case, Traditional folded to Simplified."""
    return to_simplified(unicodedata.normalize("NFKC", text).lower())


SPACE = 32


@lru_cache(maxsize=1)
def fold_table():
    """Code point → code point: Traditional → Simplified and whitespace → SPACE (the part of normalise()
    after NFKC and lower case, plus the whitespace rule), for whole arrays of text at once."""
    import numpy as np

    table = np.arange(0x110000, dtype=np.uint32)
    for trad, simp in t2s_map().items():
        table[ord(trad)] = ord(simp)
    table[[c for c in range(0x3001) if chr(c).isspace()]] = SPACE
    return table


def date_key(doc) -> str:
    """The date the results are sorted by: the publish date, else the year (before the year's dated ones)."""
    return doc.date.isoformat() if doc.date else f"{doc.year or 0:04d}-00-00"


def in_date_order(documents) -> list:
    """Newest first (ties by URL): the order of document numbers in every part, and of the parts."""
    docs = sorted(documents, key=lambda d: (date_key(d), d.url), reverse=True)
    if any(not d.url.startswith("/") for d in docs) or len({d.url for d in docs}) != len(docs):
        raise ValueError("search index: every document needs its own URL (site_builder.build.load sets them)")
    return docs


def filter_values(doc) -> dict[str, str]:
    """The document's value for each search filter ('' when it has none)."""
    region = doc.region
    return {"province": (region.province if region else "") or "",
            "city": (region.city if region else "") or "",
            "year": str(doc.year) if doc.year else "年份不详",
            "doc_type": doc.doc_type}


def row(doc) -> list[str]:
    """What a result shows: [url, title, date, region, type label]."""
    return [doc.url, doc.title, doc.date.isoformat() if doc.date else (f"{doc.year}年" if doc.year else ""),
            doc.region.label if doc.region else "全国性或地区不详", doc.doc_type_label]


def write_rows_and_texts(docs: list, folder: Path) -> None:
    """docs/ and text/ of a part."""
    (folder / "text").mkdir(parents=True, exist_ok=True)
    for n, doc in enumerate(docs):   # as written, for excerpts (search.js finds the terms in it itself)
        (folder / "text" / f"{n}.txt").write_text(WHITESPACE.sub(" ", doc.text).strip(), encoding="utf-8")
    (folder / "docs").mkdir(exist_ok=True)
    for k in range(0, len(docs), CHUNK):
        write_json(folder / "docs" / f"{k // CHUNK}.json", [row(d) for d in docs[k:k + CHUNK]])


def write_meta(docs: list, folder: Path, title_lengths: list[int], **engine_keys) -> None:
    """meta.json of a part: document count, title lengths (in folded characters, for "in the title"), filter
    values by document number, and what the engine adds."""
    values = [filter_values(d) for d in docs]
    filters = {}
    for key in FILTERS:
        names = sorted({v[key] for v in values})
        number = {v: i for i, v in enumerate(names)}
        filters[key] = {"values": names, "of": [number[v[key]] for v in values]}
    write_json(folder / "meta.json", {"docs": len(docs), "title_length": title_lengths, "filters": filters,
                                      **engine_keys})


def write_t2s(root: Path) -> None:
    shards: list[dict[str, str]] = [{} for _ in range(T2S_SHARDS)]
    for trad, simp in t2s_map().items():
        shards[ord(trad) % T2S_SHARDS][trad] = simp
    for n, shard in enumerate(shards):
        write_json(root / "t2s" / f"{n}.json", shard)


def write_json(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
