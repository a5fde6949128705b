"""What pages read, as digests: a rebuild compares them with the last build's to know which pages to render.

A page names its inputs (``Page.reads``, decided where its context is made, render/pages.py) and the templates
and static files it used are recorded while it renders (``templates.RecordingEnvironment``). Each input is a
key with a digest:

  ("doc", rel path)          the document itself (its file's bytes and its link)
  ("face", region)           a region's name and number of documents (breadcrumbs, "all N documents")
  ("own", region)            the listing faces of the documents naming that region, in 'other years' order
  ("members", region)        the region node and the listing faces of every document under it
  ("slice", kind, key, n)    page n of a year's or a type's listing: its documents' faces, how many in all
  ("unplaced",)              the listing faces of the documents without a region (the region index lists them)
  ("annual", year)           the listing faces of that year's annual reports (its statistics page)
  ("outline",)               every region and term with its count, the number of documents
  ("latest",) ("entries",)   the newest documents' listing faces; every document's
  ("figures",)               every annual report's figures, region, year and issuer (the statistics page)
  ("years",)                 the years the archive covers
  ("template", name)         the template file that name resolves to
  ("asset", name)            the fingerprinted route of a static file

A document's listing face is everything but its body: a body-only edit changes its own page only.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import fields

from site_builder.compare import archive_years
from site_builder.content.model import Document
from site_builder.listings import region_keys
from site_builder.urls import UNDATED

FIXED = ("template", "asset")   # input kinds no document is part of: their digests are checked every time
BODY_FIELDS = {"body", "content_hash"}   # read by the document's own page only (body: text, front matter)
FACE_FIELDS = None


def _h(*parts: bytes) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part)
    return h.digest()


def face_digest(doc: Document) -> bytes:
    """The digest of a document's listing face: every field but the body (and the raw front matter)."""
    global FACE_FIELDS
    if FACE_FIELDS is None:
        FACE_FIELDS = tuple(f.name for f in fields(Document) if f.name not in BODY_FIELDS)
    return _h(pickle.dumps(tuple(getattr(doc, name) for name in FACE_FIELDS), protocol=4))


def figures_digest(doc: Document) -> bytes | None:
    """What the statistics page takes from an annual report: where it is, its year, who issued it (the
    government's report stands for its region) and its figures; None for other documents."""
    if doc.doc_type != "annual_report" or not doc.year:
        return None
    return _h(pickle.dumps((doc.region, region_keys(doc), doc.year, doc.issuing_body, doc.slug, doc.stats, doc.tables),
                           protocol=4))


def _where(doc: Document) -> tuple:
    """Where a document is listed: its region chain, year and type."""
    return (region_keys(doc), doc.year, doc.doc_type)


def _touched(moved: list[tuple], edited: set[str]) -> tuple[set, set]:
    """The input keys whose digest can have changed because these documents' faces changed (and the terms
    whose every page can have), given where each was and is listed: keys no changed document is part of keep
    their digest, so a rebuild need not compute it."""
    keys: set = {("outline",), ("latest",), ("entries",), ("years",), ("unplaced",), ("figures",)}
    keys |= {("doc", rel) for rel in edited}
    terms: set = set()
    for rel, (regions, year, doc_type) in moved:
        for key in regions:
            keys |= {("face", key), ("members", key)}
        if regions:
            keys.add(("own", regions[-1]))
        keys.add(("annual", year))
        terms |= {("years", str(year) if year else UNDATED), ("types", doc_type)}
    return keys, terms


