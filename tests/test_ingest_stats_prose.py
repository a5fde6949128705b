"""Headline figures from prose when there is no table: the whole body's figure for the year, never a part;
0 where the text says none; approximate figures flagged. Made-up fixtures (tests/fixtures/stats_prose/) and
the real devset documents whose figures are prose only (tests/fixtures/devset, truth.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from site_builder.ingest.clean import text_to_lines
from site_builder.ingest.tables import extract_tables

FIXTURES = Path(__file__).parent / "fixtures" / "stats_prose"
DEVSET = Path(__file__).parent / "fixtures" / "devset"


def stats_of(name: str, year: int):
    return extract_tables((FIXTURES / name).read_text(encoding="utf-8").split("\n"), year)


def test_the_total_not_its_parts_nor_other_years_nor_cumulative():
    r = stats_of("county_breakdown_2019.txt", 2019)
    assert r.stats["proactive_total"] == 5210 and r.approx == []
    # 其中 … per channel, a sub-unit (县直各单位), 累计, another year: none competes with the total
    assert not any(v in w for w in r.warnings for v in ("3100", "1400", "303", "48000", "4700"))


def test_a_part_alone_is_not_the_total():
    for line in ("县直各单位主动公开政府信息303条。", "其中通过网站公开政府信息200条。",
                 "通过不同渠道和方式公开政府信息数1043条。", "截至2019年底,累计主动公开政府信息64627条。",
                 "重点领域主动公开信息381条。", "予以公开信息12条。"):
        assert extract_tables([line], 2019).stats["proactive_total"] is None, line


def test_the_whole_area_is_not_a_part():
    r = extract_tables(["2019年,全县各乡镇、各部门共主动公开政府信息5000条。"], 2019)
    assert r.stats["proactive_total"] == 5000
    assert extract_tables(["2019年,各乡镇、各部门共主动公开政府信息5000条。"], 2019).stats["proactive_total"] is None


def test_one_channel_figure_only_when_it_is_the_only_one():
    r = stats_of("township_one_channel_2020.txt", 2020)
    assert r.stats["proactive_total"] == 7
    assert any("仅此一处" in w for w in r.warnings)
    r = stats_of("channels_only_2021.txt", 2021)   # 120 on the website, 80 on WeChat: no total stated
    assert r.stats["proactive_total"] is None
    assert any("per-channel figures only" in w for w in r.warnings)


def test_approximate_figures_are_flagged():
    r = stats_of("approximate_2018.txt", 2018)
    assert r.stats["proactive_total"] == 12000 and r.approx == ["proactive_total"]
    assert any("约数" in w for w in r.warnings)
    for line, value in (("全年主动公开政府信息近2000条。", 2000), ("全年主动公开政府信息超过500条。", 500),
                        ("全年主动公开政府信息1600余条。", 1600)):
        r = extract_tables([line], 2019)
        assert (r.stats["proactive_total"], r.approx) == (value, ["proactive_total"]), line
    exact = extract_tables(["全年主动公开政府信息1600条。"], 2019)
    assert exact.approx == []


def test_applications_received_from_prose():
    r = stats_of("county_breakdown_2019.txt", 2019)
    assert r.stats["applications_received_new"] == 12           # not the township's 5, not 办理 14
    assert stats_of("township_one_channel_2020.txt", 2020).stats["applications_received_new"] == 0
    assert stats_of("channels_only_2021.txt", 2021).stats["applications_received_new"] is None   # 3 vs 5
    assert any("disagree" in w for w in stats_of("channels_only_2021.txt", 2021).warnings)
    assert stats_of("approximate_2018.txt", 2018).stats["applications_received_new"] is None  # a review request
    assert extract_tables(["2018年未收到政府信息公开申请。"], 2019).stats["applications_received_new"] is None
    assert extract_tables(["共办理依申请公开案件10件。"], 2019).stats["applications_received_new"] is None
    r = extract_tables(["本年度新收政府信息公开申请3件,比上年增加1件。"], 2019)
    assert r.stats["applications_received_new"] == 3


def test_review_and_litigation_from_prose():
    r = stats_of("township_one_channel_2020.txt", 2020)
    assert (r.stats["review_total"], r.stats["litigation_total"]) == (0, 0)
    r = stats_of("county_breakdown_2019.txt", 2019)
    # 未发生…行政复议 names 政府信息公开; the 行政诉讼1件 clause does not: not taken
    assert (r.stats["review_total"], r.stats["litigation_total"]) == (0, None)
    r = stats_of("approximate_2018.txt", 2018)     # 未收到行政复议申请: not said to concern disclosure
    assert r.stats["review_total"] is None
    r = extract_tables(["本机关全年未收到行政复议、行政诉讼案件。"], 2020)
    assert r.stats["review_total"] is None and r.stats["litigation_total"] is None
    r = extract_tables(["因政府信息公开被申请行政复议2件。"], 2020)
    assert r.stats["review_total"] == 2


def test_a_table_figure_wins_over_prose():
    lines = ["四、政府信息公开行政复议、行政诉讼情况", "本机关全年未发生因政府信息公开引起的行政复议、行政诉讼案件。",
             "行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计",
             "未经复议直接起诉", "复议后起诉", *(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2),
             "1", "0", "0", "0", "1", *["0"] * 10]
    r = extract_tables(lines, 2020)
    assert r.tables["t4_review_litigation"]["status"] == "ok"
    assert (r.stats["review_total"], r.stats["litigation_total"]) == (1, 0)


DEV = {d["file"]: d for d in json.loads((DEVSET / "truth.json").read_text(encoding="utf-8"))["documents"]}
PROSE_ONLY = ("dev02", "dev04", "dev06", "dev07", "dev08", "dev11")


@pytest.mark.parametrize("prefix", PROSE_ONLY)
def test_devset_prose_figures(prefix):
    name = next(n for n in DEV if n.startswith(prefix))
    truth = DEV[name]
    lines = text_to_lines((DEVSET / name).read_text(encoding="utf-8"))
    r = extract_tables(lines, truth["year"])
    assert r.stats == truth["stats"]
    assert r.approx == []
