"""Reading a built site back: pages, links, and a crawl for broken internal links (used by several tests)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup

LINK_ATTRS = (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("form", "action"),
              ("source", "src"), ("iframe", "src"))


def html_pages(public: Path) -> list[Path]:
    return sorted(public.rglob("*.html"))


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def cells(row) -> list[str]:
    """The text of a table row's header and data cells."""
    return [c.get_text(" ", strip=True) for c in row.find_all(["th", "td"])]


def route_of(public: Path, page: Path, base: str = "/") -> str:
    rel = page.relative_to(public).as_posix()
    rel = rel[: -len("index.html")] if rel.endswith("index.html") else rel
    return base + rel


def links(page_soup: BeautifulSoup) -> list[str]:
    found = []
    for tag, attr in LINK_ATTRS:
        for element in page_soup.find_all(tag):
            if element.get(attr):
                found.append(element[attr])
    return found


def resolve(public: Path, url: str, base: str = "/") -> Path | None:
    """The file a site-internal URL points at, or None if nothing is there."""
    path = unquote(urlsplit(url).path)
    if not path.startswith(base):
        return None
    rel = path[len(base):]
    target = public / rel
    if path.endswith("/"):
        target = target / "index.html"
    return target if target.is_file() else None


def broken_links(public: Path, base: str = "/") -> list[tuple[str, str]]:
    """(page, link) for every internal link from any page that points at no file; external links ignored."""
    broken = []
    for page in html_pages(public):
        here = route_of(public, page, base)
        for url in links(soup(page)):
            parts = urlsplit(url)
            if parts.scheme in ("http", "https", "mailto") or url.startswith("#"):
                continue
            absolute = urljoin(here, url)
            if resolve(public, absolute, base) is None:
                broken.append((here, url))
    return broken


def tree_bytes(public: Path) -> dict[str, bytes]:
    return {p.relative_to(public).as_posix(): p.read_bytes() for p in sorted(public.rglob("*")) if p.is_file()}


def doc_links(page_soup: BeautifulSoup) -> set[str]:
    """Links to document pages in a listing's document list."""
    return {a["href"] for a in page_soup.select("ul.doc-list a.doc-title")}


def poll(page, script: str, tries: int = 200):
    """Poll a condition from Python: Playwright's wait_for_function evaluates strings, which the CSP forbids."""
    for _ in range(tries):
        value = page.evaluate(script)
        if value:
            return value
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out waiting for {script}")
