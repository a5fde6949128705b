"""Scraped text stays text: ingest → Markdown → render → plain text gives back the text ingest saw.

The real CLI ingests raw texts full of characters that mean something in Markdown (and the seeds); each
written document is rendered, and the plain text of every paragraph and heading must equal the text that
ingest put into it (recorded by running the same pipeline in-process with the escaping functions wrapped).
A property test does the same for the escaping functions on any printable text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SEEDS, run_cli
from site_builder.content import frontmatter_io
from site_builder.content.markdown import _engine, _text_of, plain_text, render_markdown
from site_builder.ingest import pipeline, structure

RAW = Path(__file__).parent / "fixtures" / "markdown_roundtrip"
INPUTS = sorted(RAW.glob("*.txt")) + sorted(SEEDS.glob("*.txt"))


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def seen_by_ingest(path: Path, monkeypatch) -> list[str]:
    """The paragraphs and headings of the body as ingest made them, before escaping, in order."""
    seen: list[str] = []
    escape, heading = structure._escape, structure.escape_heading

    def record(real):
        def wrapped(text: str) -> str:
            seen.append(text)
            return real(text)
        return wrapped

    with monkeypatch.context() as m:
        m.setattr(structure, "_escape", record(escape))
        m.setattr(structure, "escape_heading", record(heading))
        pipeline.process(path.read_bytes(), path.name, False)
    return [normalise(t) for t in seen]


def rendered_blocks(body: str, tables: set[str]) -> list[str]:
    """Plain text of each paragraph and heading of the rendered body, outside tables and ingest's table
    blocks (their captions and notes), in order."""
    out, in_table = [], False
    for token in _engine().parse(body, {}):
        if token.type == "table_open":
            in_table = True
        elif token.type == "table_close":
            in_table = False
        elif token.type == "inline" and not in_table:
            text = normalise(_text_of([token]))
            if text and text not in tables:
                out.append(text)
    return out


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("raw")
    for path in INPUTS:
        (folder / path.name).write_bytes(path.read_bytes())
    out = tmp_path_factory.mktemp("roundtrip") / "content"
    run_cli("ingest", folder, "--out", out)
    bodies = {}
    for md in sorted(out.glob("*.md")):
        meta, body = frontmatter_io.read(md.read_text(encoding="utf-8"))
        bodies[meta["source"]["file"]] = body
    assert set(bodies) == {p.name for p in INPUTS}
    return bodies


@pytest.mark.parametrize("path", INPUTS, ids=[p.name for p in INPUTS])
def test_ingest_render_plain_text_is_the_text(path: Path, ingested, monkeypatch):
    seen = seen_by_ingest(path, monkeypatch)
    body = ingested[path.name]
    # ingest's own table blocks (tables.py): their cells, captions and notes are Markdown it wrote itself
    tables = {normalise(line) for line in plain_text("\n".join(
        line for line in body.split("\n\n") if line.lstrip().startswith(("|", "**", "\\* 原表")))).split("\n")}
    assert seen and rendered_blocks(body, tables) == seen


def test_hostile_lines_stay_literal(ingested):
    """(The '> …' line of the fixture is dropped by ingest's cleaning as page furniture, before escaping.)"""
    body = ingested["hostile-lines.txt"]
    html = render_markdown(body)
    text = plain_text(body).split("\n")
    for line in ["1. 以数字和点开头的一段很长的话，不是列表，写在这里是为了测试转义。", "* 星号开头的一段话，不是列表项。",
                 "[链接](http://x) 和 [另一个链接](javascript:alert(1)) 都只是文字。",
                 "<script>alert(1)</script> 脚本标签只是文字。", "变量名 a_b_c 和 __init__ 以及 _强调_ 都是文字。",
                 "**粗** 和 *斜* 和 ***粗斜*** 都是星号。", "实体 &amp; 和 &lt; 和 &#42; 和 &#x6A; 以及 & 单独出现。",
                 "代码 `code` 和 ``双反引号`` 都是文字。", "竖线 a | b | c 在段落里。", "# 井号开头不是标题",
                 "<https://www.gov.cn/> 和 <gk@example.gov.cn> 不是自动链接。",
                 "[ref]: https://evil.example/ 不是引用定义", "===", "---", "***", "___", "~~~", "```",
                 "四个空格缩进的一行。"]:
        assert line in text, line
    for tag in ("<ol", "<ul", "<li", "<a ", "<em", "<strong", "<code", "<pre", "<blockquote", "<hr", "<h1",
                "<table", "<script"):
        assert tag not in html, tag
    assert re.findall(r"<h(\d)[ >]", html) == ["2", "3", "4"]   # the headings ingest made, and only those


PRINTABLE = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp")), min_size=1, max_size=80)
MARKDOWNISH = st.lists(st.sampled_from(list("*_`[]()<>&#;!\\|~-+=.:/ 1a中，。x@") + ["&amp;", "http://x", "&#42;",
                                                                                   "1. ", "<a@b.c>", "\u3000"]),
                       min_size=1, max_size=20).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(PRINTABLE, MARKDOWNISH))
def test_escaped_paragraph_renders_as_itself(text):
    par = text.strip()   # build_body's paragraphs are stripped lines joined into one
    if not par:
        return
    assert normalise(plain_text(structure._escape(par))) == normalise(par)


@settings(max_examples=300, deadline=None)
@given(st.one_of(PRINTABLE, MARKDOWNISH))
def test_escaped_heading_renders_as_itself(text):
    title = text.strip()
    if not title:
        return
    assert normalise(plain_text("## " + structure.escape_heading(title))) == normalise(title)
