"""The document page (issue 16, points 1, 2, 5): citing, each statistics table once and readable, reading aids,
bounded links. Real CLI builds of the sample archive (the seeds ingested) and of a fixture region; Chromium at
390 px for the layout."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from conftest import run_cli, serve_folder, write_doc
from site_checks import resolve, soup

QIANSHAN = "docs/2019-340882-annual-report-73c36fbc/index.html"


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def document_pages(public: Path) -> list[Path]:
    return sorted((public / "docs").glob("*/index.html"))


@pytest.fixture(scope="module")
def sample(sample_site) -> Path:
    return sample_site / "public"


@pytest.fixture(scope="module")
def based(sample_site, tmp_path_factory) -> dict[str, Path]:
    """The sample archive built under a sub-path and under an absolute base URL."""
    out = {}
    for name, base in (("archive", "/archive/"), ("absolute", "https://example.org/archive/")):
        target = tmp_path_factory.mktemp(name) / "public"
        run_cli("build", "--root", sample_site, "--output", target, "--base-url", base, "--no-search", "--quiet")
        out[name] = target
    return out


# --- tables, once -----------------------------------------------------------------------------------------

def test_each_statistics_table_appears_once(sample):
    page = soup(sample / QIANSHAN)
    captions = [_norm(c.get_text(" ", strip=True)) for c in page.select("table caption")]
    for title in ("第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项", "第二十条第（八）项",
                  "第二十条第（九）项", "政府信息公开行政复议、行政诉讼情况"):
        assert sum(c.startswith(_norm(title)) for c in captions) == 1, (title, captions)
    # no flattened copy left: no other table has the format's header
    for table in page.select("table"):
        if table.find_parent(class_="rebuilt-table") or table.find_parent(class_="headline-stats"):
            continue
        first = table.select_one("thead th")
        assert first is None or first.get_text(strip=True) not in ("信息内容", "类别", "项目", "统计指标"), table
    # the title paragraphs of the copies went with them; the rebuilt tables stand where they were
    body = page.select_one(".doc-body")
    assert not [p for p in body.find_all("p") if _norm(p.get_text()).startswith("第二十条第(")]
    headings = [h.get_text(strip=True) for h in body.find_all("h2")]
    assert headings[1].startswith("二、") and headings[3].startswith("四、")
    rebuilt_after_two = body.find("h2", string=re.compile("^二、")).find_next("table")
    assert _norm(rebuilt_after_two.caption.get_text()).startswith(_norm("第二十条第（一）项"))
    # every page: a table id at most once
    for path in document_pages(sample):
        ids = [f["id"] for f in soup(path).select("[id^=table-]")]
        assert len(ids) == len(set(ids)), path


def test_tables_show_signs_units_missing_and_the_national_layout(sample):
    page = soup(sample / QIANSHAN)
    art5 = page.select_one("#table-t2_art20_5 table")
    rows = {r.th.get_text(strip=True): [td.get_text(strip=True) for td in r.find_all("td")] for r in art5.select("tbody tr")}
    assert rows["行政许可"] == ["80", "+16", "96"]
    art9 = page.select_one("#table-t2_art20_9 table")
    assert "万元" in art9.select("thead th")[2].get_text()
    assert [td.get_text(strip=True) for td in art9.select("tbody td")] == ["105", "4,868"]
    missing = page.select_one("#table-t3_applications")
    assert "此表原文缺失，可能为图片" in missing.get_text()
    assert missing.find_previous("h2").get_text(strip=True).startswith("三、")
    review = page.select_one("#table-t4_review_litigation table")
    head = review.select("thead tr")
    assert [th.get_text(strip=True) for th in head[0].find_all("th")][1:] == ["行政复议", "行政诉讼"]
    assert head[0].find_all("th")[1]["colspan"] == "5" and head[0].find_all("th")[2]["colspan"] == "10"
    assert [th.get_text(strip=True) for th in head[1].find_all("th")] == [
        "结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"]
    assert [th.get_text(strip=True) for th in head[2].find_all("th")] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2
    assert len(review.select("tbody td")) == 15


# --- citing -----------------------------------------------------------------------------------------------

def _cite(page):
    block = page.select_one("section.doc-cite")
    assert block is not None and "来源与引用" in block.h2.get_text()
    return block


def test_citation_block_and_permanent_link(sample):
    for path in document_pages(sample):
        page = soup(path)
        block = _cite(page)
        link = block.select_one("a.permalink")["href"]
        assert link == "/" + path.parent.relative_to(sample).as_posix() + "/"
        assert resolve(sample, link) == path
        citation = block.select_one(".citation").get_text()
        assert "[EB/OL]" in citation and "[引用日期]" in citation and citation.rstrip().endswith(f"{link}.")
        assert [dt.get_text() for dt in block.select(".cite-facts dt")] == ["发布机关", "原文网址", "发布日期", "本站永久链接"]
        assert block.select_one(".cite-label").get_text().startswith("引用格式（GB/T 7714—2015")
        assert re.search(r"SHA-256", block.get_text()) and block.select_one("details.source-file code.wrap")
    qianshan = soup(sample / QIANSHAN)
    citation = _cite(qianshan).select_one(".citation").get_text()
    assert citation.startswith("[1] 潜山市人民政府办公室. 潜山市2019年政府信息公开年度报告(图文版)[EB/OL]. (2020-01-31)[引用日期]. ")
    assert "原网址未记录" in _cite(qianshan).get_text()   # the seed records no URL


def test_permanent_link_under_a_base_path_and_an_absolute_base(based):
    archive = soup(based["archive"] / QIANSHAN)
    link = archive.select_one("a.permalink")["href"]
    assert link == "/archive/docs/2019-340882-annual-report-73c36fbc/"
    assert resolve(based["archive"], link, "/archive/") == based["archive"] / QIANSHAN
    absolute = soup(based["absolute"] / QIANSHAN)
    link = absolute.select_one("a.permalink")["href"]
    assert link == "https://example.org/archive/docs/2019-340882-annual-report-73c36fbc/"
    assert resolve(based["absolute"], urlsplit(link).path, "/archive/") == based["absolute"] / QIANSHAN
    assert link in absolute.select_one(".citation").get_text()


def test_permanent_link_works_when_followed(based, browser):
    server, base = serve_folder(based["archive"], "/archive/")
    try:
        page = browser.new_page()
        page.goto(base + "docs/2019-340882-annual-report-73c36fbc/")
        page.click("a.permalink")
        page.wait_for_load_state()
        assert page.url == base + "docs/2019-340882-annual-report-73c36fbc/"
        assert "潜山市2019年" in page.locator("h1").inner_text()
        page.close()
    finally:
        server.shutdown()


def test_original_url_kept_by_ingest_and_shown(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.html").write_text(
        '<html><head><link rel="canonical" href="https://www.example.gov.cn/a.html"><title>某县2020年政府信息公开工作年度报告</title></head>'
        "<body><h1>某县2020年政府信息公开工作年度报告</h1><p>发布日期：2021-01-20</p><p>正文第一段。</p></body></html>",
        encoding="utf-8")
    (raw / "b.html").write_text(
        '<html><head><meta property="og:url" content="https://www.example.gov.cn/b.html"></head>'
        "<body><h1>某县2020年政务公开工作要点</h1><p>正文第一段。</p></body></html>", encoding="utf-8")
    (raw / "c.txt").write_text("某县2019年政务公开工作要点\n原文链接：https://www.example.gov.cn/c.html\n正文第一段。\n",
                               encoding="utf-8")
    (raw / "d.txt").write_text("某县2019年政务公开工作实施方案\n正文第一段。\n", encoding="utf-8")
    run_cli("ingest", raw, "--out", tmp_path / "content")
    run_cli("build", "--root", tmp_path, "--no-search", "--quiet")
    seen = {}
    for path in document_pages(tmp_path / "public"):
        block = soup(path).select_one("section.doc-cite")
        a = block.select_one("a.url:not(.permalink)")
        seen[soup(path).h1.get_text()] = a["href"] if a else ("原网址未记录" in block.get_text())
    assert sorted(v for v in seen.values() if isinstance(v, str)) == [
        "https://www.example.gov.cn/a.html", "https://www.example.gov.cn/b.html", "https://www.example.gov.cn/c.html"]
    assert [v for v in seen.values() if v is True] == [True]


def test_headline_figures_only_when_the_text_gives_some(tmp_path):
    """The 主要数据 table is shown when the report gives at least one of its figures; a table of dashes only
    (a report whose text states none) would say nothing, and is left out."""
    content = tmp_path / "content"
    head = "doc_type: annual_report\nyear: 2020\nregion: {province: 安徽省, code: '340000'}\nformat: '2021'\n"
    none = "stats: {proactive_total: null, applications_received_new: null, review_total: null}\n"
    some = "stats: {proactive_total: null, applications_received_new: 12, review_total: null}\n"
    write_doc(content, "none.md", f"title: 甲2020年政府信息公开工作年度报告\nslug: none\n{head}{none}")
    write_doc(content, "some.md", f"title: 乙2020年政府信息公开工作年度报告\nslug: some\n{head}{some}")
    run_cli("build", "--root", tmp_path, "--no-search", "--quiet")
    assert soup(tmp_path / "public/docs/none/index.html").select("section.headline-stats") == []
    shown = soup(tmp_path / "public/docs/some/index.html").select_one("section.headline-stats")
    cells = {th.get_text(strip=True): td.get_text(strip=True) for th, td in
             ((tr.th, tr.td) for tr in shown.select("tbody tr"))}
    assert cells["本年新收公开申请"] == "12" and cells["主动公开政府信息"] == "—"


# --- reading ----------------------------------------------------------------------------------------------

def test_table_of_contents_links_existing_unique_ids(sample):
    with_toc = 0
    for path in document_pages(sample):
        page = soup(path)
        ids = [t["id"] for t in page.find_all(id=True)]
        assert len(ids) == len(set(ids)), (path, [i for i in ids if ids.count(i) > 1])
        toc = page.select_one("nav.doc-toc")
        if toc:
            with_toc += 1
            for a in toc.find_all("a"):
                assert a["href"].startswith("#") and page.find(id=a["href"][1:]), (path, a["href"])
    assert with_toc >= 3
    qianshan = [a.get_text() for a in soup(sample / QIANSHAN).select("nav.doc-toc a")]
    assert qianshan[:6] == ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


def test_title_without_place_name_shows_its_region(sample):
    page = soup(sample / "docs/2018-411523-annual-report-fec2db85/index.html")
    assert page.h1.get_text() == "2018年政务公开工作年度报告"
    assert "新县" in page.select_one(".doc-region").get_text() and "新县" in page.title.get_text()
    assert soup(sample / QIANSHAN).select_one(".doc-region") is None   # 潜山市… names its place


@pytest.fixture(scope="module")
def big_region(tmp_path_factory) -> Path:
    """One county with 30 documents: six types × five years."""
    root = tmp_path_factory.mktemp("region30")
    types = ["annual_report", "work_points", "work_plan", "implementation_report", "other", "annual_report"]
    n = 0
    for year in range(2016, 2021):
        for k, doc_type in enumerate(types):
            n += 1
            write_doc(root / "content", f"d{n:02d}.md", f"""
