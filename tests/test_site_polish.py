"""Issue 16, points 7–10: the site on a phone (390 px) and a wide screen, the open-data page, and the CLI's
small promises (--version, plurals, an ingest re-run, scripts/sample). The site is the repository's own sample
archive — content/ and pyproject.toml copied and built by the real CLI — so that what a clone shows is tested."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from importlib.metadata import version

import pytest

from conftest import REPO, SEEDS, run_cli, serve_folder

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1366, "height": 900}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """(public folder, base URL) of the repository's sample archive."""
    root = tmp_path_factory.mktemp("polish")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    run_cli("build", "--root", root)
    server, base = serve_folder(root / "public")
    yield root / "public", base
    server.shutdown()


def a_listing(public) -> str:
    """The route of a region page (a listing with documents)."""
    region = sorted(p for p in (public / "regions").iterdir() if p.is_dir())[0]
    return f"regions/{region.name}/"


def test_the_sample_archive_is_seeds_and_devset(sample):
    public, _ = sample
    documents = json.loads((public / "data/documents.json").read_text(encoding="utf-8"))
    sources = {d["source"]["file"] for d in documents}
    assert len(documents) == 35
    assert sum(s.startswith("dev") for s in sources) == 30
    assert len({d["region"]["province"] for d in documents if d["region"]}) >= 15
    home = (public / "index.html").read_text(encoding="utf-8")
    assert "网页节选" in home   # the home page says most devset documents are excerpts


def test_content_is_exactly_the_ingest_of_the_vendored_raw_files(tmp_path):
    """README: content/ is `site-builder ingest tests/fixtures/seeds tests/fixtures/devset --out content`."""
    run_cli("ingest", REPO / "tests/fixtures/seeds", REPO / "tests/fixtures/devset", "--out", tmp_path / "content")
    made = {p.name: p.read_bytes() for p in (tmp_path / "content").glob("*.md")}
    kept = {p.name: p.read_bytes() for p in (REPO / "content").glob("*.md")}
    assert made == kept


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["390", "1366"])
def test_no_page_level_overflow_and_nav_without_a_lone_item(sample, browser, viewport):
    public, base = sample
    page = browser.new_page(viewport=viewport)
    for route in ("", "search/?q=公开", "data/", a_listing(public), "years/"):
        page.goto(base + route)
        if route.startswith("search"):
            page.wait_for_function("document.getElementById('search-status').dataset.count !== undefined",
                                   timeout=15000)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (route, viewport, overflow)
        tops = page.eval_on_selector_all(".site-nav li", "ls => ls.map(l => Math.round(l.getBoundingClientRect().top))")
        lines = {t: tops.count(t) for t in tops}
        assert len(tops) == 7 and min(lines.values()) >= 2, (route, viewport, tops)   # no item alone on a line
        assert len(lines) == 1, (route, viewport, tops)                                # in fact: one line
    page.close()


def test_every_document_page_of_the_sample_fits_a_phone(sample, browser):
    """The real documents, among them titles that are one long Latin word (a scraped file's name): at 390 px no
    document page is wider than the screen."""
    public, base = sample
    page = browser.new_page(viewport=PHONE)
    wide = []
    for folder in sorted((public / "docs").iterdir()):
        page.goto(f"{base}docs/{folder.name}/")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            wide.append((folder.name, overflow))
    assert len(list((public / "docs").iterdir())) == 35 and wide == []
    page.close()


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["390", "1366"])
def test_footer_at_the_bottom_of_a_short_page(sample, browser, viewport):
    _, base = sample
    page = browser.new_page(viewport=viewport)
    for route in ("404.html", "search/"):
        page.goto(base + route)
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= viewport["height"] + 1, (route, height)       # a short page …
        bottom = page.eval_on_selector(".site-footer", "f => f.getBoundingClientRect().bottom")
        assert abs(bottom - viewport["height"]) <= 1, (route, bottom)  # … ends with the footer, no band under it
    page.close()


def test_one_search_box_on_home_and_search_and_the_header_box_elsewhere(sample, browser):
    _, base = sample
    page = browser.new_page(viewport=PHONE)
    for route, boxes in (("", ["home-q"]), ("search/", ["search-q"]), ("data/", ["header-q"])):
        page.goto(base + route)
        assert page.eval_on_selector_all("input[type=search]", "is => is.map(i => i.id)") == boxes, route
    page.close()


def test_no_justified_text(sample, browser):
    public, base = sample
    page = browser.new_page(viewport=PHONE)
    doc = sorted((public / "docs").iterdir())[0].name
    for route in (f"docs/{doc}/", "", "data/"):
        page.goto(base + route)
        justified = page.evaluate("""[...document.querySelectorAll('body *')]
            .filter(e => getComputedStyle(e).textAlign === 'justify').map(e => e.tagName + '.' + e.className)""")
        assert justified == [], (route, justified)
    page.close()


