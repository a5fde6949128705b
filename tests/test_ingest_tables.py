"""Statistics tables: recognised from their labels in every flattened shape, rebuilt, checked (issue 3).

Inputs are written from the format reference (../shared/docs/annual-report-format.md §4–§6), not from the
seeds: one cell per line, `|`-joined rows with stray spaces and empty cells, several cells on one line, glued
headers, missing cells, failing identities, the 2014 统计表, and prose.
"""

from __future__ import annotations

from site_builder.ingest.tables import extract_tables

T3_ROWS_2021 = [
    ("一、本年新收政府信息公开申请数量", [58, 7, 0, 0, 1, 0, 66]),
    ("二、上年结转政府信息公开申请数量", [2, 0, 0, 0, 0, 0, 2]),
    ("（一）予以公开", [20, 3, 0, 0, 1, 0, 24]),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", [5, 1, 0, 0, 0, 0, 6]),
    ("1.属于国家秘密", [0] * 7), ("2.其他法律行政法规禁止公开", [0] * 7), ("3.危及“三安全一稳定”", [0] * 7),
    ("4.保护第三方合法权益", [1, 0, 0, 0, 0, 0, 1]), ("5.属于三类内部事务信息", [0] * 7),
    ("6.属于四类过程性信息", [0] * 7), ("7.属于行政执法案卷", [0] * 7), ("8.属于行政查询事项", [0] * 7),
    ("1.本机关不掌握相关政府信息", [25, 2, 0, 0, 0, 0, 27]), ("2.没有现成信息需要另行制作", [0] * 7),
    ("3.补正后申请内容仍不明确", [1, 0, 0, 0, 0, 0, 1]),
    ("1.信访举报投诉类申请", [2, 0, 0, 0, 0, 0, 2]), ("2.重复申请", [0] * 7), ("3.要求提供公开出版物", [0] * 7),
    ("4.无正当理由大量反复申请", [0] * 7), ("5.要求行政机关确认或重新出具已获取信息", [0] * 7),
    ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", [1, 0, 0, 0, 0, 0, 1]),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", [0] * 7),
    ("3.其他", [0] * 7),
    ("（七）总计", [55, 6, 0, 0, 1, 0, 62]),
    ("四、结转下年度继续办理", [5, 1, 0, 0, 0, 0, 6]),
]
GROUP_BEFORE = {"（一）予以公开": "三、本年度办理结果", "1.属于国家秘密": "（三）不予公开",
                "1.本机关不掌握相关政府信息": "（四）无法提供", "1.信访举报投诉类申请": "（五）不予处理",
                "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请": "（六）其他处理"}
T3_HEADER = ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况", "自然人",
             "法人或其他组织", "总计", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
