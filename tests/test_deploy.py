"""Publishing: the GitHub Pages workflow, netlify.toml, and the site under any base URL (issue 6)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tomllib
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest
import yaml

from conftest import REPO, run_cli, serve_folder
from site_checks import html_pages, poll, resolve, route_of, soup
from test_build import DOCS, make_site

from site_builder.config import BUILTIN_THEME

# 'wasm-unsafe-eval': Pagefind compiles its WebAssembly (test_pagefind_needs_wasm_unsafe_eval_and_nothing_else)
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'")
LONG = "public, max-age=31536000, immutable"
SHORT = "public, max-age=0, must-revalidate"
# what a page links to: (tag, attribute); srcset holds a list of "url size" entries
LINK_ATTRS = (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("img", "srcset"),
              ("source", "src"), ("source", "srcset"), ("form", "action"), ("iframe", "src"))
ASSET = re.compile(r"^assets/(?P<stem>.+)\.(?P<digest>[0-9a-f]{8,})(?P<ext>\.[a-z0-9]+)$")
ENGINES = ("pagefind", "exact")
INDEX_DIRS = {"pagefind": "pagefind", "exact": "fulltext"}
# files each engine writes into every part of its index (besides the shared meta.json, docs/ and text/)
ENGINE_FILES = {"pagefind": ("pagefind.js", "wasm.unknown.pagefind", "pagefind-entry.json", ".pf_meta", ".pf_index",
                             ".pf_fragment", ".pf_filter"),
                "exact": (".bin",)}


# --- GitHub Pages -------------------------------------------------------------------------------------------

def test_pages_workflow():
    check_pages_workflow(REPO / ".github/workflows/pages.yml")


def check_pages_workflow(file: Path, install: str = ".") -> None:
    """The workflow builds and publishes the project; `install`: what it pip-installs (a generated project's
    workflow installs site-builder from a git URL or package name: tests/test_own_archive.py)."""
    workflow = yaml.safe_load(file.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))   # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["branches"] == ["main"] and "workflow_dispatch" in triggers
    assert workflow["permissions"]["pages"] == "write" and workflow["permissions"]["id-token"] == "write"
    assert workflow["concurrency"]["group"] == "pages"

    steps = workflow["jobs"]["build"]["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    for action in ("actions/checkout", "actions/setup-python", "actions/configure-pages",
                   "actions/upload-pages-artifact"):
        assert action in uses, action
    python = steps[uses.index("actions/setup-python")]["with"]
    assert str(python["python-version"]) == "3.11" and python["cache"] == "pip"
    pages = steps[uses.index("actions/configure-pages")]
    install = next(i for i, s in enumerate(steps) if s.get("run", "").strip() == f"pip install {install}")
    build = next(i for i, s in enumerate(steps) if "site-builder build" in s.get("run", ""))
    # the build gets the Pages URL (https://<user>.github.io/<repo>) as its base URL, so a project site works
    assert re.search(r"--base-url\s+\"?\$\{\{\s*steps\.%s\.outputs\.base_url\s*\}\}" % pages["id"], steps[build]["run"])
    upload = uses.index("actions/upload-pages-artifact")
    assert uses.index("actions/configure-pages") < build and install < build < upload
    # the parse cache (and the last output, whose unchanged search-index parts are reused) kept between runs
    cached = steps[uses.index("actions/cache")]
    assert uses.index("actions/cache") < build
    assert ".site-builder-cache" in cached["with"]["path"] and "public" in cached["with"]["path"].split()
    assert "${{ github.sha }}" in cached["with"]["key"] and cached["with"]["restore-keys"]
    assert steps[upload]["with"]["path"] == "public"

    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]


# --- Netlify ------------------------------------------------------------------------------------------------

def netlify(file: Path | None = None) -> dict:
    return tomllib.loads((file or REPO / "netlify.toml").read_text(encoding="utf-8"))


def for_regexp(pattern: str) -> re.Pattern:
    """A `for` path as Netlify matches it: getForRegExp of @netlify/headers-parser (lib/for_regexp.js), ported.
    ":name" is one path segment, a standalone "*" anything (or nothing), "*" inside a segment anything."""
    def part(p: str) -> str:
        if p.startswith(":"):
            return "([^/]+)"
        if p == "*":
            return "?(.*)"
        if "*" in p:
            return "(.*)".join(re.escape(s) for s in p.split("*"))
        return re.escape(p)
    parts = [part(p.rstrip()) for p in pattern.split("/") if p.rstrip()]
    return re.compile(f"^/{'/'.join(parts)}/?$", re.IGNORECASE)


def netlify_headers(path: str, file: Path | None = None) -> dict[str, str]:
    """The headers Netlify sends for a URL path: every matching rule, values of a repeated name joined."""
    found: dict[str, list[str]] = {}
    for rule in netlify(file)["headers"]:
        if for_regexp(rule["for"]).match(unquote(path)):
            for name, value in rule["values"].items():
                found.setdefault(name, []).append(value)
    return {name: ", ".join(values) for name, values in found.items()}


def cache_rules(path: str) -> list[str]:
    return [rule["values"]["Cache-Control"] for rule in netlify()["headers"]
            if "Cache-Control" in rule["values"] and for_regexp(rule["for"]).match(path)]


def test_netlify_config():
    check_netlify_config(REPO / "netlify.toml")


def check_netlify_config(file: Path, install: str = ".") -> None:
    config = netlify(file)
    assert config["build"]["publish"] == "public"
    assert config["build"]["command"].startswith(f"pip install {install} && site-builder build")
    assert config["build"]["environment"]["PYTHON_VERSION"] == "3.11"
    everywhere = netlify_headers("/docs/x/", file)
    directives = lambda csp: sorted(d.strip() for d in csp.split(";"))  # noqa: E731
    assert directives(everywhere["Content-Security-Policy"]) == directives(CSP)
    assert everywhere["X-Content-Type-Options"] == "nosniff"
    assert everywhere["Referrer-Policy"] in ("strict-origin-when-cross-origin", "no-referrer", "same-origin")
    # Netlify serves public/404.html for every missing URL by itself: no redirect is needed, and none may
    # hide a real file behind a 200 rewrite
    assert all(r.get("status") == 404 for r in config.get("redirects", []))


def test_netlify_path_matching_as_netlify_does():
    assert for_regexp("/assets/*").match("/assets/site.0412219d53.css")
    assert for_regexp("/fulltext/*").match("/fulltext/1/pairs/12.bin")
    assert for_regexp("/pagefind/*").match("/pagefind/1/fragment/x-pairs_a1d2e44.pf_fragment")
    assert not for_regexp("/pagefind/*").match("/fulltext/index.json")
    assert not for_regexp("/search/*").match("/fulltext/index.json")
    assert for_regexp("/").match("/") and not for_regexp("/").match("/docs/")
    assert for_regexp("/docs/:slug/").match("/docs/a/") and not for_regexp("/docs/:slug/").match("/docs/a/b/")


@pytest.mark.parametrize("path, cache", [
    ("/assets/site.0412219d53.css", LONG),
    ("/fulltext/index.json", SHORT),                                # the search index: names kept
    ("/fulltext/0/meta.json", SHORT),                               # from build to build
    ("/fulltext/0/pairs/17.bin", SHORT),
    ("/fulltext/2/text/9999.txt", SHORT),
    ("/fulltext/t2s/3.json", SHORT),
    ("/pagefind/index.json", SHORT),                                # the Pagefind engine's index: the
    ("/pagefind/t2s/3.json", SHORT),                                # shared files, and Pagefind's bundle
    ("/pagefind/0/meta.json", SHORT),                               # (its fixed names and its chunks)
    ("/pagefind/2/text/9999.txt", SHORT),
    ("/pagefind/0/pagefind.js", SHORT), ("/pagefind/0/wasm.unknown.pagefind", SHORT),
    ("/pagefind/0/pagefind-entry.json", SHORT), ("/pagefind/1/pagefind.x-pairs_c61591133f94c88.pf_meta", SHORT),
    ("/pagefind/1/index/x-pairs_af482ad.pf_index", SHORT), ("/pagefind/0/filter/x-pairs_3d5e2ad.pf_filter", SHORT),
    ("/", SHORT), ("/index.html", SHORT), ("/docs/qianshan-2019/", SHORT), ("/search/", SHORT),
    ("/regions/340000/page/2/", SHORT), ("/data/documents.csv", SHORT), ("/feed.xml", SHORT),
])
def test_netlify_cache_rule(path, cache):
    assert cache_rules(path) == [cache]


# --- built sites --------------------------------------------------------------------------------------------

def build(root: Path, *args: str) -> Path:
    run_cli("build", "--root", root, *args)
    return root / "public"


@pytest.fixture(scope="module", params=["fixture", "sample"])
def archive_site(request, tmp_path_factory) -> Path:
    """A site built for /archive/: the hand-written fixture (paginated listings) or the ingested sample."""
    root = tmp_path_factory.mktemp(f"deploy-{request.param}") / "site"
    if request.param == "fixture":
        make_site(root, page_size=3)
    else:
        shutil.copytree(request.getfixturevalue("sample_site") / "content", root / "content")
    return build(root, "--base-url", "/archive/")


def page_links(page_soup) -> list[str]:
    found = []
    for tag, attr in LINK_ATTRS:
        for element in page_soup.find_all(tag):
            value = element.get(attr)
            if value and attr == "srcset":
                found += [entry.split()[0] for entry in value.split(",") if entry.strip()]
            elif value:
                found.append(value)
    return found


def internal(url: str) -> bool:
    return not (urlsplit(url).scheme or url.startswith("//") or url.startswith("#"))


def test_sub_path_crawl(archive_site):
    """Every link of every page resolves to a file under /archive/, none leaves it; the CSP needs no inline code."""
    public, checked, seen = archive_site, 0, set()
    for page in html_pages(public):
        here = route_of(public, page, "/archive/")
        s = soup(page)
        for url in page_links(s):
            if url.startswith("#"):
                assert s.find(id=url[1:]), f"{here}: no element for {url}"
                continue
            if not internal(url):
                assert urlsplit(url).scheme in ("http", "https", "mailto"), (here, url)
                continue
            absolute = urljoin(here, url)
            assert absolute.startswith("/archive/"), f"{here}: {url} leaves the base path"
            assert resolve(public, absolute, "/archive/") is not None, f"{here}: {url} is broken"
            seen.add(urlsplit(absolute).path)
            checked += 1
        # what the Content-Security-Policy would block: inline scripts and styles, handlers, javascript: URLs
        assert not [t for t in s.find_all("script") if not t.get("src") and t.get("type") != "application/json"
                    and t.string and t.string.strip()], here
        assert not s.find_all("style") and not s.find_all(style=True), here
        assert not [t for t in s.find_all(True) if any(a.lower().startswith("on") for a in t.attrs)], here
        assert "javascript:" not in str(s).lower(), here
    assert checked > 100 and "/archive/search/" in seen
    # the 404 page is served at any depth: its links must not be relative
    for url in page_links(soup(public / "404.html")):
        assert not internal(url) or url.startswith("/archive/"), url
    for name in ("feed.xml", "sitemap.xml"):
        xml = (public / name).read_text(encoding="utf-8")
        for url in re.findall(r'(?:href="|<loc>)([^"<]+)', xml):
            assert url.startswith("/archive/") and resolve(public, url, "/archive/"), (name, url)
    assert "Sitemap: /archive/sitemap.xml" in (public / "robots.txt").read_text(encoding="utf-8")
    records = json.loads((public / "data/documents.json").read_text(encoding="utf-8"))
    assert records and all(resolve(public, r["url"], "/archive/") for r in records)


def test_sub_path_served(archive_site):
    """The same links over HTTP, with the site under /archive/: 200 for each, the 404 page for a miss."""
    server, base = serve_folder(archive_site, "/archive/")
    origin = base[: -len("/archive/")]
    try:
        urls = {"/archive/"}
        for page in html_pages(archive_site):
            here = route_of(archive_site, page, "/archive/")
            urls |= {urlsplit(urljoin(here, u)).path for u in page_links(soup(page)) if internal(u)}
        for path in sorted(urls):
            with urllib.request.urlopen(origin + path) as response:
                assert response.status == 200, path
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "docs/no-such-document/")
        assert missing.value.code == 404 and "/archive/assets/site." in missing.value.read().decode()
    finally:
        server.shutdown()


def test_absolute_base_url_in_canonical_sitemap_and_feed(tmp_path):
    root = make_site(tmp_path / "site")
    public = build(root, "--no-search", "--base-url", "https://example.org/archive")
    prefix = "https://example.org/archive/"
    for page in html_pages(public):
        s = soup(page)
        if page.name == "index.html":
            canonical = s.find("link", rel="canonical")["href"]
            assert canonical == prefix + route_of(public, page, ""), page
        assert s.find("link", rel="alternate", type="application/atom+xml")["href"] == prefix + "feed.xml"
        # links inside pages stay path-absolute, so the same files also work behind another host (a preview)
        for url in page_links(s):
            assert url.startswith("/archive/") or url.startswith(prefix) or not internal(url), (page, url)
    locs = re.findall(r"<loc>(.*?)</loc>", (public / "sitemap.xml").read_text(encoding="utf-8"))
    assert len(locs) > 10 and all(loc.startswith(prefix) for loc in locs)
    assert prefix in locs and prefix + "docs/qianshan-2019/" in locs
    feed = (public / "feed.xml").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="(.*?)"', feed)
    assert hrefs and all(h.startswith(prefix) for h in hrefs) and prefix + "feed.xml" in hrefs
    ids = re.findall(r"<id>(.*?)</id>", feed)
    assert ids and all(i.startswith(prefix) for i in ids)
    assert f"Sitemap: {prefix}sitemap.xml" in (public / "robots.txt").read_text(encoding="utf-8")


def test_base_url_that_needs_percent_encoding(tmp_path):
    """A base path with spaces or Chinese is written percent-encoded: valid sitemap and feed URLs, and links
    in the form browsers request them."""
    root = make_site(tmp_path / "site")
    public = build(root, "--no-search", "--base-url", "https://example.org/政务 档案")
    prefix = "https://example.org/%E6%94%BF%E5%8A%A1%20%E6%A1%A3%E6%A1%88/"
    locs = re.findall(r"<loc>(.*?)</loc>", (public / "sitemap.xml").read_text(encoding="utf-8"))
    assert locs and all(loc.startswith(prefix) and " " not in loc for loc in locs)
    page = soup(public / "docs/qianshan-2019/index.html")
    assert page.find("link", rel="canonical")["href"] == prefix + "docs/qianshan-2019/"
    assert page.select_one("a.site-title")["href"] == urlsplit(prefix).path


# --- caching ------------------------------------------------------------------------------------------------

def site_paths(public: Path) -> dict[str, Path]:
    """URL path (below the base) → file, for every file of public/ ("docs/x/index.html" also as "/docs/x/")."""
    paths = {}
    for file in sorted(p for p in public.rglob("*") if p.is_file()):
        rel = file.relative_to(public).as_posix()
        paths["/" + rel] = file
        if rel == "index.html" or rel.endswith("/index.html"):
            paths["/" + rel.removesuffix("index.html")] = file
    return paths


def index_files(public: Path, engine: str) -> list[str]:
    """URL paths of the engine's search index in a built site (every other index folder must be absent)."""
    paths = site_paths(public)
    for other, folder in INDEX_DIRS.items():
        if other != engine:
            assert not any(p.startswith(f"/{folder}/") for p in paths), f"{engine} build has /{folder}/"
    return [p for p in paths if p.startswith(f"/{INDEX_DIRS[engine]}/")]


