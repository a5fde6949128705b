"""Glued table cells: a pre-2019 table flattened into one line runs label, unit and digits together
(`主动公开信息数条4251516` = this year 425, cumulative 1516). The reference (labels, units, columns 本年度 /
历年累计) and arithmetic (this year ≤ cumulative, a sub-item ≤ its total) decide the split; when they cannot,
the figure stays null with a warning. Made-up fixture: tests/fixtures/tables/appendix_2009_glued.txt."""

from __future__ import annotations

from pathlib import Path

from site_builder.ingest.tables import extract_tables
from site_builder.ingest.tables_appendix import solve, splits
from site_builder.ingest.tables_glued import split_glued
from site_builder.ingest.tables_reference import splitter

FIXTURE = Path(__file__).parent / "fixtures" / "tables" / "appendix_2009_glued.txt"
HEAD = ["附表", "指标名称 计量单位 2009年度 历年累计"]


def glued_table():
    return extract_tables(FIXTURE.read_text(encoding="utf-8").split("\n"), 2009)


def test_the_glued_line_is_read_as_labels_units_and_digits():
    parts = split_glued("主动公开信息数条4251516其中:1.政府网站条38012032.政府公报条45313", splitter().by_start)
    assert parts == [("label", "主动公开信息数"), ("unit", "条"), ("digits", "4251516"),
                     ("label", "其中:1.政府网站"), ("unit", "条"), ("digits", "3801203"),   # not 38012032
                     ("label", "2.政府公报"), ("unit", "条"), ("digits", "45313")]
    assert split_glued("全年主动公开信息4251条", splitter().by_start) is None    # prose is not a glued row


def test_readings_of_a_digit_run():
    assert splits("4251516") == [(4, 251516), (42, 51516), (425, 1516)]
    assert splits("0123") == [(0, 123)]                  # no leading zeros: not 01/23
    assert splits("00") == [(0, 0)] and splits("91") == []


def test_arithmetic_decides_the_split():
    r = glued_table()
    rows = r.tables["appendix"]["rows"]
    # 425/1516 is the only reading of the total that holds 380/1203 (the only reading ≤ …) of its sub-item
    assert rows["active"] == {"this_year": 425, "cumulative": 1516}
    assert rows["active_web"] == {"this_year": 380, "cumulative": 1203}
    assert rows["req_total"] == {"this_year": 12, "cumulative": 25}     # 1/225 is below its sub-item 3/10
    assert rows["litigation"] == {"this_year": 1, "cumulative": 12}     # 11/2 breaks this year ≤ cumulative
    assert r.format == "pre2019"
    assert r.stats == {"proactive_total": 425, "applications_received_new": 12, "applications_carried_over": None,
                       "review_total": 0, "litigation_total": 1}
    split = {x["field"]: x for x in r.repairs}
    assert split["tables.appendix.rows.active"]["before"] == "4251516"
    assert split["tables.appendix.rows.active"]["after"] == "425 / 1516"


def test_undecided_split_stays_null_with_a_warning():
    r = glued_table()
    assert r.tables["appendix"]["rows"]["appeal"] == {"this_year": None, "cumulative": None}   # 1/234 or 12/34
    assert any("1234" in w and "glued cells cannot be split" in w for w in r.warnings)
    r = extract_tables([*HEAD, "主动公开信息数条1234 行政复议数件00 行政诉讼数件00"], 2009)
    assert r.stats["proactive_total"] is None and r.stats["review_total"] == 0


def test_contradiction_leaves_null():
    cands = solve({"a": [(4, 25)], "b": [(5, 9)]}, {"a": None, "b": "a"})
    assert cands["b"] == [] and cands["a"] == []
    r = extract_tables([*HEAD, "主动公开信息数条425 其中:1.政府网站条5009000 2.政府公报条00 行政复议数件00"], 2009)
    assert r.tables["appendix"]["rows"]["active_web"] == {"this_year": None, "cumulative": None}
    assert r.stats["proactive_total"] is None    # 4/25 or 42/5✗: 4/25, but its sub-item 500/9000 exceeds it


def test_spaced_cells_need_no_split_and_one_spaced_value_is_not_placed():
    r = extract_tables([*HEAD, "主动公开信息数 条 425 1516", "其中:1.政府网站 条 380 1203", "2.政府公报 条 45",
                        "行政复议数 件 0 0"], 2009)
    rows = r.tables["appendix"]["rows"]
    assert rows["active"] == {"this_year": 425, "cumulative": 1516} and r.repairs == []
    assert rows["active_gazette"] == {"this_year": None, "cumulative": None}   # which column is 45?
    assert r.stats["proactive_total"] is None          # a row that cannot be placed: the table is not trusted


def test_2014_form_glued_into_one_line():
    line = ("统计指标 单位 统计数 一、主动公开情况 （一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）条1204"
            "三、依申请公开情况（一）收到申请数件17四、行政复议数量件1五、行政诉讼数量件0")
    r = extract_tables([line], 2016)
    assert r.tables["stats_form"]["rows"]["s1_total"] == {"value": 1204}
    assert (r.stats["proactive_total"], r.stats["applications_received_new"], r.stats["review_total"],
            r.stats["litigation_total"]) == (1204, 17, 1, 0)


def test_document_page_shows_the_rebuilt_appendix(tmp_path):
    """The 附表 is shown from front matter with its reference labels; its year column reads 本年度."""
    import yaml
    from conftest import run_cli, write_doc
    from site_checks import soup

    r = glued_table()
    assert r.blocks == []                       # the body keeps the text as written
    front = {"title": "某市2009年政府信息公开工作年度报告", "doc_type": "annual_report", "year": 2009, "region": None,
             "format": r.format, "stats": r.stats, "tables": r.tables, "repairs": r.repairs}
    (tmp_path / "pyproject.toml").write_text('[tool.site_builder]\ntitle = "测试档案"\n', encoding="utf-8")
    write_doc(tmp_path / "content", "a.md", yaml.safe_dump(front, allow_unicode=True))
    run_cli("build", "--root", tmp_path, "--no-search", "--quiet")
    page = soup(next((tmp_path / "public" / "docs").glob("*/index.html")))
    tables = [t for t in page.select("table") if "主动公开信息数" in t.get_text()]
    assert len(tables) == 1
    text = tables[0].get_text(" ", strip=True)
    assert "本年度" in text and "历年累计" in text and "2009年度" not in text
    assert "425" in text and "1,516" in text.replace("1516", "1,516")
    assert "*" not in text                      # split cells are not blank cells filled from an identity
