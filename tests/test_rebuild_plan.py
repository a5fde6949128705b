"""Which pages a rebuild renders and which files it rewrites, for each kind of change (rebuild.py).

Each test builds the small site of test_build.py with the real CLI, changes one thing, builds again and checks:
the exact set of pages rendered and files written or removed (the build's record in
.site-builder-cache/last-build.json), that every other file of public/ is untouched (same inode, same mtime),
and that public/ is byte-identical to a clean build of the same input.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import run_cli, write_doc
from site_checks import tree_bytes
from test_build import make_site

from site_builder.config import BUILTIN_THEME


@pytest.fixture
def site(tmp_path) -> Path:
    root = make_site(tmp_path / "site")
    run_cli("build", "--root", root, "--no-search")
    return root


def stamps(public: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(public).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in public.rglob("*") if p.is_file()}


def rebuild(root: Path) -> dict:
    """Build again; what it did, after checking that it touched nothing else and equals a clean build."""
    before = stamps(root / "public")
    out = run_cli("build", "--root", root, "--no-search").stdout
    record = json.loads((root / ".site-builder-cache" / "last-build.json").read_text(encoding="utf-8"))
    after = stamps(root / "public")
    if record["written"] != "*":
        assert out.startswith("rebuilt ") and f"{len(record['written'])} file" in out
        untouched = {rel for rel in before if rel not in record["written"]}
        assert {rel: after.get(rel) for rel in untouched} == {rel: before[rel] for rel in untouched}
        assert set(after) == (set(before) | set(record["written"])) - {r for r in record["written"] if r not in after}
    clean = root.parent / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns("public", ".site-builder-cache"))
    run_cli("build", "--root", clean, "--no-search")
    assert tree_bytes(root / "public") == tree_bytes(clean / "public")
    return record


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / "content" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def pages(*routes: str) -> list[str]:
    return sorted(routes)


def files(*paths: str) -> list[str]:
    return sorted(paths)


def test_no_change_renders_nothing(site):
    before = stamps(site / "public")
    assert run_cli("build", "--root", site, "--no-search").stdout.startswith("no change")
    (site / "content" / "qianshan-2020.md").touch()   # same bytes, new mtime: nothing to render
    assert run_cli("build", "--root", site, "--no-search").stdout.startswith("no change")
    assert stamps(site / "public") == before


def test_title_change_renders_the_pages_that_show_the_title(site):
    edit(site, "qianshan-2020.md", "潜山市2020年政府信息公开年度报告", "潜山市2020年政府信息公开工作年度报告")
    record = rebuild(site)
    assert record["rendered"] == pages(
        "/docs/qianshan-2020/", "/docs/qianshan-2019/",            # itself, and its region's other page (related)
        "/", "/regions/340000/", "/regions/340000/page/2/", "/regions/340800/", "/regions/340800/page/2/",
        "/regions/340882/", "/years/2020/", "/types/annual-report/", "/stats/2020/", "/data/")   # not /stats/:
    # it shows no title (a title decides only between two reports of one region and year)
    assert record["written"] == files(
        "docs/qianshan-2020/index.html", "docs/qianshan-2019/index.html", "index.html",
        "regions/340000/index.html", "regions/340800/index.html", "regions/340882/index.html",
        "years/2020/index.html", "types/annual-report/index.html", "stats/2020/index.html",
        "data/index.html", "data/documents.json", "data/documents.csv", "feed.xml")


def test_statistics_page_reads_the_figures(site):
    edit(site, "qianshan-2019.md", "proactive_total: 36629", "proactive_total: 36630")
    record = rebuild(site)
    assert {"/stats/", "/stats/2019/", "/docs/qianshan-2019/"} <= set(record["rendered"])
    assert {"stats/index.html", "stats/2019/index.html"} <= set(record["written"])


def test_a_title_that_decides_between_two_reports_renders_the_statistics_page(site):
    """Two annual reports of 潜山市 for 2019 by the same office: the first by title stands for the region."""
    write_doc(site / "content", "qianshan-2019-b.md", 'title: 潜山市2019年政府信息公开年度报告（补充）\ndoc_type: annual_report\n'
              'year: 2019\ndate: 2020-02-01\nissuing_body: 潜山市人民政府办公室\n'
              'region: {code: "340882", province: 安徽省, city: 安庆市, county: 潜山市}\nstats: {proactive_total: 5}', "正文。\n")
    assert "/stats/" in rebuild(site)["rendered"]
    edit(site, "qianshan-2019-b.md", "潜山市2019年政府信息公开年度报告（补充）", "一份潜山市2019年报告")   # now first
    record = rebuild(site)   # equal to a clean build: /stats/ now counts this report's 5
    assert "/stats/" in record["rendered"] and "stats/index.html" in record["written"]


def test_body_only_change_renders_the_document_page_only(site):
    edit(site, "qianshan-2020.md", "正文。", "正文，有一处修改。")
    record = rebuild(site)
    assert record["rendered"] == ["/docs/qianshan-2020/"]
    assert record["written"] == ["docs/qianshan-2020/index.html"]


def test_added_document(site):
    write_doc(site / "content", "anqing-2020.md", 'title: 安庆市2020年政务公开工作要点\ndoc_type: work_points\nyear: 2020\n'
              'date: 2020-04-02\nregion: {code: "340800", province: 安徽省, city: 安庆市, county: null}', "要点。\n")
    record = rebuild(site)
    assert record["rendered"] == pages(
        "/docs/anqing-2020/", "/docs/anqing-2019/",                 # new, and its region's other document
        "/docs/qianshan-2019/", "/docs/qianshan-2020/",             # their city's count changed (same bytes)
        "/", "/regions/", "/years/", "/types/",                     # counts
        "/regions/340000/", "/regions/340000/page/2/", "/regions/340800/", "/regions/340800/page/2/",
        "/years/2020/", "/types/work-points/", "/types/work-points/page/2/", "/data/")
    assert record["written"] == files(
        "docs/anqing-2020/index.html", "docs/anqing-2019/index.html", "index.html", "regions/index.html",
        "years/index.html", "types/index.html", "regions/340000/index.html", "regions/340000/page/2/index.html",
        "regions/340800/index.html", "regions/340800/page/2/index.html", "years/2020/index.html",
        "types/work-points/index.html", "types/work-points/page/2/index.html", "data/index.html",
        "data/documents.json", "data/documents.csv", "feed.xml", "sitemap.xml")


def test_deleted_document_removes_its_pages(site):
    (site / "content" / "ganzhou-2018.md").unlink()   # the only document of 赣州, 江西 and of its type
    record = rebuild(site)
    assert record["rendered"] == pages("/", "/regions/", "/years/", "/types/", "/years/2018/", "/data/")
    assert record["written"] == files(
        "docs/ganzhou-2018/index.html", "regions/360000/index.html", "regions/360700/index.html",
        "types/work-plan/index.html",                              # removed
        "index.html", "regions/index.html", "years/index.html", "types/index.html", "years/2018/index.html",
        "data/index.html", "data/documents.json", "data/documents.csv", "feed.xml", "sitemap.xml")
    assert not (site / "public" / "regions" / "360000").exists()


def test_renamed_file_moves_its_page(site):
    (site / "content" / "anqing-2019.md").rename(site / "content" / "anqing-2019-points.md")   # slug from the name
    record = rebuild(site)
    assert record["rendered"] == pages(
        "/docs/anqing-2019-points/", "/", "/regions/340000/", "/regions/340000/page/2/", "/regions/340800/",
        "/regions/340800/page/2/", "/years/2019/page/2/", "/types/work-points/", "/data/")
    assert record["written"] == files(
        "docs/anqing-2019/index.html", "docs/anqing-2019-points/index.html", "index.html",
        "regions/340000/page/2/index.html", "regions/340800/page/2/index.html", "years/2019/page/2/index.html",
        "types/work-points/index.html", "data/index.html", "data/documents.json", "data/documents.csv",
        "feed.xml", "sitemap.xml")
    assert not (site / "public" / "docs" / "anqing-2019").exists()


def test_template_edit_renders_the_pages_using_it(site):
    templates = site / "templates"
    templates.mkdir()
    source = (BUILTIN_THEME / "templates" / "list.html").read_text(encoding="utf-8")
    (templates / "list.html").write_text(source.replace("</h1>", "</h1><!-- 列表 -->", 1), encoding="utf-8")
    record = rebuild(site)
    listings = ["/types/annual-report/", "/types/annual-report/page/2/", "/types/other/", "/types/work-plan/",
                "/types/work-points/", "/years/2018/", "/years/2019/",
                "/years/2019/page/2/", "/years/2020/", "/years/2021/", "/years/undated/"]
    assert record["rendered"] == pages(*listings)
    assert record["written"] == files(*(route.lstrip("/") + "index.html" for route in listings))


def test_included_template_edit_renders_the_pages_including_it(site):
    """_macros.html is imported by the listings, the home page and the document pages, not by the others."""
    templates = site / "templates"
    templates.mkdir()
    source = (BUILTIN_THEME / "templates" / "_macros.html").read_text(encoding="utf-8")
    (templates / "_macros.html").write_text(source + "\n{# 注释：输出不变 #}\n", encoding="utf-8")
    record = rebuild(site)
    rendered = set(record["rendered"])
    assert {"/", "/docs/qianshan-2019/", "/years/2019/", "/regions/340000/"} <= rendered
    assert not rendered & {"/search/", "/404.html", "/data/", "/stats/", "/regions/", "/years/", "/types/"}
    assert record["written"] == []   # a comment changes no page's bytes: nothing rewritten


def test_static_file_edit_renders_the_pages_linking_it(site):
    static = site / "static"
    static.mkdir()
    source = (BUILTIN_THEME / "static" / "stats.js").read_text(encoding="utf-8")
    (static / "stats.js").write_text(source + "\n// 修改\n", encoding="utf-8")
    old = [p.name for p in (site / "public" / "assets").glob("stats.*.js")]
    record = rebuild(site)
    new = [p.name for p in (site / "public" / "assets").glob("stats.*.js")]
    assert record["rendered"] == pages("/stats/", "/stats/2018/", "/stats/2019/", "/stats/2020/", "/stats/2021/")
    assert record["written"] == files(f"assets/{old[0]}", f"assets/{new[0]}", "stats/index.html",
                                      "stats/2018/index.html", "stats/2019/index.html", "stats/2020/index.html",
                                      "stats/2021/index.html")


def test_config_change_renders_everything(site):
    config = site / "pyproject.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("测试档案", "测试档案馆"), encoding="utf-8")
    record = rebuild(site)
    assert record == {"step": "full", "rendered": "*", "written": "*"}


def test_a_changed_output_file_is_rebuilt_whole(site):
    """public/ edited by hand is not as the last build left it: the next build replaces it whole."""
    (site / "public" / "docs" / "undated" / "index.html").write_text("edited", encoding="utf-8")
    edit(site, "qianshan-2020.md", "正文。", "正文，有一处修改。")
    record = rebuild(site)
    assert record["step"] == "full"


def test_a_broken_document_leaves_public_untouched(site):
    before = stamps(site / "public")
    edit(site, "qianshan-2020.md", "doc_type: annual_report", "doc_type: nonsense")
    result = run_cli("build", "--root", site, "--no-search", check=False)
    assert result.returncode == 1 and "qianshan-2020.md" in result.stderr
    assert stamps(site / "public") == before
    edit(site, "qianshan-2020.md", "doc_type: nonsense", "doc_type: annual_report")   # as before: nothing to do
    assert run_cli("build", "--root", site, "--no-search").stdout.startswith("no change")
    assert stamps(site / "public") == before
