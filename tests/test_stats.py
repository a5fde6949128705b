"""Statistics pages, charts and table exports, checked against the documents' front matter (issue 9)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import run_cli, write_doc
from site_checks import cells, soup

REGION = 'region: {code: "340882", province: 安徽省, city: 安庆市, county: 潜山市}'
T4_OK = ("t4_review_litigation: {status: ok, rows: {count: {review_maintain: 1, review_correct: 0, review_other: 0, "
         "review_pending: 1, review_total: 2, lit_direct_maintain: 0, lit_direct_correct: 0, lit_direct_other: 0, "
         "lit_direct_pending: 1, lit_direct_total: 1, lit_after_review_maintain: 0, lit_after_review_correct: 0, "
         "lit_after_review_other: 0, lit_after_review_pending: 0, lit_after_review_total: 0}}}")
T3 = ("t3_applications: {status: checks_failed, checks_failed: ['表三 total: 一+二 ≠ （七）总计+四'], rows: {"
      "new_received: {total: 40}, carried_over: {total: 2}, granted: {total: 20}, partial: {total: 5}, "
      "denied_state_secret: {total: 1}, denied_third_party: {total: 2}, unable_not_held: {total: 9}, "
      "np_repeat: {total: 1}, other: {total: 0}, results_total: {total: 38}, carried_forward: {total: 3}}}")
DOCS = {
    "qs-2019.md": f'title: 潜山市2019年政府信息公开年度报告\ndoc_type: annual_report\nyear: 2019\ndate: 2020-01-31\n'
                  f'issuing_body: 潜山市人民政府办公室\n{REGION}\nformat: "2019"\n'
                  'stats: {proactive_total: 36629, applications_received_new: null, applications_carried_over: null, '
                  'review_total: 2, litigation_total: 1}\n'
                  f'tables: {{{T4_OK}}}',
    "qs-2020.md": f'title: 潜山市2020年政府信息公开年度报告\ndoc_type: annual_report\nyear: 2020\ndate: 2021-01-20\n'
                  f'issuing_body: 潜山市人民政府办公室\n{REGION}\nformat: "2019"\n'
                  'stats: {proactive_total: 40000, applications_received_new: 40, applications_carried_over: 2, '
                  'review_total: 0, litigation_total: 0}\n'
                  f'tables: {{{T3}}}',
    "qs-dept-2020.md": f'title: 潜山市审计局2020年政府信息公开年度报告\ndoc_type: annual_report\nyear: 2020\n'
                       f'issuing_body: 潜山市审计局\n{REGION}\n'
                       'stats: {proactive_total: 12, applications_received_new: 0, applications_carried_over: 0, '
                       'review_total: 0, litigation_total: 0}',
    "gz-2019.md": 'title: 赣州市2019年政府信息公开工作年度报告\ndoc_type: annual_report\nyear: 2019\ndate: 2020-03-01\n'
                  'issuing_body: 赣州市人民政府\nregion: {code: "360700", province: 江西省, city: 赣州市, county: null}\n'
                  'stats: {proactive_total: 1000, applications_received_new: 7, applications_carried_over: null, '
                  'review_total: null, litigation_total: 3}',
    "plan.md": 'title: 赣州市2019年政务公开工作要点\ndoc_type: work_points\nyear: 2019\n'
               'region: {code: "360700", province: 江西省, city: 赣州市, county: null}',
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("stats")
    for name, fm in DOCS.items():
        write_doc(root / "content", name, fm)
    run_cli("build", "--root", root, "--no-search")
    return root / "public"


def test_region_page_shows_figures_over_years_as_chart_and_table(site):
    page = soup(site / "regions/340882/index.html")
    section = page.select_one("section.region-stats")
    svgs = section.find_all("svg")
    assert len(svgs) == 5 and all(s.get("role") == "img" and s.find("title") and s.find("desc") for s in svgs)
    proactive = svgs[0]
    assert "2019年：36,629" in proactive.find("desc").get_text() and "2020年：40,000" in proactive.find("desc").get_text()
    rows = [cells(r) for r in section.select("table tbody tr")]
    assert rows[0][0].startswith("2019年") and rows[0][1:] == ["36,629", "—", "—", "2", "1"]
    # two 2020 reports (government and its 审计局): the government's own report stands for the region
    assert rows[1][0].startswith("2020年") and "共 2 份报告" in rows[1][0]
    assert rows[1][1] == "40,000"
    # 2020's 表三 failed its checks: its figures are marked
    assert "!" in rows[1][2] and "!" not in rows[0][1]
    applications = svgs[1]
    assert "2019年：未列明" in applications.find("desc").get_text()
    assert "bar-flagged" in str(applications)


def test_year_page_compares_regions_and_totals_skip_missing_figures(site):
    page = soup(site / "stats/2019/index.html")
    table = page.select_one("table.sortable")
    body = [cells(r) for r in table.select("tbody tr")]
    assert [r[0] for r in body] == ["安徽省 安庆市 潜山市", "江西省 赣州市"]   # by region code
    assert body[1][2:] == ["1,000", "7", "—", "—", "3"]
    total = cells(table.select_one("tfoot tr"))
    assert total[2] == "37,629"
    assert total[3] == "7 1 份未列明"                    # 7 from 赣州, 潜山 did not state it: not counted as 0
    assert total[5].startswith("2") and "1 份未列明" in total[5]
    provinces = [cells(r) for r in page.find_all("table")[1].select("tbody tr")]
    assert provinces[0][:3] == ["安徽省", "1", "36,629"] and provinces[1][:3] == ["江西省", "1", "1,000"]
    assert page.find("script", src=True)["src"].startswith("/assets/stats.")


def test_outcome_breakdown_from_table_three(site):
    page = soup(site / "stats/2020/index.html")
    outcome = page.find_all("table")[-1]
    headers = cells(outcome.select_one("thead tr"))
    values = dict(zip(headers, cells(outcome.select_one("tbody tr"))))
    assert values["予以公开"] == "20" and values["部分公开"] == "5" and values["不予公开"] == "3"
    assert values["无法提供"] == "9" and values["不予处理"] == "1" and values["结转下年度"] == "3"


def test_overview_by_year(site):
    by_year = soup(site / "stats/index.html").select_one("#by-year").find_next("table")
    rows = [cells(r) for r in by_year.select("tbody tr")]
    assert rows[0][:3] == ["2020年", "2 份", "40,012 2 份报告合计"] and rows[1][:3] == ["2019年", "2 份", "37,629 2 份报告合计"]


def test_stats_compares_provinces(site):
    table = soup(site / "stats/index.html").select_one("#fig-proactive_total").find_parent("section").find("table")
    rows = [cells(r) for r in table.select("tbody tr")]
    # one row per province; 潜山市's government report stands for its 审计局's in 2020, as on its region page
    assert rows == [["安徽省", "36,629 （1 份）", "40,000 （1 份）"], ["江西省", "1,000 （1 份）", "未收录"]]
    new = table.find_parent("section").find_next_sibling("section").find("table")
    assert "!" in cells(new.select_one("tbody tr"))[2]   # 2020's 表三 failed its checks: the sum is marked


def test_document_page_shows_rebuilt_tables_and_other_years(site):
    page = soup(site / "docs/qs-2020/index.html")
    section = page.select_one("section.doc-tables")
    caption = section.find("caption").get_text(" ", strip=True)
    assert "收到和处理政府信息公开申请情况" in caption and "勾稽关系不符" in caption
    rows = {cells(r)[0]: cells(r)[1:] for r in section.select("tbody tr")}
    assert rows["（一）予以公开"] == ["20"] and rows["四、结转下年度继续办理"] == ["3"]
    assert "勾稽关系不符：表三" in section.get_text()
    links = [a["href"] for a in section.find_all("a")]
    assert "/docs/qs-2019/" in links and "/regions/340882/#region-stats-h" in links


def test_tables_csv_matches_front_matter(site):
    data = (site / "data/tables.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    t4 = [r for r in rows if r["url"] == "/docs/qs-2019/" and r["table_id"] == "t4_review_litigation"]
    assert len(t4) == 15
    review = next(r for r in t4 if r["column_id"] == "review_total")
    assert review["value"] == "2" and review["column_label"] == "行政复议 总计" and review["status"] == "ok"
    granted = next(r for r in rows if r["url"] == "/docs/qs-2020/" and r["row_id"] == "granted")
    assert granted["row_label"] == "（一）予以公开" and granted["value"] == "20" and granted["status"] == "checks_failed"
    documents = json.loads((site / "data/documents.json").read_text(encoding="utf-8"))
    expected = sum(len(v) for d in documents for t in d["tables"].values() for v in t["rows"].values())
    assert len(rows) == expected
    assert "tables.csv" in soup(site / "data/index.html").get_text()


def test_sorting_in_the_browser(site, browser):
    from conftest import serve_folder
    server, base = serve_folder(site)
    page = browser.new_page()
    page.goto(base + "stats/2019/")
    page.click("table.sortable thead th:nth-child(3) button")     # 主动公开 ascending
    first = page.inner_text("table.sortable tbody tr:first-child th")
    assert first == "江西省 赣州市"
    page.click("table.sortable thead th:nth-child(3) button")     # descending
    assert page.inner_text("table.sortable tbody tr:first-child th") == "安徽省 安庆市 潜山市"
    server.shutdown()
