"""Lost line breaks: a document scraped as one long line gets its title, sections, table and signature back.

Unit tests of restore_line_breaks on made-up documents (tests/fixtures/ingest/oneline/), the rule that normal
documents — every seed and devset text but the two run-on ones — pass unchanged, and the real CLI on dev04 and
dev24 (tests/fixtures/devset/), whose text is one line.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import REPO, run_cli
from site_builder.ingest.clean import html_to_lines, text_to_lines
from site_builder.ingest.decode import decode_bytes
from site_builder.ingest.linebreaks import restore_line_breaks

FIXTURES = REPO / "tests" / "fixtures"
ONELINE = FIXTURES / "ingest" / "oneline"
DEVSET = FIXTURES / "devset"
RUN_ON = {"dev04_gansu_qingshui_report2019.txt", "dev24_heilongjiang_suileng_plan2018.txt"}


def lines_of(path: Path) -> list[str]:
    return text_to_lines(decode_bytes(path.read_bytes())[0])


def pieces(lines: list[str]) -> list[str]:
    return [line for line in restore_line_breaks(lines) if line.strip()]


# -- made-up documents ------------------------------------------------------------------------------------

def test_annual_report_on_one_line_gets_fields_title_sections_table_and_signature():
    assert pieces(lines_of(ONELINE / "annual_report_oneline.txt")) == [
        "发布时间:2020-01-20 10:30",
        "来源:青山县人民政府办公室",
        "青山县人民政府2019年政府信息公开工作年度报告",
        "一、总体情况",
        "2019年,青山县认真贯彻《中华人民共和国政府信息公开条例》,按照《国务院办公厅关于印发〈2019年政务公开工作要点〉"
        "的通知》(国办发〔2019〕14号)要求,全面推进政务公开。第一、二季度共召开专题会议4次,全年公开各类信息1.5万条。",
        "(一)主动公开。全年主动公开政府信息15230条,依据《条例》第二十条第(一)项公开规范性文件12件。",
        "(二)依申请公开。全年收到申请12件,全部按时答复。",
        "二、主动公开政府信息情况",
        "第二十条第(一)项信息内容本年新制作数量本年新公开数量对外公开总数量规章 0 0 0 规范性文件 12 12 40",
        "三、收到和处理政府信息公开申请情况",
        "全年收到申请12件,均已办结。",
        "四、政府信息公开行政复议、行政诉讼情况",
        "全年未发生行政复议和行政诉讼。",
        "五、存在的主要问题及改进情况",
        "一是公开内容不够全面;二是解读形式单一。2020年将着力改进。",
        "六、其他需要报告的事项",
        "无。",
        "青山县人民政府办公室",
        "2020年1月20日",
    ]


def test_plan_without_spaces_splits_at_markers_and_glued_headings():
    assert pieces(lines_of(ONELINE / "plan_nospace.txt")) == [
        "青山县2020年政务公开工作实施方案",
        "为深入贯彻落实《中华人民共和国政府信息公开条例》和《国务院办公厅关于印发2020年政务公开工作要点的通知》"
        "(国办发〔2020〕17号)精神,结合我县实际,制定本方案。",
        "一、指导思想",
        "以习近平新时代中国特色社会主义思想为指导,全面落实党中央、国务院关于政务公开的决策部署。",
        "二、工作任务",
        "(一)推进决策公开。",
        "1.严格落实《条例》第二十条第(一)项规定,第一、二季度前完成目录编制。",
        "2.全年公开信息不少于1.5万条,确保按时完成。",
        "(二)加强政策解读。",
        "1.对照〔2019〕1号文件要求,做好解读。",
        "2.丰富解读形式,提升解读质量。",
        "三、保障措施",
        "各单位要加强组织领导,明确责任分工。",
        "青山县人民政府办公室",
        "2020年3月1日",
    ]


def test_rows_of_a_flattened_table_are_not_sections():
    out = pieces(lines_of(ONELINE / "annual_report_tables_oneline.txt"))
    headings = [p for p in out if p[:2] in ("一、", "二、", "三、", "四、", "五、", "六、")]
    assert headings == ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                        "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
    # 表三 stays one piece: its rows 一、本年新收… （一）予以公开 1.属于国家秘密 四、结转下年度… are the table reader's
    table3 = out[out.index("三、收到和处理政府信息公开申请情况") + 1]
    assert table3.startswith("(本列数据的勾稽关系为") and table3.endswith("四、结转下年度继续办理 0 0 0 0 0 0 0")
    # 表二's sub-blocks start their own lines
    assert [p[:9] for p in out if p.startswith("第二十条")] == [f"第二十条第({n})项" for n in "一五六八九"]


@pytest.mark.parametrize("trap, bad_start", [
    ("第一、二季度", "二季度"), ("1.5万条", "5万条"), ("〔2019〕1号", "1号"), ("第二十条第(一)项", "(一)项"),
    ("《条例》", "《条例》"),
])
def test_no_cut_inside_a_sentence(trap, bad_start):
    out = pieces(lines_of(ONELINE / "plan_nospace.txt"))
    assert any(trap in p for p in out)
    assert not any(p.startswith(bad_start) for p in out)


def test_normal_multiline_document_is_unchanged():
    lines = lines_of(ONELINE / "normal_multiline.txt")
    # its long paragraph holds an inline 1./2./3. list and (一)/(二) after sentence ends: still one paragraph
    assert max(len(line) for line in lines) >= 200
    assert restore_line_breaks(lines) == lines


@pytest.mark.parametrize("path", sorted((FIXTURES / "seeds").glob("*.txt")) + sorted(DEVSET.glob("dev*.txt")),
                         ids=lambda p: p.name[:12])
def test_seed_and_devset_documents(path):
    lines = lines_of(path)
    if path.name in RUN_ON:
        assert restore_line_breaks(lines) != lines
    else:
        assert restore_line_breaks(lines) == lines


def test_sections_out_of_sequence_do_not_make_a_line_run_on():
    # an excerpt that starts mid-document: 三、 and (二) continue nothing seen, so nothing is cut
    body = "工作开展以来,各单位认真落实各项要求,取得了明显成效。" * 4
    line = body + "三、存在问题部分单位重视不够。" + body + "(二)整改措施。" + body
    lines = ["青山县政务公开工作情况", line, "以上情况特此报告。"]
    assert restore_line_breaks(lines) == lines


def test_other_lines_are_kept_and_pieces_are_separated_by_blank_lines():
    line = ("青山县2020年政务公开工作要点为做好全年工作,制定本要点。一、工作目标全面提升政务公开水平,"
            "推动各项工作落实落细,确保取得实效。" + "各单位要把政务公开摆上重要议事日程。" * 6 +
            "二、工作任务(一)加强政策解读。做好重要政策解读工作,丰富解读形式。")
    out = restore_line_breaks(["首页 > 政务公开", line, "打印本页"])
    assert out[:3] == ["首页 > 政务公开", "", "青山县2020年政务公开工作要点"]
    assert out[-2:] == ["", "打印本页"]
    assert "一、工作目标" in out and "二、工作任务" in out
    assert "(一)加强政策解读。做好重要政策解读工作,丰富解读形式。" in out   # no known heading: kept whole
    assert all(a.strip() or b.strip() for a, b in zip(out, out[1:]))   # never two blank lines in a row


def test_sole_line_notice_gets_title_and_signature_without_markers():
    line = ("青山县人民政府办公室关于做好2020年政务公开工作的通知各乡镇人民政府,县直各单位:为进一步做好政务公开工作,"
            + "请各单位按照要求认真组织实施,确保各项任务按时完成。" * 5 + "特此通知。青山县人民政府办公室2020年3月1日")
    assert pieces([line]) == [
        "青山县人民政府办公室关于做好2020年政务公开工作的通知",
        line[len("青山县人民政府办公室关于做好2020年政务公开工作的通知"):line.index("特此通知。") + 5],
        "青山县人民政府办公室",
        "2020年3月1日",
    ]


def test_rules_on_one_line_get_chapters_and_articles_but_not_cited_articles():
    line = ("青山县政府信息公开保密审查办法第一章总则第一条为了规范政府信息公开保密审查工作,根据《中华人民共和国政府信息公开"
            "条例》,制定本办法。第二条本办法适用于本县各行政机关及其工作人员,法律法规另有规定的除外。依据本办法第二条规定执行。"
            "第二章审查程序第三条各单位公开政府信息前,应当依照本办法进行审查,审查不清的报上级机关确定。"
            "第四条审查结果应当记录存档,并按照第三条规定报送县政务公开办公室备案,备案材料保存期限不少于五年。")
    assert pieces([line]) == [
        "青山县政府信息公开保密审查办法", "第一章总则",
        "第一条为了规范政府信息公开保密审查工作,根据《中华人民共和国政府信息公开条例》,制定本办法。",
        "第二条本办法适用于本县各行政机关及其工作人员,法律法规另有规定的除外。依据本办法第二条规定执行。",
        "第二章审查程序", "第三条各单位公开政府信息前,应当依照本办法进行审查,审查不清的报上级机关确定。",
        "第四条审查结果应当记录存档,并按照第三条规定报送县政务公开办公室备案,备案材料保存期限不少于五年。",
    ]
    assert len(line) >= 200


def test_no_title_cut_inside_a_cited_title_and_no_heading_cut_before_latin_words():
    line = ("根据《青山县2020年政务公开工作方案》为依据开展工作。一、工作目标 GDP 信息按季度公开,"
            + "各单位按照要求认真组织实施。" * 8 + "二、工作任务(一)完成 GDP 数据公开。(二)做好解读,每季度发布解读材料不少于一篇。")
    assert len(line) >= 200
    out = pieces([line])
    assert out[0] == "根据《青山县2020年政务公开工作方案》为依据开展工作。"
    assert out[1:3] == ["一、工作目标", "GDP 信息按季度公开," + "各单位按照要求认真组织实施。" * 8]
    assert "(一)完成 GDP 数据公开。" in out   # an unknown heading is not cut at a space before a Latin word


def test_markdown_table_row_of_a_page_is_never_split():
    row = "| 一、本年新收政府信息公开申请数量 | 10 | 1 | 0 | 0 | 0 | 1 | 12 |" * 4 + " 二、上年结转 (一)予以公开 |"
    assert restore_line_breaks([row]) == [row]


def test_long_paragraph_alone_without_title_or_markers_is_unchanged():
    line = "广大网民朋友:为推动政府信息公开工作,请您对以下四个方面进行评价:一是内容是否全面;二是形式是否便捷。" * 4
    assert restore_line_breaks([line]) == [line]


def test_html_page_whose_text_is_one_paragraph():
    text = (ONELINE / "plan_nospace.txt").read_text(encoding="utf-8")
    lines, _meta = html_to_lines(f"<html><head><title>t</title></head><body><p>{text}</p></body></html>")
    out = pieces(lines)
    assert out[0] == "青山县2020年政务公开工作实施方案"
    assert "三、保障措施" in out and out[-1] == "2020年3月1日"


# -- the real CLI on devset documents that are one line ---------------------------------------------------

@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> dict[str, tuple[dict, str]]:
    root = tmp_path_factory.mktemp("oneline")
    raw = root / "raw"
    raw.mkdir()
    for name in sorted(RUN_ON):
        shutil.copy(DEVSET / name, raw / name)
    for name in ("annual_report_oneline.txt", "annual_report_tables_oneline.txt"):
        shutil.copy(ONELINE / name, raw / name)
    run_cli("ingest", raw, "--out", root / "content")
    out = {}
    for md in (root / "content").glob("*.md"):
        fm_text, body = md.read_text(encoding="utf-8")[4:].split("\n---\n", 1)
        fm = yaml.safe_load(fm_text)
        out[fm["source"]["file"]] = (fm, body)
    return out


def blocks(body: str) -> list[str]:
    return [b.strip() for b in body.split("\n\n") if b.strip()]


def test_cli_dev04_annual_report_on_one_line(ingested):
    fm, body = ingested["dev04_gansu_qingshui_report2019.txt"]
    truth = {d["file"]: d for d in json.loads((DEVSET / "truth.json").read_text(encoding="utf-8"))["documents"]}
    assert fm["title"] == truth["dev04_gansu_qingshui_report2019.txt"]["title"]
    assert fm["doc_type"] == "annual_report"
    b = blocks(body)
    assert "## 一、总体情况" in b
    assert "### (一)主动公开政府信息情况。" in b
    # the statistics sentence is a paragraph of its own, no longer glued to the title and section 一
    stats = [x for x in b if "8769条" in x]
    assert len(stats) == 1 and stats[0].startswith("2019年,通过政府门户网站")
    assert any(x.startswith("(二)进一步完善政府信息管理制度。") for x in b)


def test_cli_dev24_plan_on_one_line_without_spaces(ingested):
    fm, body = ingested["dev24_heilongjiang_suileng_plan2018.txt"]
    assert fm["title"] == "绥棱县2018年政务公开工作要点实施方案"
    assert fm["doc_type"] == "work_plan"
    b = blocks(body)
    assert b[0].startswith("为深入贯彻落实") and b[0].endswith("制定本方案。")
    assert b[1:4] == ["## 一、工作目标", b[2], "## 二、工作任务"]
    assert b[2].startswith("紧紧围绕") and b[2].endswith("提供有力支撑。")
    assert b[4] == "### (一)围绕建设法治政府,全面推进政务公开。"
    assert b[5].startswith("1.把公开透明作为政府工作的基本要求")


def test_cli_made_up_annual_report_fields_and_signature(ingested):
    fm, body = ingested["annual_report_oneline.txt"]
    assert fm["title"] == "青山县人民政府2019年政府信息公开工作年度报告"
    assert fm["date"] == "2020-01-20"   # 发布时间 read from its own line
    b = blocks(body)
    for heading in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                    "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        assert f"## {heading}" in b
    # the flattened table starts after its section heading, not inside a paragraph
    after = b[b.index("## 二、主动公开政府信息情况") + 1]
    assert "第二十条" in after and "主动公开政府信息情况" not in after
    assert b[-2:] == ["青山县人民政府办公室", "2020年1月20日"]


def test_cli_one_line_report_with_all_three_tables(ingested):
    fm, body = ingested["annual_report_tables_oneline.txt"]
    assert fm["title"] == "白石镇人民政府2019年政府信息公开工作年度报告"
    assert fm["format"] == "2019"
    # the figures of 表三 and 表四, read from tables that were glued into the same line as the prose
    assert {k: fm["stats"][k] for k in ("applications_received_new", "applications_carried_over", "review_total",
                                        "litigation_total")} == {"applications_received_new": 12,
                                                                 "applications_carried_over": 0, "review_total": 0,
                                                                 "litigation_total": 0}
    assert {"t2_art20_1", "t3_applications", "t4_review_litigation"} <= set(fm["tables"])
    assert "## 四、政府信息公开行政复议、行政诉讼情况" in blocks(body)
