"""The /search/ page in real headless Chromium, on the sample archive (the five seeds, ingested and built),
with the index built by each search engine: the page behaves the same whichever engine built it — the result
line (date, year covered, type, occurrences), the filters in force with 清除筛选, the folded filters on a phone."""

from __future__ import annotations

import json
import re
import shutil
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import run_cli, serve_folder

INDEX_DIRS = {"pagefind": "pagefind", "exact": "fulltext"}


@pytest.fixture(scope="module", params=sorted(INDEX_DIRS))
def site_url(request, sample_site, tmp_path_factory):
    """The sample archive built with `--search-engine <param>`, served at the root of a local host."""
    engine = request.param
    root = tmp_path_factory.mktemp(f"search-page-{engine}")
    shutil.copytree(sample_site / "content", root / "content")
    run_cli("build", "--root", root, "--search-engine", engine)
    public = root / "public"
    assert json.loads((public / INDEX_DIRS[engine] / "index.json").read_text(encoding="utf-8"))["engine"] == engine
    assert not [d for d in INDEX_DIRS.values() if d != INDEX_DIRS[engine] and (public / d).exists()]
    server, base = serve_folder(public)
    yield base
    server.shutdown()


def wait_for_count(page, previous=None) -> int:
    page.wait_for_function(
        "prev => { const s = document.getElementById('search-status'); return s.dataset.count !== undefined && s.dataset.count !== prev }",
        arg=previous, timeout=15000)
    return int(page.get_attribute("#search-status", "data-count"))


def test_type_a_query_see_count_results_and_highlighted_excerpts(site_url, browser):
    page = browser.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(site_url + "search/")
    page.fill("#search-q", "行政复议")
    count = wait_for_count(page)
    assert count == 2   # the two documents whose text says 行政复议
    assert "找到 2 份文件" in page.inner_text("#search-status")
    items = page.query_selector_all("#search-results li")
    assert len(items) == 2
    marks = [m.inner_text() for m in page.query_selector_all("#search-results mark")]
    assert "行政复议" in "".join(marks)
    excerpt = items[0].query_selector(".excerpt").inner_text()
    assert "行政复议" in excerpt and "政复 复议" not in excerpt      # normal text, not index pairs
    assert parse_qs(urlsplit(page.url).query)["q"] == ["行政复议"]
    assert all(u.startswith(site_url.rstrip("/").rsplit("/", 1)[0]) for u in requests), "no other host"
    # the page asked the engine that built the index, and only that engine's files
    paths = [urlsplit(u).path for u in requests]
    engines = {e for e, d in INDEX_DIRS.items() if any(p.startswith(f"/{d}/") for p in paths)}
    assert len(engines) == 1, paths
    (engine,) = engines
    assert any(p.startswith(f"/assets/search-{engine}.") for p in paths), paths
    page.close()


def test_filters_url_and_back(site_url, browser):
    page = browser.new_page()
    page.goto(site_url + "search/?q=" + "公开")
    total = wait_for_count(page)
    assert total == 5
    options = page.eval_on_selector_all("#filter-province option", "os => os.map(o => o.textContent)")
    assert "安徽省（1）" in options and "河南省（1）" in options
    page.select_option("#filter-province", "安徽省")
    filtered = wait_for_count(page, str(total))
    assert filtered == 1
    assert parse_qs(urlsplit(page.url).query)["province"] == ["安徽省"]
    assert "潜山市" in page.inner_text("#search-results")
    page.select_option("#filter-doc_type", "annual_report")
    page.wait_for_function("location.search.includes('doc_type=annual_report')")
    page.go_back()
    page.wait_for_function("!location.search.includes('doc_type')")
    assert page.input_value("#filter-province") == "安徽省"
    page.go_back()
    page.wait_for_function("!location.search.includes('province')")
    assert wait_for_count(page, "1") == 5
    page.close()


def test_shared_link_and_traditional_query(site_url, browser):
    page = browser.new_page()
    page.goto(site_url + "search/?q=" + "沈撫新區" + "&year=2018")
    assert wait_for_count(page) == 1
    assert page.input_value("#search-q") == "沈撫新區"
    assert page.input_value("#filter-year") == "2018"
    assert "沈抚新区2018年度政府信息公开工作报告" in page.inner_text("#search-results")
    result = page.evaluate("() => window.siteSearch('赣市府办字〔2018〕88号', {doc_type: 'work_plan'})")
    assert [r["title"] for r in result] == ["关于印发赣州市2018年政务公开工作实施方案的通知"]
    page.close()


def test_keyboard_only(site_url, browser):
    page = browser.new_page()
    page.goto(site_url + "search/")
    page.focus("#search-q")
    page.keyboard.type("德宏州")
    page.keyboard.press("Enter")
    assert wait_for_count(page) == 1
    for _ in range(30):  # tab until the first result link has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('doc-title')"):
            break
    assert page.evaluate("document.activeElement.textContent").startswith("德宏州人民政府办公室")
    page.keyboard.press("Enter")
    page.wait_for_url("**/docs/**")
    assert page.inner_text("h1").startswith("德宏州人民政府办公室")
    page.close()