def assert_engine_index(paths: list[str], engine: str, part: int = 0) -> None:
    """The index has its index.json and, in part `part`, the shared files and every kind of the engine's files."""
    folder = f"/{INDEX_DIRS[engine]}/"
    assert folder + "index.json" in paths and folder + f"{part}/meta.json" in paths, (engine, part)
    for name in ENGINE_FILES[engine]:
        assert any(p.startswith(f"{folder}{part}/") and p.endswith(name) for p in paths), (engine, part, name)


@pytest.fixture(scope="module", params=ENGINES)
def two_builds(request, tmp_path_factory):
    """The fixture site built twice with the search engine of the parameter: the second time with one document
    and the stylesheet changed."""
    engine = request.param
    first = make_site(tmp_path_factory.mktemp("cache") / "first", extra_config='theme_dir = "themes/default"\n')
    shutil.copytree(BUILTIN_THEME, first / "themes/default")   # a theme of the project's own
    second = tmp_path_factory.mktemp("cache") / "second"
    shutil.copytree(first, second)
    doc = second / "content/qianshan-2020.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("正文。", "修改后的正文，新增行政复议一节。"), encoding="utf-8")
    css = second / "themes/default/static/site.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* changed */\n", encoding="utf-8")
    builds = build(first, "--search-engine", engine), build(second, "--search-engine", engine)
    assert all(json.loads((p / INDEX_DIRS[engine] / "index.json").read_text(encoding="utf-8"))["engine"] == engine
               for p in builds)
    return builds


