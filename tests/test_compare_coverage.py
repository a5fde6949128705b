"""Comparing regions and who did not disclose (issue 16, points 3 and 4): /stats/ as the comparison tool, child
areas side by side on province and city pages, a row of figures for a one-year region, the coverage row on
region pages and the province × year coverage matrix — built by the real CLI, sorted and measured in Chromium."""

from __future__ import annotations

import re

import pytest

from conftest import run_cli, serve_folder, write_doc
from site_checks import soup
from site_builder.regions import table as division_table

ANHUI, ANQING, QIANSHAN, SUSONG = "340000", "340800", "340882", "340826"


def _region(code: str) -> str:
    f = division_table().region_fields(code)
    return "region: {" + ", ".join(f"{k}: " + (f'"{v}"' if v else "null") for k, v in f.items()) + "}"


def _report(name: str, code: str, year: int, proactive, new=None, review=None, lit=None, body="人民政府办公室") -> tuple:
    place = division_table().get(code).name
    stats = (f"stats: {{proactive_total: {proactive if proactive is not None else 'null'}, "
             f"applications_received_new: {new if new is not None else 'null'}, applications_carried_over: null, "
             f"review_total: {review if review is not None else 'null'}, "
             f"litigation_total: {lit if lit is not None else 'null'}}}")
    return name, (f"title: {place}{year}年政府信息公开工作年度报告\ndoc_type: annual_report\nyear: {year}\n"
                  f"issuing_body: {place}{body}\n{_region(code)}\n{stats}")


