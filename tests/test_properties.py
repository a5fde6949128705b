"""Property-based tests (hypothesis) of the decoder, the cleaner, the URL/slug functions and the front-matter
reader: for any input they give a result or their own clear error, never a crash (issue 8)."""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from site_builder.content.loader import load_file
from site_builder.content.model import Document
from site_builder.errors import Problem, SiteError
from site_builder.ingest.clean import html_to_lines, remove_furniture, text_to_lines
from site_builder.ingest.decode import DecodeError, decode_bytes
from site_builder.urls import Urls, slugify

HANZI = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
CHINESE = st.text(alphabet=HANZI, min_size=1, max_size=60)
PROSE = st.lists(CHINESE, min_size=1, max_size=5).map(lambda parts: "，".join(parts) + "。")
# Chinese text as documents have it: characters, CJK and full-width punctuation, digits, some ASCII, line breaks
DOCUMENT_TEXT = st.text(alphabet=st.one_of(
    HANZI, HANZI, HANZI, st.sampled_from(list("，。、；：？！“”《》（）〔〕【】—…·０１２３ＡＢ")),
    st.sampled_from(list("0123456789abcXYZ-.:/()% \n"))), min_size=1, max_size=400)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# -- decoder ---------------------------------------------------------------------------------------------

CHARSETS = ["utf-8", "gb2312", "gbk", "big5", "shift_jis", "utf-7", "utf-16", "utf-32", "latin-1", "x-unknown",
            "undefined", "idna", "punycode", "rot13", "hex", "base64", "zlib", "unicode_escape", "raw_unicode_escape"]


@SETTINGS
@given(st.binary(max_size=3000), st.booleans())
def test_decoder_raises_only_its_own_error_on_arbitrary_bytes(data, is_html):
    try:
        text, encoding = decode_bytes(data, is_html=is_html)
    except DecodeError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert isinstance(text, str) and text.strip() and isinstance(encoding, str)


@SETTINGS
@given(st.sampled_from(CHARSETS), st.binary(max_size=600), st.booleans())
@example("utf-16", b"\x8b", False)   # not UTF-8: was read as the UTF-16 it declares, the markup turned to Hanzi
def test_decoder_survives_any_declared_charset(charset, data, bom):
    page = (b"\xef\xbb\xbf" if bom else b"") + f'<html><head><meta charset="{charset}">'.encode() + data
    try:
        text, _ = decode_bytes(page, is_html=True)
    except DecodeError:
        return
    assert f'<meta charset="{charset}">' in text   # whatever it declares, the page's ASCII markup reads as itself


