"""Rebuilds for a long-running process (build --watch, serve): only what changed is parsed, rendered, written.

``IncrementalBuilder`` keeps the previous build in memory: every content file's parse result (a Document keeps
its identity while its file is unchanged), the Site, the listings, the last page plan (route → Page) and a
digest of every file it left in public/. It rebuilds in three ways:

* ``full()`` — the first build, and after a theme, static-file or configuration change: the whole site,
  rendered by ``render.write_site`` (in parallel) into a staging tree that is swapped in whole.
* ``apply(changes)`` for a batch of content changes — the fast step: re-parse only the changed files
  (``load_file``), rebuild the Site and the listings, plan only the pages that can show a changed document
  (its page, its neighbours' pages, the pages of its region, year and type listings that list it, the home
  page) and render those whose visible inputs changed. Done in tens of milliseconds on 10,000 documents.
* ``settle(cancelled)`` — the exact step, run after a short quiet period: plan every page from scratch,
  re-render every page whose inputs differ from those of the page on disk (``Page`` equality: route, template,
  title, breadcrumbs and context, where an unchanged document is the very same object), plus every page whose
  template reads the ``site`` global (found by parsing the templates), recompute the non-page files, and
  delete files no longer produced. Afterwards public/ is byte-identical to a clean build (except the search
  index, refreshed by serve/ in the background). It stops early (returns None) when `cancelled()` turns true.

Files are written one by one as temp file + ``os.replace``, so a server never reads half a file; unchanged
bytes are never rewritten. A failing step raises ``SiteError`` and leaves public/ as it was.
"""

from __future__ import annotations

import bisect
import dataclasses
import gc
import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.build import check_output_location, load
from site_builder.config import Config
from site_builder.content.loader import discover, load_file
from site_builder.content.model import Document, Site
from site_builder.errors import Problem, SiteError
from site_builder.listings import Listings, build_listings, region_keys
from site_builder.output import Staging, identity
from site_builder.render import plan_render, render_page, site_files, write_site
from site_builder.render.pages import Page, document_page, home_page, region_pages, term_pages
from site_builder.search import OUTPUTS as SEARCH_OUTPUTS
from site_builder.stats import region_series
from site_builder.urls import Urls
from site_builder.wording import count

NEIGHBOURS_MAX = 200   # the fast step re-plans a region's own documents' pages ("other years") up to this many
CHECK_EVERY = 16       # settle() asks `cancelled()` every this many rendered pages


@dataclass
class Outcome:
    """What one rebuild step did."""

    step: str                       # "full" | "fast" | "settle"
    documents: int
    pages: int                      # pages in the site
    rendered: int                   # pages rendered in this step
    written: list[str] = field(default_factory=list)   # output files (under public/) written or removed
    seconds: float = 0.0
    changed_documents: int = 0
    cpu_seconds: float = 0.0                # of this thread: the rest of `seconds` was waiting for a core or a disk

    @property
    def everything(self) -> bool:
        return self.step == "full"

    def summary(self) -> str:
        """One line: "10000 documents (1 changed), 9 pages rendered, 8 files written in 0.10 s"."""
        changed = f" ({self.changed_documents} changed)" if self.step == "fast" else ""
        files = "every file written" if self.everything else f"{count(len(self.written), 'file')} written"
        return (f"{count(self.documents, 'document')}{changed}, {count(self.pages, 'page')}, {self.rendered} rendered, "
                f"{files} in {self.seconds:.2f} s (CPU {self.cpu_seconds:.2f} s)")


