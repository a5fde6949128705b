"""Unit rules of ingest: decoding, normalisation, furniture, headings, repairs, doc types, the division table."""

from __future__ import annotations

import codecs

import pytest

from site_builder.ingest.clean import html_to_lines, is_furniture, normalise_line, remove_furniture, text_to_lines
from site_builder.ingest.decode import DecodeError, decode_bytes
from site_builder.ingest.doctype import classify
from site_builder.ingest.fields import parse_date
from site_builder.ingest.header import analyse_header
from site_builder.ingest.labels import parse_labelled
from site_builder.ingest.regions import Evidence, resolve
from site_builder.ingest.repairs import repair_line, repair_signature_date
from site_builder.ingest.structure import build_body, heading_level
from site_builder.regions import table

# -- decoding -----------------------------------------------------------------------------------------


def test_decode_utf8_with_and_without_bom():
    text = "潜山市2019年政府信息公开年度报告"
    assert decode_bytes(text.encode("utf-8"))[0] == text
    assert decode_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))[0] == text


def test_decode_gbk_and_gb18030():
    text = "赣州市人民政府办公厅关于印发赣州市2018年政务公开工作实施方案的通知"
    assert decode_bytes(text.encode("gbk"))[0] == text
    assert decode_bytes(text.encode("gb18030"))[0] == text


def test_decode_html_charset_declaration():
    html = '<html><head><meta charset="gb2312"><title>t</title></head><body><p>德宏州人民政府办公室</p></body></html>'
    text, enc = decode_bytes(html.encode("gbk"), is_html=True)
    assert "德宏州人民政府办公室" in text
    assert enc == "gb18030"


def test_decode_utf16_bom():
    text = "新县人民政府"
    assert decode_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))[0] == text


@pytest.mark.parametrize("data,msg", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
])
def test_decode_rejects_unreadable(data, msg):
    with pytest.raises(DecodeError) as e:
        decode_bytes(data)
    assert msg in str(e.value)
    assert "\n" not in str(e.value)


def test_fullwidth_digits_letters_and_odd_spaces_normalised_chinese_punctuation_kept():
    line = "\u3000\u3000２０１９年ＡＢ岗制度、。“”《》〔〕\u00a0共\u2003计３６６２９条"
    assert normalise_line(line) == "2019年AB岗制度、。“”《》〔〕共计36629条"


def test_spaces_between_digits_and_chinese_are_kept():
    assert normalise_line("个体工商户 352户") == "个体工商户 352户"


# -- furniture ----------------------------------------------------------------------------------------

FURNITURE = [
    "信息公开 > 潜山市人民政府(办公室)",
    "您所在的位置: 首页 >> 领导之窗 >> 工作报告",
    "当前位置：首页 > 政务公开",
    "• 设为首页",
    "• 加入收藏",
    "|",
    "浏览次数:30481",
    "点击:",
    "【字体: 大 中 小】",
    "字号:       打印本页",
    "打印本页 关闭窗口",
    "扫一扫在手机打开当前页",
    "版权所有:潜山市人民政府承办:潜山市政务公开办公室",
    "技术支持:龙讯科技|皖ICP备14020881号-1",
    "网站标识码:3408820001",
    "读取内容中,请等待...",
    "关闭窗口",
    "上一篇:桃江县2019年政府信息公开工作年度报告",
    "下一篇:关于开展检查的通知",
    "站长统计",
    "Produced By CMS 网站群内容管理系统 publishdate:2021/03/02 22:14:01",
    "返回赣州市政府首页 >>",
]


@pytest.mark.parametrize("line", FURNITURE)
def test_furniture_lines(line):
    assert is_furniture(line)


SENTENCES = [
    "一、总体情况",
    "特此报告。",
    "2019年12月13日",
    "(联系人及电话:范雯 0692—2131522)",
    "-",
    "/",
    "+16",
    "0",
    "本年增/减",
    "三、收到和处理政府信息公开申请情况",
    "对上“照单全收、照单全改”。对安庆市下发的问题清单,第一时间制定整改方案,集中力量销号。",
    "政务信息公开工作存在三点问题:一是重点领域政府信息公开有待加强。",
    "省政府办公厅:",
]


