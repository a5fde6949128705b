"""`site-builder build`: the real CLI on real files, asserting on what it wrote (issue 2)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import run_cli, write_doc
from site_checks import broken_links, doc_links, html_pages, soup, tree_bytes

DOCS = {
    # name: (front matter, body)
    "qianshan-2019.md": ('title: 潜山市2019年政府信息公开年度报告\ndoc_type: annual_report\nyear: 2019\ndate: 2020-01-31\n'
                         'issuing_body: 潜山市人民政府办公室\nregion: {code: "340882", province: 安徽省, city: 安庆市, county: 潜山市}\n'
                         'format: "2019"\nstats: {proactive_total: 36629, review_total: 0, litigation_total: 0}',
                         "## 一、总体情况\n\n潜山市坚持以公开为常态。\n"),
    "qianshan-2020.md": ('title: 潜山市2020年政府信息公开年度报告\ndoc_type: annual_report\nyear: 2020\ndate: 2021-01-29\n'
                         'issuing_body: 潜山市人民政府办公室\nregion: {code: "340882", province: 安徽省, city: 安庆市, county: 潜山市}',
                         "正文。\n"),
    "anqing-2019.md": ('title: 安庆市2019年政务公开工作要点\ndoc_type: work_points\nyear: 2019\ndate: 2019-04-02\n'
                       'region: {code: "340800", province: 安徽省, city: 安庆市, county: null}', "要点。\n"),
    "ganzhou-2018.md": ('title: 关于印发赣州市2018年政务公开工作实施方案的通知\ndoc_type: work_plan\nyear: 2018\ndate: 2018-06-22\n'
                        'doc_number: 赣市府办字〔2018〕88号\nregion: {code: "360700", province: 江西省, city: 赣州市, county: null}',
                        "方案。\n"),
    "shenfu-2018.md": ('title: 沈抚新区2018年度政府信息公开工作报告\ndoc_type: annual_report\nyear: 2018\ndate: 2019-03-18\n'
                       'region: {code: "210000", province: 辽宁省, city: 沈抚新区, county: null}', "报告。\n"),
    "dongcheng-2021.md": ('title: 东城区2021年政府信息公开工作年度报告\ndoc_type: annual_report\nyear: 2021\ndate: 2022-01-20\n'
                          'region: {code: "110101", province: 北京市, city: null, county: 东城区}', "报告。\n"),
    "guoban-2019.md": ('title: 国务院办公厅关于印发2019年政务公开工作要点的通知\ndoc_type: work_points\nyear: 2019\n'
                       'date: 2019-04-15\nissuing_body: 国务院办公厅\nregion: null', "通知。\n"),
    "undated.md": ('title: 某县政府信息公开指南\ndoc_type: other\nyear: null\nregion: null', "指南。\n"),
}


def make_site(root: Path, page_size: int = 2, extra_config: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(f'[tool.site_builder]\ntitle = "测试档案"\npage_size = {page_size}\n{extra_config}',
                                         encoding="utf-8")
    for name, (fm, body) in DOCS.items():
        write_doc(root / "content", name, fm, body)
    return root


@pytest.fixture
def site(tmp_path) -> Path:
    root = make_site(tmp_path / "site")
    run_cli("build", "--root", root, "--no-search")
    return root


def listing_members(public: Path, first_page: str) -> list[str]:
    """All document links of a paginated listing, following its pagination."""
    found, page = [], public / first_page / "index.html"
    seen = set()
    while page and page not in seen:
        seen.add(page)
        s = soup(page)
        found += sorted(doc_links(s))
        nxt = s.select_one('.pagination a[rel="next"]')
        page = (public / nxt["href"].lstrip("/") / "index.html") if nxt else None
    return found


def test_every_document_has_its_page(site):
    public = site / "public"
    records = json.loads((public / "data/documents.json").read_text(encoding="utf-8"))
    assert len(records) == len(DOCS)
    for record in records:
        page = public / record["url"].lstrip("/") / "index.html"
        s = soup(page)
        assert s.h1.get_text(strip=True) == record["title"]
    qianshan = soup(public / "docs/qianshan-2019/index.html")
    text = qianshan.main.get_text(" ", strip=True)
    for expected in ("潜山市人民政府办公室", "2020年1月31日", "36,629", "潜山市坚持以公开为常态"):
        assert expected in text
    assert qianshan.select_one(".doc-body h2").get_text(strip=True) == "一、总体情况"
    region_links = [a["href"] for a in qianshan.select(".doc-facts a[href^='/regions/']")]
    assert region_links == ["/regions/340000/", "/regions/340800/", "/regions/340882/"]
    other = [a["href"] for a in qianshan.select("#related-h ~ ul a.doc-title")]
    assert other == ["/docs/qianshan-2020/"]
    gz = soup(public / "docs/ganzhou-2018/index.html").main.get_text(" ", strip=True)
    assert "赣市府办字〔2018〕88号" in gz


def test_every_listing_lists_exactly_its_documents(site):
    public = site / "public"
    records = json.loads((public / "data/documents.json").read_text(encoding="utf-8"))
    by_year, by_type, by_region = defaultdict(set), defaultdict(set), defaultdict(set)
    for r in records:
        by_year[r["year"] or "undated"].add(r["url"])
        by_type[r["doc_type"].replace("_", "-")].add(r["url"])
    for r in records:
        code = (r["region"] or {}).get("code")
        if code:
            for prefix in (code[:2] + "0000", code[:4] + "00", code):
                if r["region"]["city"] == "沈抚新区" and prefix != code[:2] + "0000":
                    continue
                by_region[prefix].add(r["url"])
    for year, urls in by_year.items():
        got = listing_members(public, f"years/{year}")
        assert sorted(got) == sorted(urls), year
        assert len(got) == len(set(got))
    for slug, urls in by_type.items():
        assert sorted(listing_members(public, f"types/{slug}")) == sorted(urls), slug
    for code, urls in by_region.items():
        if (public / f"regions/{code}/index.html").exists():
            assert sorted(listing_members(public, f"regions/{code}")) == sorted(urls), code
    assert sorted(listing_members(public, "regions/210000/shen-fu-xin-qu")) == ["/docs/shenfu-2018/"]
    assert sorted(listing_members(public, "regions/110101")) == ["/docs/dongcheng-2021/"]
    # municipalities: 北京市 → 东城区 directly, no empty city level
    assert [a.get_text() for a in soup(public / "docs/dongcheng-2021/index.html").select(".doc-facts a[href^='/regions/']")] == ["北京市", "东城区"]


def test_pagination_sorted_by_date_with_breadcrumbs(site):
    public = site / "public"
    first = soup(public / "years/2019/index.html")
    second = soup(public / "years/2019/page/2/index.html")
    assert [a["href"] for a in first.select("a.doc-title")] == ["/docs/qianshan-2019/", "/docs/guoban-2019/"]
    assert [a["href"] for a in second.select("a.doc-title")] == ["/docs/anqing-2019/"]
    for page in html_pages(public):
        s = soup(page)
        if page.name == "index.html" and page.parent != public:
            assert s.select_one("nav.breadcrumbs"), page


def test_home_counts_and_latest(site):
    s = soup(site / "public/index.html")
    text = s.main.get_text(" ", strip=True)
    assert f"{len(DOCS)} 份文件" in text
    assert s.select_one("a.doc-title")["href"] == "/docs/dongcheng-2021/"   # newest first
    assert s.select_one("form[role=search]")["action"] == "/search/"


def test_every_page_is_accessible_and_self_contained(site):
    public = site / "public"
    pages = html_pages(public)
    assert len(pages) > 20
    for page in pages:
        s = soup(page)
        assert s.html["lang"] == "zh-CN", page
        assert len(s.find_all("h1")) == 1, page
        assert len(s.find_all("main")) == 1, page
        assert s.find("meta", attrs={"name": "viewport"}), page
        assert s.find("link", rel="alternate", type="application/atom+xml"), page
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
            for element in s.find_all(tag):
                url = element.get(attr) or ""
                if tag == "link" and "alternate" in (element.get("rel") or []):
                    continue
                assert not url.startswith(("http:", "https:", "//")), (page, url)
    assert broken_links(public) == []


def test_feed_sitemap_robots_404_and_open_data(site):
    public = site / "public"
    feed = (public / "feed.xml").read_text(encoding="utf-8")
    assert feed.count("<entry>") == len(DOCS) and "潜山市2019年政府信息公开年度报告" in feed
    sitemap = (public / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>/docs/qianshan-2019/</loc>" in sitemap and "404" not in sitemap
    assert "Sitemap: /sitemap.xml" in (public / "robots.txt").read_text()
    assert soup(public / "404.html").h1.get_text() == "页面未找到"
    csv_bytes = (public / "data/documents.csv").read_bytes()
    assert csv_bytes.startswith(b"\xef\xbb\xbf")
    header, *rows = csv_bytes.decode("utf-8-sig").splitlines()
    assert header.split(",")[:3] == ["url", "title", "doc_type"]
    assert "region_code" in header and "stats_review_total" in header
    assert len(rows) == len(DOCS)
    assert any(",340882," in row and ",36629," in row for row in rows)


def test_two_builds_are_byte_identical(tmp_path):
    a = make_site(tmp_path / "a")
    b = make_site(tmp_path / "b")
    run_cli("build", "--root", a)
    run_cli("build", "--root", b)
    assert tree_bytes(a / "public") == tree_bytes(b / "public")


def test_rebuild_with_no_change_rewrites_no_file(site):
    public = site / "public"
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in public.rglob("*") if p.is_file()}
    run_cli("build", "--root", site, "--no-search")
    after = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in public.rglob("*") if p.is_file()}
    assert before == after


def test_broken_content_file_fails_naming_it_and_keeps_public(site):
    public = site / "public"
    before = tree_bytes(public)
    (site / "content" / "broken.md").write_text("---\ntitle: [unclosed\ndoc_type: other\n---\n正文\n", encoding="utf-8")
    (site / "content" / "badyear.md").write_text("---\ntitle: 某文件\ndoc_type: other\nyear: abc\n---\n正文\n", encoding="utf-8")
    result = run_cli("build", "--root", site, "--no-search", check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert any(line.startswith("content/broken.md:") and "YAML" in line for line in lines), lines
    assert any(line.startswith("content/badyear.md") and "'year'" in line for line in lines), lines
    assert tree_bytes(public) == before
    assert not any(p.name.startswith(".public") for p in site.iterdir())


def test_two_documents_wanting_one_url_are_reported(tmp_path):
    root = make_site(tmp_path / "site")
    write_doc(root / "content", "copy.md", 'title: 重复\ndoc_type: other\nslug: qianshan-2019')
    result = run_cli("build", "--root", root, "--no-search", check=False)
    assert result.returncode == 1
    assert "docs/qianshan-2019/index.html" in result.stderr
    assert "content/copy.md" in result.stderr and "content/qianshan-2019.md" in result.stderr


@pytest.mark.parametrize("config, message", [
    ('colour = "red"', "unknown key tool.site_builder.colour"),
    ('search_engine = "lunr"', "tool.site_builder.search_engine must be one of pagefind, exact"),
    ('latest_size = "ten"', "tool.site_builder.latest_size must be int"),
    ('base_url = "ftp://x"', "base_url must be a path or an http(s) URL"),
])
def test_configuration_errors_are_clear(tmp_path, config, message):
    root = make_site(tmp_path / "site", extra_config=config)
    result = run_cli("build", "--root", root, check=False)
    assert result.returncode == 1 and message in result.stderr and "pyproject.toml" in result.stderr
    assert "Traceback" not in result.stderr


def test_base_url_prefixes_every_link(tmp_path):
    root = make_site(tmp_path / "site")
    run_cli("build", "--root", root, "--no-search", "--base-url", "/archive")
    public = root / "public"
    assert broken_links(public, base="/archive/") == []
    s = soup(public / "docs/qianshan-2019/index.html")
    assert s.select_one("a.site-title")["href"] == "/archive/"
    assert s.find("link", rel="stylesheet")["href"].startswith("/archive/assets/site.")


def test_summary_line(tmp_path):
    root = make_site(tmp_path / "site")
    result = run_cli("build", "--root", root, "--no-search")
    files = [p for p in (root / "public").rglob("*") if p.is_file()]
    pages = [p for p in files if p.suffix == ".html"]
    size = sum(p.stat().st_size for p in files)
    expected = re.escape(f"built {len(DOCS)} documents → {len(pages)} pages, {len(files)} files ({size / 1e6:.1f} MB) in ")
    assert re.fullmatch(expected + r"\d+\.\d\d s\n", result.stdout), result.stdout


def test_summary_names_the_size_and_warns_past_github_pages_limit(tmp_path, monkeypatch, capsys):
    """The summary gives the size of public/; past GitHub Pages' 1 GB (the limit made small here, the real
    command otherwise) a warning names the folder and the size, and the build still succeeds."""
    from site_builder import build as build_module
    from site_builder.cli import main

    root = make_site(tmp_path / "site")
    assert main(["build", "--root", str(root), "--no-search"]) == 0
    out, err = capsys.readouterr()
    size = sum(p.stat().st_size for p in (root / "public").rglob("*") if p.is_file())
    assert f"({size / 1e6:.1f} MB)" in out and "warning" not in err
    monkeypatch.setattr(build_module, "PAGES_LIMIT", size - 1)
    (root / "content" / "qianshan-2019.md").touch()
    assert main(["build", "--root", str(root), "--no-search"]) == 0
    out, err = capsys.readouterr()
    assert err.startswith(f"warning: public: {size / 1e9:.2f} GB is more than GitHub Pages publishes (1 GB")
