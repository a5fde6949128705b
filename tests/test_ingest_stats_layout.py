"""Tables one cell per line with a blank line between cells, where an empty cell is one more blank line (dev12):
the cleaner collapses blank-line runs, so extract_tables reads them back from the source text. Made-up fixture
tests/fixtures/tables/2019_blank_line_cells.txt and the real dev12; the CLI writes the figures."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from conftest import run_cli

from site_builder.ingest.clean import text_to_lines
from site_builder.ingest.tables import extract_tables

FIXTURES = Path(__file__).parent / "fixtures"
T3_COLS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "legal_other", "total")


def read(name: str, with_source: bool = True):
    raw = (FIXTURES / name).read_text(encoding="utf-8")
    return extract_tables(text_to_lines(raw), 2019, raw_text=raw if with_source else None)


def test_empty_cells_from_blank_line_runs():
    r = read("tables/2019_blank_line_cells.txt")
    rows = r.tables["t3_applications"]["rows"]
    assert rows["new_received"] == dict(zip(T3_COLS, [None] * 6 + [5]))        # only the 总计 cell written
    assert rows["carried_over"] == dict(zip(T3_COLS, [None] * 6 + [0]))
    assert rows["granted"] == dict(zip(T3_COLS, [3, None, None, None, None, None, 3]))
    assert rows["partial"] == dict(zip(T3_COLS, [1, 1] + [None] * 5))          # empty cells ending the row
    assert r.tables["t2_art20_1"]["rows"]["normative_docs"] == {"new_made": 2, "new_published": 2,
                                                                 "total_published": 9}
    # the table is cut after （三）: incomplete, but the rows it has are placed, so their figures count
    assert r.tables["t3_applications"]["status"] == "incomplete"
    assert (r.stats["applications_received_new"], r.stats["applications_carried_over"]) == (5, 0)


def test_without_the_blank_lines_nothing_is_guessed():
    r = read("tables/2019_blank_line_cells.txt", with_source=False)
    rows = r.tables["t3_applications"]["rows"]
    assert rows["new_received"] == {c: None for c in T3_COLS}
    assert r.stats["applications_received_new"] is None and r.stats["applications_carried_over"] is None


def test_no_rhythm_no_placing():
    """Blank lines that do not follow one rhythm between values say nothing about empty cells."""
    raw = (FIXTURES / "tables/2019_blank_line_cells.txt").read_text(encoding="utf-8")
    uneven = raw.replace("0\n\n0\n\n0\n\n", "0\n\n\n\n0\n\n\n0\n\n").replace("2\n\n2\n\n9", "2\n\n\n\n2\n\n\n\n9")
    uneven = uneven.replace("4\n\n0\n\n10", "4\n\n\n0\n\n\n\n10")
    r = extract_tables(text_to_lines(uneven), 2019, raw_text=uneven)
    assert r.tables["t3_applications"]["rows"]["new_received"]["total"] is None


def test_a_damaged_row_makes_the_table_untrusted():
    raw = (FIXTURES / "tables/2019_blank_line_cells.txt").read_text(encoding="utf-8")
    damaged = raw.replace("3\n\n\n\n\n\n\n3", "3\n\n\n3")          # 2 values that fit no 7-cell row
    r = extract_tables(text_to_lines(damaged), 2019, raw_text=damaged)
    assert r.tables["t3_applications"]["rows"]["new_received"]["total"] == 5
    assert r.stats["applications_received_new"] is None                    # the table's figures are not used


def test_dev12_through_the_cli(tmp_path):
    name = "dev12_shaanxi_yuyang_tuofenglu_report2020.txt"
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / name).write_bytes((FIXTURES / "devset" / name).read_bytes())
    run_cli("ingest", raw, "--out", tmp_path / "content")
    page = next((tmp_path / "content").glob("*.md")).read_text(encoding="utf-8")
    fm = yaml.safe_load(page.split("\n---\n", 1)[0][4:])
    truth = next(d for d in json.loads((FIXTURES / "devset" / "truth.json").read_text(encoding="utf-8"))["documents"]
                 if d["file"] == name)
    assert fm["stats"] == truth["stats"]
    assert fm["tables"]["t3_applications"]["rows"]["new_received"]["total"] == 0   # from the table, not prose
