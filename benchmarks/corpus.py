"""Generate a realistic archive: content files that follow the content schema, spread over real regions and years.

    python benchmarks/corpus.py --count 10000 --out benchmarks/corpus-10k [--seed 1]

Bodies are recombined from the sentences of the five real seed documents (so the vocabulary, punctuation and
numbers are those of real reports), with numbered headings, a statistics table and per-document figures.
Deterministic for a given seed; streams files, so 100k documents need little memory.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = [ROOT.parent / "shared" / "seeds", ROOT / "tests" / "fixtures" / "seeds"]
DIVISIONS = ROOT / "site_builder" / "data" / "divisions.csv"
HEADINGS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
DOC_TYPES = [("annual_report", 0.7), ("work_points", 0.1), ("work_plan", 0.1), ("implementation_report", 0.05),
             ("other", 0.05)]


# The seeds' own places, replaced in reused sentences by the generated document's places (longest first), so
# that a place name occurs where the document is about that place, not in every document.
SEED_PLACES = [("沈抚新区", "{local}"), ("德宏州", "{local}"), ("赣州市", "{local}"), ("潜山市", "{local}"),
               ("芒市", "{local}"), ("新县", "{local}"), ("安庆市", "{city}"), ("信阳市", "{city}"),
               ("驻马店市", "{city}"), ("河南省", "{province}"), ("江西省", "{province}"), ("云南省", "{province}"),
               ("安徽省", "{province}"), ("辽宁省", "{province}"), ("德宏", "{local_short}"), ("赣州", "{local_short}"),
               ("潜山", "{local_short}"), ("沈抚", "{local_short}"), ("安庆", "{city_short}"), ("信阳", "{city_short}"),
               ("河南", "{province_short}"), ("江西", "{province_short}"), ("云南", "{province_short}"),
               ("安徽", "{province_short}"), ("辽宁", "{province_short}")]
SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "地区", "新区", "省", "市", "县", "区", "州", "盟", "旗")


def sentences() -> list[str]:
    folder = next(p for p in SEEDS if p.is_dir())
    found = []
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for part in re.split(r"(?<=[。！？；])", text):
            part = part.strip()
            if 12 <= len(part) <= 160 and re.search(r"[\u4e00-\u9fff]{6}", part) and "|" not in part:
                part = part.replace("{", "（").replace("}", "）")
                for name, slot in SEED_PLACES:
                    part = part.replace(name, slot)
                found.append(part)
    return sorted(set(found))


def short(name: str | None) -> str:
    """潜山市 → 潜山, 德宏傣族景颇族自治州 → 德宏傣族景颇族 (never shorter than two characters)."""
    name = name or ""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def regions() -> list[dict]:
    rows = list(csv.DictReader(DIVISIONS.open(encoding="utf-8")))
    by_code = {r["code"]: r for r in rows}
    out = []
    for r in rows:
        if r["level"] not in ("2", "3"):
            continue
        chain = [r]
        while chain[0]["parent"]:
            chain.insert(0, by_code[chain[0]["parent"]])
        province = chain[0]["name"]
        city = chain[1]["name"] if len(chain) == 3 else (None if chain[0]["code"] in ("110000", "120000", "310000", "500000") else r["name"])
        county = r["name"] if r["level"] == "3" else None
        out.append({"code": r["code"], "province": province, "city": city, "county": county, "name": r["name"]})
    return out


def yaml_str(value) -> str:
    if value is None:
        return "null"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def document(n: int, rng: random.Random, pool: list[str], places: list[dict]) -> tuple[str, str]:
    place = rng.choice(places)
    year = rng.randint(2008, 2024)
    doc_type = rng.choices([t for t, _ in DOC_TYPES], [w for _, w in DOC_TYPES])[0]
    name = place["name"]
    title = {
        "annual_report": f"{name}{year}年政府信息公开工作年度报告",
        "work_points": f"{name}{year}年政务公开工作要点",
        "work_plan": f"关于印发{name}{year}年政务公开工作实施方案的通知",
        "implementation_report": f"{name}关于{year}年政务公开工作要点落实情况的报告",
        "other": f"{name}政府信息公开指南（{year}年修订）",
    }[doc_type]
    date = f"{year + (1 if doc_type == 'annual_report' else 0)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    body_office = f"{name}人民政府办公室"
    doc_number = None
    if doc_type in ("work_plan", "work_points"):
        doc_number = f"{short(name)[:1]}{rng.choice(['政办发', '政办', '府办字', '政发', '政办字'])}〔{year}〕{rng.randint(1, 120)}号"
    stats = None
    names = {"local": name, "local_short": short(name), "city": place["city"] or name,
             "city_short": short(place["city"] or name), "province": place["province"],
             "province_short": short(place["province"])}
    body = []
    proactive = rng.randint(50, 60000)
    for h, heading in enumerate(HEADINGS if doc_type == "annual_report" else HEADINGS[:1] + HEADINGS[4:5]):
        body.append(f"## {heading}\n")
        for _ in range(rng.randint(2, 5)):
            para = "".join(rng.choice(pool) for _ in range(rng.randint(2, 5))).format_map(names)
            body.append(para.replace("我市", f"我{name[-1]}") + "\n")
        if doc_type == "annual_report" and h == 1:
            body.append(f"{year}年共主动公开政府信息{proactive}条。\n")
    if doc_number:
        body.insert(0, f"{doc_number}\n")
    if doc_type == "annual_report":
        review = rng.choice([0, 0, 0, 1, 2, 3])
        lit = rng.choice([0, 0, 1, 2])
        received = rng.randint(0, 300)
        stats = {"proactive_total": proactive, "applications_received_new": received,
                 "applications_carried_over": rng.randint(0, 10), "review_total": review, "litigation_total": lit}
        body.insert(-2, "| 类别 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |\n|---|---|---|---|---|---|\n"
                        f"| 行政复议 | {review} | 0 | 0 | 0 | {review} |\n| 行政诉讼 / 未经复议直接起诉 | {lit} | 0 | 0 | 0 | {lit} |\n"
                        "| 行政诉讼 / 复议后起诉 | 0 | 0 | 0 | 0 | 0 |\n")
    fm = [f"title: {yaml_str(title)}", f"doc_type: {doc_type}", f"year: {year}", f"date: {date}",
          f"issuing_body: {yaml_str(body_office)}",
          f"region: {{code: \"{place['code']}\", province: {yaml_str(place['province'])}, "
          f"city: {yaml_str(place['city'])}, county: {yaml_str(place['county'])}}}",
          f"doc_number: {yaml_str(doc_number)}",
          f"format: {yaml_str(('2021' if year >= 2021 else '2019' if year >= 2019 else 'pre2019') if doc_type == 'annual_report' else None)}"]
    if stats:
        fm.append("stats: {" + ", ".join(f"{k}: {v}" for k, v in stats.items()) + "}")
    fm += ["tables: {}", f"source: {{file: gen-{n:06d}.txt, sha256: null, url: null}}", "repairs: []", "warnings: []"]
    slug = f"{year}-{place['code']}-{doc_type.replace('_', '-')}-{n:06d}"
    return slug, "---\n" + "\n".join(fm) + "\n---\n" + "\n".join(body)


def generate(count: int, out: Path, seed: int = 1) -> None:
    rng = random.Random(seed)
    pool, places = sentences(), regions()
    out.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        slug, text = document(n, rng, pool, places)
        (out / f"{slug}.md").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True, help="content folder to write")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.count, args.out, args.seed)


if __name__ == "__main__":
    main()