@pytest.mark.parametrize("line", SENTENCES)
def test_document_lines_are_not_furniture(line):
    assert not is_furniture(line)


def test_html_drops_nav_scripts_styles_and_keeps_article():
    html = """<html><head><title>X</title><style>p{color:red}</style><script>var a="脚本内容";</script></head>
    <body><div id="nav"><ul><li><a>首页</a></li><li><a>政务公开</a></li><li><a>新闻中心</a></li></ul></div>
    <nav><a>菜单一</a></nav><div class="content"><h1>某县2019年政府信息公开工作年度报告</h1>
    <p>第一段正文内容。</p><p>第二段<br>换行内容。</p></div><div class="footer">版权所有:某县人民政府</div>
    <noscript>请启用脚本</noscript></body></html>"""
    lines, meta = html_to_lines(html)
    text = "\n".join(lines)
    assert "第一段正文内容。" in text and "换行内容。" in text
    for gone in ("脚本内容", "color:red", "新闻中心", "菜单一", "请启用脚本", "版权所有"):
        assert gone not in text
    assert meta.h1 == "某县2019年政府信息公开工作年度报告"
    assert any("版权所有" in x for x in meta.extra["chrome"])  # kept as region evidence only


def test_html_table_becomes_markdown_table():
    html = """<body><table><tr><td rowspan="2">信息内容</td><td colspan="2">数量</td></tr>
    <tr><td>本年</td><td>累计</td></tr><tr><td>规章</td><td>1</td><td>5</td></tr></table></body>"""
    lines, _ = html_to_lines(html)
    md = [x for x in lines if x.startswith("|")]
    assert md[0] == "| 信息内容 | 数量 | |"
    assert md[1] == "|---|---|---|"
    assert md[-1] == "| 规章 | 1 | 5 |"


def test_remove_furniture_keeps_order_and_text():
    lines = text_to_lines("扫一扫在手机打开当前页\n正文第一句。\n\n版权所有:某市人民政府\n")
    kept, removed = remove_furniture(lines)
    assert kept == ["正文第一句。"]
    assert len(removed) == 2


# -- header fields ------------------------------------------------------------------------------------

def test_labelled_fields_glued_together():
    parsed = parse_labelled("发布时间:2020-01-31 12:14信息来源:潜山市人民政府(办公室) 作者:黄佑德 浏览次数: 【字体:")
    d = {k: v for k, _, v in parsed}
    assert d["publish"] == "2020-01-31 12:14"
    assert d["source"] == "潜山市人民政府(办公室)"


def test_pipe_labelled_fields():
    parsed = parse_labelled("| 发布机构 | 市政府办 | 发布日期 | 2018-02-28 |")
    assert ("publisher", "发布机构", "市政府办") in parsed


def test_sentence_is_not_a_labelled_field():
    assert parse_labelled("按照省政府工作部署和要求,沈抚新区党工委、管委会领导高度重视。") is None


def test_wrapped_red_head_title_is_joined():
    """The 红头 organ line and the wrapped `关于…` lines under it are one title (the notice's own full title)..."""
    lines = ["赣州市人民政府办公厅", "", "关于印发赣州市2018年政务公开工作", "", "实施方案的通知", "", "各县(市、区)人民政府:"]
    h = analyse_header(lines, [])
    assert h.title == "赣州市人民政府办公厅关于印发赣州市2018年政务公开工作实施方案的通知"


def test_page_title_wins_over_the_red_head():
    """...unless the page shows the `关于…` title on its own line as well: that is the title the page gives."""
    lines = ["关于印发赣州市2018年政务公开工作实施方案的通知", "发布日期:2018-06-22", "赣州市人民政府办公厅",
             "关于印发赣州市2018年政务公开工作", "实施方案的通知", "各县(市、区)人民政府:"]
    h = analyse_header(lines, [])
    assert h.title == "关于印发赣州市2018年政务公开工作实施方案的通知"
    assert h.body_start == 1 and 1 in h.meta_lines


