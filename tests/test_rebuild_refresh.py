"""serve and watch keep one Rebuilder: a content edit that leaves every changed document where it is listed is
rebuilt from the last build's site and plan (Rebuilder.refresh) instead of loading and planning everything.

Through one long-lived Rebuilder, a series of title, body, date and figure edits must render exactly the pages
that `site-builder build` renders for the same edit (on a twin of the project) and leave public/
byte-identical to a clean build. Edits that move a document (its place in the archive's order, its year) are
refused by refresh() and go through the full load and plan, after which refresh() serves again.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import run_cli
from site_checks import tree_bytes
from test_build import make_site

from site_builder.config import load_config
from site_builder.rebuild import Rebuilder


class Twins:
    """The project served (one Rebuilder for the whole test) and its twin built by the CLI after each edit."""

    def __init__(self, tmp: Path):
        self.root = make_site(tmp / "served")
        self.twin = tmp / "twin"
        shutil.copytree(self.root, self.twin)
        run_cli("build", "--root", self.twin, "--no-search")
        self.rebuilder = Rebuilder(load_config(self.root))
        site = self.rebuilder.load()
        self.rebuilder.build(site, self.rebuilder.plan(site))

    def edit(self, name: str, old: str, new: str) -> Path:
        for root in (self.root, self.twin):
            path = root / "content" / name
            text = path.read_text(encoding="utf-8")
            assert old in text
            path.write_text(text.replace(old, new), encoding="utf-8")
        return self.root / "content" / name

    def rebuild(self, paths: set[Path], refreshed: bool = True) -> dict:
        """Rebuild the served project as serve does; check it against the twin's build and a clean build."""
        rebuilder = self.rebuilder
        live = rebuilder.refresh(paths)
        assert (live is not None) == refreshed
        if live is None:
            site = rebuilder.load()
            live = (site, rebuilder.plan(site))
        outcome = rebuilder.build(*live)
        run_cli("build", "--root", self.twin, "--no-search")
        record = json.loads((self.twin / ".site-builder-cache" / "last-build.json").read_text(encoding="utf-8"))
        assert outcome.step == "changes" and record["written"] != "*"
        assert sorted(outcome.rendered) == sorted(record["rendered"])
        assert sorted(outcome.written) == sorted(record["written"])
        clean = self.root.parent / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        shutil.copytree(self.root, clean, ignore=shutil.ignore_patterns("public", ".site-builder-cache"))
        run_cli("build", "--root", clean, "--no-search")
        assert tree_bytes(self.root / "public") == tree_bytes(clean / "public")
        return {"rendered": sorted(outcome.rendered), "written": sorted(outcome.written)}


@pytest.fixture
def twins(tmp_path) -> Twins:
    return Twins(tmp_path)


def test_edits_through_one_rebuilder_render_what_build_renders(twins):
    path = twins.edit("qianshan-2020.md", "潜山市2020年政府信息公开年度报告", "潜山市2020年政府信息公开工作年度报告")
    done = twins.rebuild({path})
    assert done["rendered"] == sorted([
        "/docs/qianshan-2020/", "/docs/qianshan-2019/", "/", "/regions/340000/", "/regions/340000/page/2/",
        "/regions/340800/", "/regions/340800/page/2/", "/regions/340882/", "/years/2020/",
        "/types/annual-report/", "/stats/2020/", "/data/"])
    path = twins.edit("qianshan-2020.md", "正文。", "正文，有一处修改。")
    assert twins.rebuild({path})["rendered"] == ["/docs/qianshan-2020/"]
    path = twins.edit("qianshan-2019.md", "proactive_total: 36629", "proactive_total: 36630")
    assert {"/stats/", "/stats/2019/", "/docs/qianshan-2019/"} <= set(twins.rebuild({path})["rendered"])
    path = twins.edit("qianshan-2019.md", "date: 2020-01-31", "date: 2020-02-01")   # its place stays
    twins.rebuild({path})


def test_several_documents_in_one_batch(twins):
    first = twins.edit("anqing-2019.md", "安庆市2019年政务公开工作要点", "安庆市2019年政务公开工作要点（修订）")
    second = twins.edit("ganzhou-2018.md", "方案。", "方案，修订。")
    third = twins.edit("dongcheng-2021.md", "东城区2021年", "北京市东城区2021年")
    assert "/docs/ganzhou-2018/" in twins.rebuild({first, second, third})["rendered"]


def test_a_moved_document_goes_the_full_way_then_refresh_serves_again(twins):
    path = twins.edit("anqing-2019.md", "date: 2019-04-02", "date: 2019-04-20")   # now before 国办 2019-04-15
    twins.rebuild({path}, refreshed=False)
    path = twins.edit("anqing-2019.md", "year: 2019", "year: 2020")
    twins.rebuild({path}, refreshed=False)
    path = twins.edit("anqing-2019.md", "安庆市2019年政务公开工作要点", "安庆市政务公开工作要点")
    twins.rebuild({path})


def test_other_changes_are_refused(twins):
    rebuilder = twins.rebuilder
    content = twins.root / "content"
    assert rebuilder.refresh({content / "new.md"}) is None          # not a document of the last build
    site = rebuilder.load()
    rebuilder.build(site, rebuilder.plan(site))
    assert rebuilder.refresh({content}) is None                     # a folder
    site = rebuilder.load()
    rebuilder.build(site, rebuilder.plan(site))
    broken = twins.edit("undated.md", "doc_type: other", "doc_type: [")
    assert rebuilder.refresh({broken}) is None                      # a broken file: the full load reports it
    assert rebuilder.refresh({content / "qianshan-2020.md"}) is None   # no state after a refusal until a build
