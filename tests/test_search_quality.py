"""Search quality: results are exactly the documents whose text contains the query (issues 4 and 14).

A generated archive of 240 documents is built by the real CLI with each search engine (Pagefind, the
default, and the project's own exact index) and searched through `window.siteSearch` in headless Chromium;
recall and precision are computed against substring truth over the documents' text, and the two engines
must give the same answers in the same order.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest

from conftest import REPO, run_cli, serve_folder
from site_builder.content.loader import load_file
from site_builder.search.text import normalise

sys.path.insert(0, str(REPO / "benchmarks"))
import corpus  # noqa: E402

FIXED_QUERIES = [
    # 1–8 characters
    "议", "县", "年", "复", "复议", "公开", "诉讼", "目录", "培训", "公报", "行政复议", "依申请公开",
    "政府信息公开", "重点领域信息", "政务公开工作要点", "主动公开目录", "保密审查", "政策解读",
    "新媒体矩阵", "信息员", "放管服", "三公经费", "不予公开", "网站集群",
    # 文号 fragments and mixed Chinese/digits
    "〔2018〕", "政办发〔2019〕", "号", "2019年", "2008年", "12月31日", "20件", "36个",
    # multi-term: every term must occur
    "行政复议 2019年", "培训 公开 目录", "政务 公报", "依申请公开 保密审查", "县 复议",
]


def doc_texts(content: Path) -> dict[str, str]:
    """url → the text the build indexes (title + body), normalised; a query matches the text as written, so
    not across a line break or space (its terms are space-separated themselves)."""
    texts = {}
    for path in sorted(content.glob("*.md")):
        doc = load_file(path, content.parent)
        texts[f"/docs/{doc.slug}/"] = re.sub(r"\s+", " ", normalise(doc.text))
    return texts


def sampled_queries(texts: dict[str, str], rng: random.Random) -> list[str]:
    """Place names from titles, 文号 and figures, and random substrings (1–8 characters) of random documents."""
    queries = []
    for text in rng.sample(sorted(texts.values()), 12):
        queries.append(re.match(r"[\u4e00-\u9fff]+?(?:区|县|市|旗|州|盟)", text).group())
    # 文号 and their fragments (坊政发〔2008〕101号, 〔2008〕101号, 政发〔2008〕), figures with units (36629条)
    numbered = sorted(t for t in texts.values() if re.search(r"〔\d{4}〕\d+号", t))
    for text in rng.sample(numbered, min(4, len(numbered))):
        number = re.search(r"[\u4e00-\u9fff]{2,4}〔\d{4}〕\d+号", text).group()
        queries += [number, number[number.index("〔"):], number[1:number.index("〕") + 1]]
    for text in rng.sample(sorted(texts.values()), 4):
        queries.append(rng.choice(re.findall(r"\d+条", text) or ["0条"]))
    while len(queries) < 50:
        text = rng.choice(sorted(texts.values()))
        length = rng.randint(1, 8)
        start = rng.randrange(0, len(text) - length)
        piece = text[start:start + length]
        # Han characters and digits, sometimes with punctuation (“放管服”, 2019年1月, 公开、), never spaces
        if re.fullmatch(r"[\u4e00-\u9fff0-9]+", piece) or (not re.search(r"\s|\|", piece) and re.search(r"[\u4e00-\u9fff]{2}", piece)):
            queries.append(piece)
    return queries


def truth(texts: dict[str, str], query: str) -> set[str]:
    terms = [re.sub(r"\s+", "", normalise(t)) for t in query.split()]
    return {url for url, text in texts.items() if all(t in text for t in terms)}


ENGINES = ("pagefind", "exact")
# Terms that no document says although each of their characters (and for some, pairs) occur: an engine that
# answered a missing word with a similar one (as Pagefind does with a word it lacks) would find them.
ABSENT = ["复鑫", "议复", "〔2018〕888", "政府信息公开工作年度报告报告", "号号", "鑫"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The archive built once per engine (public-<engine>/), each served: root, {engine: base URL}."""
    root = tmp_path_factory.mktemp("quality")
    corpus.generate(240, root / "content", seed=7)
    servers, bases = [], {}
    for engine in ENGINES:
        run_cli("build", "--root", root, "--search-engine", engine, "--output", f"public-{engine}")
        server, bases[engine] = serve_folder(root / f"public-{engine}")
        servers.append(server)
    yield root, bases
    for server in servers:
        server.shutdown()


@pytest.fixture(scope="module", params=ENGINES)
def archive(request, built):
    root, bases = built
    return root, bases[request.param], request.param


def test_recall_and_precision_against_substring_truth(archive, browser):
    root, base, engine = archive
    texts = doc_texts(root / "content")
    queries = FIXED_QUERIES + sampled_queries(texts, random.Random(3))
    assert len(texts) >= 200 and len(queries) >= 50
    page = browser.new_page()
    page.goto(base + "search/")
    found_total = truth_total = hits = 0
    misses = []
    for query in queries:
        expected = truth(texts, query)
        got = page.evaluate("q => window.siteSearch(q).then(r => r.map(x => x.url))", query)
        assert len(got) == len(set(got)), query
        got = set(got)
        hits += len(got & expected)
        found_total += len(got)
        truth_total += len(expected)
        if got != expected:
            misses.append((query, len(expected - got), len(got - expected)))
    recall = hits / truth_total
    precision = hits / found_total
    print(f"\nsearch quality on {len(texts)} documents, {len(queries)} queries: "
          f"recall {recall:.4f}, precision {precision:.4f}; differing queries: {misses}")
    assert recall >= 0.99 and precision >= 0.99, misses
    page.close()