@pytest.mark.parametrize("s,iso", [
    ("2019-03-07", "2019-03-07"), ("2019/12/16", "2019-12-16"), ("2019年03月18日", "2019-03-18"),
    ("二〇二〇年三月十日", "2020-03-10"), ("二О一О年二月一日", "2010-02-01"), ("二00八年九月七日", "2008-09-07"),
])
def test_parse_date(s, iso):
    assert parse_date(s).isoformat() == iso


@pytest.mark.parametrize("title,kind", [
    ("潜山市2019年政府信息公开年度报告(图文版)", "annual_report"),
    ("2018年政务公开工作年度报告", "annual_report"),
    ("沈抚新区2018年度政府信息公开工作报告", "annual_report"),
    ("关于做好2019年度政府信息公开工作年度报告及统计数据报送工作的通知", "other"),
    ("国务院办公厅关于印发2018年政务公开工作要点的通知", "work_points"),
    ("福建省2020年政务公开工作要点", "work_points"),
    ("关于印发赣州市2018年政务公开工作实施方案的通知", "work_plan"),
    ("德宏州人民政府办公室关于上报2019年政务公开工作要点落实情况的报告", "implementation_report"),
    ("某市2019年政务公开工作总结", "implementation_report"),
    ("某县政府信息公开指南", "other"),
    ("云南省贯彻落实国务院办公厅2019年政务公开工作要点分工方案", "work_points"),
    ("关于印发新县2018年政务公开重点工作责任分工方案的通知", "work_plan"),
    ("某市政府网站工作年度报表(2019年度)", "other"),
])
def test_doc_type(title, kind):
    assert classify(title, "") == kind


# -- headings -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("line,level", [
    ("一、总体情况", 2),
    ("一、 总体公开情况", 2),
    ("(一)推进工作“规范化”", 3),
    ("（一）主动公开", 3),
    ("1.完善解读机制", 4),
    ("1、加强组织领导", 4),
])
def test_headings(line, level):
    assert heading_level(line)[0] == level


@pytest.mark.parametrize("line", [
    "一是建立“一体化”的工作队伍。按照“1+1”模式组建工作专班。",
    "1. 健全解读机制。制定下发《德宏州人民政府办公室关于印发德宏州行政机关政策文件解读工作实施办法的通知》。",
    "(一)健全工作机制。深入贯彻落实《政府信息公开条例》,全面把握中央及省、安庆市政务公开工作部署要求。",
    "本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况等6个部分组成。",
    "2019",
    "0",
])
def test_not_headings(line):
    assert heading_level(line) is None


def test_body_paragraph_joining_and_headings():
    lines = ["一、总体情况", "", "各地各部门要落实政策解读与政策文件同步组织、同步审签,", "确保解读材料与文件同步发布。", "",
             "一是加强解读。二是扩大参与。", "", "(一)主动公开", "", "短行", "另一短行"]
    md = build_body(lines)
    assert md.endswith("\n")
    assert md.strip().split("\n\n") == [
        "## 一、总体情况",
        "各地各部门要落实政策解读与政策文件同步组织、同步审签,确保解读材料与文件同步发布。",
        "一是加强解读。二是扩大参与。",
        "### (一)主动公开",
        "短行",
        "另一短行",
    ]


def test_table_blocks_replace_lines():
    lines = ["二、主动公开政府信息情况", "", "信息内容", "规章", "0", "", "三、收到和处理"]
    md = build_body(lines, [(2, 5, "| 信息内容 | 数 |\n|---|---|\n| 规章 | 0 |")])
    assert "| 规章 | 0 |" in md and "\n\n规章" not in md
    assert md.startswith("## 二、主动公开政府信息情况\n\n| 信息内容")


# -- repairs ------------------------------------------------------------------------------------------

