"""Every field of seeds/truth.json, checked on the output of the real `site-builder ingest` CLI.

Normalisation used when comparing with truth.json (documented here because truth is written by hand):

* ``publish_date`` in truth is the front matter's ``date`` (an ISO string).
* ``format: "not_annual_report"`` in truth means the front matter's ``format`` is null/absent, and truth
  ``stats: null`` means the front matter's ``stats`` is null/absent.
* ``province``/``city``/``county`` in truth are compared with ``region``. The schema demands official full
  names in ``region`` (德宏傣族景颇族自治州), while truth writes some places as the document does (德宏州). A truth
  name is accepted when it equals the official name, or when the division table resolves it (official name,
  ``short`` column or aliases.csv) to the same division code as the one in ``region``. Special zones (沈抚新区) are
  compared literally, since they are not divisions.
"""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from conftest import SEEDS, run_cli
from field_accuracy import same_place
from site_builder.regions import table

TRUTH = json.loads((SEEDS / "truth.json").read_text(encoding="utf-8"))["documents"]
STAT_KEYS = ["proactive_total", "applications_received_new", "applications_carried_over", "review_total",
             "litigation_total"]


def read_front(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    fm_text, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(fm_text), body


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    root = tmp_path_factory.mktemp("seeds")
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    out = root / "content"
    result = run_cli("ingest", seeds, "--out", out)
    docs = {}
    for p in sorted(out.glob("*.md")):
        fm, body = read_front(p)
        docs[fm["source"]["file"]] = (fm, body, p)
    return docs, result


def by_file():
    return [pytest.param(d, id=d["file"][:3]) for d in TRUTH]


def test_every_seed_ingested_and_truth_json_skipped(ingested):
    docs, result = ingested
    assert sorted(docs) == sorted(d["file"] for d in TRUTH)
    assert "truth" not in result.stderr


@pytest.mark.parametrize("truth", by_file())
def test_title_type_year_date_issuer_docnumber(ingested, truth):
    fm = ingested[0][truth["file"]][0]
    assert fm["title"] == truth["title"]
    assert fm["doc_type"] == truth["doc_type"]
    assert fm["year"] == truth["year"]
    assert fm["date"] == truth["publish_date"]
    assert isinstance(fm["date"], str)
    assert fm["issuing_body"] == truth["issuing_body"]
    assert fm["doc_number"] == truth["doc_number"]


@pytest.mark.parametrize("truth", by_file())
def test_region(ingested, truth):
    fm = ingested[0][truth["file"]][0]
    region = fm["region"]
    assert region is not None
    code = region["code"]
    assert isinstance(code, str) and len(code) == 6 and code.isdigit()
    assert same_place(truth["province"], region["province"], code, 1)
    if truth["city"] == "沈抚新区":  # special zone: name in city, province code, county null
        assert region == {"code": "210000", "province": "辽宁省", "city": "沈抚新区", "county": None}
        assert any("沈抚新区" in w for w in fm["warnings"])
    else:
        assert same_place(truth["city"], region["city"], code, 2)
        # official full names are stored, not the short form
        assert region["city"] == table().region_fields(code)["city"]
    assert same_place(truth["county"], region["county"], code, 3)
    assert region == {**table().region_fields(code), **({"city": "沈抚新区"} if truth["city"] == "沈抚新区" else {})}


def test_dehong_is_stored_with_its_official_name(ingested):
    fm = ingested[0]["004_28c6f1c900e249e4.txt"][0]
    assert fm["region"]["city"] == "德宏傣族景颇族自治州"
    assert fm["region"]["code"] == "533100"


@pytest.mark.parametrize("truth", by_file())
def test_format(ingested, truth):
    fm = ingested[0][truth["file"]][0]
    if truth["format"] == "not_annual_report":
        assert fm.get("format") is None
    else:
        assert fm["format"] == truth["format"]


@pytest.mark.parametrize("truth", by_file())
def test_stats(ingested, truth):
    fm = ingested[0][truth["file"]][0]
    if truth["stats"] is None:
        assert fm.get("stats") is None
        return
    stats = fm["stats"]
    for key in STAT_KEYS:
        assert stats.get(key) == truth["stats"][key], key


def test_repairs_are_recorded_and_applied_in_the_body(ingested):
    docs = ingested[0]
    fm, body, _ = docs["001_67db6f16469a4ce1.txt"]
    assert "国办公开办函〔2019〕60号" in body and "〔201960号" not in body
    assert "2019年1月1日至12月31日" in body
    befores = {r["before"]: r for r in fm["repairs"]}
    assert befores["〔201960号"]["after"] == "〔2019〕60号"
    for r in fm["repairs"]:
        assert set(r) >= {"field", "rule", "before", "after", "where"}
    fm, body, _ = docs["002_70ebc6065c14b089.txt"]
    assert body.lstrip().startswith("赣市府办字〔2018〕88号")
    assert "赣府厅字〔2018〕50号" in body
    assert "2018年6月22日" in body and "2018年7月10日前" in body
    own = [r for r in fm["repairs"] if r["field"] == "doc_number"]
    assert own and own[0]["before"] == "〔201888" and own[0]["after"] == "〔2018〕88号"
