"""listings.py: region, year and type taxonomies as data, and pagination."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from site_builder.config import load_config
from site_builder.content.model import Body, Document, Region, Site
from site_builder.listings import build_listings, paginate, region_keys
from site_builder.urls import UNDATED, Urls


def doc(slug: str, title: str, year: int | None, doc_type: str = "annual_report", region: Region | None = None,
        date: dt.date | None = None) -> Document:
    return Document(source_path=Path(f"/x/{slug}.md"), rel_path=f"content/{slug}.md", slug=slug, title=title,
                    doc_type=doc_type, year=year, date=date, issuing_body=None, region=region, doc_number=None,
                    format=None, stats=None, tables={}, source={}, repairs=(), warnings=(),
                    body=Body("<p>正文</p>", "正文", {}), content_hash=slug, url=f"/docs/{slug}/")


QIANSHAN = Region("340882", "安徽省", "安庆市", "潜山市")
ANQING = Region("340800", "安徽省", "安庆市", None)
SHENFU = Region("210000", "辽宁省", "沈抚新区", None)


def site_of(tmp_path: Path, *docs: Document) -> Site:
    (tmp_path / "pyproject.toml").write_text("[tool.site_builder]\n", encoding="utf-8")
    return Site(load_config(tmp_path), tuple(sorted(docs, key=lambda d: d.sort_key)))


def test_region_chain_uses_division_codes_and_zones_hang_under_their_province():
    assert region_keys(doc("a", "潜山", 2019, region=QIANSHAN)) == ("340000", "340800", "340882")
    assert region_keys(doc("b", "安庆", 2019, region=ANQING)) == ("340000", "340800")
    assert region_keys(doc("c", "沈抚", 2018, region=SHENFU)) == ("210000", Urls.zone_key("210000", "沈抚新区"))
    assert region_keys(doc("d", "国务院", 2019)) == ()


def test_listings_classify_every_document(tmp_path):
    site = site_of(tmp_path,
                   doc("qs19", "潜山市2019年报告", 2019, region=QIANSHAN, date=dt.date(2020, 1, 31)),
                   doc("qs20", "潜山市2020年报告", 2020, region=QIANSHAN, date=dt.date(2021, 1, 29)),
                   doc("aq19", "安庆市2019年要点", 2019, "work_points", ANQING, dt.date(2019, 4, 2)),
                   doc("sf18", "沈抚新区2018年报告", 2018, region=SHENFU, date=dt.date(2019, 3, 18)),
                   doc("gb", "国务院办公厅通知", 2019, "work_points"),
                   doc("zn", "某县指南", None, "other"))
    listings = build_listings(site)
    regions = listings.regions
    assert list(regions) == sorted(regions)   # code order
    assert listings.provinces == ("210000", "340000")
    anhui = regions["340000"]
    assert (anhui.name, anhui.level, anhui.parent, anhui.children) == ("安徽省", 1, None, ("340800",))
    assert [d.slug for d in anhui.documents] == ["qs20", "qs19", "aq19"]   # newest first, the whole chain below
    assert [d.slug for d in regions["340800"].own_documents] == ["aq19"]
    zone = regions["210000/shen-fu-xin-qu"]
    assert (zone.name, zone.level, zone.parent) == ("沈抚新区", 2, "210000")
    assert [d.slug for d in listings.no_region] == ["gb", "zn"]
    assert [(t.key, t.label, len(t.documents)) for t in listings.years] == [
        ("2020", "2020年", 1), ("2019", "2019年", 3), ("2018", "2018年", 1), (UNDATED, "年份不详", 1)]
    assert [(t.key, len(t.documents)) for t in listings.types] == [("annual_report", 3), ("work_points", 2),
                                                                   ("other", 1)]
    assert [Urls.year(t.key) for t in listings.years][-1] == "/years/undated/"
    assert [n.key for n in listings.chain(site.documents[0])] == ["340000", "340800", "340882"]


def test_pagination_is_linear_and_never_empty():
    assert [(p.number, p.total, p.items) for p in paginate((), 10)] == [(1, 1, ())]
    pages = paginate(tuple(range(25)), 10)
    assert [(p.number, p.total, len(p.items)) for p in pages] == [(1, 3, 10), (2, 3, 10), (3, 3, 5)]
    assert sum((p.items for p in pages), ()) == tuple(range(25))