def test_every_file_has_exactly_one_cache_rule(two_builds):
    for public in two_builds:
        for path, file in site_paths(public).items():
            rules = cache_rules(path)
            assert len(rules) == 1, f"{path}: Cache-Control rules {rules} (add a rule for it to netlify.toml)"
            rel = path.lstrip("/")
            if rules[0] == LONG:   # only names that carry their content's hash
                assert ASSET.match(rel), path
            else:
                assert rules[0] == SHORT, path
            if file.suffix == ".html" or rel.startswith("data/") or file.suffix == ".xml":
                assert rules[0] == SHORT, path
            if ASSET.match(rel):
                assert rules[0] == LONG, path
    engine = json.loads(next(two_builds[0].glob("*/index.json")).read_text(encoding="utf-8"))["engine"]
    for public in two_builds:
        assert_engine_index(index_files(public, engine), engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_search_index_in_parts_has_one_cache_rule_per_file(engine, tmp_path):
    """A large archive's index comes in parts (pagefind/<n>/ or fulltext/<n>/): their files are cached by the
    same rules."""
    from site_builder.build import load
    from site_builder.config import load_config
    from site_builder.search import build_search_index

    root = make_site(tmp_path / "site")
    out = tmp_path / "out"
    assert build_search_index(load(load_config(root)), out, engine, parts=3)["parts"] == 3
    paths = list(site_paths(out))
    assert paths == index_files(out, engine)
    for part in range(3):
        assert_engine_index(paths, engine, part)
    for path in paths:
        assert cache_rules(path) == [SHORT], path


def test_immutable_urls_never_change_their_bytes(two_builds):
    """A URL cached as immutable must keep its bytes in every later build; changed content gets new names."""
    first, second = (site_paths(p) for p in two_builds)
    long_lived = lambda paths: {p for p in paths if cache_rules(p) == [LONG]}  # noqa: E731
    for path in long_lived(first) & long_lived(second):
        assert first[path].read_bytes() == second[path].read_bytes(), f"{path} changed under the same name"
    new = long_lived(second) - long_lived(first)
    assert any(p.startswith("/assets/site.") for p in new), "the changed stylesheet kept its name"
    # and the search index, whose names stay, is revalidated
    assert cache_rules("/fulltext/0/meta.json") == [SHORT] and cache_rules("/pagefind/0/pagefind.js") == [SHORT]


def test_css_and_js_are_fingerprinted(archive_site):
    """Every stylesheet, script and icon a page loads is /archive/assets/<name>.<hash of its bytes>.<ext>."""
    refs = set()
    for page in html_pages(archive_site):
        s = soup(page)
        refs |= {tag["href"] for tag in s.find_all("link", href=True) if set(tag.get("rel", [])) & {"stylesheet", "icon"}}
        refs |= {tag["src"] for tag in s.find_all("script", src=True)}
    assert any(r.endswith(".css") for r in refs) and any(r.endswith(".js") for r in refs)
    for ref in refs:
        assert ref.startswith("/archive/assets/"), ref
        rel = urlsplit(ref).path.removeprefix("/archive/")
        match = ASSET.match(rel)
        assert match, ref
        data = (archive_site / rel).read_bytes()
        assert hashlib.sha256(data).hexdigest().startswith(match["digest"]), f"{ref}: name does not hash its bytes"


# --- in Chromium, with netlify.toml's headers ---------------------------------------------------------------

WATCH_CSP = """document.addEventListener('securitypolicyviolation', e => {
  (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI);
}, true);"""


INLINE_PROBE = """() => {
  const s = document.createElement('script');
  s.textContent = 'window.__inline = 1';
  document.head.append(s);
  return window.__inline ?? null;
}"""


@pytest.fixture(scope="module", params=[(engine, base) for engine in ENGINES for base in ("/", "/archive/", "/政务 档案/")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def served_site(request, tmp_path_factory) -> tuple[Path, str, str]:
    """The fixture site built with each search engine for the root of its host (as netlify.toml builds it), for
    /archive/, and for a path that needs percent-encoding; with the base path as browsers request it."""
    engine, base = request.param
    root = make_site(tmp_path_factory.mktemp("served") / "site", page_size=3)
    return build(root, "--base-url", base, "--search-engine", engine), quote(base), engine


def test_search_works_with_the_netlify_headers_in_chromium(served_site, browser):
    public, prefix, engine = served_site
    folder = INDEX_DIRS[engine]
    assert index_files(public, engine)
    served = []

    def headers(path):
        result = netlify_headers(path)
        served.append((path, result.get("Cache-Control")))
        return result

    server, base = serve_folder(public, prefix, headers=headers)
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(WATCH_CSP)
    console, outside, failed = [], [], []
    page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else None)
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    page.on("response", lambda r: failed.append((r.status, r.url)) if r.status >= 400 else None)
    try:
        response = page.goto(base + "search/?q=潜山")
        csp = response.headers["content-security-policy"]
        assert csp == netlify_headers("/search/")["Content-Security-Policy"]
        # the policy is in force: an inline script is refused (and reported)
        assert page.evaluate(INLINE_PROBE) is None
        assert poll(page, "() => window.__csp && window.__csp.length") == 1
        page.evaluate("() => { window.__csp = []; }")
        console.clear()
        poll(page, "() => document.querySelector('#search-status')?.dataset.count === '2'")
        hrefs = page.eval_on_selector_all("#search-results a.doc-title", "links => links.map(a => a.getAttribute('href'))")
        assert len(hrefs) == 2 and all(h.startswith(prefix + "docs/") and resolve(public, h, unquote(prefix)) for h in hrefs)

        results = page.evaluate("() => window.siteSearch('政府')")
        titled = {fm.split("\n")[0].removeprefix("title: ") for fm, _ in DOCS.values()}
        assert {t for t in titled if "政府" in t} <= {r["title"] for r in results}
        for result in results:
            assert result["url"].startswith(prefix + "docs/") and resolve(public, result["url"], unquote(prefix)), result
        assert {r["title"] for r in page.evaluate("() => window.siteSearch('潜山')")} == {
            "潜山市2019年政府信息公开年度报告", "潜山市2020年政府信息公开年度报告"}

        # the other kinds of page, and the 404 page, under the same policy
        violations = page.evaluate("() => window.__csp || []")
        for path in ("", "docs/qianshan-2019/", "stats/", "regions/", "years/", "no-such-page/"):
            page.goto(base + path)
            page.wait_for_load_state("load")
            page.wait_for_timeout(100)
            violations += page.evaluate("() => window.__csp || []")
        assert violations == [] and not [c for c in console if "Content Security Policy" in c], (violations, console)
        assert outside == []
        assert [f for f in failed if "no-such-page" not in f[1]] == [], failed
        # the fingerprinted assets were sent as immutable, the search index (names kept) for revalidation
        sent = dict(served)
        assert any(p.startswith("/assets/") and c == LONG for p, c in sent.items())
        assert sent.get(f"/{folder}/index.json") == SHORT and sent.get(f"/{folder}/0/meta.json") == SHORT
        for name in ENGINE_FILES[engine]:   # Pagefind's script, WebAssembly and chunks; the exact engine's .bin
            if name == ".pf_fragment":      # (the page text Pagefind keeps: search-pagefind.js never loads it)
                continue
            assert any(p.startswith(f"/{folder}/0/") and p.endswith(name) and c == SHORT for p, c in sent.items()), name
        other = INDEX_DIRS["exact" if engine == "pagefind" else "pagefind"]
        assert not any(p.startswith(f"/{other}/") for p in sent), sent
        assert sent.get("/search/") == SHORT
    finally:
        context.close()
        server.shutdown()


@pytest.mark.parametrize("engine", ENGINES)
def test_pagefind_needs_wasm_unsafe_eval_and_nothing_else(engine, tmp_path, browser):
    """The CSP without 'wasm-unsafe-eval': Chromium refuses to compile Pagefind's WebAssembly (a script-src
    violation for "wasm-eval") and its search fails; the exact engine runs no WebAssembly and works. With it
    (test_search_works_with_the_netlify_headers_in_chromium) Pagefind reports no violation at all: it needs
    neither 'unsafe-eval', nor workers, blob: or data: scripts, nor any other host."""
    public = build(make_site(tmp_path / "site"), "--search-engine", engine)
    strict = CSP.replace(" 'wasm-unsafe-eval'", "")
    assert "wasm" not in strict
    server, base = serve_folder(public, "/", headers=lambda path: {**netlify_headers(path), "Content-Security-Policy": strict})
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(WATCH_CSP)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(base + "search/?q=潜山")
        if engine == "pagefind":
            violations = poll(page, "() => window.__csp && window.__csp.length && window.__csp")
            page.wait_for_timeout(500)
            assert all(v == "script-src wasm-eval" for v in violations), violations
            assert any("Pagefind WASM" in e for e in errors), errors
            # no results, and the page says so (Pagefind 1.4 alone would never answer: search-pagefind.js guards it)
            poll(page, "() => document.querySelector('#search-status').textContent.includes('检索失败')")
            assert page.get_attribute("#search-status", "data-count") is None
        else:
            poll(page, "() => document.querySelector('#search-status')?.dataset.count === '2'")
            assert page.evaluate("() => window.__csp || []") == [] and errors == []
    finally:
        context.close()
        server.shutdown()