def test_repair_statistics_period_and_docno():
    line = "(国办公开办函〔201960号)…统计期限为201911日至1231日。"
    new, recs = repair_line(line, {2019, 2020}, "body", "line 7")
    assert new == "(国办公开办函〔2019〕60号)…统计期限为2019年1月1日至12月31日。"
    assert [(r["before"], r["after"]) for r in recs] == [
        ("〔201960号", "〔2019〕60号"), ("201911日", "2019年1月1日"), ("1231日", "12月31日")]
    assert all(r["where"] == "line 7" and r["rule"] for r in recs)


def test_repair_docno_at_line_end():
    new, recs = repair_line("赣市府办字〔201888", {2018}, "doc_number", "")
    assert new == "赣市府办字〔2018〕88号"


def test_intact_docno_untouched():
    line = "(赣市府办发〔2018〕9号)"
    assert repair_line(line, {2018}, "body", "") == (line, [])


def test_ambiguous_date_left_alone():
    # 2024126日 could be 1月26日 or 12月6日
    line = "2024126日印"
    assert repair_line(line, {2024}, "body", "") == (line, [])


def test_date_far_from_document_year_left_alone():
    assert repair_line("2010710日前完成", {2018}, "body", "")[1] == []


def test_signature_date_repair():
    assert repair_signature_date("2018622", {2018}, "")[0] == "2018年6月22日"
    assert repair_signature_date("2018622", {2015}, "")[1] == []
    assert repair_signature_date("36629", {2019}, "")[1] == []


# -- divisions ----------------------------------------------------------------------------------------

def test_division_table_api():
    t = table()
    assert t.get("340882").name == "潜山市"
    assert [d.name for d in t.chain("340882")] == ["安徽省", "安庆市", "潜山市"]
    assert [d.name for d in t.chain("110101")] == ["北京市", "东城区"]
    assert t.region_fields("110101") == {"code": "110101", "province": "北京市", "city": None, "county": "东城区"}
    assert t.region_fields("411523") == {"code": "411523", "province": "河南省", "city": "信阳市", "county": "新县"}
    assert [d.code for d in t.find("德宏州")] == ["533100"]
    assert "340882" in [d.code for d in t.find("潜山县")]
    assert {d.code for d in t.find("朝阳区")} == {"110105", "220104"}
    assert any(d.code == "340882" for d in t.children("340800"))


def _resolve(*texts):
    return resolve([Evidence("title", x, 6) for x in texts], "", None)


def test_region_xinxian_is_not_stripped():
    res = _resolve("新县人民政府")
    assert res.region["county"] == "新县" and res.region["city"] == "信阳市"


def test_region_ambiguous_district_is_null_with_warning():
    res = _resolve("朝阳区2019年政府信息公开工作年度报告")
    assert res.region is None
    assert any("朝阳区" in w for w in res.warnings)


def test_region_ambiguity_settled_by_city_context():
    res = _resolve("朝阳区2019年政府信息公开工作年度报告", "长春市朝阳区人民政府")
    assert res.region["code"] == "220104" and res.region["city"] == "长春市"


def test_region_special_zone():
    res = _resolve("沈抚新区2018年度政府信息公开工作报告")
    assert res.region == {"code": "210000", "province": "辽宁省", "city": "沈抚新区", "county": None}
    assert res.warnings
    res = _resolve("平潭综合实验区2019年政府信息公开工作年度报告")
    assert res.region == {"code": "350000", "province": "福建省", "city": "平潭综合实验区", "county": None}


def test_region_docno_prefix_and_icp():
    res = resolve([Evidence("docno", "赣市府办字〔2018〕88号", 2)], "", None)
    assert res.region["code"] == "360700"
    res = resolve([Evidence("icp", "皖ICP备14020881号-1", 1)], "", None)
    assert res.region["code"] == "340000"


def test_region_word_inside_other_word_is_not_a_place():
    res = _resolve("关于推进创新县域经济工作的通知")
    assert res.region is None