class Inputs:
    """The digest of every input key of one build, made on demand. `faces` (rel path → (content hash, url,
    digest)) carries listing-face digests over from the last build, so that only changed documents are hashed."""

    def __init__(self, plan, env, assets: dict, faces: dict | None = None, only: list | None = None):
        """`only`: the documents that can differ from `faces` (the rest are as the last build saw them: serve
        after Rebuilder.refresh), so that the others need not be looked at."""
        self.plan, self.env, self.assets = plan, env, assets
        self.site, self.listings = plan.site, plan.listings
        known = faces or {}
        self.faces: dict[str, tuple] = dict(known) if only is not None else {}
        moved: list[tuple] = []   # where documents whose face changed were listed before, and are now
        edited: set[str] = set()  # documents whose file (or link) changed
        for doc in self.site.documents if only is None else only:
            entry = known.get(doc.rel_path)
            if entry is None or entry[0] != doc.content_hash or entry[1] != doc.url:
                entry = (doc.content_hash, doc.url, face_digest(doc), _where(doc), figures_digest(doc))
                old = known.get(doc.rel_path)
                edited.add(doc.rel_path)
                if old is None or old[2] != entry[2]:
                    moved += [(doc.rel_path, entry[3])] + ([(doc.rel_path, old[3])] if old else [])
            self.faces[doc.rel_path] = entry
        gone = [] if only is not None else [rel for rel in known if rel not in self.faces]
        moved += [(rel, known[rel][3]) for rel in gone]
        self.touched = _touched(moved, edited | set(gone))
        self.changed: set | None = None   # the keys whose digest changed since the last build (rebuild._stale)
        self.docs = {doc.rel_path: doc for doc in self.site.documents}
        self._memo: dict[tuple, bytes | None] = {}
        self._by_key: dict[str, dict] = {}
        self._reports: dict | None = None

    def may_differ(self, key: tuple) -> bool:
        """False when the key's digest is certainly as at the last build (no changed document is part of it;
        templates and static files are always checked)."""
        keys, terms = self.touched
        return key in keys or key[0] in FIXED or (key[0] == "slice" and key[1:3] in terms)

    def touched_keys(self) -> set:
        """The keys may_differ() is true of, templates and static files aside; a term's slices as it has pages
        now (for a change that moves no document: a term that lost pages would leave slices out)."""
        keys, terms = self.touched
        found = set(keys)
        size = self.site.config.page_size
        for kind, key in terms:
            term = self._terms(kind).get(key)
            found |= {("slice", kind, key, n) for n in range(1, 2 + (len(term.documents) - 1) // size)} if term else set()
        return found

    def digest(self, key: tuple) -> bytes | None:
        """None: the input no longer exists (a page that read it must be made again, or is gone)."""
        if key not in self._memo:
            self._memo[key] = getattr(self, "_" + key[0])(*key[1:])
        return self._memo[key]

    def _faces(self, docs) -> bytes:
        faces = self.faces
        return _h(b"".join(faces[d.rel_path][2] for d in docs))

    def _doc(self, rel: str):
        doc = self.docs.get(rel)
        return None if doc is None else _h(doc.content_hash.encode(), doc.url.encode())

    def _face(self, key: str):
        node = self.listings.regions.get(key)
        return None if node is None else _h(repr((node.name, len(node.documents))).encode())

    def _own(self, key: str):
        docs = self.plan.own.get(key)
        return None if docs is None else self._faces(docs)

    def _members(self, key: str):
        node = self.listings.regions.get(key)
        if node is None:
            return None
        return _h(repr((node.key, node.name, node.level, node.parent, node.children)).encode(),
                  self._faces(node.documents))

    def _slice(self, kind: str, key: str, number: int):
        term = self._terms(kind).get(key)
        if term is None:
            return None
        size = self.site.config.page_size
        pages = max(1, -(-len(term.documents) // size))
        return _h(repr((term.label, pages, len(term.documents))).encode(),
                  self._faces(term.documents[(number - 1) * size:number * size]))

    def _terms(self, kind: str) -> dict:
        if kind not in self._by_key:
            self._by_key[kind] = {t.key: t for t in getattr(self.listings, kind)}
        return self._by_key[kind]

    def _annual(self, year: int):
        if self._reports is None:
            self._reports = {}
            for doc in self.site.documents:
                if doc.doc_type == "annual_report" and doc.year:
                    self._reports.setdefault(doc.year, []).append(doc)
        docs = self._reports.get(year)
        return None if docs is None else self._faces(docs)

    def _outline(self):
        listings = self.listings
        regions = [(n.key, n.name, n.level, n.parent, n.children, len(n.documents)) for n in listings.regions.values()]
        terms = [(t.key, t.label, len(t.documents)) for t in (*listings.years, *listings.types)]
        return _h(repr((regions, terms, len(listings.no_region), len(self.site.documents))).encode())

    def _unplaced(self):
        return self._faces(self.listings.no_region)

    def _latest(self):
        config = self.site.config
        return self._faces(self.site.documents[:max(config.latest_size, config.feed_size)])

    def _entries(self):
        return self._faces(self.site.documents)

    def _figures(self):
        """Every annual report's figures facet; a title only where it decides which of a region's reports of a
        year stands for the region (stats._own_report ranks several by title): the statistics page shows no title."""
        groups: dict[tuple, int] = {}
        reports = []
        for doc in self.site.documents:
            entry = self.faces[doc.rel_path]
            if entry[4] is not None:
                keys = entry[3][0]
                group = ((keys[0], keys[-1]) if keys else ("", doc.issuing_body or doc.slug), doc.year)
                groups[group] = groups.get(group, 0) + 1
                reports.append((entry[4], doc.title, group))
        return _h(*(facet + (title.encode() if groups[group] > 1 else b"") for facet, title, group in reports))

    def _years(self):
        return _h(repr(archive_years(self.site)).encode())

    def _template(self, name: str):
        try:
            source, filename, _ = self.env.loader.get_source(self.env, name)
        except Exception:   # gone: the page that used it fails or changes when rendered again
            return None
        return _h(str(filename).encode(), source.encode())

    def _asset(self, name: str):
        found = self.assets.get(name)
        return None if found is None else found[0].encode()


class Readers:
    """Input key → the routes of the pages that read it, from a record's pages (built once, then kept up to date
    by the rebuilds that re-render a few pages of the same plan: serve)."""

    def __init__(self, pages: dict):
        self.pages = pages
        self.routes: dict[tuple, set] = {}
        for route, used in pages.items():
            for key in used:
                self.routes.setdefault(key, set()).add(route)
        self.fixed = {key for key in self.routes if key[0] in FIXED}   # always checked

    def of(self, keys) -> set:
        found: set = set()
        for key in keys:
            found |= self.routes.get(key, set())
        return found

    def moved(self, pages: dict, routes) -> None:
        """The record's pages are now `pages`, where `routes` were rendered again (and may read other keys)."""
        for route in routes:
            before, now = set(self.pages[route]), set(pages[route])
            for key in before - now:
                self.routes[key].discard(route)
            for key in now - before:
                self.routes.setdefault(key, set()).add(route)
                if key[0] in FIXED:
                    self.fixed.add(key)
        self.pages = pages
