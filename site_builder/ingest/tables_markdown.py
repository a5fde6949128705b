"""Rebuilt tables as Markdown: full-path row labels, filled cells starred, raw text as written."""

from __future__ import annotations

from site_builder.ingest.tables_read import Parsed
from site_builder.ingest.tables_reference import T4_GROUP_LABELS, T4_GROUPS

def _esc(text) -> str:
    return "" if text is None else str(text).replace("|", "\\|").replace("\n", " ")


def _display(p: Parsed, rid: str, filled: set) -> list[str]:
    cells = p.cells.get(rid)
    if not cells:
        return [""] * p.spec.width
    out = []
    for col, t in zip(p.spec.columns, cells):
        if (rid, col) in filled:
            out.append(f"{_fmt(p.rows[rid][col])}*")
        else:
            out.append(t.text if t is not None else "")
    return out


def _fmt(v) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def markdown(p: Parsed, repairs: list[dict]) -> str:
    filled = {(r["field"].split(".")[3], r["field"].split(".")[4]) for r in repairs
              if r["field"].startswith(f"tables.{p.tid}.")}
    s = p.spec
    lines: list[str] = []

    def row(cells):
        lines.append("| " + " | ".join(_esc(c) for c in cells) + " |")

    if p.tid == "t4_review_litigation":
        row(["类别", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"])
        lines.append("|---|---|---|---|---|---|")
        shown = _display(p, "count", filled)
        for n, g in enumerate(T4_GROUPS):
            row([T4_GROUP_LABELS[g], *shown[n * 5:n * 5 + 5]])
    elif p.tid == "stats_form":
        row(["统计指标", "单位", "统计数"])
        lines.append("|---|---|---|")
        for label, unit, value in p.extra:
            row([label, unit, value])
    else:
        first = "信息内容" if p.tid.startswith("t2_") else "项目"
        if p.tid.startswith("t2_"):
            lines += [f"**{s.title}**", ""]
        row([first, *s.column_labels])
        lines.append("|" + "---|" * (len(s.columns) + 1))
        for rid in s.data_rows():
            row([s.label_path(rid), *_display(p, rid, filled)])
    if filled:
        lines += ["", "\\* 原表空白，据勾稽关系推算 (filled from an arithmetic identity)。"]
    return "\n".join(lines)
