"""Property-based tests (hypothesis) of the decoder, the cleaner, the URL/slug functions and the front-matter
reader: for any input they give a result or their own clear error, never a crash (issue 8)."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.content.loader import load_file
from site_builder.content.model import Document
from site_builder.errors import Problem
from site_builder.ingest.clean import html_to_lines, remove_furniture, text_to_lines
from site_builder.ingest.decode import DecodeError, decode_bytes
from site_builder.urls import Urls, slugify

CHINESE = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=60)
PROSE = st.lists(CHINESE, min_size=1, max_size=5).map(lambda parts: "，".join(parts) + "。")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(st.binary(max_size=2000))
def test_decoder_never_crashes_on_arbitrary_bytes(data):
    try:
        text, encoding = decode_bytes(data)
    except DecodeError:
        return
    assert isinstance(text, str) and isinstance(encoding, str)


@SETTINGS
@given(PROSE, st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "gbk"]))
def test_decoder_round_trips_chinese_in_every_encoding(text, encoding):
    decoded, _ = decode_bytes(("政府信息公开工作年度报告\n" + text).encode(encoding))
    assert text in decoded


@SETTINGS
@given(st.text(max_size=800))
def test_cleaner_never_crashes(text):
    lines = text_to_lines(text)
    kept, removed = remove_furniture(lines)
    assert isinstance(kept, list) and isinstance(removed, list)
    html_lines, _ = html_to_lines(f"<html><body><div>{text}</div></body></html>")
    assert isinstance(html_lines, list)


@SETTINGS
@given(st.lists(PROSE, min_size=1, max_size=6))
def test_cleaner_keeps_every_sentence_of_prose_and_is_idempotent(sentences):
    lines = text_to_lines("\n".join(sentences))
    kept, _ = remove_furniture(lines)
    joined = "".join(kept)
    for sentence in sentences:
        assert sentence in joined
    again, _ = remove_furniture(kept)
    assert again == kept


@SETTINGS
@given(st.text(max_size=80))
def test_slugify_is_ascii_nonempty_and_stable(text):
    slug = slugify(text)
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug) or re.fullmatch(r"x-[0-9a-f]{8}", slug)
    assert slug == slugify(text)


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("ab./\\-_~%:0 中")), max_size=30))
def test_output_file_never_leaves_the_output_folder(tail):
    route = "/" + tail
    try:
        out = Urls.output_file(route)
    except ValueError:
        return
    assert not out.startswith(("/", "..")) and "/../" not in f"/{out}/" and "\\" not in out


@SETTINGS
@given(st.text(max_size=600))
def test_front_matter_reader_returns_a_document_or_problems(tmp_path_factory, text):
    root = tmp_path_factory.mktemp("fm")
    path = root / "content" / "doc.md"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8", errors="surrogatepass") if "\ud800" not in text else path.write_bytes(b"x")
    result = load_file(path, root)
    if isinstance(result, Document):
        assert result.title
    else:
        assert result and all(isinstance(p, Problem) and p.path == "content/doc.md" for p in result)


@SETTINGS
@given(st.dictionaries(st.sampled_from(["title", "doc_type", "year", "date", "region", "slug", "stats", "tables"]),
                       st.one_of(st.none(), st.integers(), st.text(max_size=20), st.lists(st.integers(), max_size=3),
                                 st.dictionaries(st.text(max_size=5), st.integers(), max_size=3)), max_size=8))
def test_front_matter_with_any_value_types(tmp_path_factory, values):
    import yaml

    root = tmp_path_factory.mktemp("fm")
    path = root / "content" / "doc.md"
    path.parent.mkdir()
    path.write_text("---\n" + yaml.safe_dump(values, allow_unicode=True) + "---\n正文\n", encoding="utf-8")
    result = load_file(path, root)
    assert isinstance(result, Document) or all(isinstance(p, Problem) for p in result)
