"""Immutable data the whole build is a pure function of."""

from __future__ import annotations

import datetime as dt
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from site_builder.config import Config
from site_builder.schema import DOC_TYPES

@dataclass(frozen=True)
class Region:
    code: str
    province: str | None
    city: str | None
    county: str | None

    @property
    def label(self) -> str:
        """The region as a reader names it: 安徽省 安庆市 潜山市."""
        return " ".join(p for p in (self.province, self.city, self.county) if p)


class Body:
    """What only a document's own page reads: its rendered body, its text and its raw front matter. Kept
    encoded (UTF-8, pickle) until first read: a rebuild loads every cached document but reads the bodies of the
    few whose pages it renders (decoding 10,000 bodies on load cost 0.8 s of a one-edit rebuild). A body from
    the cache may not even be loaded yet (``Body.later``): its pack is read when the body is first needed."""

    __slots__ = ("_html", "_text", "_meta", "_fetch")

    def __init__(self, html: str | bytes, text: str | bytes, meta: dict | bytes):
        self._html, self._text, self._meta, self._fetch = html, text, meta, None

    @classmethod
    def later(cls, fetch: Callable[[], tuple[bytes, bytes, bytes]]) -> "Body":
        """A body that `fetch()` returns (encoded) when first read."""
        body = cls(b"", b"", b"")
        body._fetch = fetch
        return body

    def load(self) -> "Body":
        """Read the body now, if it was not yet (Body.later)."""
        if self._fetch is not None:
            self._html, self._text, self._meta = self._fetch()
            self._fetch = None
        return self

    @property
    def html(self) -> str:
        if isinstance(self.load()._html, bytes):
            self._html = self._html.decode("utf-8")
        return self._html

    @property
    def text(self) -> str:
        if isinstance(self.load()._text, bytes):
            self._text = self._text.decode("utf-8")
        return self._text

    @property
    def meta(self) -> dict[str, Any]:
        if isinstance(self.load()._meta, bytes):
            self._meta = pickle.loads(self._meta)
        return self._meta

    def encoded(self) -> tuple[bytes, bytes, bytes]:
        self.load()
        meta = self._meta if isinstance(self._meta, bytes) else pickle.dumps(self._meta, protocol=pickle.HIGHEST_PROTOCOL)
        return (*(v if isinstance(v, bytes) else v.encode("utf-8") for v in (self._html, self._text)), meta)

    def __reduce__(self):
        return Body, self.encoded()

    def __eq__(self, other) -> bool:
        return isinstance(other, Body) and self.encoded() == other.encoded()

    def __hash__(self) -> int:
        return hash(self.encoded())


@dataclass(frozen=True)
class Document:
    source_path: Path             # the content file
    rel_path: str                 # as shown in messages (relative to the project)
    slug: str                     # decides the document's URL (see urls.py)
    title: str
    doc_type: str
    year: int | None
    date: dt.date | None
    issuing_body: str | None
    region: Region | None
    doc_number: str | None
    format: str | None
    stats: dict[str, Any] | None
    tables: dict[str, Any]
    source: dict[str, Any]
    repairs: tuple[dict[str, Any], ...]
    warnings: tuple[str, ...]
    body: "Body"                  # rendered, sanitised Markdown body, its plain text, the raw front matter
    content_hash: str             # sha256 of the content file's bytes
    url: str                      # the link to the document's page (urls.py), decided when it is loaded
    untitled: bool = False        # the text gives no title: `title` is the site's description (原文无标题)

    @property
    def body_html(self) -> str:
        return self.body.html

    @property
    def front_matter(self) -> dict[str, Any]:
        """Everything the file's front matter holds, as read."""
        return self.body.meta

    @property
    def body_text(self) -> str:
        """Plain text of the body (one line per block), from the same parse as body_html."""
        return self.body.text

    @property
    def text(self) -> str:
        """Plain text of title + body: what search indexes."""
        return f"{self.title}\n{self.body_text}"

    @property
    def doc_type_label(self) -> str:
        return DOC_TYPES[self.doc_type]

    @property
    def sort_key(self) -> tuple:
        """Newest first; undated documents after dated ones of the same year; then title, slug."""
        date = self.date or dt.date(self.year or 1, 1, 1)
        return (-date.toordinal(), 0 if self.date else 1, self.title, self.slug)


@dataclass(frozen=True)
class Site:
    config: Config
    documents: tuple[Document, ...] = field(default_factory=tuple)  # sorted by Document.sort_key
