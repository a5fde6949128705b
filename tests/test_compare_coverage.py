"""Comparing regions and who did not disclose (issue 16, points 3 and 4): /stats/ as the comparison tool, child
areas side by side on province and city pages, a row of figures for a one-year region, the coverage row on
region pages and the province × year coverage matrix — built by the real CLI, sorted and measured in Chromium."""

from __future__ import annotations

import pytest

from conftest import run_cli, serve_folder, write_doc
from site_checks import cells, soup
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
    # one bar per province: the sum of its regions' reports of its latest year with the figure
    assert desc.startswith("安徽省 2020：49,800；江西省 2019：1,000。") and "3、1 份" in desc


def test_stats_tables_are_province_by_year_and_totals_count_reports(site):
    page = soup(site / "stats/index.html")
    assert "全国合计" not in page.get_text() and "全国" not in page.select_one("table").get_text()
    table = page.select_one("#fig-proactive_total").find_parent("section").find("table")
    assert "sortable" in table["class"]
    assert cells(table.select_one("thead tr")) == ["省份", "2018年", "2019年", "2020年"]
    rows = [cells(r) for r in table.select("tbody tr")]
    # one row per province, by code: each cell sums its regions' reports of the year and counts them
    assert rows == [["安徽省", "30,000 （1 份）", "120,500 （2 份）", "49,800 （3 份）"],
                    ["江西省", "未收录", "1,000 （1 份）", "未收录"]]
    assert [a["href"] for a in table.select("tbody th a")] == ["/regions/340000/", "/regions/360000/"]
    carried = page.select_one("#fig-applications_carried_over").find_parent("section").find("table")
    assert cells(carried.select_one("tbody tr"))[1:] == ["— 1 份报告均未列明", "— 2 份报告均未列明",
                                                         "— 3 份报告均未列明"]
    total = cells(table.select_one("tfoot tr"))
    assert total[0] == "合计"
    assert total[1] == "30,000 1 份报告合计"
    assert total[2] == "121,500 3 份报告合计"       # 安徽省 + 宿松县 + 赣州市 in 2019
    assert total[3] == "49,800 3 份报告合计"
    review = page.select_one("#fig-review_total").find_parent("section").find("table")
    assert review.select("tfoot td")[2].get_text(" ", strip=True) == "3 2 份报告合计，1 份未列明"
    assert cells(review.select_one("tbody tr"))[3] == "3 （2 份，1 份未列明）"   # 宿松县 did not state it
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
        page.click(f"{table} thead th:nth-child(3) button")       # 2019 ascending
        order = page.eval_on_selector_all(f"{table} tbody th", "ths => ths.map(t => t.innerText)")
        assert order == ["江西省", "安徽省"]
        page.click(f"{table} thead th:nth-child(3) button")       # descending
        assert first() == "安徽省"
        assert page.get_attribute(f"{table} thead th:nth-child(3)", "aria-sort") == "descending"
        page.click(f"{table} thead th:nth-child(4) button")       # 2020 ascending: no report last
        assert first() == "安徽省"
        page.click(f"{table} thead th:nth-child(1) button")       # back to province order
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


# --- /stats/ is bounded: one row per province ------------------------------------------------------------

ZONE = 'region: {code: "340000", province: 安徽省, city: 合肥高新技术产业开发区, county: null}'
PROVINCE_DOCS = [
    _report("qs-2020.md", QIANSHAN, 2020, 100, 1),
    _report("qs-audit-2020.md", QIANSHAN, 2020, 7, 0, body="审计局"),   # 潜山市's government report stands for it
    _report("ss-2020.md", SUSONG, 2020, 20, None),
    _report("qs-2021.md", QIANSHAN, 2021, 300, 3),
    ("zone-2021.md", "title: 合肥高新区2021年政府信息公开工作年度报告\ndoc_type: annual_report\nyear: 2021\n"
                     f"issuing_body: 合肥高新区管委会\n{ZONE}\n"
                     "stats: {proactive_total: 50, applications_received_new: 5, applications_carried_over: null, "
                     "review_total: null, litigation_total: null}"),
    _report("gz-2020.md", "360700", 2020, 4000, None),
    _report("nc-2020.md", "360100", 2020, None, None),                  # 南昌市 states neither figure
    ("nation-2021.md", "title: 国家某局2021年政府信息公开工作年度报告\ndoc_type: annual_report\nyear: 2021\n"
                       "issuing_body: 国家某局\n"
                       "stats: {proactive_total: 9, applications_received_new: 2, applications_carried_over: null, "
                       "review_total: null, litigation_total: null}"),
]


def test_stats_has_one_row_per_province_with_sums_and_counts(tmp_path):
    for name, fm in PROVINCE_DOCS:
        write_doc(tmp_path / "content", name, fm)
    run_cli("build", "--root", tmp_path, "--no-search")
    page = soup(tmp_path / "public/stats/index.html")
    table = page.select_one("#fig-proactive_total").find_parent("section").find("table")
    assert cells(table.select_one("thead tr")) == ["省份", "2020年", "2021年"]
    rows = [cells(r) for r in table.select("tbody tr")]
    assert rows == [["安徽省", "120 （2 份）", "350 （2 份）"],          # 潜山市 100 + 宿松县 20; 潜山市 300 + the zone 50
                    ["江西省", "4,000 （1 份，1 份未列明）", "未收录"],
                    ["全国性或地区不详", "未收录", "9 （1 份）"]]            # national bodies keep a row, unlinked
    assert [a["href"] for a in table.select("tbody th a")] == ["/regions/340000/", "/regions/360000/"]
    assert cells(table.select_one("tfoot tr")) == ["合计", "4,120 3 份报告合计，1 份未列明", "359 3 份报告合计"]
    new = page.select_one("#fig-applications_received_new").find_parent("section").find("table")
    assert cells(new.select("tbody tr")[1])[1] == "— 2 份报告均未列明"
    desc = page.select_one("#fig-proactive_total").find_parent("section").find("desc").get_text()
    assert desc.startswith("江西省 2020：4,000；安徽省 2021：350。")
    assert "全国合计" not in page.get_text()
    # the province's page still compares its child areas
    assert soup(tmp_path / "public/regions/360000/index.html").select_one("section.child-compare") is not None


def test_stats_page_stays_small_on_a_generated_archive(tmp_path):
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from corpus import generate
    generate(1000, tmp_path / "content", seed=1)
    run_cli("build", "--root", tmp_path, "--no-search")
    page = tmp_path / "public/stats/index.html"
    assert page.stat().st_size < 400_000
    rows = soup(page).select_one("section.figure-compare table").select("tbody tr")
    assert 1 < len(rows) <= 36                         # provinces (and national bodies), not every region