class _Subset(dict):
    """Listings' regions restricted to some keys for iteration; every other region still found by key."""

    def __init__(self, items: dict, everything: dict):
        super().__init__(items)
        self.everything = everything

    def __missing__(self, key):
        return self.everything[key]


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _shallow(value):
    """A page context as far as what a page shows can tell: a listing object (anything with a `documents`
    tuple: RegionNode, Term) stands for its fields and the number of its documents, not its every member."""
    if isinstance(value, dict):
        return {k: _shallow(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return tuple(_shallow(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and not isinstance(value, Document):
        if isinstance(getattr(value, "documents", None), tuple):
            return (type(value).__name__,) + tuple(
                len(getattr(value, f.name)) if f.name == "documents" else _shallow(getattr(value, f.name))
                for f in dataclasses.fields(value))
        return value
    return value


def _same_page_shallow(old: Page, new: Page) -> bool:
    for f in dataclasses.fields(Page):
        a, b = getattr(old, f.name), getattr(new, f.name)
        if f.name == "context":
            if _shallow(a) != _shallow(b):
                return False
        elif a != b:
            return False
    return True


def site_templates(env) -> set[str]:
    """Templates that read the `site` global, themselves or through a template they extend, include or import:
    their pages depend on the whole site, not only on their context, and are always re-rendered."""
    from jinja2 import meta

    uses: dict[str, bool] = {}
    refs: dict[str, list] = {}
    for name in env.list_templates():
        try:
            source = env.loader.get_source(env, name)[0]
            ast = env.parse(source)
        except Exception:   # a broken template fails the render itself, with its own message
            uses[name], refs[name] = True, []
            continue
        uses[name] = "site" in meta.find_undeclared_variables(ast)
        refs[name] = list(meta.find_referenced_templates(ast))
    wide: set[str] = set()
    for name in uses:
        seen, todo = {name}, [name]
        while todo:
            current = todo.pop()
            if uses.get(current) or None in refs.get(current, ()):
                wide.add(name)
                break
            for ref in refs.get(current, ()):
                if ref not in seen:
                    seen.add(ref)
                    todo.append(ref)
    return wide


def _file_order(path: Path) -> tuple:
    """discover()'s order: a folder's files before its subfolders', each sorted."""
    return (path.parent.parts, path.name)


class IncrementalBuilder:
    def __init__(self, config: Config, parsed: dict | None = None, jobs: int | None = None):
        self.config = config
        self.urls = Urls(config)
        self.jobs = jobs
        self.parsed = parsed if parsed is not None else {}   # loader cache: path → ((mtime, size), Document)
        self.results: dict[Path, Document | list[Problem]] = {}   # every content file's parse result
        self.stamps: dict[Path, tuple] = {}
        self.found: list[Problem] = []            # discover()'s problems
        self.broken: set[Path] = set()            # content files with problems
        self.sorted_keys: list = []               # the documents in Site order, and their sort keys
        self.sorted_docs: list[Document] = []
        self.slugs: dict[str, set[Path]] = {}
        self.shown: dict[Path, Document] = {}     # documents as the pages in public/ show them
        self.touched: set[Path] = set()           # content files changed since the pages were last updated
        self.site: Site | None = None
        self.listings: Listings | None = None
        self.env = None
        self.site_wide: set[str] = set()
        self.term_index: dict[str, Page] = {}     # "years"/"types" → its index page (title, route, route_of)
        self.pages: dict[str, Page] = {}          # route → the Page the file in public/ was rendered from
        self.written: dict[str, bytes | None] = {}   # output file → digest of its bytes (None: not read yet)
        self.ready = False                        # a full build succeeded; fast steps are possible
        self.dirty = False                        # public/ may differ from a clean build: settle() is due
        self.loaded = False

    # --- content state -------------------------------------------------------------------------------

    def _load_all(self) -> None:
        """The first load: all files, in parallel, with the on-disk parse cache (.site-builder-cache)."""
        from site_builder import cache

        store, hashes = cache.DocumentStore(self.config.root), cache.FileHashes(self.config.root)
        try:
            site = load(self.config, jobs=self.jobs, cache=self.parsed, store=store, hashes=hashes)
        finally:
            try:
                store.save()
                hashes.save()
            except OSError:
                pass
        self.results, self.stamps, self.broken = {}, {}, set()
        for doc in site.documents:
            self.results[doc.source_path] = doc
            self.stamps[doc.source_path] = self.parsed.get(doc.source_path, (None,))[0]
        self.found = []
        self.sorted_keys = [d.sort_key for d in site.documents]
        self.sorted_docs = list(site.documents)
        self.slugs = {}
        for doc in site.documents:
            self.slugs.setdefault(doc.slug, set()).add(doc.source_path)
        self.loaded = True

    def _parse(self, path: Path) -> None:
        """Re-read one content file (it changed, appeared or disappeared)."""
        old = self.results.pop(path, None)
        self.stamps.pop(path, None)
        self.broken.discard(path)
        if isinstance(old, Document):
            self._unlist(old)
        try:
            st = path.stat()
        except OSError:
            self.parsed.pop(path, None)
            return
        result = load_file(path, self.config.root)
        stamp = (st.st_mtime_ns, st.st_size)
        if isinstance(result, Document):
            self.parsed[path] = (stamp, result)
            result = dataclasses.replace(result, url=self.urls.link(Urls.document(result.slug)))
            self._list(result)
        else:
            self.parsed.pop(path, None)
        self.results[path], self.stamps[path] = result, stamp
        if not isinstance(result, Document):
            self.broken.add(path)

    def _list(self, doc: Document) -> None:
        key = doc.sort_key
        i = bisect.bisect_right(self.sorted_keys, key)
        self.sorted_keys.insert(i, key)
        self.sorted_docs.insert(i, doc)
        self.slugs.setdefault(doc.slug, set()).add(doc.source_path)

    def _unlist(self, doc: Document) -> None:
        key = doc.sort_key
        i = bisect.bisect_left(self.sorted_keys, key)
        while self.sorted_docs[i] is not doc:
            i += 1
        del self.sorted_keys[i], self.sorted_docs[i]
        owners = self.slugs.get(doc.slug, set())
        owners.discard(doc.source_path)
        if not owners:
            self.slugs.pop(doc.slug, None)

    def _rescan(self) -> set[Path]:
        """Compare the whole content folder with what is known (folder moves, links): returns changed files."""
        files, self.found = discover(self.config)
        present = set(files)
        changed = {p for p in self.results if p not in present}
        for path in files:
            try:
                st = path.stat()
                stamp = (st.st_mtime_ns, st.st_size)
            except OSError:
                stamp = None
            if stamp is None or self.stamps.get(path) != stamp:
                changed.add(path)
        for path in changed:
            self._parse(path)
        return changed

    def _content_changes(self, paths: set[Path]) -> set[Path]:
        root = self.config.content_path
        simple = []
        for raw in paths:
            path = Path(os.path.abspath(raw))
            if not path.is_relative_to(root):
                return self._rescan()
            rel = path.relative_to(root)
            if not rel.parts:
                continue      # the content folder itself: its files' own changes say what changed
            if any(part.startswith(".") for part in rel.parts):
                continue      # hidden files and folders are not content (editors' temporary files)
            if path.suffix != ".md" or path.is_dir() or path.is_symlink():
                return self._rescan()   # a folder moved or removed, or a link: look at everything
            simple.append(path)
        for path in simple:
            self._parse(path)
        return set(simple)

    def _problems(self) -> list[Problem]:
        problems = list(self.found)
        for path in sorted(self.broken, key=_file_order):
            problems.extend(self.results[path])
        return problems

    def _site(self) -> Site:
        problems = self._problems()
        if problems:
            raise SiteError(problems)
        return Site(config=self.config, documents=tuple(self.sorted_docs))

    # --- writing -------------------------------------------------------------------------------------

    def _write(self, rel: str, data: bytes) -> bool:
        """Write one output file unless it already holds these bytes; True if written."""
        digest = _digest(data)
        known = self.written.get(rel, b"")
        path = self.config.output_path / rel
        if known is None:   # left by a full build: compare with the file itself
            try:
                known = _digest(path.read_bytes())
            except OSError:
                known = b""
        if known == digest:
            self.written[rel] = digest
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temp.write_bytes(data)
        os.replace(temp, path)
        self.written[rel] = digest
        return True

    def _remove(self, rel: str) -> None:
        output = self.config.output_path
        path = output / rel
        path.unlink(missing_ok=True)
        self.written.pop(rel, None)
        parent = path.parent
        while parent != output and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent

    # --- the three steps -----------------------------------------------------------------------------

    def full(self) -> Outcome:
        """Build everything into a staging tree and swap it in (keeping the current search index)."""
        started, cpu = time.perf_counter(), time.thread_time()
        config = self.config
        self.ready = False   # until this succeeds, every change needs a full build
        check_output_location(config)
        if not self.loaded:
            self._load_all()
        else:
            self._rescan()
        site = self._site()
        listings = build_listings(site)
        output = config.output_path
        with Staging(output) as stage:
            plan, _ = write_site(site, listings, self.urls, stage, jobs=self.jobs)
            for rel in SEARCH_OUTPUTS:
                stage.carry_over(rel)
            files = []
            for dirpath, _, filenames in os.walk(stage.path):
                for name in filenames:
                    rel = Path(dirpath, name).relative_to(stage.path).as_posix()
                    if not any(rel == s or rel.startswith(s + "/") for s in SEARCH_OUTPUTS):
                        files.append(rel)
            _forget_clean_build(config)
            stage.commit()
        self.written, self.output_id = dict.fromkeys(files), identity(output)
        self.env = plan.env
        self.site_wide = site_templates(plan.env)
        for name in plan.env.list_templates():   # compiled now, not on the first edit (workers rendered)
            try:
                plan.env.get_template(name)
            except Exception:
                pass
        self._adopt(site, listings, plan.pages)
        self.ready = True
        return Outcome("full", len(site.documents), len(plan.pages), len(plan.pages), ["*"],
                       time.perf_counter() - started, cpu_seconds=time.thread_time() - cpu)

    def _adopt(self, site: Site, listings: Listings, pages: list[Page]) -> None:
        self.site, self.listings = site, listings
        self.pages = {p.route: p for p in pages}
        self.term_index = {p.context["kind"]: p for p in pages
                           if p.template == "terms.html" and isinstance(p.context.get("kind"), str)}
        self.shown = {d.source_path: d for d in site.documents}
        self.touched = set()
        self.dirty = False
        _quiet_collector()

    def apply(self, changes: dict[str, set[Path]]) -> Outcome | None:
        """A batch of changes (kind → paths, see serve.watch): content only → the fast step, else full()."""
        kinds = {kind for kind, paths in changes.items() if paths}
        if not kinds and self.ready:
            return None
        if kinds != {"content"} or not self.ready or identity(self.config.output_path) != self.output_id:
            return self.full()
        enabled = gc.isenabled()
        gc.disable()   # a collection would walk the whole previous build (a third of this step at 10k)
        try:
            return self._apply_content(set(changes["content"]))
        finally:
            if enabled:
                gc.enable()

    def _apply_content(self, paths: set[Path]) -> Outcome:
        started, cpu = time.perf_counter(), time.thread_time()
        self.touched |= self._content_changes(paths)
        site = self._site()
        if any(len(self.slugs.get(self.results[p].slug, ())) > 1
               for p in self.touched if isinstance(self.results.get(p), Document)):
            plan_render(site, build_listings(site), self.urls)   # raises: two documents want one URL
        listings = build_listings(site)
        pairs = [(self.shown.get(p), self.results.get(p) if isinstance(self.results.get(p), Document) else None)
                 for p in sorted(self.touched, key=_file_order)]
        pairs = [(old, new) for old, new in pairs if old is not new]
        candidates = self._affected_pages(site, listings, pairs)
        rendered: list[tuple[Page, bytes]] = []
        for page in candidates:
            old = self.pages.get(page.route)
            if old is None or page.template in self.site_wide or not _same_page_shallow(old, page):
                rendered.append((page, render_page(self.env, page, site, self.config)))
        written = []
        for page, data in rendered:
            rel = Urls.output_file(page.route)
            if self._write(rel, data):
                written.append(rel)
            self.pages[page.route] = page
        for old, new in pairs:
            if old is not None and (new is None or new.slug != old.slug):
                route = Urls.document(old.slug)
                if route in self.pages and not self._docs_with_slug(old.slug):
                    del self.pages[route]
                    self._remove(Urls.output_file(route))
                    written.append(Urls.output_file(route))
        self.site, self.listings = site, listings
        for path in self.touched:
            doc = self.results.get(path)
            if isinstance(doc, Document):
                self.shown[path] = doc
            else:
                self.shown.pop(path, None)
        self.touched = set()
        self.dirty = True
        return Outcome("fast", len(site.documents), len(self.pages), len(rendered), written,
                       time.perf_counter() - started, len(pairs), cpu_seconds=time.thread_time() - cpu)

    def _docs_with_slug(self, slug: str) -> list[Document]:
        return [self.results[p] for p in self.slugs.get(slug, ()) if isinstance(self.results.get(p), Document)]

    def _affected_pages(self, site: Site, listings: Listings, pairs) -> list[Page]:
        """The pages that can show one of the changed documents, planned by render.pages' own functions."""
        region_set: set[str] = set()
        own_regions: set[str] = set()
        for pair in pairs:
            for doc in pair:
                if doc is not None:
                    keys = region_keys(doc)
                    region_set.update(keys)
                    if keys:
                        own_regions.add(keys[-1])
        pages = [home_page(site, listings)]
        docs = {id(new): new for _, new in pairs if new is not None}
        for key in sorted(own_regions):
            node = listings.regions.get(key)
            if node is not None:
                own = node.own_documents
                if len(own) <= NEIGHBOURS_MAX:
                    docs.update((id(d), d) for d in own)
        pages += [document_page(doc, site, listings) for doc in docs.values()]
        subset = {k: listings.regions[k] for k in sorted(region_set) if k in listings.regions}
        if subset:
            own_docs = tuple(d for node in subset.values() for d in node.own_documents)
            series = region_series(dataclasses.replace(site, documents=own_docs), listings)
            pages += [p for p in region_pages(site, dataclasses.replace(listings, regions=_Subset(subset, listings.regions)), series)
                      if p.route != Urls.regions]
        old_ids = {id(old) for old, _ in pairs if old is not None}
        new_ids = {id(new) for _, new in pairs if new is not None}
        for kind, index in self.term_index.items():
            old_terms = getattr(self.listings, kind, ()) or ()
            keys = {t.key for t in old_terms if not old_ids.isdisjoint(map(id, t.documents))}
            terms = getattr(listings, kind, ()) or ()
            keys |= {t.key for t in terms if not new_ids.isdisjoint(map(id, t.documents))}
            chosen = tuple(t for t in terms if t.key in keys)
            if chosen:
                pages += [p for p in term_pages(site, chosen, kind, index.title, index.route,
                                                index.context.get("route_of")) if p.route != index.route]
        return pages

    def settle(self, cancelled=lambda: False) -> Outcome | None:
        """Make public/ exactly what a clean build gives (search index aside); None if `cancelled()` said so
        (or nothing was due). On a problem the error is raised once; the next change makes it due again."""
        if not self.ready or not self.dirty:
            return None
        try:   # public/ replaced or deleted by another process meanwhile: what it holds is unknown
            return self.full() if identity(self.config.output_path) != self.output_id else self._settle(cancelled)
        except SiteError:
            self.dirty = False
            raise

    def _settle(self, cancelled) -> Outcome | None:
        started, cpu = time.perf_counter(), time.thread_time()
        site = self._site()
        listings = build_listings(site)
        plan = plan_render(site, listings, self.urls)
        rendered = 0
        written = []
        for page in plan.pages:
            old = self.pages.get(page.route)
            if old is not None and page.template not in self.site_wide and old == page:
                continue
            if rendered % CHECK_EVERY == CHECK_EVERY - 1 and cancelled():
                return None
            data = render_page(self.env, page, site, self.config)
            rendered += 1
            rel = Urls.output_file(page.route)
            if self._write(rel, data):
                written.append(rel)
            self.pages[page.route] = page
        if cancelled():
            return None
        files = site_files(site, plan, self.urls)
        for rel in sorted(files):
            if self._write(rel, files[rel]):
                written.append(rel)
        expected = set(files) | {Urls.output_file(p.route) for p in plan.pages}
        for rel in sorted(set(self.written) - expected):
            self._remove(rel)
            written.append(rel)
        self._adopt(site, listings, plan.pages)
        return Outcome("settle", len(site.documents), len(plan.pages), rendered, written,
                       time.perf_counter() - started, cpu_seconds=time.thread_time() - cpu)

    def build_now(self) -> list[Outcome]:
        """full() if needed, then settle(): for callers without a loop (tests)."""
        outcomes = [self.full()] if not self.ready else []
        settled = self.settle()
        return outcomes + ([settled] if settled else [])


def _quiet_collector() -> None:
    """Collect once, then keep what is alive now (the build state) out of later collections' way."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _forget_clean_build(config: Config) -> None:
    """public/ is about to change outside `site-builder build`: its "no change" record no longer holds."""
    try:
        from site_builder import cache

        cache.forget_build(config.root, config.output_path)
    except OSError:
        pass