def test_phone_layout(site_url, browser):
    page = browser.new_page(viewport={"width": 375, "height": 740})
    page.goto(site_url + "search/?q=公开")
    wait_for_count(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    page.close()


def test_a_search_index_that_cannot_load_is_reported(tmp_path, browser):
    """Pagefind's WebAssembly missing (a half-uploaded site): the page says the search failed, instead of
    waiting for ever, and a later search tries again."""
    import shutil

    from conftest import SEEDS, run_cli, serve_folder

    run_cli("ingest", SEEDS, "--out", tmp_path / "content")
    run_cli("build", "--root", tmp_path)
    wasm = tmp_path / "public" / "pagefind" / "0" / "wasm.unknown.pagefind"
    shutil.move(wasm, tmp_path / "wasm")
    server, base = serve_folder(tmp_path / "public")
    try:
        page = browser.new_page()
        page.goto(base + "search/?q=公开")
        page.wait_for_function("document.getElementById('search-status').textContent.includes('检索失败')", timeout=10000)
        shutil.move(tmp_path / "wasm", wasm)
        page.fill("#search-q", "行政复议")
        page.press("#search-q", "Enter")
        page.wait_for_function("document.getElementById('search-status').dataset.count === '2'", timeout=10000)
        page.close()
    finally:
        server.shutdown()


def result_meta(page) -> list[dict]:
    return page.eval_on_selector_all("#search-results li .doc-meta", """ms => ms.map(m => Object.fromEntries(
        [...m.children].map(s => [s.className, s.textContent])))""")


def test_result_line_shows_date_year_type_and_occurrences(site_url, browser):
    page = browser.new_page()
    page.goto(site_url + "search/?q=行政复议")
    assert wait_for_count(page) == 2
    found = page.evaluate("() => window.siteSearch('行政复议', {}, {limit: 10})")
    metas = result_meta(page)
    assert len(metas) == 2
    for meta, item in zip(metas, found):
        assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日|日期不详", meta["date"]), meta   # one date format
        assert meta["year"] == f"{item['year']}年度" and re.fullmatch(r"\d{4}", item["year"])
        assert meta["tag type"] == item["docType"] == "年度报告"
        assert item["count"] >= 1 and meta["count"] == f"出现 {item['count']} 次"
    # the count is every occurrence in the document's text as the index keeps it (both engines write it alike)
    texts = page.evaluate("""async () => {
        const root = document.getElementById('search-app').dataset.index;
        const info = await (await fetch(root + 'index.json')).json();
        const texts = {};
        for (const part of info.parts) {
            const meta = await (await fetch(root + part.path + 'meta.json')).json();
            for (let k = 0; k * info.chunk < meta.docs; k++) {
                const rows = await (await fetch(root + part.path + `docs/${k}.json`)).json();
                for (const [i, row] of rows.entries()) {
                    texts[row[0]] = await (await fetch(root + part.path + `text/${k * info.chunk + i}.txt`)).text();
                }
            }
        }
        return texts;
    }""")
    for item in found:
        assert item["count"] == texts[item["url"]].count("行政复议"), item["url"]
    # a query with no terms (filters only) shows no occurrence count
    page.goto(site_url + "search/?province=安徽省")
    wait_for_count(page)
    assert all("count" not in m for m in result_meta(page))
    page.close()


def test_active_filters_in_the_result_line_and_clear_them(site_url, browser):
    page = browser.new_page()
    page.goto(site_url + "search/?q=公开&province=安徽省&doc_type=annual_report")
    assert wait_for_count(page) == 1
    status = page.inner_text("#search-status")
    assert "省份 安徽省" in status and "类型 年度报告" in status and "清除筛选" in status
    assert "已选 2 项" in page.inner_text("#search-filters-box summary")
    page.click("#search-clear")
    assert wait_for_count(page, "1") == 5
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"q": ["公开"]}                                   # the terms stay, the filters go
    assert page.input_value("#filter-province") == "" and page.input_value("#filter-doc_type") == ""
    assert "清除筛选" not in page.inner_text("#search-status")
    assert page.query_selector("#search-clear") is None
    page.go_back()                                                      # the filtered search is one step back
    assert wait_for_count(page, "5") == 1
    page.close()


def test_phone_filters_folded_and_first_result_on_the_first_screen(site_url, browser):
    page = browser.new_page(viewport={"width": 390, "height": 700})
    page.goto(site_url + "search/?q=公开")
    wait_for_count(page)
    assert not page.eval_on_selector("#search-filters-box", "d => d.open")
    assert not page.is_visible("#filter-province")
    box = page.eval_on_selector("#search-results li", "li => li.getBoundingClientRect().toJSON()")
    assert box["top"] + 40 < 700, box         # the first result's title and date are on the first screen
    assert page.evaluate("document.querySelectorAll('input[type=search]').length") == 1   # one search box
    page.click("#search-filters-box summary")                              # the filters unfold on a tap
    page.select_option("#filter-province", "安徽省")
    assert wait_for_count(page, "5") == 1
    assert "已选 1 项" in page.inner_text("#search-filters-box summary")
    page.close()
    wide = browser.new_page(viewport={"width": 1366, "height": 900})
    wide.goto(site_url + "search/")
    assert wide.eval_on_selector("#search-filters-box", "d => d.open")     # open on a wide screen
    wide.close()
