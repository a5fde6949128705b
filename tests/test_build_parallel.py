"""Parallel and cached builds (issue 7): same bytes as a one-process build; a no-change rebuild touches nothing."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from conftest import REPO, run_cli, write_doc
from site_checks import soup

sys.path.insert(0, str(REPO / "benchmarks"))
import corpus  # noqa: E402  (the benchmark corpus generator: realistic documents in any number)

from site_builder import cache  # noqa: E402
from site_builder.build import build  # noqa: E402
from site_builder.config import load_config  # noqa: E402
from site_builder.content import loader  # noqa: E402
from site_builder.errors import SiteError  # noqa: E402
from site_builder.render import write as render_write  # noqa: E402

COUNT = 160


def make_project(root: Path, count: int = COUNT, page_size: int = 5) -> Path:
    corpus.generate(count, root / "content", seed=7)
    (root / "pyproject.toml").write_text(f'[tool.site_builder]\ntitle = "并行测试"\npage_size = {page_size}\n',
                                         encoding="utf-8")
    return root


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stats(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def parallel_everything(monkeypatch):
    """Workers even for a small site, so that the test exercises the parallel paths."""
    monkeypatch.setattr(loader, "PARALLEL_THRESHOLD", 10)
    monkeypatch.setattr(loader, "CHUNK", 7)
    monkeypatch.setattr(render_write, "PARALLEL_PAGES", 10)
    monkeypatch.setattr(render_write, "PAGE_CHUNK", 9)


def test_parallel_build_is_byte_identical_to_one_process(tmp_path, parallel_everything):
    one = make_project(tmp_path / "one")
    two = tmp_path / "two"
    shutil.copytree(one, two)
    a = build(load_config(one), search=False, jobs=1, use_cache=False)
    b = build(load_config(two), search=False, jobs=2)
    assert (a.documents, a.pages, a.files) == (b.documents, b.pages, b.files) and a.documents == COUNT
    assert tree(one / "public") == tree(two / "public")
    # from the document cache this time (the public/ folder is gone, so it is a full build): still the same
    shutil.rmtree(two / "public")
    c = build(load_config(two), search=False, jobs=2)
    assert not c.unchanged
    assert tree(one / "public") == tree(two / "public")


def test_cli_parallel_matches_jobs_1(tmp_path):
    """The real CLI above the real thresholds: 450 documents parsed and rendered by workers."""
    one = make_project(tmp_path / "one", count=450, page_size=50)
    two = tmp_path / "two"
    shutil.copytree(one, two)
    run_cli("build", "--root", one, "--no-search", "--jobs", "1")
    run_cli("build", "--root", two, "--no-search")
    assert tree(one / "public") == tree(two / "public")


def test_no_change_rebuild_touches_nothing(tmp_path):
    root = make_project(tmp_path / "site")
    first = run_cli("build", "--root", root, "--no-search")
    assert first.stdout.startswith("built ")
    before_bytes, before_stats = tree(root / "public"), stats(root / "public")
    again = run_cli("build", "--root", root, "--no-search")
    assert again.stdout.startswith("no change:"), again.stdout
    assert stats(root / "public") == before_stats
    assert tree(root / "public") == before_bytes
    # touching a file without changing its bytes is not a change either
    some = sorted((root / "content").glob("*.md"))[3]
    os.utime(some, ns=(some.stat().st_atime_ns, some.stat().st_mtime_ns + 5_000_000_000))
    assert run_cli("build", "--root", root, "--no-search").stdout.startswith("no change:")
    assert stats(root / "public") == before_stats


def test_changes_are_noticed(tmp_path):
    root = make_project(tmp_path / "site")
    reference = tmp_path / "reference"
    run_cli("build", "--root", root, "--no-search")

    # an edited document: its page changes, a clean build of the same content gives the same bytes
    victim = sorted((root / "content").glob("*.md"))[10]
    text = victim.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    victim.write_text(text.replace(title, 'title: "改过的标题：行政复议专题报告"').replace("## 一、总体情况", "## 一、总体情况\n\n新加的一段话。", 1),
                      encoding="utf-8")
    edited = run_cli("build", "--root", root, "--no-search")
    assert edited.stdout.startswith("rebuilt "), edited.stdout   # in place: a few pages and files
    page = root / "public" / "docs" / victim.stem / "index.html"
    assert soup(page).h1.get_text(strip=True) == "改过的标题：行政复议专题报告"
    shutil.copytree(root / "content", reference / "content")
    shutil.copy(root / "pyproject.toml", reference / "pyproject.toml")
    build(load_config(reference), search=False, use_cache=False)
    assert tree(root / "public") == tree(reference / "public")

    # public/ edited by hand or deleted: rebuilt, not "no change"
    (root / "public" / "robots.txt").write_text("tampered", encoding="utf-8")
    assert run_cli("build", "--root", root, "--no-search").stdout.startswith("built ")
    assert (root / "public" / "robots.txt").read_bytes() == (reference / "public" / "robots.txt").read_bytes()
    shutil.rmtree(root / "public")
    assert run_cli("build", "--root", root, "--no-search").stdout.startswith("built ")
    assert tree(root / "public") == tree(reference / "public")

    # a project template, a config value and a new content file each count as a change
    (root / "templates").mkdir()
    (root / "templates" / "404.html").write_text('{% extends "base.html" %}{% block main %}<p>没有这一页。</p>{% endblock %}',
                                                  encoding="utf-8")
    assert run_cli("build", "--root", root, "--no-search").stdout.startswith("rebuilt ")   # the 404 page only
    assert "没有这一页" in (root / "public" / "404.html").read_text(encoding="utf-8")
    (root / "pyproject.toml").write_text('[tool.site_builder]\ntitle = "新标题"\npage_size = 5\n', encoding="utf-8")
    assert run_cli("build", "--root", root, "--no-search").stdout.startswith("built ")
    assert "新标题" in (root / "public" / "index.html").read_text(encoding="utf-8")
    write_doc(root / "content", "extra.md", 'title: 新增文件\ndoc_type: other\nyear: 2020\nregion: null')
    assert run_cli("build", "--root", root, "--no-search").stdout.startswith("rebuilt ")
    assert (root / "public" / "docs" / "extra" / "index.html").is_file()
    # and the option: with the search index it is another build
    assert cache.last_build(root, root / "public") is not None


def test_broken_file_found_by_a_worker_is_reported_and_public_kept(tmp_path, parallel_everything):
    root = make_project(tmp_path / "site")
    build(load_config(root), search=False)
    before = stats(root / "public")
    write_doc(root / "content", "broken.md", "title: [unclosed\ndoc_type: other")
    with pytest.raises(SiteError) as info:
        build(load_config(root), search=False, jobs=2)
    assert any(p.path == "content/broken.md" and "YAML" in p.message for p in info.value.problems)
    assert stats(root / "public") == before


def test_template_error_in_a_worker_is_reported_and_public_kept(tmp_path, parallel_everything):
    root = make_project(tmp_path / "site")
    build(load_config(root), search=False)
    before = stats(root / "public")
    (root / "templates").mkdir()
    (root / "templates" / "document.html").write_text('{% extends "base.html" %}{% block main %}{{ doc.no_such_field }}'
                                                       '{% endblock %}', encoding="utf-8")
    with pytest.raises(SiteError) as info:
        build(load_config(root), search=False, jobs=2)
    assert any("templates/document.html" in p.path and "no_such_field" in p.message for p in info.value.problems)
    assert stats(root / "public") == before
    assert not (root / ".public.staging").exists()


def test_pagination_links_are_bounded(tmp_path):
    """Each listing page links to a few pages, not to all of them: listings stay linear in size."""
    root = make_project(tmp_path / "site", count=COUNT, page_size=2)
    build(load_config(root), search=False)
    page = soup(root / "public" / "types" / "annual-report" / "page" / "20" / "index.html")
    numbers = [a.get_text(strip=True) for a in page.select(".pagination li a, .pagination li span")]
    assert numbers[0] == "上一页" and numbers[-1] == "下一页"
    shown = [int(n) for n in numbers[1:-1]]
    assert shown[0] == 1 and 20 in shown and len(shown) <= 7
    assert shown[-1] == len(list((root / "public" / "types" / "annual-report" / "page").iterdir())) + 1


def test_search_parts_depend_on_the_documents_only():
    """The search index is split the same way on every machine, whatever --jobs or the free memory."""
    from site_builder.build import search_plan

    for engine in ("pagefind", "exact"):
        for n in (10, 3_999, 4_000, 10_000, 45_000, 100_000):
            assert search_plan(n, 1, engine)[0] == search_plan(n, 2, engine)[0] == search_plan(n, None, engine)[0]
            assert search_plan(n, 1, engine)[1] == 1
        assert search_plan(100, None, engine) == (1, 1)
    assert search_plan(100_000, 2, "exact")[0] == 10


def test_new_code_drops_the_document_cache(tmp_path, monkeypatch):
    root = make_project(tmp_path / "site", count=20)
    build(load_config(root), search=False)
    assert cache.DocumentStore(root).index
    monkeypatch.setattr(cache.files, "code_digest", lambda: "another version of site_builder")
    assert not cache.DocumentStore(root).index
    assert not build(load_config(root), search=False).unchanged


def test_a_fresh_pool_runs_every_task_with_its_function():
    """fork_map(fresh=True) gives each task a new worker, forked when the one before ended (the search index's
    parts, two at a time): every one of them has the pool's function, a closure never pickled. More tasks than
    workers is the case of every archive of over 10,000 documents with Pagefind (5,000 a part)."""
    from site_builder.parallel import fork_map

    factor = {"k": 3}   # a closure over a local: it cannot be pickled, it must be inherited
    results = list(fork_map(lambda n: (n * factor["k"], os.getpid()), range(7), 2, fresh=True))
    assert [value for value, _ in results] == [0, 3, 6, 9, 12, 15, 18]
    assert len({pid for _, pid in results}) == 7 and os.getpid() not in {pid for _, pid in results}


def test_an_index_of_more_parts_than_run_at_once(tmp_path, monkeypatch):
    """The search index of an archive cut into more parts than are indexed at once (as 100,000 documents make 20
    Pagefind parts on two cores) is built, every part of it."""
    from site_builder.search import exact

    root = make_project(tmp_path / "site", count=30)
    monkeypatch.setattr(exact, "PART_SIZE", 8)   # 30 documents: 4 parts, 2 at a time (the index is built in a fork)
    result = build(load_config(root, search_engine="exact"), search=True, jobs=2)
    assert result.search["records"] == 30
    assert sorted(p.name for p in (root / "public" / "fulltext").iterdir() if p.is_dir() and p.name.isdigit()) == \
        ["0", "1", "2", "3"]