T4 = ["行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉",
      *["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2]
T4_VALUES = [1, 0, 0, 1, 2, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0]


def one_cell_per_line(cells) -> list[str]:
    lines = []
    for cell in cells:
        lines += [str(cell), ""]
    return lines


def t3_cells():
    cells = list(T3_HEADER)
    for label, values in T3_ROWS_2021:
        if label in GROUP_BEFORE:
            cells.append(GROUP_BEFORE[label])
        cells += [label, *values]
    return cells


def test_2021_format_flattened_one_cell_per_line():
    lines = ["二、主动公开政府信息情况", "",
             *one_cell_per_line(["第二十条第(一)项", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数",
                                 "规章", 0, 0, 0, "行政规范性文件", 3, 1, 12,
                                 "第二十条第(五)项", "信息内容", "本年处理决定数量", "行政许可", 1520,
                                 "第二十条第(八)项", "信息内容", "本年收费金额(单位:万元)", "行政事业性收费", "12.35"]),
             "三、收到和处理政府信息公开申请情况", "", *one_cell_per_line(t3_cells()),
             "四、政府信息公开行政复议、行政诉讼情况", "", *one_cell_per_line(T4 + T4_VALUES),
             "五、存在的主要问题及改进情况", "", "一是公开意识有待提高。"]
    result = extract_tables(lines, 2022)
    assert result.format == "2021"
    t = result.tables
    assert t["t2_art20_1"]["rows"]["normative_docs"] == {"issued": 3, "repealed": 1, "in_force": 12}
    assert t["t2_art20_5"]["rows"]["admin_license"] == {"decisions": 1520}
    assert t["t2_art20_8"]["rows"]["admin_fees"] == {"fee_amount": 12.35}
    rows = t["t3_applications"]["rows"]
    assert t["t3_applications"]["status"] == "ok"
    assert rows["new_received"]["total"] == 66 and rows["other_overdue_correction"]["total"] == 1
    assert rows["results_total"]["natural_person"] == 55
    assert t["t4_review_litigation"]["rows"]["count"]["review_total"] == 2
    assert result.stats == {"proactive_total": None, "applications_received_new": 66, "applications_carried_over": 2,
                            "review_total": 2, "litigation_total": 1}
    assert not [w for w in result.warnings if "勾稽" in w]
    # the flattened cells are replaced by Markdown tables with full-path row labels
    markdown = "\n".join(block for _, _, block in result.blocks)
    assert "| 三、本年度办理结果 / （三）不予公开 / 4.保护第三方合法权益 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |" in markdown
    assert "| 行政复议 | 1 | 0 | 0 | 1 | 2 |" in markdown
    covered = {i for start, end, _ in result.blocks for i in range(start, end)}
    assert lines.index("一是公开意识有待提高。") not in covered


def test_pipe_rows_with_stray_spaces_and_empty_cells():
    lines = ["自然人 | 法人或其他组织 | 总计 |", "商业 企业 | 科研 机构 | 社会公益组织 | 法律服务机构 | 其他 |"]
    for label, values in T3_ROWS_2021:
        group = f"{GROUP_BEFORE[label]} | " if label in GROUP_BEFORE else ""
        lines.append(f"{group}{label} | " + " | ".join(map(str, values)) + " | |")
    result = extract_tables(lines, 2024)
    assert result.tables["t3_applications"]["status"] == "ok"
    assert result.stats["applications_received_new"] == 66


def test_glued_header_and_values_on_one_line():
    lines = ["四、政府信息公开行政复议、行政诉讼情况", "行政复议行政诉讼", "0 0 0 1 1 0 0 0 0 0 0 0 0 0 0"]
    result = extract_tables(lines, 2020)
    assert result.tables["t4_review_litigation"]["status"] == "ok"
    assert result.stats["review_total"] == 1 and result.stats["litigation_total"] == 0


def test_missing_cells_are_never_shifted():
    cells = list(T3_HEADER)
    for label, values in T3_ROWS_2021[:3]:
        cells += [label, *values]
    cells[cells.index("二、上年结转政府信息公开申请数量") + 1:cells.index("二、上年结转政府信息公开申请数量") + 3] = []  # 2 cells lost
    result = extract_tables(one_cell_per_line(cells), 2021)
    t3 = result.tables["t3_applications"]
    assert t3["status"] == "incomplete"
    assert t3["rows"]["carried_over"] == {c: None for c in t3["rows"]["carried_over"]}
    assert t3["rows"]["new_received"]["total"] == 66
    assert result.stats["applications_carried_over"] is None and result.stats["applications_received_new"] is None
    assert any("不完整" in w for w in result.warnings)


def test_failing_identity_is_a_warning_not_a_fix():
    values = list(T4_VALUES)
    values[4] = 5   # 行政复议 总计 5 ≠ 1+0+0+1
    result = extract_tables(one_cell_per_line(T4 + values), 2019)
    t4 = result.tables["t4_review_litigation"]
    assert t4["status"] == "checks_failed" and t4["rows"]["count"]["review_total"] == 5
    assert any("行政复议" in f for f in t4["checks_failed"])
    assert any("勾稽关系不符" in w for w in result.warnings)


def test_2019_signed_values_and_missing_table_three():
    lines = ["二、主动公开政府信息情况",
             *one_cell_per_line(["第二十条第(五)项", "信息内容", "上一年项目数量", "本年增/减", "处理决定数量",
                                 "行政许可", 80, "+16", 96, "其他对外管理服务事项", 120, "-3", 151]),
             "三、收到和处理政府信息公开申请情况", "",
             "四、政府信息公开行政复议、行政诉讼情况"]
    result = extract_tables(lines, 2019)
    assert result.format == "2019"
    assert result.tables["t2_art20_5"]["rows"]["other_mgmt_services"] == {"prev_count": 120, "change": -3, "decisions": 151}
    assert "| 行政许可 | 80 | +16 | 96 |" in result.blocks[0][2]
    assert result.tables["t3_applications"]["status"] == "missing"
    assert any("表三" in w and "缺失" in w for w in result.warnings)


def test_2014_statistics_form():
    lines = ["附件", "政府信息公开情况统计表", "统计指标", "单位", "统计数", "一、主动公开情况",
             "（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条", "1204",
             "其中：主动公开规范性文件数", "条", "31", "制发规范性文件总数", "件", "35",
             "三、依申请公开情况", "（一）收到申请数", "件", "17"]
    result = extract_tables(lines, 2016)
    assert result.format == "pre2019"
    rows = result.tables["stats_form"]["rows"]
    assert rows["s1_total"] == {"value": 1204} and rows["s3_received"] == {"value": 17}
    assert result.stats["proactive_total"] == 1204


def test_prose_totals_and_sub_counts():
    prose = ["全年主动公开政府信息2,315条，其中重点领域信息381条。", "依申请公开信息12条。"]
    result = extract_tables(prose, 2017)
    assert result.format is None and result.tables == {}
    assert result.stats["proactive_total"] == 2315
    approx = extract_tables(["通过各类媒体公开信息约1.2万余条。"], 2018)
    assert approx.stats["proactive_total"] == 12000 and any("约数" in w for w in approx.warnings)
    only_sub = extract_tables(["其中重点领域信息381条。"], 2018)
    assert only_sub.stats["proactive_total"] is None


def test_labels_in_prose_are_not_a_table():
    lines = ["本机关全年未收到行政复议、行政诉讼案件，本年新收政府信息公开申请数量较上年有所增加。"]
    result = extract_tables(lines, 2020)
    assert result.tables == {} and result.blocks == []
    assert result.stats["review_total"] is None
