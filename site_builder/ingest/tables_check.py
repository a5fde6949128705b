"""Arithmetic identities (勾稽关系) of the rebuilt tables: checked and reported, never fixed; the only values
filled are a single blank cell of a row identity, recorded as a repair."""

from __future__ import annotations

from site_builder.ingest.tables_read import Parsed
from site_builder.ingest.tables_reference import T4_GROUP_LABELS, T4_GROUPS, T4_LEAVES, Spec
from site_builder.ingest.tables_tokens import Token

def _sum(values):
    values = list(values)
    return None if any(v is None for v in values) else sum(values)


def _eq(a, b) -> bool:
    return abs(a - b) < 1e-6


def _t3_parts(s: Spec) -> list[str]:
    return [r["id"] for r in s.rows if r.get("data", True) and r["id"] != "results_total"
            and r.get("parent") in ("results", "denied", "unable", "not_processed", "other")]


def _fill(p: Parsed, tokens: list[Token]) -> list[dict]:
    """Fill a single blank cell of a row identity (表三 row total, 表四 group total), recorded as a repair."""
    repairs = []

    def fill(rid, parts, total_col, label):
        row = p.rows[rid]
        group = [*parts, total_col]
        unknown = [c for c in group if row.get(c) is None]
        if len(unknown) != 1 or rid not in p.cells:
            return
        col = unknown[0]
        if col == total_col:
            value = sum(row[c] for c in parts)
        else:
            value = row[total_col] - sum(row[c] for c in parts if c != col)
        if value < 0:
            return
        cell = p.cells[rid][p.spec.columns.index(col)]
        row[col] = value
        repairs.append({"field": f"tables.{p.tid}.rows.{rid}.{col}", "rule": label, "before": cell.text,
                        "after": value, "where": f"line {cell.line + 1}"})

    if p.tid == "t3_applications":
        cols = list(p.spec.columns)
        for rid in p.rows:
            fill(rid, cols[:-1], "total", "表三 行勾稽: 总计 = 自然人+商业企业+科研机构+社会公益组织+法律服务机构+其他")
    elif p.tid == "t4_review_litigation":
        for g in T4_GROUPS:
            fill("count", [f"{g}_{leaf}" for leaf in T4_LEAVES[:-1]], f"{g}_total",
                 f"表四 {T4_GROUP_LABELS[g]}: 总计 = 结果维持+结果纠正+其他结果+尚未审结")
    return repairs


def check(p: Parsed) -> list[str]:
    failed = []
    rows = p.rows
    if p.tid == "t3_applications":
        labels = dict(zip(p.spec.columns, p.spec.column_labels))
        parts = _t3_parts(p.spec)
        for col in p.spec.columns:
            def get(r, col=col):
                return rows.get(r, {}).get(col)
            lhs = _sum([get("new_received"), get("carried_over")])
            rhs = _sum([get("results_total"), get("carried_forward")])
            if lhs is not None and rhs is not None and not _eq(lhs, rhs):
                failed.append(f"表三 {labels[col]}列: 一+二 ({lhs}) ≠ （七）总计+四 ({rhs})")
            total = get("results_total")
            got = _sum([get(r) for r in parts])
            if got is not None and total is not None and not _eq(got, total):
                failed.append(f"表三 {labels[col]}列: （七）总计 ({total}) ≠ 各项办理结果之和 ({got})")
        for rid, row in rows.items():
            got = _sum([row.get(c) for c in p.spec.columns[:-1]])
            if got is not None and row.get("total") is not None and not _eq(got, row["total"]):
                failed.append(f"表三 {p.spec.label_path(rid)}: 总计 ({row['total']}) ≠ 各类申请人之和 ({got})")
    elif p.tid == "t4_review_litigation":
        row = rows["count"]
        for g in T4_GROUPS:
            got = _sum([row.get(f"{g}_{leaf}") for leaf in T4_LEAVES[:-1]])
            total = row.get(f"{g}_total")
            if got is not None and total is not None and not _eq(got, total):
                failed.append(f"表四 {T4_GROUP_LABELS[g]}: 总计 ({total}) ≠ 结果维持+结果纠正+其他结果+尚未审结 ({got})")
    return failed
