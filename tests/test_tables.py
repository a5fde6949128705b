"""extract_tables: statistics tables of the annual reports recognised in every flattened shape, rebuilt, checked.

Fixtures (tests/fixtures/tables/) are written from the format reference (annual-report-format.md §4–§6): the
2019 format one cell per line, the 2021 format one cell per line and as `|`-joined rows (龙岗 style), a glued
表四 header, a PDF flipbook, missing cells, failing identities, the 2014 统计表, HTML tables turned into
Markdown by the HTML cleaner, prose. The seeds' headline figures are checked against seeds/truth.json.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
import yaml
from conftest import SEEDS

from site_builder.ingest.tables import STAT_KEYS, extract_tables

FIXTURES = Path(__file__).parent / "fixtures" / "tables"
T3_COLS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "legal_other", "total")


def fixture(name: str) -> list[str]:
    return (FIXTURES / name).read_text(encoding="utf-8").split("\n")


def row(values) -> dict:
    return dict(zip(T3_COLS, values))


def markdown(result) -> str:
    return "\n\n".join(block for _, _, block in result.blocks)


def covered(result) -> set[int]:
    return {i for start, end, _ in result.blocks for i in range(start, end)}


def assert_plain(obj):
    """Front matter must be YAML-serialisable plain types."""
    assert yaml.safe_load(yaml.safe_dump(obj, allow_unicode=True)) == obj


# --- 2019 format ----------------------------------------------------------------------------------------

def test_2019_one_cell_per_line():
    lines = fixture("2019_one_cell_per_line.txt")
    r = extract_tables(lines, 2019)
    assert r.format == "2019"
    t = r.tables
    assert t["t2_art20_1"]["rows"] == {"regulations": {"new_made": 0, "new_published": 0, "total_published": 2},
                                       "normative_docs": {"new_made": 3, "new_published": 3, "total_published": 25}}
    assert t["t2_art20_5"]["rows"]["admin_license"] == {"prev_count": 45, "change": 2, "decisions": 310}
    assert t["t2_art20_5"]["rows"]["other_mgmt_services"] == {"prev_count": 12, "change": -1, "decisions": 40}
    assert t["t2_art20_6"]["rows"]["admin_coercion"] == {"prev_count": 5, "change": 1, "decisions": 3}
    assert t["t2_art20_8"]["rows"] == {"admin_fees": {"prev_count": 8, "change": -2}}
    assert t["t2_art20_9"]["rows"] == {"central_procurement": {"purchase_count": 12, "purchase_amount": 356.5}}
    t3 = t["t3_applications"]
    assert t3["status"] == "ok" and t3["checks_failed"] == []
    assert len(t3["rows"]) == 23 and t3["rows"]["other"] == row([0] * 7)
    assert t3["rows"]["unable_not_held"] == row([2, 1, 0, 0, 0, 0, 3])
    assert t["t4_review_litigation"]["rows"]["count"]["lit_direct_correct"] == 1
    assert r.stats == {"proactive_total": 1520, "applications_received_new": 10, "applications_carried_over": 1,
                       "review_total": 1, "litigation_total": 1}
    assert all(v["status"] == "ok" for v in t.values())
    assert r.warnings == [] and r.repairs == []
    md = markdown(r)
    assert "| 行政许可 | 45 | +2 | 310 |" in md            # signs kept as written on the page
    assert "| 信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |" in md   # split header joined
    assert "| 三、本年度办理结果 / （三）不予公开 / 4.保护第三方合法权益 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |" in md
    assert "| 三、本年度办理结果 / （六）其他处理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |" in md
    assert "| 行政诉讼 / 未经复议直接起诉 | 0 | 1 | 0 | 0 | 1 |" in md
    # every table line is replaced; headings and prose are not
    cov = covered(r)
    for keep in ("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
                 "一是公开意识有待提高。", "五、存在的主要问题及改进情况"):
        assert lines.index(keep) not in cov
    for gone in ("第二十条第(九)项", "制作数量", "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                 "四、结转下年度继续办理", "复议后起诉"):
        assert lines.index(gone) in cov
    assert_plain({"tables": r.tables, "stats": r.stats, "repairs": r.repairs})


def test_pdf_flipbook_cells_sharing_lines_and_vertical_headers():
    r = extract_tables(fixture("flipbook_2019.txt"), 2020)
    assert r.format == "2019"
    assert r.tables["t2_art20_1"]["rows"]["normative_docs"] == {"new_made": 1, "new_published": 1, "total_published": 9}
    t3 = r.tables["t3_applications"]
    assert t3["status"] == "ok"
    assert t3["rows"]["granted"] == row([4, 1, 0, 0, 0, 0, 5])          # `三、本年度办理结果 （一）予以公开 4 1 …`
    assert t3["rows"]["denied_state_secret"] == row([0] * 7)           # `（三）不予公开 1.属于国家秘密 0 …`
    assert t3["rows"]["carried_forward"] == row([1, 0, 0, 0, 0, 0, 1])
    assert r.tables["t4_review_litigation"]["status"] == "ok"
    assert r.stats["applications_received_new"] == 10 and r.stats["review_total"] == 0
    # the other 表二 sub-blocks are not in this text: missing, said so
    assert r.tables["t2_art20_9"] == {"status": "missing", "rows": {}, "checks_failed": []}
    assert any("第二十条第（九）项 missing" in w for w in r.warnings)


# --- 2021 format ----------------------------------------------------------------------------------------

def test_2021_full_table_one_cell_per_line():
    r = extract_tables(fixture("2021_one_cell_per_line.txt"), 2021)
    assert r.format == "2021"
    t = r.tables
    assert set(t) == {"t2_art20_1", "t2_art20_5", "t2_art20_6", "t2_art20_8", "t3_applications", "t4_review_litigation"}
    assert t["t2_art20_1"]["rows"]["normative_docs"] == {"issued": 2, "repealed": 1, "in_force": 15}
    assert t["t2_art20_5"]["rows"] == {"admin_license": {"decisions": 1520}}
    assert t["t2_art20_6"]["rows"] == {"admin_penalty": {"decisions": 36}, "admin_coercion": {"decisions": 2}}
    assert t["t2_art20_8"]["rows"] == {"admin_fees": {"fee_amount": 12.35}}
    t3 = t["t3_applications"]
    assert t3["status"] == "ok" and len(t3["rows"]) == 25
    assert "other" not in t3["rows"]                                   # a group in 2021
    assert t3["rows"]["other_overdue_correction"] == row([1, 0, 0, 0, 0, 0, 1])
    assert t3["rows"]["results_total"] == row([55, 6, 0, 0, 1, 0, 62])
    assert t["t4_review_litigation"]["rows"]["count"] == {
        "review_maintain": 2, "review_correct": 1, "review_other": 0, "review_pending": 0, "review_total": 3,
        "lit_direct_maintain": 1, "lit_direct_correct": 0, "lit_direct_other": 0, "lit_direct_pending": 1,
        "lit_direct_total": 2, "lit_after_review_maintain": 0, "lit_after_review_correct": 0,
        "lit_after_review_other": 0, "lit_after_review_pending": 1, "lit_after_review_total": 1}
    assert r.stats == {"proactive_total": None, "applications_received_new": 66, "applications_carried_over": 3,
                       "review_total": 3, "litigation_total": 3}
    assert r.warnings == []
    assert "| 三、本年度办理结果 / （六）其他处理 / 3.其他 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |" in markdown(r)


def test_2021_pipe_rows_with_stray_spaces_and_empty_cells():
    lines = fixture("2021_pipe_rows.txt")
    r = extract_tables(lines, 2024)
    assert r.format == "2021"
    assert r.tables["t2_art20_1"]["rows"]["normative_docs"] == {"issued": 2, "repealed": 1, "in_force": 15}
    assert r.tables["t2_art20_5"]["rows"] == {"admin_license": {"decisions": 1520}}   # `| | |` residue dropped
    t3 = r.tables["t3_applications"]
    assert t3["status"] == "ok" and t3["checks_failed"] == []
    assert t3["rows"]["granted"] == row([20, 3, 0, 0, 1, 0, 24])          # group label first on the line
    assert t3["rows"]["unable_not_held"] == row([25, 2, 0, 0, 0, 0, 27])
    # an empty cell keeps its position; the single blank of a row identity is filled and recorded
    assert t3["rows"]["np_massive"] == row([0] * 7)
    assert t3["raw"]["np_massive"] == ["0", "0", "", "0", "0", "0", "0"]
    assert {(x["field"], x["before"], x["after"]) for x in r.repairs} == {
        ("tables.t3_applications.rows.np_massive.research", "", 0),
        ("tables.t3_applications.rows.other_other.total", "", 0)}
    assert all(x["rule"].startswith("表三 行勾稽") and x["where"].startswith("line ") for x in r.repairs)
    md = markdown(r)
    assert "| 三、本年度办理结果 / （五）不予处理 / 4.无正当理由大量反复申请 | 0 | 0 | 0* | 0 | 0 | 0 | 0 |" in md
    assert "据勾稽关系推算" in md
    assert r.tables["t4_review_litigation"]["rows"]["count"]["lit_direct_total"] == 1
    assert r.stats == {"proactive_total": None, "applications_received_new": 66, "applications_carried_over": 3,
                       "review_total": 0, "litigation_total": 1}
    assert lines.index("政务公开工作与群众期待仍有差距。") not in covered(r)
    assert lines.index("商业 企业 | 科研 机构 | 社会公益组织 | 法律服务机构 | 其他 |") in covered(r)


def test_markdown_tables_from_html_are_recognised_and_re_emitted():
    """The HTML cleaner writes merged cells as empty cells; blanks keep their column."""
    lines = fixture("markdown_grid_2019.txt")
    r = extract_tables(lines, 2019)
    assert r.format == "2019"
    t3 = r.tables["t3_applications"]
    assert t3["status"] == "ok"
    assert t3["rows"]["new_received"] == row([8, 2, 0, 0, 0, 0, 10])
    assert t3["rows"]["granted"] == row([4, 1, None, None, 0, 0, None])   # 3 blanks: nothing filled, never summed
    assert t3["rows"]["denied_state_secret"] == row([0] * 7)
    t4 = r.tables["t4_review_litigation"]["rows"]["count"]
    assert t4["review_total"] == 0 and t4["lit_after_review_total"] == 0
    assert [x["field"] for x in r.repairs] == ["tables.t4_review_litigation.rows.count.review_total"]
    assert r.stats["applications_received_new"] == 10 and r.stats["review_total"] == 0
    # the source grids (incl. their |---| lines) are replaced by the canonical tables
    cov = covered(r)
    assert all(i in cov for i, line in enumerate(lines) if line.startswith("|"))
    assert "| 三、本年度办理结果 / （一）予以公开 | 4 | 1 |  |  | 0 | 0 |  |" in markdown(r)


# --- 表四 shapes ----------------------------------------------------------------------------------------

def test_t4_glued_header_then_fifteen_values_on_one_line():
    r = extract_tables(fixture("t4_glued.txt"), 2025)
    assert r.format is None                       # 表四 alone does not tell 2019 from 2021
    row4 = r.tables["t4_review_litigation"]["rows"]["count"]
    assert (row4["review_pending"], row4["review_total"], row4["lit_direct_total"], row4["lit_after_review_total"]) \
        == (1, 1, 2, 1)
    assert r.stats["review_total"] == 1 and r.stats["litigation_total"] == 3
    assert [(s, e) for s, e, _ in r.blocks] == [(2, 5)]


def test_t4_with_a_missing_value_is_incomplete_and_stays_text():
    lines = ["行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉",
             *["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2, *["0"] * 14]
    r = extract_tables(lines, 2020)
    t4 = r.tables["t4_review_litigation"]
    assert t4["status"] == "incomplete" and set(t4["rows"]["count"].values()) == {None}
    assert r.blocks == [] and r.stats["review_total"] is None and r.stats["litigation_total"] is None
    assert any("表四 不完整" in w for w in r.warnings)


def test_placeholders_are_null_not_zero_and_never_summed():
    lines = ["行政复议行政诉讼", "0 0 / 0 — 0 0 0 0 0 无 0 0 0 0"]
    r = extract_tables(lines, 2020)
    t4 = r.tables["t4_review_litigation"]
    c = t4["rows"]["count"]
    assert c["review_other"] is None and c["review_total"] is None   # two unknowns in one identity: nothing filled
    assert c["lit_direct_total"] == 0 and t4["status"] == "ok"
    # one unknown in 复议后起诉: filled from 总计 = 结果维持+…, recorded with what was written
    assert c["lit_after_review_maintain"] == 0
    assert r.repairs == [{"field": "tables.t4_review_litigation.rows.count.lit_after_review_maintain",
                          "rule": "表四 行政诉讼 / 复议后起诉: 总计 = 结果维持+结果纠正+其他结果+尚未审结",
                          "before": "无", "after": 0, "where": "line 2"}]
    assert r.stats["review_total"] is None and r.stats["litigation_total"] == 0
    assert t4["raw"]["count"][2] == "/" and t4["raw"]["count"][4] == "—"


# --- failure modes --------------------------------------------------------------------------------------

def test_missing_cells_never_shift_into_the_next_row():
    lines = fixture("missing_cells_2019.txt")
    r = extract_tables(lines, 2019)
    t3 = r.tables["t3_applications"]
    assert t3["status"] == "incomplete"
    assert t3["rows"]["granted"] == row([None] * 7)                     # 4 values for 7 columns: not placed
    assert t3["rows"]["partial"] == row([1, 0, 0, 0, 0, 0, 1])          # the next row is untouched
    assert t3["rows"]["new_received"] == row([8, 2, 0, 0, 0, 0, 10])
    assert any("granted" in p for p in t3["problems"])
    assert r.stats["applications_received_new"] is None                 # an incomplete table gives no figures
    assert any("表三 不完整" in w for w in r.warnings)
    # 表三 stays as text (no block), 表四 is rebuilt
    assert len(r.blocks) == 1 and r.blocks[0][2].startswith("| 类别 |")
    assert lines.index("258") not in covered(r)
    assert r.stats["review_total"] == 0


def test_failing_identity_is_a_warning_and_checks_failed_never_a_fix():
    r = extract_tables(fixture("failing_identity_2021.txt"), 2021)
    t3 = r.tables["t3_applications"]
    assert t3["status"] == "checks_failed"
    assert t3["checks_failed"] == ["表三 自然人列: 一+二 (61) ≠ （七）总计+四 (64)", "表三 总计列: 一+二 (69) ≠ （七）总计+四 (72)"]
    assert t3["rows"]["carried_forward"] == row([9, 1, 0, 0, 0, 0, 10])   # as written
    assert sum("勾稽关系不符" in w for w in r.warnings) == 2
    assert r.repairs == []
    assert r.stats["applications_received_new"] == 66                   # the figures are still the stated ones
    assert len(r.blocks) == 1


def test_row_total_identity_failure():
    lines = ["一、本年新收政府信息公开申请数量", "5", "1", "0", "0", "0", "0", "7",
             "二、上年结转政府信息公开申请数量", *["0"] * 7]
    r = extract_tables(lines, 2020)
    t3 = r.tables["t3_applications"]
    assert t3["status"] == "incomplete"                                 # rows of the table are missing
    lines = fixture("2019_one_cell_per_line.txt")
    i = lines.index("一、本年新收政府信息公开申请数量")
    lines[i + 14] = "11"                                               # its 总计 10 → 11
    r = extract_tables(lines, 2019)
    failed = r.tables["t3_applications"]["checks_failed"]
    assert "表三 一、本年新收政府信息公开申请数量: 总计 (11) ≠ 各类申请人之和 (10)" in failed
    assert "表三 总计列: 一+二 (12) ≠ （七）总计+四 (11)" in failed
    assert r.stats["applications_received_new"] == 11


# --- 2014–2018 统计表 ------------------------------------------------------------------------------------

def test_2014_statistics_form():
    lines = fixture("stats_form_2016.txt")
    r = extract_tables(lines, 2016)
    assert r.format == "pre2019"
    form = r.tables["stats_form"]
    assert form["status"] == "ok"
    assert form["rows"]["s1_total"] == {"value": 1204}                  # label split over two lines
    assert form["rows"]["s1_normative"] == {"value": 31}
    assert form["rows"]["s1_weibo"] == {"value": None}                  # `/`
    assert form["rows"]["s7"] == {"value": 0}
    assert r.stats == {"proactive_total": 1204, "applications_received_new": 17, "applications_carried_over": None,
                       "review_total": 1, "litigation_total": 0}
    md = markdown(r)
    assert "| （一）主动公开政府信息数（不同渠道和方式公开相同信息计1条） | 条 | 1204 |" in md
    assert "| 一、主动公开情况 | —— | —— |" in md
    assert lines.index("联系电话：0551-1234567") not in covered(r)


# --- prose ----------------------------------------------------------------------------------------------

def test_prose_only_report():
    r = extract_tables(fixture("prose_only_2018.txt"), 2018)
    assert r.format is None and r.tables == {} and r.blocks == []
    assert r.stats == {"proactive_total": 2315, "applications_received_new": None, "applications_carried_over": None,
                       "review_total": None, "litigation_total": None}
    assert r.warnings == []                       # the sub-counts (其中…, 政务微博…) and 2017's figure do not compete


def test_prose_candidates():
    assert extract_tables(["其中重点领域信息381条。", "公开重点领域信息3381条。"], 2019).stats["proactive_total"] is None
    approx = extract_tables(["通过各类媒体公开信息约1.2万余条。"], 2018)
    assert approx.stats["proactive_total"] == 12000 and any("约数" in w for w in approx.warnings)
    assert extract_tables(["全年公开政府信息4868项。"], 2019).stats["proactive_total"] == 4868     # 条/件/项/篇
    assert extract_tables(["全年公开服务事项299项。"], 2019).stats["proactive_total"] is None    # not 信息
    two = extract_tables(["全年主动公开政府信息800条。", "本年度公开政府信息900条。"], 2019)
    assert two.stats["proactive_total"] == 800 and any("900" in w for w in two.warnings)
    other_year = extract_tables(["2018年主动公开政府信息700条。"], 2019)
    assert other_year.stats["proactive_total"] is None


def test_labels_only_in_prose_are_not_a_table():
    r = extract_tables(["本机关全年未收到行政复议、行政诉讼案件，本年新收政府信息公开申请数量较上年有所增加。"], 2020)
    assert r.tables == {} and r.blocks == [] and r.format is None
    assert all(v is None for v in r.stats.values())
    # with the 2019 section headings and prose instead of tables: the tables are missing, said so
    r = extract_tables(fixture("labels_in_prose_2020.txt"), 2020)
    assert r.format is None and r.blocks == []
    assert r.tables == {"t3_applications": {"status": "missing", "rows": {}, "checks_failed": []},
                        "t4_review_litigation": {"status": "missing", "rows": {}, "checks_failed": []}}
    assert any(w.startswith("表三 missing (image or attachment?)") for w in r.warnings)
    # the prose says none for the whole body and year: 0 (未发生…行政复议、行政诉讼); applications not stated
    assert r.stats == {"proactive_total": None, "applications_received_new": None, "applications_carried_over": None,
                       "review_total": 0, "litigation_total": 0}


def test_format_from_labels_never_from_the_year():
    lines = fixture("2019_one_cell_per_line.txt")
    assert extract_tables(lines, 2023).format == "2019"
    assert extract_tables(fixture("2021_one_cell_per_line.txt"), 2019).format == "2021"
    assert extract_tables(["全年主动公开政府信息800条。"], 2021).format is None


# --- the seeds ------------------------------------------------------------------------------------------

def seed_lines(name: str) -> list[str]:
    text = (SEEDS / name).read_text(encoding="utf-8")
    # the ingest cleaner hands over full-width digits/letters as ASCII; do the same
    return ["".join(unicodedata.normalize("NFKC", ch) if ch.isalnum() and ord(ch) > 0xFF00 else ch for ch in line)
            for line in text.splitlines()]


TRUTH = {d["file"]: d for d in json.loads((SEEDS / "truth.json").read_text(encoding="utf-8"))["documents"]}


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_seed_stats(name):
    doc = TRUTH[name]
    r = extract_tables(seed_lines(name), doc["year"])
    assert set(r.stats) == set(STAT_KEYS)
    if doc["stats"] is not None:
        assert r.stats == doc["stats"]
    else:  # not an annual report: no statistics table
        assert r.tables == {} and r.format is None
    if doc["format"] == "2019":
        assert r.format == "2019"
    assert_plain({"tables": r.tables, "stats": r.stats})


def test_seed_001_tables():
    lines = seed_lines("001_67db6f16469a4ce1.txt")
    r = extract_tables(lines, 2019)
    t = r.tables
    assert r.format == "2019"
    assert t["t2_art20_1"]["rows"] == {"regulations": {"new_made": 0, "new_published": 11, "total_published": 11},
                                       "normative_docs": {"new_made": 11, "new_published": 11, "total_published": 11}}
    assert t["t2_art20_5"]["rows"] == {"admin_license": {"prev_count": 80, "change": 16, "decisions": 96},
                                       "other_mgmt_services": {"prev_count": 120, "change": 31, "decisions": 151}}
    assert t["t2_art20_6"]["rows"] == {"admin_penalty": {"prev_count": 57, "change": -2, "decisions": 55},
                                       "admin_coercion": {"prev_count": 1, "change": 9, "decisions": 10}}
    assert t["t2_art20_9"]["rows"] == {"central_procurement": {"purchase_count": 105, "purchase_amount": 4868}}
    assert all(t[k]["status"] == "ok" for k in t if k.startswith("t2_"))
    assert t["t3_applications"] == {"status": "missing", "rows": {}, "checks_failed": []}
    assert "表三 missing (image or attachment?)" in r.warnings[0]
    assert t["t4_review_litigation"]["status"] == "ok"
    assert set(t["t4_review_litigation"]["rows"]["count"].values()) == {0}
    assert len(t["t4_review_litigation"]["rows"]["count"]) == 15
    assert r.stats == {"proactive_total": 36629, "applications_received_new": None, "applications_carried_over": None,
                       "review_total": 0, "litigation_total": 0}
    assert len(r.blocks) == 6
    assert "| 其他对外管理服务事项 | 120 | +31 | 151 |" in markdown(r)
    # the section headings stay; the table cells go
    cov = covered(r)
    assert lines.index("三、收到和处理政府信息公开申请情况") not in cov
    assert lines.index("四、政府信息公开行政复议、行政诉讼情况") not in cov
    assert lines.index("政府集中采购") in cov


def test_seed_prose_totals_are_noted_when_approximate():
    r = extract_tables(seed_lines("000_444c647f64bad746.txt"), 2018)
    assert r.stats["proactive_total"] == 10730 and any("约数" in w for w in r.warnings)
    r = extract_tables(seed_lines("003_70c4dbb90776e1af.txt"), 2018)
    assert r.stats["proactive_total"] == 534 and r.tables == {}
    assert not any("1043" in w for w in r.warnings)   # a per-channel sum, not a competing total


# --- label variants (F4, F8, F14, F18) -------------------------------------------------------------------

def _variant(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        if line.startswith("1.申请人无正当理由"):
            line = "1.申请人无正当理由逾期不补正"                      # abbreviated transcription
        elif line.startswith("2.申请人逾期未按"):
            line = "2.申请人逾期未按收费通知要求缴纳费用"
        elif line == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）":
            out += ["（二）部分公开", "（区分处理的，只计这一情形，", "不计其他情形）"]   # one label over 3 lines
            continue
        elif line.startswith("（本列数据"):
            out += ["（本列数据的勾稽关系为：第一项加第二项之和，", "等于第三项加第四项之和）"]
            continue
        elif line == "规章":
            line = "規章"                                             # traditional mirror
        elif line == "行政规范性文件":
            line = "规范性文件"                                       # 2019 row label in a 2021 table
        elif line == "商业企业":
            line = "商业 企业"
        out.append(line)
    return out


def test_label_variants():
    lines = _variant(fixture("2021_one_cell_per_line.txt"))
    r = extract_tables(lines, 2021)
    assert r.format == "2021"
    assert all(v["status"] == "ok" for v in r.tables.values())
    assert r.tables["t2_art20_1"]["rows"]["regulations"] == {"issued": 0, "repealed": 0, "in_force": 0}
    assert r.tables["t2_art20_1"]["rows"]["normative_docs"] == {"issued": 2, "repealed": 1, "in_force": 15}
    rows = r.tables["t3_applications"]["rows"]
    assert rows["partial"] == row([5, 1, 0, 0, 0, 0, 6])
    assert rows["other_overdue_correction"] == row([1, 0, 0, 0, 0, 0, 1])
    assert r.stats["applications_received_new"] == 66
    cov = covered(r)
    assert lines.index("等于第三项加第四项之和）") in cov and lines.index("不计其他情形）") in cov


def test_labels_without_numbers_are_incomplete():
    """雄县 2019: every label, no numbers (or de-duplicated lines): nothing is read, nothing replaced."""
    lines = [line for line in fixture("2021_one_cell_per_line.txt") if not line.replace(".", "").isdigit()]
    r = extract_tables(lines, 2021)
    assert r.format == "2021" and r.blocks == []
    assert {k: v["status"] for k, v in r.tables.items()} == {
        "t2_art20_1": "incomplete", "t2_art20_5": "incomplete", "t2_art20_6": "incomplete",
        "t2_art20_8": "incomplete", "t3_applications": "incomplete", "t4_review_litigation": "incomplete"}
    assert all(v is None for v in r.stats.values())
    seen, deduped = set(), []
    for line in fixture("2021_one_cell_per_line.txt"):
        if line and line in seen:
            continue
        seen.add(line)
        deduped.append(line)
    r = extract_tables(deduped, 2021)
    assert r.tables["t3_applications"]["status"] == "incomplete"
    assert r.stats["applications_received_new"] is None and r.stats["review_total"] is None


def test_2014_form_one_row_per_line_and_repeated_labels_by_block():
    lines = ["附件：政府信息公开情况统计表", "统计指标 单位 统计数",
             "一、主动公开情况 —— ——",
             "（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条） 条 860",
             "四、行政复议数量 件 3", "（一）维持具体行政行为数 件 1", "（二）被依法纠错数 件 1", "（三）其他情形数 件 1",
             "五、行政诉讼数量 件 2", "（一）维持具体行政行为或者驳回原告诉讼请求数 件 2", "（二）被依法纠错数 件 0",
             "六、举报投诉数量 件 5", "（一）维持具体行政行为数 件 4", "（二）被纠错数 件 1", "（三）其他情形数 件 0",
             "以上数据截至2016年12月31日。"]
    r = extract_tables(lines, 2016)
    rows = r.tables["stats_form"]["rows"]
    assert rows["s4_upheld"] == {"value": 1} and rows["s6_upheld"] == {"value": 4}   # same label, its own block
    assert rows["s4_other"] == {"value": 1} and rows["s6_other"] == {"value": 0}
    assert rows["s5_corrected"] == {"value": 0}
    assert r.stats == {"proactive_total": 860, "applications_received_new": None, "applications_carried_over": None,
                       "review_total": 3, "litigation_total": 2}
    assert [(s, e) for s, e, _ in r.blocks] == [(1, 15)]


def test_t2_sub_block_without_its_title_line():
    lines = ["二、主动公开政府信息情况", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数",
             "规章", "0", "0", "1", "行政规范性文件", "4", "0", "20", "三、收到和处理政府信息公开申请情况"]
    r = extract_tables(lines, 2021)
    assert r.format == "2021"
    assert r.tables["t2_art20_1"]["rows"] == {"regulations": {"issued": 0, "repealed": 0, "in_force": 1},
                                              "normative_docs": {"issued": 4, "repealed": 0, "in_force": 20}}
    assert [(s, e) for s, e, _ in r.blocks] == [(1, 13)]
    assert r.tables["t2_art20_5"]["status"] == "missing" and r.tables["t3_applications"]["status"] == "missing"
