"""The page header of sites ingest has never seen: labelled fields, titles, issuers, dates, types, --max-size.

Every rule is checked on made-up text written here (never on one real file only); the real seeds and devset
are measured as a whole by test_field_accuracy.py.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml

from conftest import run_cli
from site_builder.ingest.dates import covered_year
from site_builder.ingest.doctype import classify
from site_builder.ingest.header import analyse_header, prose_title
from site_builder.ingest.issuer import government_of
from site_builder.ingest.labels import parse_labelled


def ingest_one(tmp_path, name: str, text: str, *args: str) -> tuple[dict, str]:
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    (raw / name).write_text(text, encoding="utf-8")
    out = tmp_path / "content"
    run_cli("ingest", raw / name, "--out", out, *args)
    (md,) = [p for p in out.glob("*.md") if yaml.safe_load(p.read_text(encoding="utf-8").split("\n---\n")[0][4:])
             ["source"]["file"] == name]
    front, body = md.read_text(encoding="utf-8")[4:].split("\n---\n", 1)
    return yaml.safe_load(front), body


# -- labelled fields ------------------------------------------------------------------------------------

@pytest.mark.parametrize("line,expected", [
    ("发布机构：东山县人民政府  文号:东政〔2021〕3号", [("publisher", "东山县人民政府"), ("doc_number", "东政〔2021〕3号")]),
    ("发布机构东山县人民政府", [("publisher", "东山县人民政府")]),  # cleaning glued label and value
    ("索引号 0152/2018-1204001 发布机构东山县人民政府", [("index_no", "0152/2018-1204001"), ("publisher", "东山县人民政府")]),
    ("公开目录情况报告发布日期 2018-12-04", [("category", "情况报告"), ("publish", "2018-12-04")]),
    ("文号浏览量", [("doc_number", ""), ("views", "")]),
    ("标 题 | 某县2014年政府信息公开工作年度报告 | ||", [("title", "某县2014年政府信息公开工作年度报告")]),
    ("发布机构 | 县政府办 | 发布日期 | 2015-03-30 17:35:00 |", [("publisher", "县政府办"), ("publish", "2015-03-30 17:35:00")]),
    ("标题: 【文稿解读】某街道2020年年度报告", [("title", "【文稿解读】某街道2020年年度报告")]),
])
def test_labelled_lines_in_every_shape(line, expected):
    assert [(k, v) for k, _, v in parse_labelled(line, bare=True)] == expected


@pytest.mark.parametrize("line", ["时间过得很快，我们完成了任务", "来源广泛的信息", "日期不详"])
def test_a_sentence_starting_with_a_weak_label_is_not_metadata(line):
    assert parse_labelled(line, bare=True) is None


@pytest.mark.parametrize("line,date", [("2021-03-2918:26", "2021-03-29"), ("2025-06-23 09:01:42 来源: 某局", "2025-06-23"),
                                       ("2021年01月28日 09:30 来源：某县", "2021-01-28")])
def test_unlabelled_page_date_lines(line, date):
    h = analyse_header(["某县2020年政府信息公开工作年度报告", line, "一、总体情况"], [])
    assert [lab.value for lab in h.labelled if lab.key == "publish"] == [date]


def test_a_bare_chinese_date_under_a_title_is_not_taken_for_the_page_date():
    h = analyse_header(["某县人民政府关于印发某县2020年政务公开工作要点的通知", "2020年3月2日", "各乡镇："], [])
    assert not [lab for lab in h.labelled if lab.key == "publish"]


def test_value_on_the_next_line_and_split_date_box():
    lines = ["2020", "10/20", "00:07", "来源:", "某某市人民政府", "扫一扫在手机打开当前页",
             "各区人民政府，市属各委、局、办：", "《某某市2020年政务公开工作要点》已经市人民政府同意，现予以印发，请认真贯彻落实。"]
    h = analyse_header(lines, [])
    found = {(lab.key, lab.value) for lab in h.labelled}
    assert ("source", "某某市人民政府") in found
    assert ("publish", "2020-10-20") in found
    assert {0, 1, 2, 3, 4} <= h.meta_lines


def test_a_scrapers_labelled_block_gives_title_fields_and_a_clean_body(tmp_path):
    text = ("标题:遂溪县建新镇人民政府2021年政府信息公开工作年度报告\n发布时间:2022-01-25 09:30\n文号:\n"
            "发布机构:遂溪县建新镇人民政府\n栏目:政府信息公开年报\n原文链接:http://www.example.gov.cn/post_1.html\n"
            "/data/crawl/example/post_1.html\n==== 正文 ====\n"
            "根据《中华人民共和国政府信息公开条例》规定，现公布本镇2021年政府信息公开工作年度报告。本报告中所列数据的统计期限自2021年1月1日起至2021年12月31日止。\n"
            "一、总体情况\n2021年，建新镇主动公开政府信息56条。\n")
    fm, body = ingest_one(tmp_path, "block.txt", text)
    assert fm["title"] == "遂溪县建新镇人民政府2021年政府信息公开工作年度报告"
    assert (fm["date"], fm["issuing_body"], fm["doc_number"]) == ("2022-01-25", "遂溪县建新镇人民政府", None)
    assert fm["source"]["url"] == "http://www.example.gov.cn/post_1.html"
    assert body.lstrip().startswith("根据《中华人民共和国政府信息公开条例》")
    assert "正文 ====" not in body and "/data/crawl" not in body and "栏目" not in body


def test_labels_in_any_order_without_space_and_a_docno_under_the_title(tmp_path):
    text = ("信息来源:省政府办公厅\n成文日期：2017-05-02\n发文机关：福建省人民政府办公厅\n"
            "福建省人民政府办公厅关于印发福建省2017年政务公开工作要点的通知\n(闽政办〔2017〕45号)\n"
            "各市、县（区）人民政府，省人民政府各部门：\n经省政府同意，现将《福建省2017年政务公开工作要点》印发给你们，请认真贯彻执行。\n")
    fm, _ = ingest_one(tmp_path, "notice.txt", text)
    assert fm["title"] == "福建省人民政府办公厅关于印发福建省2017年政务公开工作要点的通知"
    assert (fm["doc_number"], fm["issuing_body"], fm["date"]) == ("闽政办〔2017〕45号", "福建省人民政府办公厅", "2017-05-02")
    assert (fm["doc_type"], fm["year"]) == ("work_points", 2017)


# -- titles ---------------------------------------------------------------------------------------------

def test_red_head_organ_line_and_docno_above_it(tmp_path):
    text = ("某旗政公字(2020)1号\n某旗政务公开工作领导小组\n关于印发2020年政务公开工作要点的通知\n各苏木乡镇人民政府：\n"
            "经旗政务公开工作领导小组同意，现将《某旗2020年政务公开工作要点》印发给你们，请结合实际，认真贯彻落实。\n"
            "2020年7月7日\n")
    fm, _ = ingest_one(tmp_path, "redhead.txt", text)
    assert fm["title"] == "某旗政务公开工作领导小组关于印发2020年政务公开工作要点的通知"
    assert fm["doc_number"] == "某旗政公字(2020)1号"  # as written
    assert fm["issuing_body"] == "某旗政务公开工作领导小组"
    assert fm["date"] is None  # the signing date is not the publish date
    assert any("2020-07-07" in w for w in fm["warnings"])


@pytest.mark.parametrize("text,title", [
    ("根据《条例》，现公布东山县人民政府2018年政府信息公开工作年度报告。", "东山县人民政府2018年政府信息公开工作年度报告"),
    ("特向社会公布2021年本机关政府信息公开年度报告。本报告中所列数据的统计期限自…", None),  # 本机关 names nobody
    ("为更好地提供服务，本机关编制了《某街道办事处信息公开指南》(以下简称《指南》)。", "某街道办事处信息公开指南"),
    ("制定《政务信息公开工作年度方案》，加强组织领导。", None),  # a document it made, not itself
])
def test_the_name_a_text_gives_itself(text, title):
    assert prose_title([text]) == title


def test_attachment_heading_after_the_notice_is_the_title():
    lines = ["各镇、街，区直各单位：",
             "为贯彻落实有关要求，进一步加强全区政务公开工作，现将《2021年全区政务公开工作主要任务分解表》印发给你们，请认真组织实施。",
             "附件:2021年政务公开工作主要任务分解表", "某区人民政府办公室", "2021年6月29日",
             "2021年政务公开工作主要任务分解表", "工作任务 |", "责任单位 |"]
    h = analyse_header(lines, [])
    assert h.title == "2021年政务公开工作主要任务分解表"
    assert h.body_start == 0  # the notice before the heading stays the document's text


def test_no_title_is_none_not_a_made_up_one(tmp_path):
    text = ("一、总体情况\n2020年，东山县生态环境局认真贯彻落实《中华人民共和国政府信息公开条例》，不断完善政府信息公开制度。\n"
            "二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n")
    fm, _ = ingest_one(tmp_path, "untitled.txt", text)
    assert fm["title"] is None
    assert any(w.startswith("title:") for w in fm["warnings"])
    assert (fm["doc_type"], fm["issuing_body"], fm["year"]) == ("annual_report", "东山县生态环境局", 2020)
    # the site names it by who, when and what, and says the original has no title
    run_cli("build", "--root", tmp_path, "--no-search")
    (page,) = [p for p in (tmp_path / "public" / "docs").glob("*/index.html")]
    assert "<h1>东山县生态环境局2020年年度报告（原文无标题）" in page.read_text(encoding="utf-8")
    # open data says what the text says: no title
    (record,) = json.loads((tmp_path / "public" / "data" / "documents.json").read_text(encoding="utf-8"))
    assert record["title"] is None and record["issuing_body"] == "东山县生态环境局"


def test_spaces_inside_a_title_are_layout():
    h = analyse_header(["东山县人民政府2019年 政府信息公开工作年度报告", "一、总体情况"], [])
    assert h.title == "东山县人民政府2019年政府信息公开工作年度报告"


# -- issuing body ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("place,org", [
    ("正阳镇", "正阳镇人民政府"), ("天长市永丰镇", "永丰镇人民政府"), ("科苑街道", "科苑街道办事处"),
    ("东山县", "东山县人民政府"), ("东山县公安局", None),
])
def test_a_field_naming_a_place_means_its_government(place, org):
    assert government_of(place) == org


def test_issuer_completed_from_the_title_and_never_a_bare_place(tmp_path):
    text = ("标 题 | 西藏自治区2014年政府信息公开工作年度报告 | ||\n"
            "发布机构 | 自治区人民政府办公厅 | 发布日期 | 2015-03-30 17:35:00 |\n"
            "本报告根据《中华人民共和国政府信息公开条例》编制。报告中所列数据的统计期限为2014年1月1日至2014年12月31日。\n")
    fm, _ = ingest_one(tmp_path, "xz.txt", text)
    assert (fm["issuing_body"], fm["date"], fm["year"]) == ("西藏自治区人民政府办公厅", "2015-03-30", 2014)
    text = ("河北省2020年政府信息公开工作年度报告\n2021-03-2918:26\n来源:\n"
            "本报告依据《中华人民共和国政府信息公开条例》要求，在各市、省政府各部门年度报告基础上编制。\n")
    fm, _ = ingest_one(tmp_path, "hb.txt", text)
    assert (fm["issuing_body"], fm["date"]) == (None, "2021-03-29")


# -- type and year --------------------------------------------------------------------------------------

@pytest.mark.parametrize("title,kind", [
    ("某县2018年政务公开工作要点实施方案", "work_plan"),
    ("2021年政务公开工作主要任务分解表", "work_points"),
    ("某区关于印发《2023年全区政务公开工作要点》的通知", "work_points"),
    ("关于转发《某市2019年政务公开工作实施方案》的通知", "work_plan"),
    ("某县2018年政务公开工作要点落实情况报告", "implementation_report"),
    ("【文稿解读】某街道办事处2020年政府信息公开工作年度报告", "other"),
    ("关于做好2019年度政府信息公开工作年度报告编制工作的通知", "other"),
    ("某局2020年政府信息公开工作年度报告", "annual_report"),
])
def test_type_by_the_titles_head_noun(title, kind):
    assert classify(title, "") == kind


def test_an_annual_report_is_recognised_by_its_body():
    body = ("特向社会公布2021年本机关政府信息公开年度报告。本报告中所列数据的统计期限自2021年1月1日起至2021年12月31日止。\n"
            "一、总体情况\n")
    assert classify(None, body) == "annual_report"
    task_table = "工作任务 |\n具体要求 |\n责任科室 |\n时限要求 |\n强化规范性文件公开 |"
    assert classify(None, task_table) == "work_points"
    assert classify(None, "感谢您一直以来对我市政府信息公开工作的关心。") == "other"


def test_covered_year_from_the_text_and_none_for_guides():
    assert covered_year(None, "2020年，本局认真贯彻…2020年度未收到申请。引用《2019年要点》。", "annual_report", None)[0] == 2020
    assert covered_year("某街道办事处信息公开指南", "2022年更新", "other", None) == (None, None)
    assert covered_year(None, "本报告统计期限为2014年1月1日至12月31日。", "annual_report", dt.date(2015, 3, 30))[0] == 2014


# -- big files ------------------------------------------------------------------------------------------

def test_max_size_is_an_option_with_a_clear_refusal(tmp_path):
    raw = tmp_path / "big.txt"
    raw.write_text("东山县2020年政府信息公开工作年度报告\n" + "一、总体情况\n" + "本县主动公开政府信息。\n" * 60000,
                   encoding="utf-8")  # about 2 MB
    refused = run_cli("ingest", raw, "--out", tmp_path / "c1", "--max-size", "1M", check=False)
    assert refused.returncode == 1
    size = raw.stat().st_size / 1024 ** 2
    assert f"{raw}: file too large: {size:.1f} MB (limit 1.0 MB; raise it with --max-size)" in refused.stderr
    assert not list((tmp_path / "c1").glob("*.md"))
    run_cli("ingest", raw, "--out", tmp_path / "c2", "--max-size", "3MB")
    assert len(list((tmp_path / "c2").glob("*.md"))) == 1
    bad = run_cli("ingest", raw, "--out", tmp_path / "c3", "--max-size", "lots", check=False)
    assert bad.returncode == 2 and "not a size: 'lots'" in bad.stderr


def test_a_content_file_too_big_for_the_build_is_flagged_at_ingest(tmp_path):
    raw = tmp_path / "raw" / "huge.txt"
    raw.parent.mkdir()
    raw.write_text("东山县2020年政府信息公开工作年度报告\n一、总体情况\n" + "本县主动公开政府信息。\n" * 260000,
                   encoding="utf-8")  # about 8.7 MB: under --max-size, over the build's 8 MB per content file
    fm, _ = ingest_one(tmp_path, "huge.txt", raw.read_text(encoding="utf-8"))
    assert any(w.startswith("size: the content file is 8.") and "refuses content files over 8.0 MB" in w
               for w in fm["warnings"])
    result = run_cli("build", "--root", tmp_path, "--no-search", check=False)
    assert result.returncode == 1 and "file is larger than 8 MB; refused" in result.stderr
