"""The search index on awkward text, in real Chromium, with each engine: characters outside the BMP,
full-width and Traditional forms, punctuation in 文号, whitespace that a term must not cross, empty
documents; and its bytes."""

from __future__ import annotations

import pytest

from conftest import run_cli, serve_folder, write_doc

DOCS = {
    "a.md": ("title: 甲县2019年政府信息公开工作年度报告\nyear: 2019\ndoc_type: annual_report",
             "印发《实施方案》（甲政办发〔2019〕8号）。𠀋𠀋字与Ｆｕｌｌ宽字母。本县資訊公開。行政\n复议 案件0件。\n"),
    "b.md": ("title: 乙市2018年政务公开工作要点\nyear: 2018\ndoc_type: work_plan", ""),
    "c.md": ("title: 丙区工作报告\nyear: 2020\ndoc_type: annual_report", "县\n"),
    "d.md": ("title: 丁县2019年政府信息公开工作年度报告\nyear: 2019\ndoc_type: annual_report",
             "行政复议 行政复议 行政复议。甲政办发〔2019〕88号。\n"),
}


ENGINES = ("pagefind", "exact")
INDEX = {"pagefind": "pagefind", "exact": "fulltext"}


@pytest.fixture(scope="module", params=ENGINES)
def site(tmp_path_factory, request):
    root = tmp_path_factory.mktemp("awkward")
    (root / "pyproject.toml").write_text('[tool.site_builder]\ntitle = "测试档案"\n'
                                         f'search_engine = "{request.param}"\n', encoding="utf-8")
    for name, (front_matter, body) in DOCS.items():
        write_doc(root / "content", name, front_matter, body)
    run_cli("build", "--root", root)
    server, base = serve_folder(root / "public")
    yield root, base
    server.shutdown()


@pytest.mark.parametrize("query, expected", [
    ("𠀋", {"a"}), ("𠀋𠀋字", {"a"}),                          # outside the BMP, one and several characters
    ("〔2019〕8", {"a", "d"}), ("〔2019〕8号", {"a"}), ("〔2019〕88号", {"d"}), ("〔2019〕888", set()),
    ("full宽", {"a"}), ("ＦＵＬＬ宽", {"a"}),                   # NFKC and case on both sides
    ("资讯公开", {"a"}), ("資訊公開", {"a"}),                  # Traditional text, either query
    ("行政复议", {"d"}),                                       # a line break in the text is not crossed
    ("县", {"a", "c", "d"}), ("政务公开工作要点", {"b"}),        # one character; a title-only document
    ("0件", {"a"}), ("号 复议", {"a", "d"}), ("复议 888", set()),
])
def test_exact_matches(site, browser, query, expected):
    root, base = site
    page = browser.new_page()
    page.goto(base + "search/")
    urls = page.evaluate("q => window.siteSearch(q).then(r => r.map(x => x.url))", query)
    assert {u.strip("/").rsplit("/", 1)[-1] for u in urls} == expected, query
    page.close()


def test_ranking_and_excerpt(site, browser):
    root, base = site
    page = browser.new_page()
    page.goto(base + "search/")
    results = page.evaluate("q => window.siteSearch(q, {}, {limit: 10})", "年度报告")
    assert [r["title"] for r in results][:2] == ["丁县2019年政府信息公开工作年度报告", "甲县2019年政府信息公开工作年度报告"]
    first = page.evaluate("q => window.siteSearch(q, {}, {limit: 1})", "行政复议")[0]
    assert first["excerpt"]["text"].startswith("行政复议 行政复议") and len(first["excerpt"]["marks"]) == 3
    page.close()


def test_index_bytes_do_not_depend_on_the_run(site, tmp_path):
    root, _ = site
    index = next(INDEX[e] for e in ENGINES if (root / "public" / INDEX[e]).is_dir())
    before = {p.relative_to(root / "public"): p.read_bytes() for p in (root / "public" / index).rglob("*") if p.is_file()}
    run_cli("build", "--root", root, "--output", tmp_path / "again")
    after = {p.relative_to(tmp_path / "again"): p.read_bytes() for p in (tmp_path / "again" / index).rglob("*") if p.is_file()}
    assert before == after and len(before) > 10