def test_traditional_query_finds_simplified_text(archive, browser):
    root, base, engine = archive
    texts = doc_texts(root / "content")
    page = browser.new_page()
    page.goto(base + "search/")
    traditional = page.evaluate("q => window.siteSearch(q).then(r => r.map(x => x.url))", "行政複議")
    assert set(traditional) == truth(texts, "行政复议") and traditional
    page.close()


def test_ranking_title_first_then_occurrences(archive, browser):
    root, base, engine = archive
    docs = [load_file(p, root) for p in sorted((root / "content").glob("*.md"))]
    texts = {f"/docs/{d.slug}/": normalise(d.text) for d in docs}
    titles = {f"/docs/{d.slug}/": d.title for d in docs}
    query = next(q for q in ("实施方案", "工作要点", "落实情况", "政务公开", "信息公开")
                 if any(q in titles[u] for u in truth(texts, q)) and not all(q in titles[u] for u in truth(texts, q)))
    page = browser.new_page()
    page.goto(base + "search/")
    results = page.evaluate("q => window.siteSearch(q)", query)
    in_title = [query in r["title"] for r in results]
    assert in_title == sorted(in_title, reverse=True), f"documents with {query} in the title come first"
    body_only = [r["url"] for r in results if query not in r["title"]]
    counts = [texts[u].count(query) for u in body_only]
    # among documents without it in the title, more occurrences rank higher
    assert counts == sorted(counts, reverse=True), counts
    # and equal ones the newest first
    dates = {f"/docs/{d.slug}/": (d.date.isoformat() if d.date else f"{d.year or 0:04d}-00-00") for d in docs}
    keys = [(query in r["title"], texts[r["url"]].count(query), dates[r["url"]]) for r in results]
    assert keys == sorted(keys, reverse=True), keys
    page.close()


def test_index_in_parts_gives_the_same_results_in_date_order(archive, browser, tmp_path):
    """A large archive is indexed in parts (newest first) merged in the browser: same matches, same dates order."""
    import shutil

    from site_builder.build import load
    from site_builder.config import load_config
    from site_builder.search import build_search_index

    root, base, engine = archive
    public = tmp_path / "public"
    shutil.copytree(root / f"public-{engine}", public, ignore=shutil.ignore_patterns("fulltext", "pagefind"))
    summary = build_search_index(load(load_config(root)), public, engine, parts=3)
    assert summary["parts"] == 3
    server, parts_base = serve_folder(public)
    try:
        one, three = browser.new_page(), browser.new_page()
        one.goto(base + "search/")
        three.goto(parts_base + "search/")
        for query in ("行政复议", "〔2018〕", "县", "公开 目录"):
            urls = [set(p.evaluate("q => window.siteSearch(q).then(r => r.map(x => x.url))", query)) for p in (one, three)]
            assert urls[0] == urls[1] and urls[0], query
            dates = three.evaluate("q => window.siteSearch(q, {}, {sort: 'date', limit: 1000}).then(r => r.map(x => x.date))", query)
            assert dates == sorted(dates, reverse=True), query
        one.close()
        three.close()
    finally:
        server.shutdown()


def test_counts_per_filter_value_are_exact(archive, browser):
    """The counts shown next to each filter value are those of the exact matches, also where some documents
    hold every pair of the query but not the query."""
    root, base, engine = archive
    docs = {f"/docs/{d.slug}/": d for d in (load_file(p, root) for p in sorted((root / "content").glob("*.md")))}
    texts = {u: re.sub(r"\s+", " ", normalise(d.text)) for u, d in docs.items()}
    page = browser.new_page()
    page.goto(base + "search/")
    for query in ("〔2018〕", "行政复议", "县 复议"):
        expected = truth(texts, query)
        got = page.evaluate("q => window.siteSearch(q, {}, {limit: 1}).then(r => ({total: r.total, years: r.filterCounts.year}))", query)
        assert got["total"] == len(expected), query
        years = {}
        for url in expected:
            years[str(docs[url].year)] = years.get(str(docs[url].year), 0) + 1
        assert {y: n for y, n in got["years"].items() if n} == years, query
        filtered = page.evaluate("q => window.siteSearch(q, {year: '2018'}).then(r => r.map(x => x.url))", query)
        assert set(filtered) == {u for u in expected if docs[u].year == 2018}, query
    page.close()


def test_absent_terms_find_nothing(archive, browser):
    root, base, engine = archive
    texts = doc_texts(root / "content")
    page = browser.new_page()
    page.goto(base + "search/")
    for query in ABSENT:
        assert not truth(texts, query), query
        assert page.evaluate("q => window.siteSearch(q).then(r => r.map(x => x.url))", query) == [], query
    page.close()


def test_both_engines_give_the_same_answers_in_the_same_order(built, browser):
    """Results, their order (ranking), totals, counts per filter value and excerpts do not depend on the engine."""
    root, bases = built
    texts = doc_texts(root / "content")
    queries = FIXED_QUERIES + sampled_queries(texts, random.Random(5))[:30] + ["行政複議", "政務公開"]
    pages = {engine: browser.new_page() for engine in ENGINES}
    for engine, page in pages.items():
        page.goto(bases[engine] + "search/")
    ask = """([q, f, o]) => window.siteSearch(q, f, o).then(r => ({all: r.map(x => [x.url, x.title, x.date,
        x.region, x.docType, x.excerpt]), total: r.total, counts: r.filterCounts}))"""
    for query in queries:
        for filters, options in (({}, {}), ({}, {"limit": 10}), ({"year": "2019"}, {"limit": 10, "sort": "date"})):
            answers = {e: p.evaluate(ask, [query, filters, options]) for e, p in pages.items()}
            assert answers["pagefind"] == answers["exact"], (query, filters, options)
    for page in pages.values():
        page.close()
