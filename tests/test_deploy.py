"""Publishing: the GitHub Pages workflow, netlify.toml, and the site under a sub-path (issue 6)."""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from conftest import REPO, run_cli, serve_folder
from site_checks import html_pages, links, resolve, route_of, soup
from test_build import make_site

CONTENT_HASHED = re.compile(r"/(assets|pagefind/(index|fragment|filter))/")


def test_pages_workflow():
    workflow = yaml.safe_load((REPO / ".github/workflows/pages.yml").read_text(encoding="utf-8"))
    triggers = workflow[True]          # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["branches"] == ["main"] and "workflow_dispatch" in triggers
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    steps = workflow["jobs"]["build"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))["with"]["cache"] == "pip"
    assert any(u.startswith("actions/configure-pages@") for u in uses)
    build = next(s for s in steps if "site-builder build" in s.get("run", ""))
    assert "--base-url" in build["run"] and "steps.pages.outputs.base_url" in build["run"]
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "public"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def netlify() -> dict:
    return tomllib.loads((REPO / "netlify.toml").read_text(encoding="utf-8"))


def header_rules() -> dict[str, dict]:
    return {rule["for"]: rule["values"] for rule in netlify()["headers"]}


def test_netlify_config():
    config = netlify()
    assert config["build"]["publish"] == "public"
    assert "site-builder build" in config["build"]["command"]
    assert config["build"]["environment"]["PYTHON_VERSION"].startswith("3.")
    rules = header_rules()
    csp = rules["/*"]["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "'wasm-unsafe-eval'" in csp and "'unsafe-inline'" not in csp
    assert "http" not in csp and "*" not in csp.replace("/*", "")
    assert "immutable" in rules["/assets/*"]["Cache-Control"]
    assert "immutable" in rules["/pagefind/index/*"]["Cache-Control"]
    assert "max-age=0" in rules["/pagefind/*.js"]["Cache-Control"]
    # no rule sets Cache-Control twice for one path (Netlify would join the values)
    assert "Cache-Control" not in rules["/*"]


@pytest.fixture(scope="module")
def archive_site(tmp_path_factory):
    root = make_site(tmp_path_factory.mktemp("deploy") / "site", page_size=3)
    run_cli("build", "--root", root, "--base-url", "/archive/")
    return root


def test_sub_path_crawl(archive_site):
    public = archive_site / "public"
    checked = 0
    for page in html_pages(public):
        here = route_of(public, page, "/archive/")
        for url in links(soup(page)):
            parts = urlsplit(url)
            if parts.scheme or url.startswith("#") or url.startswith("mailto:"):
                continue
            absolute = urljoin(here, url)
            assert absolute.startswith("/archive/"), (here, url)
            assert resolve(public, absolute, "/archive/") is not None, (here, url)
            checked += 1
    assert checked > 100


def test_search_works_under_the_sub_path_with_the_netlify_csp(archive_site, browser):
    headers = dict(header_rules()["/*"])
    server, base = serve_folder(archive_site / "public", "/archive/", headers=headers)
    page = browser.new_page()
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    page.goto(base + "search/?q=潜山")
    for _ in range(150):   # polled from Python: Playwright's wait_for_function needs eval, which the CSP forbids
        if page.get_attribute("#search-status", "data-count") == "2":
            break
        page.wait_for_timeout(100)
    assert page.get_attribute("#search-status", "data-count") == "2"
    titles = page.evaluate("() => window.siteSearch('潜山').then(r => r.map(x => x.title))")
    assert sorted(titles) == ["潜山市2019年政府信息公开年度报告", "潜山市2020年政府信息公开年度报告"]
    href = page.get_attribute("#search-results a.doc-title", "href")
    assert href.startswith("/archive/docs/")
    assert violations == [] and outside == []
    server.shutdown()


def test_absolute_base_url_in_canonical_sitemap_and_feed(tmp_path):
    root = make_site(tmp_path / "site")
    run_cli("build", "--root", root, "--no-search", "--base-url", "https://example.org/archive")
    public = root / "public"
    page = soup(public / "docs/qianshan-2019/index.html")
    assert page.find("link", rel="canonical")["href"] == "https://example.org/archive/docs/qianshan-2019/"
    assert page.find("link", rel="alternate")["href"] == "https://example.org/archive/feed.xml"
    locs = re.findall(r"<loc>(.*?)</loc>", (public / "sitemap.xml").read_text(encoding="utf-8"))
    assert locs and all(loc.startswith("https://example.org/archive/") for loc in locs)
    feed = (public / "feed.xml").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="(.*?)"', feed)
    assert hrefs and all(h.startswith("https://example.org/archive/") for h in hrefs)
    assert "Sitemap: https://example.org/archive/sitemap.xml" in (public / "robots.txt").read_text()
    # links inside pages stay path-absolute, so the same files work behind any host
    assert page.select_one("a.site-title")["href"] == "/archive/"


def test_css_and_js_are_fingerprinted(archive_site):
    public = archive_site / "public"
    refs = set()
    for page in html_pages(public):
        s = soup(page)
        refs |= {l["href"] for l in s.find_all("link", rel="stylesheet")}
        refs |= {t["src"] for t in s.find_all("script") if t.get("src")}
    assert refs
    for ref in refs:
        name = Path(urlsplit(ref).path).name
        stem, digest, ext = name.rsplit(".", 2)
        data = (public / urlsplit(ref).path.removeprefix("/archive/")).read_bytes()
        assert ref.startswith("/archive/assets/") and hashlib.sha256(data).hexdigest().startswith(digest), ref