DOCS = [
    _report("qs-2018.md", QIANSHAN, 2018, 30000, 10, 1),
    _report("qs-2020.md", QIANSHAN, 2020, 40000, 40, 0),
    _report("ss-2019.md", SUSONG, 2019, 500, None, 2),
    _report("ss-2020.md", SUSONG, 2020, 800, 6, None),
    _report("aq-2020.md", ANQING, 2020, 9000, 120, 3, 2),
    _report("ah-2019.md", ANHUI, 2019, 120000, 900, 10, 4),
    _report("gz-2019.md", "360700", 2019, 1000, 7, None),    # 赣州市: one year of data
    ("plan.md", f"title: 宿松县2021年政务公开工作要点\ndoc_type: work_points\nyear: 2021\n{_region(SUSONG)}"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare")
    for name, fm in DOCS:
        write_doc(root / "content", name, fm)
    run_cli("build", "--root", root, "--no-search")
    return root / "public"


def cells(row) -> list[str]:
    return [c.get_text(" ", strip=True) for c in row.find_all(["th", "td"])]


def test_stats_page_has_a_chart_per_headline_figure(site):
    page = soup(site / "stats/index.html")
    sections = page.select("section.figure-compare")
    assert [s.h2.get_text(strip=True) for s in sections] == ["主动公开政府信息", "本年新收公开申请", "上年结转公开申请",
                                                           "行政复议", "行政诉讼"]
    charts = [s.find("svg") for s in sections if s.find("svg")]
    assert len(charts) == 4            # 上年结转 is stated by no report: said in words, not an empty chart
    assert "都没有列明" in sections[2].get_text()
    for svg in charts:
        assert svg["role"] == "img" and svg.find("title").get_text() and svg.find("desc").get_text()
    desc = charts[0].find("desc").get_text()
    assert "潜山市 2020：40,000" in desc and "安徽省 2019：120,000" in desc and "赣州市 2019：1,000" in desc


def test_stats_tables_are_region_by_year_and_totals_count_reports(site):
    page = soup(site / "stats/index.html")
    assert "全国合计" not in page.get_text() and "全国" not in page.select_one("table").get_text()
    table = page.select_one("#fig-proactive_total").find_parent("section").find("table")
    assert "sortable" in table["class"]
    assert cells(table.select_one("thead tr")) == ["地区", "2018年", "2019年", "2020年"]
    rows = [cells(r) for r in table.select("tbody tr")]
    # without JavaScript: by region code
    assert [r[0] for r in rows] == ["安徽省", "安徽省 安庆市", "安徽省 安庆市 宿松县", "安徽省 安庆市 潜山市", "江西省 赣州市"]
    assert rows[3][1:] == ["30,000", "未收录", "40,000"]
    total = cells(table.select_one("tfoot tr"))
    assert total[0] == "合计"
    assert total[1] == "30,000 1 份报告合计"
    assert total[2] == "121,500 3 份报告合计"       # 安徽省 + 宿松县 + 赣州市 in 2019
    assert total[3] == "49,800 3 份报告合计"
    review = page.select_one("#fig-review_total").find_parent("section").find("table")
    assert cells(review.select("tfoot td")[2]) == ["3 2 份报告合计，1 份未列明"] or \
        review.select("tfoot td")[2].get_text(" ", strip=True) == "3 2 份报告合计，1 份未列明"
    by_year = page.select_one("#by-year").find_next("table")
    row_2019 = next(cells(r) for r in by_year.select("tbody tr") if cells(r)[0] == "2019年")
    assert row_2019[1] == "3 份" and row_2019[2] == "121,500 3 份报告合计"
    year_page = soup(site / "stats/2019/index.html")
    assert "全国合计" not in year_page.get_text()
    assert cells(year_page.select_one("table.sortable tfoot tr"))[:2] == ["合计", "3 份报告合计"]


def test_a_one_year_region_shows_a_row_of_figures(site):
    section = soup(site / "regions/360700/index.html").select_one("section.region-stats")
    assert not section.find("svg") and not section.find("table")
    figures = {d.dt.get_text(strip=True): d.dd.get_text(strip=True) for d in section.select("dl.figure-row > div")}
    assert figures == {"主动公开政府信息": "1,000", "本年新收公开申请": "7", "上年结转公开申请": "未列明",
                       "行政复议": "未列明", "行政诉讼": "未列明"}
    several = soup(site / "regions/340882/index.html").select_one("section.region-stats")
    assert len(several.find_all("svg")) == 5


def test_province_and_city_pages_compare_their_child_areas(site):
    city = soup(site / "regions/340800/index.html").select_one("section.child-compare")
    rows = [cells(r) for r in city.select("table tbody tr")]
    assert rows == [["宿松县", "2020年", "800", "6", "—", "—", "—"], ["潜山市", "2020年", "40,000", "40", "—", "0", "—"]]
    svg = city.find("svg")
    assert svg.find("title").get_text() == "安庆市各下辖地区最近一年主动公开政府信息数"
    assert "宿松县 2020：800" in svg.find("desc").get_text()
    # the province has one child with documents (安庆市): nothing to put side by side
    assert soup(site / "regions/340000/index.html").select_one("section.child-compare") is None


def test_coverage_row_links_held_years_and_marks_gaps(site):
    section = soup(site / "regions/340882/index.html").select_one("section.coverage")
    items = section.select("ul.coverage-row li")
    assert [li.get_text(" ", strip=True) for li in items] == ["2018年 ✓ 已收录", "2019年 ✕ 未收录", "2020年 ✓ 已收录"]
    assert items[0].a["href"] == "/docs/qs-2018/" and items[2].a["href"] == "/docs/qs-2020/"
    assert items[1].find("a") is None and "cov-missing" in items[1]["class"]
    # 宿松县's 2021 work points are not an annual report: the archive's years stay 2018–2020
    assert len(soup(site / "regions/340826/index.html").select("ul.coverage-row li")) == 3


def test_province_matrix_lists_every_county_of_the_division_table(site):
    page = soup(site / "regions/340000/index.html")
    matrix = page.select_one("section.coverage-matrix table")
    assert cells(matrix.select_one("thead tr")) == ["地区", "2018", "2019", "2020", "已收录"]
    assert all(th.get("scope") == "col" for th in matrix.select("thead th"))
    assert all(th.get("scope") == "row" for th in matrix.select("tbody th"))
    divisions = division_table()
    expected = []
    for city in divisions.children(ANHUI):
        expected.append(city.code)
        expected += [c.code for c in divisions.children(city.code)]
    rows = matrix.select("tbody tr")
    assert [r["data-code"] for r in rows] == expected and len(expected) > 100
    by_code = {r["data-code"]: r for r in rows}

    def marks(code):
        return [("held" if "cov-held" in td["class"] else "missing", td.get_text(strip=True))
                for td in by_code[code].find_all("td")[:3]]
    assert marks(QIANSHAN) == [("held", "✓2018年已收录"), ("missing", "✕2019年未收录"), ("held", "✓2020年已收录")]
    assert by_code[QIANSHAN].find_all("td")[0].a["href"] == "/docs/qs-2018/"
    assert marks(SUSONG) == [("missing", "✕2018年未收录"), ("held", "✓2019年已收录"), ("held", "✓2020年已收录")]
    assert marks(ANQING)[2][0] == "held"
    # a county the archive has nothing from is listed, without a link, with every year missing
    taihu = by_code["340825"]
    assert taihu.th.get_text(strip=True) == "太湖县" and taihu.th.find("a") is None
    assert [m for m, _ in marks("340825")] == ["missing"] * 3
    assert by_code[QIANSHAN].th.a["href"] == "/regions/340882/"
    footer = cells(matrix.select_one("tfoot tr"))
    assert footer[1:4] == [f"1/{len(expected)}", f"1/{len(expected)}", f"3/{len(expected)}"]
    # the province's own row of years is on its page too
    assert [li.get_text(" ", strip=True) for li in page.select("ul.coverage-row li")] == \
        ["2018年 ✕ 未收录", "2019年 ✓ 已收录", "2020年 ✕ 未收录"]


def test_sorting_the_comparison_in_the_browser(site, browser):
    server, base = serve_folder(site)
    page = browser.new_page()
    try:
        page.goto(base + "stats/")
        table = "#fig-proactive_total ~ .table-scroll table"
        first = lambda: page.inner_text(f"{table} tbody tr:first-child th")
        assert first() == "安徽省"
        page.click(f"{table} thead th:nth-child(4) button")       # 2020 ascending: not stated / no report last
        order = page.eval_on_selector_all(f"{table} tbody th", "ths => ths.map(t => t.innerText)")
        assert order[:3] == ["安徽省 安庆市 宿松县", "安徽省 安庆市", "安徽省 安庆市 潜山市"]
        page.click(f"{table} thead th:nth-child(4) button")       # descending
        assert first() == "安徽省 安庆市 潜山市"
        assert page.get_attribute(f"{table} thead th:nth-child(4)", "aria-sort") == "descending"
        page.click(f"{table} thead th:nth-child(1) button")       # back to region order
        assert first() == "安徽省"
    finally:
        page.close()
        server.shutdown()


@pytest.mark.parametrize("path", ["stats/", "regions/340000/", "regions/340800/"])
def test_no_page_overflow_on_a_phone(site, browser, path):
    server, base = serve_folder(site)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        if path == "regions/340000/":
            # the matrix scrolls inside its box (both ways), its first column and header row stay in view
            assert page.eval_on_selector(".matrix-scroll", "e => getComputedStyle(e).overflowX") == "auto"
            assert page.eval_on_selector(".matrix-scroll", "e => e.getBoundingClientRect().right") <= 390
            for selector in (".matrix tbody tr:nth-child(3) th", ".matrix thead th:first-child"):
                style = page.eval_on_selector(selector, "e => [getComputedStyle(e).position, getComputedStyle(e).left]")
                assert style == ["sticky", "0px"]
            page.eval_on_selector(".matrix-scroll", "e => { e.scrollTop = 300; }")
            header = page.eval_on_selector(".matrix thead th:first-child", "th => th.getBoundingClientRect().top - "
                                           "th.closest('.matrix-scroll').getBoundingClientRect().top")
            assert abs(header) < 2
    finally:
        page.close()
        server.shutdown()