@SETTINGS
@given(DOCUMENT_TEXT, st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"]))
def test_decoder_round_trips_chinese_text_in_every_encoding(text, encoding):
    try:
        text.encode(encoding)
    except UnicodeEncodeError:   # GBK has no code for some characters of U+4E00–U+9FFF
        assume(False)
    # a title line as every document has: a few bytes alone can be valid UTF-8 and GB18030 at once
    document = "政府信息公开工作年度报告\n" + text
    decoded, _ = decode_bytes(document.encode(encoding))
    assert decoded == document


# -- cleaner ---------------------------------------------------------------------------------------------

FURNITURE = ["首页 > 信息公开 > 年度报告", "当前位置：首页 > 政务公开", "【打印本页】【关闭窗口】", "扫一扫在手机打开当前页",
             "版权所有：某市人民政府办公室", "浏览次数：123", "上一篇：关于印发某文件的通知", "下一篇：无", "网站地图 | 返回首页",
             "皖ICP备05001234号", "【字体：大 中 小】", "分享到：", "技术支持：某某科技有限公司"]
MARKUP = st.sampled_from(["<p>", "</p>", "<div class='nav'>", "</div>", "<br>", "<script>", "</script>", "<table>", "<tr>",
                          "<td>", "&nbsp;", "&lt;", "&#x4E2D;", "<!--", "-->", "<svg onload=x>", "<iframe>", "<![CDATA[",
                          "<a href='javascript:x'>", "</a>", "\u3000", "\u200b", "\r\n", "\t"])


@SETTINGS
@given(st.lists(st.one_of(st.text(max_size=60), MARKUP, PROSE, st.sampled_from(FURNITURE)), max_size=30))
def test_cleaner_never_raises(parts):
    text = "".join(parts)
    kept, removed = remove_furniture(text_to_lines(text))
    assert all(isinstance(line, str) for line in kept + removed)
    lines, meta = html_to_lines(f"<html><body>{text}</body></html>")
    assert all(isinstance(line, str) for line in lines)
    remove_furniture(lines)


@SETTINGS
@given(st.lists(st.tuples(PROSE, st.lists(st.sampled_from(FURNITURE), max_size=2)), min_size=1, max_size=8))
def test_cleaner_keeps_every_line_of_prose_drops_furniture_and_is_idempotent(blocks):
    lines = []
    for sentence, furniture in blocks:
        lines += furniture + [sentence, ""]
    kept, removed = remove_furniture(text_to_lines("\n".join(lines)))
    assert [line for line in kept if line] == [sentence for sentence, _ in blocks]
    assert sorted(removed) == sorted(text_to_lines(f)[0] for _, furniture in blocks for f in furniture)
    assert remove_furniture(kept)[0] == kept
    assert text_to_lines("\n".join(kept)) == kept


@SETTINGS
@given(st.lists(PROSE, min_size=1, max_size=6))
def test_html_cleaner_keeps_every_paragraph(sentences):
    html = ("<html><head><title>某县</title><script>var x = '<p>不是正文。</p>';</script></head><body>"
            "<div class='nav'><a href='/'>首页</a> &gt; <a href='/x'>信息公开</a></div><div class='content'>"
            + "".join(f"<p>{s}</p>" for s in sentences) + "</div><div class='footer'>版权所有：某县人民政府</div></body></html>")
    lines, _ = html_to_lines(html)
    kept, _ = remove_furniture(lines)
    joined = "\n".join(kept)
    for sentence in sentences:
        assert sentence in joined
    assert "不是正文" not in joined


# -- URLs and output paths -------------------------------------------------------------------------------

@SETTINGS
@given(st.text(max_size=120))
def test_slugify_is_ascii_nonempty_and_stable(text):
    slug = slugify(text)
    assert re.fullmatch(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?", slug), slug
    assert len(slug) <= 60
    assert slug == slugify(text)


@SETTINGS
@given(st.one_of(st.text(max_size=60),
                 st.text(alphabet=st.sampled_from(list("ab./\\-_~%:0 中\x00")), max_size=40)))
def test_output_file_never_leaves_the_output_folder(tail):
    for route in ("/" + tail, tail, "/docs/" + tail + "/"):
        try:
            out = Urls.output_file(route)
        except ValueError:
            continue
        assert out and not out.startswith(("/", "..")) and "\\" not in out
        base = "/srv/public"
        assert os.path.normpath(os.path.join(base, out)).startswith(base + "/"), (route, out)


# -- front-matter reader ---------------------------------------------------------------------------------

YAMLISH = st.lists(st.one_of(
    st.sampled_from(["title: ", "doc_type: ", "year: ", "date: ", "region: ", "slug: ", "stats: ", "tables: ", "source: ",
                     "  code: ", "- ", "{", "}", "[", "]", ", ", "&a ", "*a", "!!binary ", "!!python/object:os.system ",
                     "'", '"', "\n", "\n  ", "---", "...", "#", ": ", ".inf", "null", "2020-01-31", "annual_report",
                     "\"340882\"", "../../etc", "<script>", "\t", "\ufeff", "\x00", "\r\n"]),
    st.text(max_size=8)), max_size=40).map("".join)


def _read(root: Path, data: bytes):
    path = root / "content" / "doc.md"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return load_file(path, root)


def _check(result) -> None:
    if isinstance(result, Document):
        assert result.title.strip() and re.fullmatch(r"[a-z0-9][a-z0-9-]*", result.slug)
        json.dumps(result.front_matter, allow_nan=False, default=str)   # open data can take it
    else:
        assert result and all(isinstance(p, Problem) and p.path == "content/doc.md" for p in result)
        assert all(p.message and "\n" not in str(p) for p in result)   # one problem, one line


@SETTINGS
@given(st.one_of(st.text(max_size=600), YAMLISH.map(lambda y: "---\n" + y + "\n---\n正文。\n"),
                 st.binary(max_size=300).map(lambda b: b"---\n" + b)))
def test_front_matter_reader_returns_a_document_or_problems(tmp_path_factory, source):
    root = tmp_path_factory.mktemp("fm")
    data = source if isinstance(source, bytes) else source.encode("utf-8", "surrogatepass")
    _check(_read(root, data))


VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12), st.dates()),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.one_of(st.text(max_size=6), st.integers()),
                                                                          inner, max_size=3)),
    max_leaves=12)
