"""Front matter read and written through python-frontmatter (site_builder/content/frontmatter_io.py, issue 14 §3):
what the loader accepts and refuses (with the file's line), round trips, ingest's output, and that the handler
is python-frontmatter's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import frontmatter
import pytest
import yaml
from frontmatter.default_handlers import YAMLHandler

from conftest import SEEDS, run_cli
from site_builder.content import frontmatter_io
from site_builder.content.loader import load_file
from site_builder.content.model import Document
from site_builder.errors import Problem


def load(tmp_path: Path, data: str | bytes, name: str = "doc.md") -> Document | list[Problem]:
    path = tmp_path / "content" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return load_file(path, tmp_path)


def problems(result) -> list[str]:
    assert not isinstance(result, Document), "the file was accepted"
    return [str(p) for p in result]


# -- what the loader accepts ------------------------------------------------------------------------------

def test_dates_stay_text_and_keys_keep_their_order(tmp_path):
    doc = load(tmp_path, "---\ntitle: 某县2019年政府信息公开年度报告\ndoc_type: annual_report\nyear: 2019\n"
                         "date: 2020-01-31\nregion:\n  code: '340882'\n  province: 安徽省\nzeta: 1\nalpha: 2\n"
                         "---\n\n正文。\n")
    assert isinstance(doc, Document)
    assert doc.front_matter["date"] == "2020-01-31"          # not a datetime.date: YAML timestamps are not resolved
    assert isinstance(doc.front_matter["date"], str)
    assert doc.date == dt.date(2020, 1, 31)                    # the loader validates and converts it itself
    assert list(doc.front_matter) == ["title", "doc_type", "year", "date", "region", "zeta", "alpha"]
    assert doc.region.code == "340882" and doc.region.province == "安徽省"
    assert "正文。" in doc.body_html


@pytest.mark.parametrize("data", [
    "\ufeff---\ntitle: 标题\ndoc_type: other\n---\n正文段落。\n",                 # UTF-8 BOM
    "---\r\ntitle: 标题\r\ndoc_type: other\r\n---\r\n\r\n正文段落。\r\n",           # Windows line ends
    "---\ntitle: 标题\ndoc_type: other\n--- \t\n正文段落。\n",                    # spaces after the closing ---
    "---\ntitle: 标题\ndoc_type: other\n---\n\n\n\n正文段落。",                     # blank lines before the body
])
def test_accepted_syntax(tmp_path, data):
    doc = load(tmp_path, data)
    assert isinstance(doc, Document), doc
    assert doc.title == "标题" and doc.doc_type == "other"
    assert doc.body_html.strip() == "<p>正文段落。</p>"


def test_body_keeps_its_first_line_exactly(tmp_path):
    """The body starts after the closing line and its blank lines; an indented first line keeps its indent
    (python-frontmatter's own loads() would strip it)."""
    meta, body = frontmatter_io.read("---\ntitle: 标题\n---\n\n    代码块\n正文\n\n")
    assert meta == {"title": "标题"}
    assert body == "    代码块\n正文\n\n"
    doc = load(tmp_path, "---\ntitle: 标题\ndoc_type: other\n---\n    代码块\n")
    assert "<pre><code>代码块" in doc.body_html


def test_empty_front_matter_is_an_empty_mapping(tmp_path):
    assert frontmatter_io.read("---\n---\n正文\n") == ({}, "正文\n")
    assert problems(load(tmp_path, "---\n---\n正文\n")) == [
        "content/doc.md: front matter: 'title' is required and must be text (null when the document has none)",
        "content/doc.md: front matter: 'doc_type' must be one of annual_report, work_points, work_plan, "
        "implementation_report, other, not None"]


# -- what it refuses, with the file's line ------------------------------------------------------------------

@pytest.mark.parametrize("data, expected", [
    ("---\ntitle: 甲\ndoc_type: other\ntitle: 乙\n---\n正文\n",
     "content/doc.md:4: invalid YAML in front matter: duplicate key 'title'"),
    ("---\ntitle: 甲\nregion:\n  code: '340882'\n  code: '340800'\ndoc_type: other\n---\n正文\n",
     "content/doc.md:5: invalid YAML in front matter: duplicate key 'code'"),
    ("---\r\ntitle: 甲\r\ndoc_type: other\r\ndoc_type: x\r\n---\r\n正文\r\n",
     "content/doc.md:4: invalid YAML in front matter: duplicate key 'doc_type'"),
    ("---\ntitle: 甲\ndoc_type: other\nyear: [2019\nslug: x\n---\n正文\n",
     "content/doc.md:5: invalid YAML in front matter: expected ',' or ']', but got ':'"),
    ("---\ntitle: 甲\ndoc_type: other\n  bad: 1\n---\n正文\n",
     "content/doc.md:4: invalid YAML in front matter: mapping values are not allowed here"),
    ("---\ntitle: 甲\ndoc_type: other\n", "content/doc.md:1: front matter is not closed by a '---' line"),
    ("---\ntitle: 甲\n----\n正文\n", "content/doc.md:1: front matter is not closed by a '---' line"),
    ("---\n- 甲\n- 乙\n---\n正文\n", "content/doc.md:2: front matter must be a mapping of keys to values"),
    ("---\n就是一行字\n---\n正文\n", "content/doc.md:2: front matter must be a mapping of keys to values"),
    ("title: 甲\ndoc_type: other\n", "content/doc.md:1: missing front matter: the file must start with a '---' line"),
    ("\n---\ntitle: 甲\n---\n", "content/doc.md:1: missing front matter: the file must start with a '---' line"),
    ("--- \ntitle: 甲\n---\n", "content/doc.md:1: missing front matter: the file must start with a '---' line"),
    ("", "content/doc.md:1: missing front matter: the file must start with a '---' line"),
])
def test_refused_with_the_file_line(tmp_path, data, expected):
    assert problems(load(tmp_path, data)) == [expected]


def test_the_cli_reports_front_matter_problems_as_path_line_message(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "dup.md").write_text("---\ntitle: 甲\ndoc_type: other\ntitle: 乙\n---\n正文\n", encoding="utf-8")
    (content / "open.md").write_text("---\ntitle: 甲\n", encoding="utf-8")
    (content / "good.md").write_text("---\ntitle: 甲\ndoc_type: other\ndate: 2020-01-31\n---\n正文\n", encoding="utf-8")
    result = run_cli("check", "--root", tmp_path, check=False)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert "content/dup.md:4: invalid YAML in front matter: duplicate key 'title'" in lines
    assert "content/open.md:1: front matter is not closed by a '---' line" in lines
    assert not any("good.md" in line for line in lines)


# -- writing, and round trips ---------------------------------------------------------------------------------

FRONT = {
    "title": "潜山市2019年政府信息公开年度报告(图文版)",
    "doc_type": "annual_report",
    "year": 2019,
    "date": "2020-01-31",
    "issuing_body": "潜山市人民政府办公室",
    "region": {"code": "340882", "province": "安徽省", "city": "安庆市", "county": "潜山市"},
    "doc_number": "赣市府办字〔2018〕88号",
    "format": "2019",
    "stats": {"proactive_total": 36629, "review_total": 0, "litigation_total": None},
    "tables": {},
    "source": {"file": "001_67db6f16469a4ce1.txt", "sha256": "ab" * 32, "url": None},
    "repairs": [{"what": "restored 年", "where": "line 3", "before": "2019政府", "after": "2019年政府"}],
    "warnings": ["year: not in the title; " + "很长的警告" * 300],   # longer than any line width
}


def test_round_trip_keeps_mapping_order_and_chinese(tmp_path):
    text = frontmatter_io.write(FRONT, "一、总体情况\n\n正文。\n")
    assert text.startswith("---\ntitle: 潜山市2019年政府信息公开年度报告(图文版)\ndoc_type: annual_report\n")
    assert "\\u" not in text and "潜山市人民政府办公室" in text and "〔2018〕88号" in text
    assert "date: '2020-01-31'\n" in text and "code: '340882'\n" in text   # text that YAML would read as otherwise
    assert "\n---\n\n一、总体情况\n\n正文。\n" in text and text.endswith("正文。\n")
    assert "\n- '" + FRONT["warnings"][0] + "'\n" in text                      # 1500 characters, one line
    meta, body = frontmatter_io.read(text)
    assert meta == FRONT and list(meta) == list(FRONT) and list(meta["region"]) == list(FRONT["region"])
    assert body == "一、总体情况\n\n正文。\n"
    doc = load(tmp_path, text, "2019-340882-annual-report-x.md")
    assert isinstance(doc, Document), doc
    assert doc.front_matter == FRONT and list(doc.front_matter) == list(FRONT)
    assert frontmatter_io.write(meta, body) == text                          # written again: the same text


def test_written_in_ingest_style():
    """Block style, the keys in the given order, Unicode as itself, 1000-character lines: ingest's format."""
    text = frontmatter_io.write(FRONT, "正文\n")
    assert text == ("---\n" + yaml.safe_dump(FRONT, allow_unicode=True, sort_keys=False, default_flow_style=False,
                                             width=1000) + "---\n\n正文\n")


# -- ingest ---------------------------------------------------------------------------------------------------

def test_ingest_twice_gives_byte_identical_files(tmp_path):
    run_cli("ingest", SEEDS, "--out", tmp_path / "a")
    run_cli("ingest", SEEDS, "--out", tmp_path / "b")
    first = {p.name: p.read_bytes() for p in sorted((tmp_path / "a").glob("*.md"))}
    mtimes = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "a").glob("*.md")}
    run_cli("ingest", SEEDS, "--out", tmp_path / "a")                           # again into the same folder
    assert len(first) == len(list(SEEDS.glob("*.txt"))) + len(list(SEEDS.glob("*.htm*")))
    assert {p.name: p.read_bytes() for p in sorted((tmp_path / "a").glob("*.md"))} == first
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "a").glob("*.md")} == mtimes   # not rewritten
    assert {p.name: p.read_bytes() for p in sorted((tmp_path / "b").glob("*.md"))} == first
    for name, data in first.items():
        text = data.decode("utf-8")
        meta, body = frontmatter_io.read(text)
        assert list(meta)[:3] == ["title", "doc_type", "year"]                    # ingest's order, not sorted
        assert frontmatter_io.write(meta, body) == text                          # the reader reads what was written
        post = frontmatter.loads(text, handler=frontmatter_io.HANDLER)         # python-frontmatter's own API
        assert post.metadata == meta and isinstance(post.handler, frontmatter_io.FrontMatterHandler)
        doc = load(tmp_path, data, name)
        assert isinstance(doc, Document), doc


