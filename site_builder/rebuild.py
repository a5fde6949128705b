"""One engine for every build — `build`, `build --watch` and `serve`: plan every page, render the pages whose
inputs changed since the last build, write only the files whose bytes changed.

The plan (render/pages.py) is cheap: every page's route, template and the inputs it reads, not its context.
The last build's record (cache/record.py) holds, per page, the inputs it read — the ones it names and the
templates and static files it used while rendering — and every input's digest (render/inputs.py). A page is
rendered again when it is new, or when one of its recorded inputs has another digest now; the rest of public/
stays as it is. Two ways to write:

* in place, for a rebuild of a few pages into an intact public/ (as the record left it): every page is
  rendered first, in memory, then each changed file is written by temp file + rename, and files no longer
  produced are removed. A problem leaves public/ untouched.
* a staging tree swapped in whole (output.Staging) when there is no record, public/ is not as the record
  left it, the code or configuration changed, or many pages changed: every page is rendered, in parallel,
  and unchanged files are hard-linked from the previous public/.

Either way public/ ends byte-identical to a clean build of the same inputs.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

from site_builder import cache
from site_builder.config import Config
from site_builder.content import Site, load_site
from site_builder.content.model import Document
from site_builder.listings import build_listings
from site_builder.output import InMemory, InPlace, Staging, identity
from site_builder.render import DATA_ROUTES, RenderPlan, plan_render, refresh_plan, site_files
from site_builder.render.inputs import FIXED, Inputs, Readers
from site_builder.render.write import PARALLEL_PAGES, render_into
from site_builder.urls import INDEX_ROOTS, Urls

SEARCH_ROOTS = tuple(INDEX_ROOTS.values())   # search index folders under public/: written by the indexer
from site_builder.wording import count

FIELDS = tuple(f.name for f in fields(Document))
DATA_FILES = {Urls.output_file(r) for r in (Urls.documents_json, Urls.documents_csv, Urls.tables_csv)}


@dataclass
class Outcome:
    """What one build did."""

    step: str                       # "full" (staged) | "changes" (in place)
    site: Site
    plan: RenderPlan
    rendered: list[str]             # routes of the pages rendered
    written: list[str]              # output files written or removed (["*"]: the whole tree was swapped)
    seconds: float = 0.0
    files: int = 0                  # output files produced (search index aside)
    manifest: dict = field(default_factory=dict)   # cache.manifest of public/ afterwards
    search: dict | None = None      # the search index step's summary

    @property
    def everything(self) -> bool:
        return self.step == "full"

    def summary(self) -> str:
        """"10000 documents, 13736 pages, 9 rendered, 8 files written in 0.10 s"."""
        files = "every file written" if self.everything else f"{count(len(self.written), 'file')} written"
        return (f"{count(len(self.site.documents), 'document')}, {count(len(self.plan.pages), 'page')}, "
                f"{len(self.rendered)} rendered, {files} in {self.seconds:.2f} s")


def _searchless(files: dict) -> dict:
    return {rel: stamp for rel, stamp in files.items() if rel.split("/", 1)[0] not in SEARCH_ROOTS}


def global_key(config: Config) -> str:
    """Code and configuration: when either changed, every page is rendered again."""
    config_text = repr(sorted((k, repr(v)) for k, v in vars(config).items()))
    return hashlib.sha256(f"{cache.code_digest()}\n{config_text}".encode()).hexdigest()


class Rebuilder:
    """Builds one output folder again and again (serve keeps one; `build` makes one per run). It keeps the
    parsed documents, the Jinja environment and the record between builds, and saves the record each time."""

    def __init__(self, config: Config, jobs: int | None = None, parsed: dict | None = None):
        self.config = config
        self.urls = Urls(config)
        self.jobs = jobs
        self.parsed = parsed if parsed is not None else {}   # loader cache: path → (stat, Document)
        self.record: dict | None = None
        self.record_file = cache.RecordFile(config.root, config.output_path)
        self.env = None
        self.env_key = None
        self.output_id = None      # public/ as this process left it: no need to scan it again
        self.persist = True        # read and keep the record in .site-builder-cache/ (False: clean builds only)
        self.live: tuple[Site, RenderPlan] | None = None   # the last good build's site and plan (refresh())
        self.refreshed: tuple[RenderPlan, list] | None = None   # refresh()'s plan and the documents it updated
        self.readers: Readers | None = None                     # who reads what, for refreshed plans
        self.places: tuple | None = None                        # (site, source path → index) for refresh()

    def load(self, store=None, hashes=None, progress=None, found=None) -> Site:
        return load_site(self.config, jobs=self.jobs, cache=self.parsed, store=store, hashes=hashes,
                         progress=progress, found=found)

    def plan(self, site: Site) -> RenderPlan:
        from site_builder.render.assets import collect_assets

        assets = collect_assets(self.config.static_dirs)
        key = (global_key(self.config), tuple((n, r) for n, (r, _) in assets.items()), _template_stamps(self.config))
        plan = plan_render(site, build_listings(site), self.urls, self.env if key == self.env_key else None,
                           keep_compiled=self.persist, assets=assets)
        self.env, self.env_key = plan.env, key
        return plan

    def refresh(self, paths) -> tuple[Site, RenderPlan] | None:
        """(site, plan) after the content files `paths` changed (serve, watch: the watcher's paths), made from
        the last good build's without reading every file's stat, listing or planning again — when each path is
        a document of that build whose new version is listed where it was (same link, region, year, type and
        place in the archive's order). None otherwise (added, removed, moved or broken files…): load and plan.
        The documents are updated in place: the listings, the plan and the pages' contexts hold them."""
        live, self.live = self.live, None   # a failing build leaves no state behind: the next one loads
        if live is None:
            return None
        site, render = live
        if self.places is None or self.places[0] is not site:
            self.places = (site, {doc.source_path: n for n, doc in enumerate(site.documents)})
        edits = _edits(site, self.config, paths, self.places[1])
        if edits is None:
            return None
        for old, new, stamp in edits:
            for name in FIELDS:
                object.__setattr__(old, name, getattr(new, name))
            self.parsed[old.source_path] = (stamp, old)
        refresh_plan(render, [old for old, _, _ in edits])
        self.refreshed = (render, [old for old, _, _ in edits])
        return site, render

    def _last(self, scanned) -> dict | None:
        """The record of the last build, if public/ is still exactly as it left it (search index aside)."""
        output = self.config.output_path
        if self.record is None and self.persist:
            self.record = self.record_file.load()
        record = self.record
        if not record or record["global"] != global_key(self.config) or not output.is_dir():
            return None
        if self.output_id is not None and identity(output) == self.output_id:
            return record
        try:
            files = scanned() if scanned is not None else cache.manifest(output)
        except OSError:
            return None
        if files is None:
            return None
        return record if _searchless(files) == _searchless(record["manifest"]) else None

    def build(self, site: Site, plan: RenderPlan, *, scanned=None, indexer=None,
              keep_search: bool = False, progress=None, defer_save: bool = False) -> Outcome:
        """Bring public/ up to date with `site`. `indexer` (build.Indexer) writes the search index, or None: no
        index, unless `keep_search` (serve: its own indexer refreshes the one in public/). `defer_save`: the
        record is written to the cache folder by ``save()`` (serve: once the open pages were told)."""
        started = time.perf_counter()
        last = self._last(scanned)
        refreshed, self.refreshed = self.refreshed, None
        same = last is not None and refreshed is not None and refreshed[0] is plan   # the record's plan
        inputs = Inputs(plan.plan, plan.env, plan.assets, last["faces"] if last else None,
                        only=refreshed[1] if same else None)
        plan.faces, plan.exports_memo = inputs.faces, dict(last["exports"]) if last else {}
        if last is None:
            dirty = plan.pages
        else:
            dirty = self._stale_refreshed(plan, last, inputs) if same else _stale(plan.pages, last, inputs)
        if last is None or len(dirty) >= PARALLEL_PAGES:
            outcome, reads = self._staged(site, plan, indexer, keep_search, progress)
        else:
            outcome, reads = self._in_place(site, plan, dirty, last, inputs, indexer, keep_search, same)
        self._record(plan, inputs, reads, outcome, last)
        if same and outcome.step == "changes":   # who reads what: kept up to date for the next refresh()
            self.readers.moved(self.record["pages"], reads)
        else:
            self.readers = None
        self.live = (site, plan)
        if not defer_save:
            self.save()
        outcome.seconds = time.perf_counter() - started
        return outcome

    def save(self) -> None:
        """Keep the record of the last build in the cache folder, for the next process."""
        if self.persist and self.record:
            self.record_file.save(self.record)

    def _staged(self, site, plan, indexer, keep_search, progress) -> tuple[Outcome, dict]:
        output = self.config.output_path
        for doc in site.documents:   # every body, read here once: the forked workers share them (each would
            doc.body.load()          # otherwise read every pack of the cache again)
        with Staging(output) as stage:
            if indexer:   # the slowest stage: in a process of its own, while the pages are rendered
                indexer.begin(site, stage.path, output)
            try:
                reads = render_into(plan, plan.pages, stage, self.jobs, progress)
                files = site_files(plan, self.urls)
                stage.write_files(files)
                summary = indexer.end(stage.path, output) if indexer else None
            finally:
                if indexer:
                    indexer.stop()
            if keep_search:
                for rel in SEARCH_ROOTS:
                    stage.carry_over(rel)
            cache.forget_build(self.config.root, output)
            stage.commit()
        self.output_id = identity(output)
        return Outcome("full", site, plan, [p.route for p in plan.pages], ["*"], files=len(plan.pages) + len(files),
                       manifest=cache.manifest(output), search=summary), reads

    def _in_place(self, site, plan, dirty, last, inputs, indexer, keep_search, same=False) -> tuple[Outcome, dict]:
        output = self.config.output_path
        memory = InMemory()
        reads = render_into(plan, dirty, memory, jobs=1)   # everything first: a problem leaves public/ as it was
        data = inputs.digest(("entries",)) != last["digests"].get(("entries",)) or \
            any(not (output / rel).is_file() for rel in DATA_FILES)
        memory.update(site_files(plan, self.urls, data=data))
        summary = None
        if indexer:
            scratch = output.with_name(f".{output.name}.search")
            indexer.begin(site, scratch, output)
            try:
                summary = indexer.end(scratch, output)
            finally:
                indexer.stop()
        writer = InPlace(output)
        cache.forget_build(self.config.root, output)
        for rel in sorted(memory):
            writer.write_file(rel, memory[rel])
        names = site_files_names(plan)
        produced = len(plan.pages) + len(names)
        if not same and not _as_recorded(plan, names, last):   # else nothing to remove
            produced = {Urls.output_file(p.route) for p in plan.pages} | set(names)
            for rel in sorted(set(_searchless(last["manifest"])) - produced):
                writer.remove(rel)
            produced = len(produced)
        if indexer or not keep_search:   # the new index, or none (a clean build without search has none)
            for rel in SEARCH_ROOTS:
                writer.swap_in(output.with_name(f".{output.name}.search") / rel, rel)
        manifest = _updated(output, last["manifest"], writer.changed, bool(indexer) or not keep_search)
        self.output_id = identity(output)
        return Outcome("changes", site, plan, [p.route for p in dirty], writer.changed, files=produced,
                       manifest=manifest, search=summary), reads

    def _stale_refreshed(self, plan: RenderPlan, last: dict, inputs: Inputs) -> list:
        """_stale() for the plan of the last build with a few documents updated (refresh()): the pages that read
        an input whose digest changed, found through who reads what instead of by going through every page."""
        if self.readers is None or self.readers.pages is not last["pages"]:
            self.readers = Readers(last["pages"])
        inputs.changed = _changed(inputs, last["digests"], self.readers.fixed)
        where = plan.where()
        return [plan.pages[n] for n in sorted(where[route] for route in self.readers.of(inputs.changed))]

    def _record(self, plan: RenderPlan, inputs: Inputs, reads: dict, outcome: Outcome, last: dict | None) -> None:
        """The record of this build: per page what it read, every input's digest, public/'s manifest. When the
        pages are the last build's, only those rendered again can read other inputs now (a key no page reads
        any more is kept until the pages change)."""
        if last and not plan.made:
            plan.exports_memo = last["exports"]   # not made this time: the last build's still hold
        where, old = plan.where(), last["pages"] if last else {}
        if last and where.keys() == old.keys():
            pages, known = dict(old), last["digests"]
            for route, used in reads.items():
                pages[route] = tuple(plan.pages[where[route]].reads) + tuple(sorted(used))
            fresh = {key for route in reads for key in pages[route] if key not in known} | ({("entries",)} - known.keys())
            digests = {**known, **{key: inputs.digest(key) for key in inputs.changed | fresh}}
        else:
            pages = {page.route: tuple(page.reads) + tuple(sorted(reads[page.route])) if page.route in reads
                     else old[page.route] for page in plan.pages}
            keys = {key for used in pages.values() for key in used} | {("entries",)}
            known = last["digests"] if last else {}   # a key no changed document is part of kept its digest
            digests = {key: known[key] if key in known and not inputs.may_differ(key) else inputs.digest(key)
                       for key in keys}
        self.record = {"global": last["global"] if last else global_key(self.config), "pages": pages,
                       "digests": digests, "faces": inputs.faces, "manifest": outcome.manifest,
                       "exports": plan.exports_memo}


def _edits(site: Site, config: Config, paths, where: dict) -> list[tuple] | None:
    """(document, its new version, its file's stamp) per changed document file, if every one keeps its place."""
    from site_builder.content.loader import load_file

    content = config.content_path.resolve()
    docs, new = site.documents, {}
    for path in paths:
        path = Path(path).absolute()
        if path.name.startswith("."):
            continue   # hidden: never part of the site (editors' swap and temp files)
        n = where.get(config.content_path / path.relative_to(content)) if path.is_relative_to(content) else None
        if n is None or path.is_symlink() or not path.is_file():
            return None
        try:
            st = docs[n].source_path.stat()
        except OSError:
            return None
        doc = load_file(docs[n].source_path, config.root, config.base_path)
        if not isinstance(doc, Document) or not _same_place(docs[n], doc):
            return None
        new[n] = (doc, cache.stamp_of(st))
    if not all(_in_order(docs, new, n, n + 1) for m in new for n in (m - 1, m) if 0 <= n < len(docs) - 1):
        return None
    return [(docs[n], doc, stamp) for n, (doc, stamp) in new.items()]


def _same_place(old: Document, new: Document) -> bool:
    return (new.rel_path, new.slug, new.url, new.region, new.year, new.doc_type) == \
        (old.rel_path, old.slug, old.url, old.region, old.year, old.doc_type)


def _in_order(docs: tuple, new: dict, a: int, b: int) -> bool:
    """Documents a and b (neighbours) stay in this order: their new sort keys say so, or neither key changed
    (a tie is then broken as before, by the order of the files)."""
    before, after = docs[a].sort_key, docs[b].sort_key
    first = new[a][0].sort_key if a in new else before
    second = new[b][0].sort_key if b in new else after
    return first < second or (first == before and second == after)


def _stale(pages: list, last: dict, inputs: Inputs) -> list:
    """The pages that are new, or read an input whose digest changed since the last build."""
    known = last["digests"]
    changed = inputs.changed = _changed(inputs, known, {key for key in known if key[0] in FIXED})
    recorded = last["pages"]
    stale = []
    for page in pages:   # a record's keys are the page's reads then what it used while rendering (_record)
        used = recorded.get(page.route)
        if used is None or used[:len(page.reads)] != page.reads or not changed.isdisjoint(used):
            stale.append(page)
    return stale


def _changed(inputs: Inputs, known: dict, fixed) -> set:
    """The keys whose digest changed since the last build (`known`): of those the changed documents are part of,
    and of the templates and static files (`fixed`)."""
    return {key for key in inputs.touched_keys() | fixed if key in known and inputs.digest(key) != known[key]}


def _as_recorded(plan: RenderPlan, names: list[str], last: dict) -> bool:
    """The plan produces the files the last build produced (public/ holds them, as checked): the same pages, and
    as many files beside them, these among them."""
    files = _searchless(last["manifest"])
    return plan.where().keys() == last["pages"].keys() and len(files) == len(plan.pages) + len(names) and \
        all(name in files for name in names)


def site_files_names(plan: RenderPlan) -> list[str]:
    return [Urls.output_file(route) for route, _ in plan.assets.values()] + [Urls.output_file(r) for r in DATA_ROUTES]


def _updated(output: Path, before: dict, changed: list[str], search_changed: bool) -> dict:
    """The manifest of public/ after writing or removing `changed` (and the search index, if it changed)."""
    import os

    files = {rel: stamp for rel, stamp in before.items()
             if not (search_changed and rel.split("/", 1)[0] in SEARCH_ROOTS)}
    for rel in changed:
        try:
            files[rel] = cache.stamp_of(os.lstat(output / rel))
        except FileNotFoundError:
            files.pop(rel, None)
    if search_changed:
        for rel in SEARCH_ROOTS:
            if (output / rel).is_dir():
                files.update((f"{rel}/{sub}", stamp) for sub, stamp in cache.manifest(output / rel).items())
    return files


def _template_stamps(config: Config) -> tuple:
    """(path, size, mtime) of every template file: an environment is reused while none of them changed."""
    stamps = []
    for folder in config.template_dirs:
        for path in cache.tree_files(folder):
            st = path.stat()
            stamps.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(stamps)