FIELDS = ["title", "doc_type", "year", "date", "issuing_body", "region", "doc_number", "format", "stats", "tables",
          "source", "repairs", "warnings", "slug"]


@SETTINGS
@given(st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=10))
def test_front_matter_with_any_values_and_types(tmp_path_factory, values):
    root = tmp_path_factory.mktemp("fm")
    text = yaml.safe_dump(values, allow_unicode=True)
    _check(_read(root, ("---\n" + text + "---\n正文\n").encode("utf-8", "surrogatepass")))


PLAIN = st.recursive(   # what the reader accepts: text keys, finite numbers
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
              st.text(max_size=12)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=12)
NUMBER = st.one_of(st.none(), st.integers(-10**15, 10**15), st.floats(allow_nan=False, allow_infinity=False))
IDS = st.one_of(st.sampled_from(["total", "granted", "review_total", "count", "applications_new", "outcome_1_granted"]),
                st.text(max_size=8))
TABLE = st.fixed_dictionaries(
    {"status": st.one_of(st.sampled_from(["ok", "incomplete", "missing", "checks_failed"]), st.text(max_size=6))},
    optional={"rows": st.one_of(st.dictionaries(IDS, st.one_of(st.none(), st.dictionaries(IDS, st.one_of(NUMBER, PLAIN),
                                                                                      max_size=4), PLAIN), max_size=4),
                                PLAIN),
              "checks_failed": st.lists(PLAIN, max_size=2)})
SCHEMA_LIKE = st.fixed_dictionaries(
    {"title": st.text(min_size=1, max_size=20).filter(str.strip), "doc_type": st.sampled_from(["annual_report", "other"])},
    optional={
        "year": st.one_of(st.none(), st.integers(1949, 2100)),
        "region": st.one_of(st.none(), st.fixed_dictionaries({"code": st.sampled_from(["340882", "110101", "210000"])},
                                                            optional={"province": st.text(max_size=6)})),
        "stats": st.one_of(st.none(), st.dictionaries(st.sampled_from(["proactive_total", "review_total", "x"]),
                                                      st.one_of(st.none(), st.integers(-10**12, 10**12),
                                                                st.floats(allow_nan=False, allow_infinity=False)))),
        "tables": st.dictionaries(st.sampled_from(["t3_applications", "t4_review_litigation", "stats_form", "t2_art20_1", "x"]),
                                  st.one_of(TABLE, PLAIN), max_size=3),
        "format": st.sampled_from(["2019", "2021", "pre2019", None]),
        "source": st.dictionaries(st.sampled_from(["file", "url", "sha256"]), PLAIN, max_size=3),
        "repairs": st.lists(PLAIN, max_size=2), "warnings": st.lists(PLAIN, max_size=2),
    })


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(SCHEMA_LIKE)
def test_any_document_that_loads_also_builds(tmp_path_factory, values):
    """End to end in-process: a file the reader accepts always builds (pages, statistics, data exports)."""
    from site_builder.build import build
    from site_builder.config import load_config

    root = tmp_path_factory.mktemp("site")
    text = yaml.safe_dump(values, allow_unicode=True)
    result = _read(root, ("---\n" + text + "---\n正文。\n").encode("utf-8", "surrogatepass"))
    if not isinstance(result, Document):
        return
    try:
        build(load_config(root), search=False, jobs=1, use_cache=False)
    except SiteError as exc:   # a template error here means the reader let through what the pages cannot show
        raise AssertionError(f"accepted by the reader, refused by the build: {exc}") from None
    data = json.loads((root / "public/data/documents.json").read_text(encoding="utf-8"),
                      parse_constant=lambda name: math.nan / 0)
    assert [record["title"] for record in data] == [result.title]   # the one document, exported
