"""The archive's vocabulary, in one place for ingest, the content loader, statistics and templates.

Document types, headline statistics and report formats (with their Chinese labels), the annual-report table
reference (data/annual-report-tables.json), Traditional → Simplified folding (OpenCC's table) and the way a
number is written on the site. content-schema.md describes the same names for people.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

DOC_TYPES = {
    "annual_report": "年度报告",
    "work_points": "工作要点",
    "work_plan": "实施方案",
    "implementation_report": "落实情况报告",
    "other": "其他文件",
}

STAT_KEYS = {
    "proactive_total": "主动公开政府信息",
    "applications_received_new": "本年新收公开申请",
    "applications_carried_over": "上年结转公开申请",
    "review_total": "行政复议",
    "litigation_total": "行政诉讼",
}

FORMATS = {"pre2019": "2019年以前", "2019": "2019年格式（试行）", "2021": "2021年格式"}

MAX_CONTENT_BYTES = 8 * 1024 * 1024   # a content file the build reads: a real report is < 1 MB; 8 MB is a scraping accident

TABLE_REFERENCE = Path(__file__).parent / "data" / "annual-report-tables.json"


@lru_cache(maxsize=1)
def table_reference() -> dict:
    """The formats of annual-report-tables.json by id (gov2019, gov2021, pre2019_stats_2014 …)."""
    return {f["id"]: f for f in json.loads(TABLE_REFERENCE.read_text(encoding="utf-8"))["formats"]}


@lru_cache(maxsize=1)
def t2s_map() -> dict[str, str]:
    """Single Traditional characters → Simplified, from OpenCC's table; characters also used in
    Simplified text (乾, 著 …) are left alone so that folding never merges two Simplified words."""
    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"
    simplified_in_use = set()
    for line in (folder / "STCharacters.txt").read_text(encoding="utf-8").splitlines():
        simplified_in_use.add(line.split("\t")[0])
    mapping = {}
    for line in (folder / "TSCharacters.txt").read_text(encoding="utf-8").splitlines():
        trad, simp = line.split("\t")
        simp = simp.split(" ")[0]
        if len(trad) == 1 and len(simp) == 1 and trad != simp and trad not in simplified_in_use:
            mapping[trad] = simp
    return dict(sorted(mapping.items()))


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    return str.maketrans(t2s_map())


def to_simplified(text: str) -> str:
    return text.translate(_t2s_table())


def format_number(value) -> str:
    """How the site writes a figure: 36,629; 12.5; — for none."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"