def test_open_data_page_lists_every_file_with_size_rows_licence_and_preview(sample, browser):
    public, base = sample
    page = browser.new_page(viewport=WIDE)
    page.goto(base + "data/")
    files = page.eval_on_selector_all(".data-files > li", """ls => ls.map(l => ({
        href: l.querySelector('a').getAttribute('href'), size: l.querySelector('.size').title,
        rows: l.querySelector('.rows').textContent,
        header: [...l.querySelectorAll('.preview thead th')].map(c => c.textContent),
        first: [...l.querySelectorAll('.preview tbody tr:first-child td')].map(c => c.textContent),
        text: (l.querySelector('.preview pre') || {}).textContent || ''}))""")
    assert [f["href"] for f in files] == ["/data/documents.json", "/data/documents.csv", "/data/tables.csv"]
    for f in files:
        data = (public / f["href"].lstrip("/")).read_bytes()
        assert f["size"] == f"{len(data):,} 字节"
        text = data.decode("utf-8-sig")
        if f["href"].endswith(".json"):
            records = json.loads(text)
            assert f["rows"] == f"{len(records)} 条记录"
            preview = f["text"].splitlines()
            assert len(preview) == 3
            for shown, line in zip(preview, text.splitlines()[1:]):   # one record per line, long ones cut with …
                assert line.rstrip(",").startswith(shown.removesuffix("…"))
        else:
            rows = list(csv.reader(io.StringIO(text)))
            assert f["rows"] == f"{len(rows) - 1:,} 行"
            assert f["header"] == rows[0]
            assert len(f["first"]) == len(rows[1])
            assert all(cell.startswith(shown.removesuffix("…")) for cell, shown in zip(rows[1], f["first"]))
    shown = page.inner_text(".data-files")
    assert re.search(r"documents\.json\s+[\d.]+ KB", shown)
    licence = page.inner_text("#licence + p")
    assert "CC BY 4.0" in licence and "政府信息" in licence
    # descriptions are left-aligned; numbers stay right-aligned elsewhere (tables of numbers)
    aligns = page.eval_on_selector_all(".text-table td", "ts => [...new Set(ts.map(t => getComputedStyle(t).textAlign))]")
    assert aligns in (["left"], ["start"]), aligns
    page.close()


def test_open_data_previews_fit_a_phone(sample, browser):
    _, base = sample
    page = browser.new_page(viewport=PHONE)
    page.goto(base + "data/")
    for summary in page.query_selector_all(".preview summary"):
        summary.click()
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    widths = page.eval_on_selector_all(".text-table tbody th", "ts => ts.map(t => t.getBoundingClientRect().width)")
    assert min(widths) >= 2 * 16, widths   # no column-name cell one character wide
    page.close()


# -- the CLI ----------------------------------------------------------------------------------------------------
def test_version_from_the_package_metadata():
    result = run_cli("--version")
    assert result.stdout.strip() == f"site-builder {version('site-builder')}"


def test_plurals_and_an_ingest_rerun_says_unchanged(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(sorted(SEEDS.glob("*.txt"))[0], raw)
    first = run_cli("ingest", raw, "--out", tmp_path / "content")
    assert first.stdout.startswith("ingested 1 document into "), first.stdout
    assert ": 1 written, 0 unchanged" in first.stdout
    again = run_cli("ingest", raw, "--out", tmp_path / "content")
    assert ": 0 written, 1 unchanged" in again.stdout, again.stdout
    built = run_cli("build", "--root", tmp_path, "--no-search")
    assert built.stdout.startswith("built 1 document → "), built.stdout
    assert " 1 documents" not in built.stdout + first.stdout + again.stdout
    checked = run_cli("check", "--root", tmp_path)
    assert checked.stdout.startswith("ok: 1 document, "), checked.stdout
    many = run_cli("ingest", SEEDS, "--out", tmp_path / "more")
    assert many.stdout.startswith("ingested 5 documents into ")


def test_sample_script_installs_no_test_tools():
    script = (REPO / "scripts/sample").read_text(encoding="utf-8")
    assert "[test]" not in script and not re.search(r"^scripts/setup", script, re.MULTILINE)
    assert re.search(r"pip install -q -e \.$", script, re.MULTILINE)


def test_readme_links_nothing_outside_the_repository():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)", readme):
        if not target.startswith(("http://", "https://")):
            assert (REPO / target).exists(), target
    assert "../shared/docs" not in readme and (REPO / "docs/content-schema.md").is_file()
    assert "--jobs N" in readme and "--version" in readme
