"""Approximate figures end to end: ingest writes the figure and `approx: [key]`, the loader accepts only stats
keys there, and the document page shows the figure as 约…, never as an exact number. Real CLI runs."""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import run_cli, write_doc
from site_checks import soup

FIXTURES = Path(__file__).parent / "fixtures" / "stats_prose"


def front(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("\n---\n", 1)[0][4:])


def test_ingest_records_approximate_and_exact_figures(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("approximate_2018.txt", "county_breakdown_2019.txt"):
        (raw / name).write_bytes((FIXTURES / name).read_bytes())
    run_cli("ingest", raw, "--out", tmp_path / "content")
    fronts = {front(p)["source"]["file"]: front(p) for p in (tmp_path / "content").glob("*.md")}
    approx = fronts["approximate_2018.txt"]
    assert approx["doc_type"] == "annual_report"
    assert approx["stats"]["proactive_total"] == 12000 and approx["approx"] == ["proactive_total"]
    exact = fronts["county_breakdown_2019.txt"]
    assert exact["stats"]["proactive_total"] == 5210 and "approx" not in exact


SITE_CONFIG = '[tool.site_builder]\ntitle = "测试档案"\n'
FRONT = ("title: 某区2018年政府信息公开工作年度报告\ndoc_type: annual_report\nyear: 2018\nregion: null\n"
         "stats:\n  proactive_total: 12000\n  review_total: 3\n")


def test_page_shows_approximate_figures_with_yue(tmp_path):
    (tmp_path / "pyproject.toml").write_text(SITE_CONFIG, encoding="utf-8")
    write_doc(tmp_path / "content", "a.md", FRONT + "approx: [proactive_total]\n")
    run_cli("build", "--root", tmp_path, "--no-search", "--quiet")
    page = next((tmp_path / "public" / "docs").glob("*/index.html"))
    cells = {th.get_text(strip=True): th.find_next_sibling("td").get_text(strip=True)
             for th in soup(page).select("th[scope=row]") if th.find_next_sibling("td")}
    shown = {label: value for label, value in cells.items() if "12" in value or value == "3"}
    assert any(v.startswith("约") and "12" in v for v in shown.values()), cells
    assert any(v == "3" for v in shown.values()), cells          # an exact figure stays exact


def test_loader_refuses_approx_that_is_not_a_list_of_stats_keys(tmp_path):
    (tmp_path / "pyproject.toml").write_text(SITE_CONFIG, encoding="utf-8")
    for bad in ("approx: [proactive]", "approx: proactive_total", "approx: [{a: 1}]"):
        write_doc(tmp_path / "content", "a.md", FRONT + bad + "\n")
        result = run_cli("build", "--root", tmp_path, "--no-search", "--quiet", check=False)
        assert result.returncode != 0, bad
        assert "'approx' must be a list of stats keys" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