title: 某文件{n}号
doc_type: {doc_type}
year: {year}
date: '{year}-0{k + 1}-15'
issuing_body: 潜山市人民政府办公室
region: {{code: '340882', province: 安徽省, city: 安庆市, county: 潜山市}}
""")
    run_cli("build", "--root", root, "--no-search", "--quiet")
    return root / "public"


def test_related_links_are_bounded(big_region):
    pages = document_pages(big_region)
    assert len(pages) == 30
    sizes = []
    for path in pages:
        page = soup(path)
        related = page.select_one("nav.doc-related")
        docs = {a["href"] for a in related.find_all("a") if a["href"].startswith("/docs/")}
        assert 1 <= len(docs) <= 10, (path, len(docs))
        everything = related.select_one(".all-in-region a")
        assert everything.get_text(strip=True) == "本地区全部 30 份文件 →" and everything["href"] == "/regions/340882/"
        assert len([a for a in page.find_all("a") if a["href"].startswith("/docs/")]) <= 12
        sizes.append(path.stat().st_size)
        for a in related.find_all("a"):
            assert resolve(big_region, urljoin("/" + path.parent.relative_to(big_region).as_posix() + "/", a["href"]))
    # the same type's other years come first; previous / next in time
    page = soup(big_region / "docs" / pages[0].parent.name / "index.html")
    assert page.select_one("a[rel=prev]") or page.select_one("a[rel=next]")
    assert max(sizes) < 40_000


# --- in Chromium at 390 px ---------------------------------------------------------------------------------

MEASURE = """() => {
  const narrow = [];
  for (const th of document.querySelectorAll('main th')) {
    const r = th.getBoundingClientRect();
    if (!r.width) continue;
    const size = parseFloat(getComputedStyle(th).fontSize);
    if (r.width < 2 * size) narrow.push(th.textContent.trim() + ' ' + r.width.toFixed(1));
  }
  return {narrow, scroll: document.documentElement.scrollWidth};
}"""


def test_phone_layout_of_every_document_page(sample, browser):
    server, base = serve_folder(sample)
    try:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        for path in document_pages(sample):
            route = path.parent.relative_to(sample).as_posix() + "/"
            page.goto(base + route)
            found = page.evaluate(MEASURE)
            assert found["narrow"] == [], (route, found["narrow"])
            assert found["scroll"] <= 390, (route, found["scroll"])
        # the 1 × 16 table scrolls inside its box, its first column stays where it was
        page.goto(base + QIANSHAN.removesuffix("index.html"))
        box = page.locator("#table-t4_review_litigation .table-scroll")
        box.scroll_into_view_if_needed()
        widths = box.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert widths[0] > widths[1]
        first = page.locator("#table-t4_review_litigation tbody th").first
        before = first.bounding_box()["x"]
        box.evaluate("e => { e.scrollLeft = 200; }")
        page.wait_for_timeout(50)
        assert box.evaluate("e => e.scrollLeft") > 0
        assert abs(first.bounding_box()["x"] - before) < 1
        assert first.evaluate("e => getComputedStyle(e).position") == "sticky"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.close()
    finally:
        server.shutdown()
