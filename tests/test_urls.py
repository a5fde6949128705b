"""urls.py: the one place that decides routes, links, output paths and the search index roots."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.config import load_config
from site_builder.search import ENGINES
from site_builder.urls import (INDEX_ROOTS, UNDATED, Urls, document_link, find_collisions, route_of, slugify)


def config(tmp_path: Path, base_url: str = "", engine: str = "exact"):
    (tmp_path / "pyproject.toml").write_text(f'[tool.site_builder]\nbase_url = "{base_url}"\nsearch_engine = "{engine}"\n',
                                             encoding="utf-8")
    return load_config(tmp_path)


def test_routes_are_keyed_on_stable_identifiers():
    assert Urls.document("2019-340882-annual-report-ab12") == "/docs/2019-340882-annual-report-ab12/"
    assert Urls.region("340882") == "/regions/340882/"
    assert Urls.doc_type("annual_report") == "/types/annual-report/"
    assert Urls.stats_year(2019) == "/stats/2019/"
    assert Urls.paginated("/years/2019/", 1) == "/years/2019/"
    assert Urls.paginated("/years/2019/", 3) == "/years/2019/page/3/"


def test_year_routes_take_the_year_or_its_listing_key():
    assert Urls.year(2019) == Urls.year("2019") == "/years/2019/"
    assert Urls.year(None) == Urls.year(UNDATED) == "/years/undated/"


def test_special_zone_keys_hang_under_their_province_by_pinyin():
    assert Urls.zone_key("210000", "沈抚新区") == "210000/shen-fu-xin-qu"
    assert Urls.region(Urls.zone_key("210000", "沈抚新区")) == "/regions/210000/shen-fu-xin-qu/"
    assert slugify("长治市") == "changzhi-shi"   # polyphonic names by the override list


@pytest.mark.parametrize("base_url, link, absolute", [
    ("", "/docs/x/", "/docs/x/"),
    ("/archive/", "/archive/docs/x/", "/archive/docs/x/"),
    ("https://example.org/archive/", "/archive/docs/x/", "https://example.org/archive/docs/x/"),
])
def test_links_apply_the_base_url(tmp_path, base_url, link, absolute):
    urls = Urls(config(tmp_path, base_url))
    assert urls.link(Urls.document("x")) == link
    assert urls.absolute(Urls.document("x")) == absolute
    assert document_link(urls.config.base_path, "x") == link   # what Document.url holds


def test_output_files_and_their_routes_are_inverse():
    for route in ("/", "/docs/x/", "/regions/210000/shen-fu-xin-qu/", "/years/2019/page/2/", "/feed.xml",
                  "/404.html", "/data/documents.csv", "/assets/site.0123456789.css"):
        assert route_of(Urls.output_file(route)) == route
    assert Urls.output_file("/docs/x/") == "docs/x/index.html"
    for bad in ("/../x", "/docs/../../x/", "/a//b/"):
        with pytest.raises(ValueError):
            Urls.output_file(bad)


def test_fingerprinted_assets_are_recognised():
    route = Urls.asset("site.css", "0123456789")
    assert route == "/assets/site.0123456789.css"
    assert Urls.is_fingerprinted(Urls.output_file(route))
    assert Urls.is_fingerprinted("assets/favicon.abcdef0123.svg")
    assert not Urls.is_fingerprinted("assets/site.css")
    assert not Urls.is_fingerprinted("docs/site.0123456789.css/index.html")


def test_the_search_index_root_is_the_engines_folder(tmp_path):
    assert {name: module.INDEX_DIR for name, module in ENGINES.items()} == INDEX_ROOTS
    assert Urls(config(tmp_path, engine="exact")).search_index == "/fulltext/"
    assert Urls(config(tmp_path, engine="pagefind")).search_index == "/pagefind/"


def test_collisions_name_every_source():
    claims = [("docs/a/index.html", "content/a.md"), ("docs/a/index.html", "content/b.md"), ("x", "y")]
    assert find_collisions(claims) == [("docs/a/index.html", ["content/a.md", "content/b.md"])]