def test_the_lexsort_path_writes_the_same_pair_files(tmp_path, monkeypatch):
    """Pairs are sorted as one 64-bit key when pair, document and position fit, else by lexsort (an archive
    with very many distinct characters or very long documents): both give the same files."""
    from site_builder.search import exact as search

    texts = ["甲县2019年政府信息公开工作年度报告 𠀋𠀋 〔2019〕8号 " * 3, "行政复议 行政复议。", "", "县"]
    codes, starts = search.fold(texts)
    written = []
    for key_bits in (64, 8):
        monkeypatch.setattr(search, "KEY_BITS", key_bits)
        folder = tmp_path / str(key_bits)
        firsts = search.pair_table(codes, starts, folder)
        written.append((firsts, {p.name: p.read_bytes() for p in (folder / "pairs").iterdir()}))
    assert written[0] == written[1] and written[0][1]


@pytest.mark.parametrize("query, shown", [("资讯公开", "資訊公開"), ("full宽", "Ｆｕｌｌ宽"), ("〔2019〕8号", "〔2019〕8号")])
def test_excerpts_show_the_text_as_written_with_the_match_marked(site, browser, query, shown):
    """The excerpt is the document's own text (Traditional characters, full-width letters, its punctuation);
    the query, folded, is found in it and marked."""
    root, base = site
    page = browser.new_page()
    page.goto(base + "search/")
    excerpt = page.evaluate("q => window.siteSearch(q, {}, {limit: 1}).then(r => r[0].excerpt)", query)
    assert shown in excerpt["text"]
    units = excerpt["text"].encode("utf-16-le")   # marks are JavaScript string offsets (UTF-16 units)
    assert [units[2 * s:2 * e].decode("utf-16-le") for s, e in excerpt["marks"]] == [shown]
    page.close()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_part_whose_documents_did_not_change_is_reused(tmp_path, engine):
    """An archive indexed in 3 parts, then one document's text edited: its part is built again, the other two
    are hard-linked from the last index, and the result is byte-identical to an index built from nothing."""
    import os
    import sys

    from conftest import REPO
    from site_builder import search
    from site_builder.build import load
    from site_builder.config import load_config

    sys.path.insert(0, str(REPO / "benchmarks"))
    import corpus

    root = tmp_path / "site"
    corpus.generate(30, root / "content", seed=5)
    (root / "pyproject.toml").write_text('[tool.site_builder]\ntitle = "测试档案"\n', encoding="utf-8")
    first = search.build_search_index(load(load_config(root)), tmp_path / "a", engine, parts=3)
    assert first["reused"] == 0
    edited = sorted((root / "content").glob("*.md"))[7]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n新增一段：行政复议。\n", encoding="utf-8")
    site = load(load_config(root))
    again = search.build_search_index(site, tmp_path / "b", engine, parts=3, previous=tmp_path / "a")
    fresh = search.build_search_index(site, tmp_path / "c", engine, parts=3)
    assert again["reused"] == 2 and fresh["reused"] == 0

    def files(folder):
        return {p.relative_to(folder): p for p in sorted(folder.rglob("*")) if p.is_file()}

    b, c = files(tmp_path / "b"), files(tmp_path / "c")
    assert {k: v.read_bytes() for k, v in b.items()} == {k: v.read_bytes() for k, v in c.items()}
    linked = {k.parts[1] for k, v in b.items() if k.parts[1].isdigit()
              and (tmp_path / "a" / k).exists() and os.path.samefile(v, tmp_path / "a" / k)}
    assert len(linked) == 2


def test_pagefind_words_made_with_arrays_equal_those_made_character_by_character():
    """The Pagefind engine lays out a document's words with array operations, and character by character
    where a text has a rare character: both ways give the same content, title length and vocabulary."""
    import sys

    from conftest import REPO
    from site_builder.search.pagefind import Words
    from site_builder.search.text import normalise

    def fold(text):   # as the engine folds: normalise(), and every white space character a space
        return "".join(" " if c.isspace() else c for c in normalise(text))

    sys.path.insert(0, str(REPO / "benchmarks"))
    import corpus

    class Doc:
        def __init__(self, title, body_text):
            self.title, self.body_text = title, body_text

    docs = [Doc(title, body) for _, (title, body) in sorted(DOCS.items())]
    docs += [Doc("", ""), Doc("a", " "), Doc("题", "\u3000正文，Ｆｕｌｌ〔2019〕8号\n行政\n复议\n\n"), Doc("甲 乙", "\x1c甲\u2028乙 ")]
    docs += [Doc(s[:12], s) for s in corpus.sentences()[:300]]
    for doc in docs:
        fast, slow = Words(), Words()
        assert fast.record(doc) == slow._slow(fold(doc.title), fold(doc.body_text)), doc.title
        assert fast.vocabulary() == slow.vocabulary(), doc.title
