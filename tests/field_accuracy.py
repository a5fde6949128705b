"""Field accuracy of `site-builder ingest` against hand-checked truth (seeds + devset).

Every truth field counts once (micro-average): title, doc_type, province, city, county, issuing_body, year,
publish_date, doc_number, format, and each statistic that truth states (a stated figure is right only when
equal; a figure ingest gives where truth has null is counted as a wrong statistic, too).

Run alone to see the table and every miss:  python tests/field_accuracy.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "tests" / "fixtures" / "seeds"
DEVSET = REPO / "tests" / "fixtures" / "devset"
FIELDS = ("title", "doc_type", "province", "city", "county", "issuing_body", "year", "publish_date",
          "doc_number", "format")
STAT_KEYS = ("proactive_total", "applications_received_new", "applications_carried_over", "review_total",
             "litigation_total")


def truth_documents() -> list[tuple[Path, dict]]:
    out = []
    for folder in (SEEDS, DEVSET):
        for d in json.loads((folder / "truth.json").read_text(encoding="utf-8"))["documents"]:
            out.append((folder / d["file"], d))
    return out


def ingest(files: list[Path], out: Path) -> dict[str, dict]:
    """Run the real CLI on copies of the files; front matter by source file name."""
    raw = out / "raw"
    raw.mkdir(parents=True)
    for f in files:
        (raw / f.name).write_bytes(f.read_bytes())
    subprocess.run([sys.executable, "-m", "site_builder", "ingest", str(raw), "--out", str(out / "content")],
                   check=True, capture_output=True)
    fronts = {}
    for p in sorted((out / "content").glob("*.md")):
        fm = yaml.safe_load(p.read_text(encoding="utf-8").split("\n---\n", 1)[0][4:])
        fronts[fm["source"]["file"]] = fm
    return fronts


def same_place(truth_name, got_name, code, level) -> bool:
    """A truth name (as the document writes it, or official) names the division at `level` of `code`'s chain."""
    from site_builder.regions import table
    if truth_name == got_name:
        return True
    if truth_name is None or got_name is None or code is None:
        return False
    t = table()
    wanted = [d.code for d in t.chain(code) if d.level == level]
    return any(d.code in wanted for d in t.find(truth_name))


def got_value(fm: dict, name: str):
    region = fm.get("region") or {}
    if name in ("province", "city", "county"):
        return region.get(name)
    if name == "publish_date":
        return fm.get("date")
    if name == "format":
        return fm.get("format")
    return fm.get(name)


def compare(truth: dict, fm: dict) -> list[tuple[str, bool, object, object]]:
    """(field, right?, truth, got) for every counted field of one document."""
    rows = []
    code = (fm.get("region") or {}).get("code")
    for name in FIELDS:
        want, got = truth.get(name), got_value(fm, name)
        if name == "format" and want == "not_annual_report":
            want = None
        if name in ("province", "city", "county"):
            ok = same_place(want, got, code, ("province", "city", "county").index(name) + 1)
        else:
            ok = want == got
        rows.append((name, ok, want, got))
    stats = fm.get("stats") or {}
    approx = set(fm.get("approx") or [])
    for key in STAT_KEYS:
        want = (truth.get("stats") or {}).get(key)
        got = stats.get(key)
        if want is not None:
            rows.append((f"stats.{key}", got == want, want, got))
        elif got is not None and key not in approx:
            rows.append((f"stats.{key}", False, want, got))  # a number where truth has none: wrong
    return rows


def measure(tmp: Path) -> tuple[dict[str, tuple[int, int]], list[str]]:
    docs = truth_documents()
    fronts = ingest([f for f, _ in docs], tmp)
    per_field: dict[str, Counter] = {}
    misses = []
    for f, truth in docs:
        fm = fronts.get(f.name)
        if fm is None:
            misses.append(f"{f.name}: not ingested")
            continue
        for name, ok, want, got in compare(truth, fm):
            key = "stats" if name.startswith("stats.") else name
            per_field.setdefault(key, Counter())[ok] += 1
            if not ok:
                misses.append(f"{f.name[:5]} {name}: want {want!r} got {got!r}")
    return {k: (c[True], c[True] + c[False]) for k, c in per_field.items()}, misses


def table_text(per_field: dict[str, tuple[int, int]]) -> str:
    lines = [f"{'field':<14} right / total  accuracy"]
    for k, (r, n) in per_field.items():
        lines.append(f"{k:<14} {r:>5} / {n:<5}  {r / n:.3f}")
    right = sum(r for r, _ in per_field.values())
    total = sum(n for _, n in per_field.values())
    lines.append(f"{'all':<14} {right:>5} / {total:<5}  {right / total:.3f}")
    return "\n".join(lines)


def overall(per_field) -> float:
    return sum(r for r, _ in per_field.values()) / sum(n for _, n in per_field.values())


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory() as d:
        per_field, misses = measure(Path(d))
    print(table_text(per_field))
    print("\n".join(misses))