# -- the handler is python-frontmatter's --------------------------------------------------------------------

def test_reading_goes_through_the_python_frontmatter_handler():
    text = "---\ntitle: 标题\ndate: 2020-01-31\n---\n正文\n"
    assert isinstance(frontmatter_io.HANDLER, YAMLHandler)
    # python-frontmatter's stock YAML handler resolves the date; the archive's handler keeps it as text …
    assert frontmatter.loads(text).metadata["date"] == dt.date(2020, 1, 31)
    assert frontmatter.loads(text, handler=frontmatter_io.HANDLER).metadata["date"] == "2020-01-31"
    assert frontmatter_io.read(text)[0]["date"] == "2020-01-31"
    # … and refuses a duplicate key (the stock one keeps the last value), through frontmatter.loads too
    dup = "---\ntitle: 甲\ntitle: 乙\n---\n正文\n"
    assert frontmatter.loads(dup).metadata["title"] == "乙"
    with pytest.raises(frontmatter_io.FrontMatterError) as err:
        frontmatter.loads(dup, handler=frontmatter_io.HANDLER)
    assert (err.value.line, err.value.message) == (3, "invalid YAML in front matter: duplicate key 'title'")
    # the handler's split is the one the loader applies: the first `---` line closes, trailing blanks allowed
    assert frontmatter_io.HANDLER.split("---\na: 1\n---  \nb\n---\nc") == ("a: 1\n", "b\n---\nc")
    post = frontmatter.Post("正文\n", frontmatter_io.HANDLER)
    post.metadata = {"title": "标题", "date": "2020-01-31"}
    assert frontmatter.dumps(post) == "---\ntitle: 标题\ndate: '2020-01-31'\n---\n\n正文\n"
