"""`site-builder ingest` end to end (the real CLI): fixtures, manifest and hand-edit protection, bad input,
file names, YAML form, determinism, and that every sentence of a document survives cleaning."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest
import yaml

from conftest import SEEDS, run_cli
from site_builder.content.markdown import plain_text

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
KEY_ORDER = ["title", "doc_type", "year", "date", "issuing_body", "region", "doc_number", "format", "stats", "tables",
             "source", "repairs", "warnings"]


def read_doc(path: Path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    fm_text, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(fm_text), body, fm_text


def docs_by_source(out: Path) -> dict:
    return {read_doc(p)[0]["source"]["file"]: (*read_doc(p), p) for p in sorted(out.glob("*.md"))}


def compact(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.fixture(scope="module")
def fixture_docs(tmp_path_factory):
    out = tmp_path_factory.mktemp("fx") / "content"
    run_cli("ingest", FIXTURES, "--out", out)
    return docs_by_source(out)


# -- the fixture documents ----------------------------------------------------------------------------

def test_gbk_html_page(fixture_docs):
    fm, body, fm_text, _ = fixture_docs["gbk_annual_report_2020.html"]
    assert fm["title"] == "桃江县2020年政府信息公开工作年度报告"
    assert fm["doc_type"] == "annual_report"
    assert fm["year"] == 2020 and fm["date"] == "2021-01-28"
    assert fm["issuing_body"] == "桃江县人民政府办公室"
    assert fm["region"] == {"code": "430922", "province": "湖南省", "city": "益阳市", "county": "桃江县"}
    assert fm["source"]["url"] == "http://www.taojiang.gov.cn/25076/content_1500366.html"
    assert fm["format"] in ("2019", "2021")  # 2020 report; the tables module may detect the table's era
    # furniture, navigation, scripts and styles are gone
    for gone in ("设为首页", "加入收藏", "新闻中心", "办事服务", "您现在的位置", "浏览次数", "字体", "打印本页", "关闭窗口",
                 "分享到", "上一篇", "下一篇", "版权所有", "ICP备", "网站标识码", "技术支持", "pageview", "font-size",
                 "document.write"):
        assert gone not in body, gone
    # the title is not repeated in the body; full-width digits normalised
    assert "桃江县2020年政府信息公开工作年度报告" not in body
    assert "全年主动公开政府信息5236条。" in body
    assert "## 一、总体情况" in body and "### （一）主动公开" in body
    assert "本年度无其他需要报告的事项。" in body
    # the HTML table became a Markdown table (by ingest or the tables module)
    assert re.search(r"^\|.*\|$", body, re.M)
    assert re.search(r"^\|\s*:?-{3,}", body, re.M)


def test_utf8_bom_fullwidth_2021_report(fixture_docs):
    fm, body, _, _ = fixture_docs["bom_fullwidth_2021.txt"]
    assert fm["title"] == "蠡县审计局2021年政府信息公开工作年度报告"
    assert fm["year"] == 2021 and fm["date"] == "2022-01-20"
    assert fm["format"] == "2021"
    assert fm["issuing_body"] == "蠡县审计局"
    assert fm["region"]["county"] == "蠡县" and fm["region"]["city"] == "保定市" and fm["region"]["province"] == "河北省"
    assert "\ufeff" not in body
    assert "主动公开审计结果公告12条。" in body and "AB岗制度" in body
    assert "国办公开办函〔2021〕30号" in body
    assert "（以下简称《条例》）" in body  # Chinese punctuation kept as written


def test_notice_about_annual_reports_is_not_an_annual_report(fixture_docs):
    fm, body, _, _ = fixture_docs["notice_annual_report.txt"]
    assert fm["doc_type"] == "other"
    assert fm["doc_number"] == "宜政办传〔2020〕1号"
    assert fm.get("format") is None and fm.get("stats") is None
    assert fm["region"]["city"] == "安庆市" and fm["region"]["county"] is None
    assert fm["issuing_body"] == "安庆市人民政府办公室"
    assert fm["date"] == "2020-01-06" and fm["year"] == 2019


def test_work_points(fixture_docs):
    fm, body, _, _ = fixture_docs["work_points_2020.txt"]
    assert fm["doc_type"] == "work_points"
    assert fm["title"] == "福建省人民政府办公厅关于印发福建省2020年政务公开工作要点的通知"
    assert fm["doc_number"] == "闽政办〔2020〕15号"
    assert fm["issuing_body"] == "福建省人民政府办公厅"
    assert fm["region"] == {"code": "350000", "province": "福建省", "city": None, "county": None}
    assert fm["year"] == 2020
    # only the 落款 date (Chinese numerals) is shown: a signing date is not a publish date, so date stays null and
    # the warning names the signing date for a person to check
    assert fm["date"] is None
    assert any("落款" in w and "2020-03-10" in w for w in fm["warnings"])
    # heading levels, paragraphs joined, 一是 not a heading
    assert "\n## 一、加强政策解读\n" in body
    assert "\n### (一)提升解读质量\n" in body
    assert "\n#### 1.完善解读机制\n" in body
    assert "同步部署制度,确保解读材料与文件同步发布。" in body
    assert "\n一是加强解读回应。二是扩大公众参与。\n" in body


def test_ambiguous_region_is_null_with_warning(fixture_docs):
    fm, _, _, path = fixture_docs["ambiguous_region_2019.txt"]
    assert fm["region"] is None
    assert any("朝阳区" in w and "ambiguous" in w for w in fm["warnings"])
    assert path.name.startswith("2019-cn-annual-report-")


def test_municipality_district(fixture_docs):
    fm, _, _, _ = fixture_docs["municipality_district_2021.txt"]
    assert fm["region"] == {"code": "110101", "province": "北京市", "city": None, "county": "东城区"}


# -- YAML form ----------------------------------------------------------------------------------------

def test_front_matter_form(fixture_docs):
    for fm, _, fm_text, path in fixture_docs.values():
        assert list(fm)[:len(KEY_ORDER)] == KEY_ORDER
        assert "\\u" not in fm_text  # Chinese is readable
        if fm["region"]:
            assert isinstance(fm["region"]["code"], str)
            assert re.search(r"^  code: ['\"]\d{6}['\"]$", fm_text, re.M)
        if fm["date"] is not None:
            assert isinstance(fm["date"], str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", fm["date"])
        assert re.fullmatch(r"(\d{4}|undated)-(\d{6}|cn)-[a-z-]+-[0-9a-f]{8}\.md", path.name)
        assert len(fm["source"]["sha256"]) == 64


def test_deterministic_output(tmp_path):
    run_cli("ingest", FIXTURES, "--out", tmp_path / "a")
    run_cli("ingest", FIXTURES, "--out", tmp_path / "b")
    a = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
    b = {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}
    assert a == b


# -- every sentence survives ----------------------------------------------------------------------------

HEADER_MARKERS = ("发布日期", "发布时间", "时间:", "信息分类", "生成日期", "信息索取号", "浏览次数", "版权所有", "技术支持",
                  "扫一扫", "读取内容中", "Produced By", "设为首页", "加入收藏", "无障碍", "您所在的位置", "信息公开 >",
                  "返回赣州", "字号", "站长统计")


@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_every_sentence_of_the_seed_survives(tmp_path, name):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SEEDS / name, src / name)
    run_cli("ingest", src, "--out", tmp_path / "out")
    (fm, body, _, _), = docs_by_source(tmp_path / "out").values()
    text = (SEEDS / name).read_text(encoding="utf-8").replace("\u00a0", " ").replace("\u2003", " ")
    lines = [x.strip() for x in text.splitlines()]
    first_title = next(i for i, x in enumerate(lines) if compact(x) == compact(fm["title"]))
    got = compact(plain_text(body))   # what a reader sees: the Markdown escapes scraped text (1\. …)
    checked = 0
    for line in lines[first_title + 1:]:
        if not line or any(m in line for m in HEADER_MARKERS):
            continue
        if "。" not in line and not re.match(r"^[一二三四五六七八九十]+、", line):
            continue
        want = compact(line)
        for r in fm["repairs"]:
            want = want.replace(compact(r["before"]), compact(r["after"]))
        assert want in got, line[:60]
        checked += 1
    assert checked >= 5


# -- manifest, hand edits, --force, names ---------------------------------------------------------------

def _copy_seeds(tmp_path: Path, names=None) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for p in sorted(SEEDS.glob("*.txt")):
        if names is None or p.name in names:
            shutil.copy(p, src / p.name)
    return src


def test_rerun_without_changes_rewrites_nothing(tmp_path):
    src = _copy_seeds(tmp_path)
    out = tmp_path / "out"
    run_cli("ingest", src, "--out", out)
    manifest = json.loads((out / ".ingest-manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == sorted(p.name for p in src.glob("*.txt"))
    for name, entry in manifest["files"].items():
        assert (out / entry["output"]).is_file()
        assert set(entry) >= {"output", "output_sha256", "input_sha256"}
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    time.sleep(0.05)
    r = run_cli("ingest", src, "--out", out)
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    assert before == after
    assert "skipped" not in r.stdout


def test_hand_edit_is_protected_and_force_overwrites(tmp_path):
    src = _copy_seeds(tmp_path, {"001_67db6f16469a4ce1.txt", "004_28c6f1c900e249e4.txt"})
    out = tmp_path / "out"
    run_cli("ingest", src, "--out", out)
    manifest = json.loads((out / ".ingest-manifest.json").read_text(encoding="utf-8"))
    name = manifest["files"]["001_67db6f16469a4ce1.txt"]["output"]
    target = out / name
    original = target.read_bytes()
    edited = original.decode("utf-8").replace("一年来,重点抓了以下四个方面工作。", "一年来,重点抓了以下四个方面工作(人工校对)。")
    target.write_text(edited, encoding="utf-8")
    r = run_cli("ingest", src, "--out", out)
    assert f"skipped {name}: edited by hand since last ingest (use --force to overwrite)" in r.stdout
    assert target.read_text(encoding="utf-8") == edited
    # the edit is still protected on the next run (the manifest did not adopt it)
    r = run_cli("ingest", src, "--out", out)
    assert "skipped " + name in r.stdout and target.read_text(encoding="utf-8") == edited
    r = run_cli("ingest", src, "--out", out, "--force")
    assert target.read_bytes() == original
    r = run_cli("ingest", src, "--out", out)
    assert "skipped" not in r.stdout


def test_file_names_are_stable_when_fields_change(tmp_path):
    src = _copy_seeds(tmp_path, {"003_70c4dbb90776e1af.txt"})
    out = tmp_path / "out"
    run_cli("ingest", src, "--out", out)
    (first,) = [p.name for p in out.glob("*.md")]
    assert first.startswith("2018-210000-annual-report-")
    # the input changes so that year and type would differ: the known source keeps its file name
    p = src / "003_70c4dbb90776e1af.txt"
    p.write_text(p.read_text(encoding="utf-8").replace("沈抚新区2018年度政府信息公开工作报告", "沈抚新区2017年政务公开工作要点"),
                 encoding="utf-8")
    run_cli("ingest", src, "--out", out)
    assert [q.name for q in out.glob("*.md")] == [first]
    fm, _, _ = read_doc(out / first)
    assert fm["year"] == 2017 and fm["doc_type"] == "work_points"


def test_names_are_ascii_and_unique(tmp_path):
    src = _copy_seeds(tmp_path)
    # two copies of one document under different names
    shutil.copy(src / "001_67db6f16469a4ce1.txt", src / "001_copy.txt")
    out = tmp_path / "out"
    run_cli("ingest", src, "--out", out)
    names = [p.name for p in out.glob("*.md")]
    assert len(names) == 6 == len(set(names))
    assert all(n.isascii() for n in names)


def test_foreign_file_with_same_name_is_not_overwritten(tmp_path):
    src = _copy_seeds(tmp_path, {"004_28c6f1c900e249e4.txt"})
    out = tmp_path / "out"
    run_cli("ingest", src, "--out", out)
    (name,) = [p.name for p in out.glob("*.md")]
    (out / ".ingest-manifest.json").unlink()
    (out / name).write_text("a person's own file\n", encoding="utf-8")
    r = run_cli("ingest", src, "--out", out)
    assert f"skipped {name}" in r.stdout
    assert (out / name).read_text(encoding="utf-8") == "a person's own file\n"


# -- bad input ----------------------------------------------------------------------------------------

def test_bad_files_are_reported_and_the_rest_ingested(tmp_path):
    src = _copy_seeds(tmp_path, {"001_67db6f16469a4ce1.txt"})
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2000))
    (src / "latin.txt").write_bytes(bytes(range(0x80, 0x100)) * 50)
    with open(src / "huge.txt", "wb") as f:
        f.truncate(21 * 1024 * 1024)
    (src / "notes.json").write_text("{}", encoding="utf-8")
    (src / "image.png").write_bytes(b"\x89PNG")
    out = tmp_path / "out"
    r = run_cli("ingest", src, "--out", out, check=False)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    err = r.stderr.strip().splitlines()
    assert len(err) == 4, r.stderr
    for bad in ("empty.txt", "binary.html", "latin.txt", "huge.txt"):
        (line,) = [x for x in err if x.startswith(str(src / bad) + ": ")]
        assert len(line) > len(str(src / bad)) + 3
    assert len(list(out.glob("*.md"))) == 1


def test_missing_input_is_an_error(tmp_path):
    r = run_cli("ingest", tmp_path / "nope.txt", "--out", tmp_path / "out", check=False)
    assert r.returncode == 1
    assert r.stderr.strip() == f"{tmp_path / 'nope.txt'}: no such file or directory"


def test_all_good_exits_zero(tmp_path):
    src = _copy_seeds(tmp_path, {"004_28c6f1c900e249e4.txt"})
    r = run_cli("ingest", src / "004_28c6f1c900e249e4.txt", "--out", tmp_path / "out", check=False)
    assert r.returncode == 0 and r.stderr == ""


# -- --report -----------------------------------------------------------------------------------------

def test_report_lists_fields_warnings_and_doubts(tmp_path):
    src = _copy_seeds(tmp_path, {"002_70ebc6065c14b089.txt", "003_70c4dbb90776e1af.txt"})
    shutil.copy(FIXTURES / "ambiguous_region_2019.txt", src)
    r = run_cli("ingest", src, "--out", tmp_path / "out", "--report")
    out = r.stdout
    assert "== 002_70ebc6065c14b089.txt" in out
    assert "doc_number: 赣市府办字〔2018〕88号" in out
    assert "repair: doc_number" in out and "〔201888 -> 〔2018〕88号" in out
    # each doubt is given as the field it is about and why
    assert "unsure region: 沈抚新区 is a special zone" in out
    assert "unsure issuing_body: not found" in out
    assert "CHECK: region is null" in out
    assert "CHECK: issuing_body is null" in out
