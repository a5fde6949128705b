"""Regions below the county (乡/镇/街道), county departments, zones, and no wrong region (issue 15).

Unit tests call resolve() on made-up evidence; the CLI tests ingest small made-up raw files from
tests/fixtures/ingest/towns/ with the real `site-builder ingest` and read the front matter it writes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from site_builder.ingest.regions import (W_ISSUER, W_SITE, W_TITLE, Evidence, resolve, scanner)
from site_builder.regions import table, towns

TOWNS = Path(__file__).parent / "fixtures" / "ingest" / "towns"

TIANXIN = {"code": "430103", "province": "湖南省", "city": "长沙市", "county": "天心区"}
SUIXI = {"code": "440823", "province": "广东省", "city": "湛江市", "county": "遂溪县"}


def region_of(title: str, issuer: str | None = None, site: tuple[str, ...] = (), body: str = ""):
    ev = [Evidence("title", title, W_TITLE)]
    if issuer:
        ev.append(Evidence("issuing_body", issuer, W_ISSUER))
    ev += [Evidence("site", line, W_SITE) for line in site]
    return resolve(ev, body, issuer)


# -- the town table ---------------------------------------------------------------------------------------

def test_town_table_maps_names_to_counties():
    t = towns()
    assert t.counties("桂花坪街道") == ["430103"]
    assert t.counties("建新镇") == ["350104", "440823"]  # 福州 仓山区 and 遂溪县
    assert len(t.counties("城关镇")) > 50
    assert t.counties("鸭蛋湾镇") == []
    # every county code is a division of the table: a town never points nowhere
    assert all(table().get(c) is not None for name in t.names()[:5000] for c in t.counties(name))


def test_town_names_match_only_whole_and_with_their_suffix():
    sc = scanner()
    names = lambda text, strict=False: [n for n, _ in sc.scan(text, strict)]  # noqa: E731
    assert names("镇宁自治县白马湖街道犀牛路3号") == ["镇宁自治县", "白马湖街道"]
    assert names("桂花坪街道办事处") == ["桂花坪街道"]
    assert names("推进乡镇预算、城镇建设和美丽乡村") == []   # words, not towns
    assert names("老桂花坪街道") == []                        # the tail of a longer name
    assert names("桂花坪工作") == []                          # no suffix, no town
    # in the body a town counts as an organ or right after its county
    assert names("本街道与桂花坪街道合作", strict=True) == []
    assert names("2020年桂花坪街道办未收到申请", strict=True) == ["桂花坪街道"]


# -- resolve() ----------------------------------------------------------------------------------------------

def test_street_office_alone_and_with_its_county():
    assert region_of("桂花坪街道办事处2019年政府信息公开工作年度报告").region == TIANXIN
    res = region_of("长沙市天心区桂花坪街道办事处2019年政府信息公开工作年度报告", "桂花坪街道办事处")
    assert res.region == TIANXIN and res.warnings == []


def test_town_named_in_two_counties_needs_its_county():
    res = region_of("建新镇2020年政务公开工作要点", "建新镇人民政府")
    assert res.region is None
    assert any("ambiguous" in w and "遂溪县" in w and "仓山区" in w for w in res.warnings)
    assert region_of("遂溪县建新镇2020年政务公开工作要点", "建新镇人民政府").region == SUIXI
    # the body's own organ name decides when the header cannot
    res = region_of("建新镇2020年政务公开工作要点", "建新镇人民政府", body="遂溪县建新镇人民政府结合本镇实际制定本要点。")
    assert res.region == SUIXI
    assert any("body" in w for w in res.warnings)


def test_ambiguous_town_stays_unresolved_with_a_warning():
    res = region_of("三合乡人民政府2021年度政务公开工作实施方案", "三合乡人民政府",
                    body="根据上级要求,结合我乡实际,特制订本方案。")
    assert res.region is None and res.needs_review
    assert any("ambiguous" in w and "洮北区" in w and "静宁县" in w for w in res.warnings)


def test_the_kind_of_county_the_text_names_decides_between_towns():
    # 三合乡 is in 洮北区 (a 区) and in 静宁县 (a 县): 省、市、区 / 县委县政府 tell which
    title, issuer = "三合乡人民政府2021年度政务公开工作实施方案", "三合乡人民政府"
    res = region_of(title, issuer, body="根据省、市、区要求,结合我乡实际,特制订本方案。")
    assert res.region == {"code": "220802", "province": "吉林省", "city": "白城市", "county": "洮北区"}
    assert any("please check" in w for w in res.warnings)
    res = region_of(title, issuer, body="在县委县政府的领导下,结合我乡实际,特制订本方案。")
    assert res.region["county"] == "静宁县"
    # both kinds named, or 自治区党委 (not a county): nothing decided
    assert region_of(title, issuer, body="按照县委县政府和省、市、区要求。").region is None
    assert region_of(title, issuer, body="自治区党委、区政府要求。").region is None


def test_unknown_town_is_not_national():
    res = region_of("鸭蛋湾镇2020年政府信息公开工作年度报告", "鸭蛋湾镇人民政府")
    assert res.region is None and res.needs_review
    assert any("鸭蛋湾镇" in w for w in res.warnings)


def test_county_departments_go_to_their_county():
    assert region_of("遂溪县公安局2021年政府信息公开工作年度报告", "遂溪县公安局").region == SUIXI
    # no title or issuer: the body names the department
    res = region_of("一、总体情况", body="2020年,抚远市生态环境局认真贯彻落实《条例》,公开信息131条。")
    assert res.region == {"code": "230883", "province": "黑龙江省", "city": "佳木斯市", "county": "抚远市"}
    # a city's department stays at the city
    res = region_of("汕尾市公安局2021年政府信息公开工作年度报告", "汕尾市公安局")
    assert res.region == {"code": "441500", "province": "广东省", "city": "汕尾市", "county": None}


def test_a_named_county_beats_the_town_tables_county():
    # the table (2023) puts 桂花坪街道 in 天心区; a text that names another county is that county's
    res = region_of("遂溪县桂花坪街道办事处2019年政府信息公开工作年度报告")
    assert res.region == SUIXI
    assert any("桂花坪街道" in w for w in res.warnings)


def test_a_national_prefix_does_not_hide_the_named_county():
    res = region_of("国家税务总局遂溪县税务局2020年政府信息公开工作年度报告", "国家税务总局遂溪县税务局")
    assert res.region == SUIXI


def test_autonomous_county_short_form():
    res = region_of("镇宁自治县政府2019年信息公开工作年度报告", "镇宁自治县人民政府")
    assert res.region == {"code": "520423", "province": "贵州省", "city": "安顺市", "county": "镇宁布依族苗族自治县"}


def test_a_zone_and_a_county_inside_it():
    zone = region_of("雄安新区2020年政务公开工作要点", "河北雄安新区管理委员会",
                     site=("雄县、容城县、安新县", "河北雄安新区"))
    assert zone.region == {"code": "130000", "province": "河北省", "city": "雄安新区", "county": None}
    assert any("special zone" in w for w in zone.warnings)
    county = region_of("雄县2020年政府信息公开工作年度报告", "雄县人民政府", site=("河北雄安新区",))
    assert county.region == {"code": "130638", "province": "河北省", "city": "保定市", "county": "雄县"}
    # a province's own document that merely names the zone in the footer stays the province's
    prov = region_of("河北省2020年政府信息公开工作年度报告", "河北省人民政府办公厅", site=("雄安新区",))
    assert prov.region == {"code": "130000", "province": "河北省", "city": None, "county": None}


def test_a_city_notice_to_its_districts_stays_the_citys():
    res = region_of("乌鲁木齐市2020年政务公开工作要点",
                    site=("乌鲁木齐市人民政府", "乌鲁木齐县、各区人民政府,头屯河区、新市区管委会,"))
    assert res.region == {"code": "650100", "province": "新疆维吾尔自治区", "city": "乌鲁木齐市", "county": None}


def test_body_refines_a_place_named_only_in_site_chrome():
    title, site = "主动公开事项目录", ("中国政府网湖北省政府武汉市政府",)
    res = region_of(title, site=site, body="来源:江岸区卫生健康局。江岸区卫生健康局负责本目录的编制。")
    assert res.region == {"code": "420102", "province": "湖北省", "city": "武汉市", "county": "江岸区"}
    assert any("body" in w for w in res.warnings)
    # a city's own text (全市) that names one district's organ stays the city's
    res = region_of(title, site=site, body="全市政务公开工作稳步推进,江岸区人民政府、江岸区人民政府办公室参与。")
    assert res.region == {"code": "420100", "province": "湖北省", "city": "武汉市", "county": None}


def test_national_body_has_no_region_and_no_warning():
    res = region_of("国务院办公厅2019年政府信息公开工作年度报告", "国务院办公厅",
                    body="国务院办公厅认真贯彻落实《条例》。")
    assert res.region is None and res.warnings == []


def test_a_county_text_names_itself_without_an_organ():
    # a one-line county plan: the county only as a bare name, the city as an organ; 全县 says which level
    body = ("绥棱县2018年政务公开工作要点实施方案为深入贯彻落实绥化市人民政府办公室的通知,助力全县营商环境优化,"
            "全力打造绥棱县目标提供有力支撑。")
    res = region_of("2018年政务公开工作要点实施方案", body=body)
    assert res.region == {"code": "231226", "province": "黑龙江省", "city": "绥化市", "county": "绥棱县"}
    # without 全县/本县 a bare county name in the body is not enough to leave the city
    res = region_of("2018年政务公开工作要点实施方案", body=body.replace("全县", "全市"))
    assert res.region["city"] == "绥化市" and res.region["county"] is None


# -- the CLI ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def town_docs(tmp_path_factory):
    out = tmp_path_factory.mktemp("towns") / "content"
    run_cli("ingest", TOWNS, "--out", out)
    docs = {}
    for p in out.glob("*.md"):
        fm = yaml.safe_load(p.read_text(encoding="utf-8").split("\n---\n", 1)[0][4:])
        docs[fm["source"]["file"]] = fm
    return docs


def test_cli_street_office_with_its_district(town_docs):
    assert town_docs["towns_guihuaping_report2019.txt"]["region"] == TIANXIN


def test_cli_town_decided_by_its_own_organ_in_the_body(town_docs):
    assert town_docs["towns_jianxin_points2020.txt"]["region"] == SUIXI


def test_cli_ambiguous_town_left_null_with_a_warning(town_docs):
    fm = town_docs["towns_sanhe_plan2021.txt"]
    assert fm["region"] is None
    assert any("ambiguous" in w and "洮北区" in w and "静宁县" in w for w in fm["warnings"])


def test_cli_county_department(town_docs):
    assert town_docs["towns_police_report2021.txt"]["region"] == SUIXI
