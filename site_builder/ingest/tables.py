"""Statistics tables of the annual reports: recognise, rebuild, check; and the headline figures.

Tables arrive flattened in many shapes (one cell per line, rows joined by `|`, several cells on a line,
labels split over lines or spaced, blank cells dropped). The text is turned into a stream of tokens
(labels, numbers, blanks); each table is then read by walking its labels from the format reference
(site_builder/data/annual-report-tables.json): after a data-row label come its values, up to the next
label. A row whose value count is not the expected one is never guessed: it stays incomplete, and a table
that cannot be rebuilt stays as text with a warning. Arithmetic identities (勾稽关系) are checked and
failures reported, never fixed silently.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "annual-report-tables.json"
STAT_KEYS = ("proactive_total", "applications_received_new", "applications_carried_over", "review_total",
             "litigation_total")
FORMAT_NAMES = {"gov2019": "2019", "gov2021": "2021", "pre2019_stats_2014": "pre2019"}

NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
PLACEHOLDERS = {"/", "-", "--", "—", "——", "－", "空", "无", "/"}
T3_COLUMNS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "legal_other", "total")
T4_GROUPS = ("review", "lit_direct", "lit_after_review")
T4_LEAVES = ("maintain", "correct", "other", "pending", "total")
T4_GROUP_LABELS = {"review": "行政复议", "lit_direct": "行政诉讼 / 未经复议直接起诉",
                   "lit_after_review": "行政诉讼 / 复议后起诉"}


def key(text: str) -> str:
    """Compare labels after NFKC, without whitespace, with one kind of quotes."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    return text.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'").rstrip(":：")


@dataclass(frozen=True)
class TablesResult:
    format: str | None
    tables: dict
    stats: dict
    blocks: list
    warnings: list
    repairs: list = field(default_factory=list)


@dataclass
class Token:
    line: int
    text: str           # as written (stripped)
    key: str            # normalised for label matching
    value: float | int | None = None
    kind: str = "text"  # text | num | blank


@lru_cache(maxsize=1)
def reference() -> dict:
    return {f["id"]: f for f in json.loads(DATA.read_text(encoding="utf-8"))["formats"]}


def _tables_of(format_id: str) -> dict:
    return {t["id"]: t for t in reference()[format_id]["tables"]}


# --- tokens ---------------------------------------------------------------------------------------------

def _number(text: str):
    text = text.replace(",", "")
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def tokenize(lines: list[str]) -> list[Token]:
    tokens: list[Token] = []
    for i, raw in enumerate(lines):
        line = unicodedata.normalize("NFKC", raw).strip()
        if not line:
            continue
        if "|" in line:
            cells = [c.strip() for c in line.strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?", c) or not c for c in cells):
                continue  # Markdown separator row
            parts = [c for c in cells if c]
        elif NUMBER.match(line.replace(",", "")) or line in PLACEHOLDERS:
            parts = [line]
        else:
            parts = _split_cells(line)
        for part in parts:
            t = Token(i, part, key(part))
            if NUMBER.match(part.replace(",", "")) and not re.fullmatch(r"\d{1,2}\.", part):
                t.kind, t.value = "num", _number(part)
            elif part in PLACEHOLDERS:
                t.kind = "blank"
            tokens.append(t)
    return tokens


def _split_cells(line: str) -> list[str]:
    """'四、结转下年度继续办理 0 0 0' → label + numbers; a line of numbers → numbers; prose stays whole."""
    words = line.split()
    if len(words) > 1 and all(NUMBER.match(w.replace(",", "")) or w in PLACEHOLDERS for w in words[1:]):
        first = words[0]
        return ([first] if first else []) + words[1:]
    if len(words) > 1 and all(NUMBER.match(w.replace(",", "")) or w in PLACEHOLDERS for w in words):
        return words
    return [line]


# --- labels ---------------------------------------------------------------------------------------------

def _match_label(tokens: list[Token], j: int, labels: dict[str, str]) -> tuple[str, int] | None:
    """The label starting at token j (possibly split over up to 3 tokens): (id, tokens used)."""
    joined = ""
    for n in range(3):
        if j + n >= len(tokens) or tokens[j + n].kind != "text":
            break
        joined += tokens[j + n].key
        hit = _lookup(joined, labels)
        if hit:
            return hit, n + 1
    return None


def _lookup(text: str, labels: dict[str, str]) -> str | None:
    if text in labels:
        return labels[text]
    # abbreviated long labels: '（二）部分公开' for '（二）部分公开（区分处理的…）'
    for label, ident in labels.items():
        if len(text) >= 5 and label.startswith(text) and label[len(text)] in "(（":
            return ident
    return None


# --- the tables -----------------------------------------------------------------------------------------

def _row_labels(table: dict) -> dict[str, str]:
    return {key(r["label"]): r["id"] for r in table["rows"] if r["label"]}


def _column_labels(table: dict) -> dict[str, str]:
    """Header labels of a table (for skipping them while reading rows), as a label → label map."""
    labels = {key(c["label"]) for c in table.get("columns", [])}
    labels |= {key(x) for x in table.get("linearized") or [] if not x.startswith("V×")}
    labels -= {key(r["label"]) for r in table["rows"]}
    return {label: label for label in labels if label}


@dataclass
class Parsed:
    table_id: str
    rows: dict
    status: str
    first: int
    last: int
    problems: list[str] = field(default_factory=list)
    display: dict = field(default_factory=dict)   # row id → cell texts as written


def _read_rows(tokens: list[Token], start: int, table: dict, width: int) -> tuple[dict, dict, list[str], int]:
    """Walk tokens from `start`: data-row labels followed by values.

    Returns the rows' values, their text as written ('+16', for display), problems, and the next index."""
    rows_by_label = _row_labels(table)
    data_rows = {r["id"]: r for r in table["rows"]}
    headers = _column_labels(table)
    rows: dict[str, list] = {}
    problems = []
    j = start
    current = None
    while j < len(tokens):
        t = tokens[j]
        if t.kind in ("num", "blank"):
            if current is None:
                break
            rows[current].append(t)
            j += 1
            continue
        hit = _match_label(tokens, j, rows_by_label)
        if hit:
            ident, used = hit
            if ident in rows:
                break  # the same label again: another table begins
            current = ident if data_rows[ident].get("data", True) else None
            if current:
                rows[current] = []
            j += used
            continue
        header = _match_label(tokens, j, headers)
        if header:
            j += header[1]
            continue
        break
    table_rows, raw_text = {}, {}
    for ident, values in rows.items():
        if len(values) == width:
            table_rows[ident] = {col: v.value for col, v in zip(_data_columns(table), values)}
            raw_text[ident] = [v.text for v in values]
        else:
            problems.append(f"{ident}: {len(values)} values for {width} columns")
            table_rows[ident] = {col: None for col in _data_columns(table)}
    return table_rows, raw_text, problems, j


def _data_columns(table: dict) -> list[str]:
    if table["id"] == "t3_applications":
        return list(T3_COLUMNS)
    return [c["id"] for c in table["columns"] if c.get("data")]


def _last_line(tokens: list[Token], end: int, start: int) -> int:
    return tokens[max(start, end - 1)].line


def _find(tokens: list[Token], wanted: str, start: int = 0) -> int | None:
    for j in range(start, len(tokens)):
        if tokens[j].kind == "text" and tokens[j].key == wanted:
            return j
    return None


def _detect_format(tokens: list[Token]) -> tuple[str | None, list[str]]:
    text = "".join(t.key for t in tokens if t.kind == "text")
    scores = {}
    for fid in ("gov2019", "gov2021"):
        markers = reference()[fid]["detection_markers"]
        scores[fid] = sum(1 for m in markers if key(m) in text)
    warnings = []
    if scores["gov2019"] and scores["gov2021"]:
        warnings.append(f"统计表同时出现2019年与2021年格式的标签（{scores['gov2019']} / {scores['gov2021']}），按较多者识别")
    best = max(scores, key=lambda f: (scores[f], f == "gov2021"))
    if scores[best]:
        return best, warnings
    if "统计指标" in text and "统计数" in text:
        return "pre2019_stats_2014", warnings
    return None, warnings


def _parse_t2(tokens: list[Token], fid: str) -> list[Parsed]:
    parsed = []
    for tid, table in _tables_of(fid).items():
        if not tid.startswith("t2_"):
            continue
        start = _find(tokens, key(table["title"]))
        if start is None:
            continue
        width = len(_data_columns(table))
        rows, display, problems, end = _read_rows(tokens, start + 1, table, width)
        if not rows:
            continue
        status = "ok" if not problems and len(rows) == sum(1 for r in table["rows"] if r.get("data")) else "incomplete"
        parsed.append(Parsed(tid, rows, status, tokens[start].line, _last_line(tokens, end, start), problems, display))
    return parsed


def _parse_t3(tokens: list[Token], fid: str) -> Parsed | None:
    table = _tables_of(fid)["t3_applications"]
    first_row = key(table["rows"][0]["label"])
    start = _find(tokens, first_row)
    if start is None:
        return None
    # the header (corner note, applicant columns) comes just before the first row label
    head = start
    header_keys = _column_labels(table)
    while head > 0 and tokens[head - 1].kind == "text" and (tokens[head - 1].key in header_keys
                                                               or tokens[head - 1].key.startswith("(本列数据")):
        head -= 1
    rows, display, problems, end = _read_rows(tokens, start, table, 7)
    expected = sum(1 for r in table["rows"] if r.get("data"))
    status = "ok" if not problems and len(rows) == expected else "incomplete"
    return Parsed("t3_applications", rows, status, tokens[head].line, _last_line(tokens, end, start), problems, display)


def _parse_t4(tokens: list[Token]) -> Parsed | None:
    for j, t in enumerate(tokens):
        if t.kind != "text":
            continue
        glued = t.key == "行政复议行政诉讼"
        if not (glued or (t.key == "行政复议" and j + 1 < len(tokens) and tokens[j + 1].key == "行政诉讼")):
            continue
        k = j + (1 if glued else 2)
        header_words = {"结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"}
        while k < len(tokens) and tokens[k].kind == "text" and (
                tokens[k].key in header_words or re.fullmatch(r"(结|果|维|持|纠|正|其|他|尚|未|审)+", tokens[k].key)):
            k += 1
        values = []
        while k < len(tokens) and tokens[k].kind in ("num", "blank"):
            values.append(tokens[k])
            k += 1
        if not values and k == j + (1 if glued else 2):
            continue
        columns = [f"{g}_{leaf}" for g in T4_GROUPS for leaf in T4_LEAVES]
        if len(values) == 15:
            row = {c: v.value for c, v in zip(columns, values)}
            return Parsed("t4_review_litigation", {"count": row}, "ok", t.line, _last_line(tokens, k, j), [],
                          {"count": [v.text for v in values]})
        return Parsed("t4_review_litigation", {"count": {c: None for c in columns}}, "incomplete", t.line,
                      _last_line(tokens, k, j), [f"{len(values)} values for 15 columns"])
    return None


def _parse_stats_form(tokens: list[Token]) -> Parsed | None:
    table = _tables_of("pre2019_stats_2014")["stats_form"]
    labels = _row_labels(table)
    rows, first, last = {}, None, None
    j = 0
    while j < len(tokens):
        hit = _match_label(tokens, j, labels)
        if not hit:
            j += 1
            continue
        ident, used = hit
        k = j + used
        if k < len(tokens) and tokens[k].kind == "text" and re.fullmatch(r"条|件|次|篇|个|人|人次|万元|——", tokens[k].key):
            k += 1
        if k < len(tokens) and tokens[k].kind in ("num", "blank"):
            rows[ident] = {"value": tokens[k].value}
            first = tokens[j].line if first is None else first
            last = tokens[k].line
            k += 1
        j = k
    if len(rows) < 3:
        return None
    return Parsed("stats_form", rows, "ok", first, last)


# --- checks (勾稽关系) --------------------------------------------------------------------------------------

def _sum(values):
    values = list(values)
    return None if any(v is None for v in values) else sum(values)


def _check_t3(rows: dict, fid: str) -> list[str]:
    failed = []
    results = [r["id"] for r in _tables_of(fid)["t3_applications"]["rows"]
               if r.get("data") and r.get("parent") in ("results", "denied", "unable", "not_processed", "other")
               and r["id"] != "results_total"]
    for col in T3_COLUMNS:
        get = lambda r: rows.get(r, {}).get(col)  # noqa: E731
        lhs = _sum([get("new_received"), get("carried_over")])
        rhs = _sum([get("results_total"), get("carried_forward")])
        if lhs is not None and rhs is not None and abs(lhs - rhs) > 1e-9:
            failed.append(f"表三 {col}: 一+二 ({lhs}) ≠ （七）总计+四 ({rhs})")
        parts = _sum([get(r) for r in results])
        if parts is not None and get("results_total") is not None and abs(parts - get("results_total")) > 1e-9:
            failed.append(f"表三 {col}: （七）总计 ({get('results_total')}) ≠ 各项办理结果之和 ({parts})")
    for ident, row in rows.items():
        parts = _sum([row.get(c) for c in T3_COLUMNS[:-1]])
        if parts is not None and row.get("total") is not None and abs(parts - row["total"]) > 1e-9:
            failed.append(f"表三 {ident}: 总计 ({row['total']}) ≠ 各类申请人之和 ({parts})")
    return failed


def _check_t4(row: dict) -> list[str]:
    failed = []
    for g in T4_GROUPS:
        parts = _sum([row.get(f"{g}_{leaf}") for leaf in T4_LEAVES[:-1]])
        total = row.get(f"{g}_total")
        if parts is not None and total is not None and abs(parts - total) > 1e-9:
            failed.append(f"表四 {T4_GROUP_LABELS[g]}: 总计 ({total}) ≠ 分项之和 ({parts})")
    return failed


# --- Markdown -------------------------------------------------------------------------------------------

def _cell(value) -> str:
    if value is None:
        return ""
    return str(value).replace("|", "\\|")


def _markdown(parsed: Parsed, fid: str) -> str:
    if parsed.table_id == "t4_review_litigation":
        cells = parsed.display["count"]
        lines = ["| 类别 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |", "|---|---|---|---|---|---|"]
        for n, g in enumerate(T4_GROUPS):
            lines.append(f"| {T4_GROUP_LABELS[g]} | " + " | ".join(_cell(c) for c in cells[n * 5:n * 5 + 5]) + " |")
        return "\n".join(lines)
    table = _tables_of(fid)[parsed.table_id]
    labels = {r["id"]: r for r in table["rows"]}
    if parsed.table_id == "t3_applications":
        header = ["项目", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
        columns = list(T3_COLUMNS)
    elif parsed.table_id == "stats_form":
        header, columns = ["统计指标", "统计数"], ["value"]
    else:
        header = ["信息内容"] + [c["label"] for c in table["columns"] if c.get("data")]
        columns = _data_columns(table)
    title = [f"**{table['title']}**", ""] if parsed.table_id.startswith("t2_") else []
    lines = title + ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for ident, values in parsed.rows.items():
        path, parent = [labels[ident]["label"]], labels[ident].get("parent")
        while parent and parent in labels:
            path.insert(0, labels[parent]["label"])
            parent = labels[parent].get("parent")
        shown = parsed.display.get(ident) or [values.get(c) for c in columns]
        lines.append(f"| {_cell(' / '.join(path))} | " + " | ".join(_cell(c) for c in shown) + " |")
    return "\n".join(lines)


# --- headline figures from prose -----------------------------------------------------------------------

_PROACTIVE = re.compile(
    r"(?P<lead>[^，,。；;：:]*?)(?:主动)?公开(?:了)?(?:各类|各级|政府|各类政府)?信息(?:数)?(?:共|共计|总计|累计|合计)?"
    r"(?P<approx>约|近|超过)?(?P<num>\d[\d,]*(?:\.\d+)?)(?P<wan>万)?(?P<more>余|多)?条")


def proactive_from_prose(lines: list[str]) -> tuple[int | None, list[str]]:
    text = unicodedata.normalize("NFKC", "\n".join(lines))
    for m in _PROACTIVE.finditer(text):
        lead = m.group("lead")
        if re.search(r"其中|申请|依申请", lead[-12:]) or re.search(r"依申请$|申请$", lead):
            continue
        value = float(m.group("num").replace(",", ""))
        if m.group("wan"):
            value *= 10_000
        warnings = []
        if m.group("approx") or m.group("more") or m.group("wan"):
            warnings.append(f"主动公开信息数取自正文“{m.group(0).strip()}”，为约数")
        return int(value), warnings
    return None, []


# --- entry point ----------------------------------------------------------------------------------------

SECTION_OF_TABLE = {
    "t3_applications": re.compile(r"^三、\s*收到和处理政府信息公开申请情况$"),
    "t4_review_litigation": re.compile(r"^四、\s*(?:因)?(?:政府信息公开)?(?:工作)?(?:被申请)?行政复议.{0,12}行政诉讼.{0,4}情况$"),
}


def extract_tables(lines: list[str], year_hint: int | None = None) -> TablesResult:
    tokens = tokenize(lines)
    fid, warnings = _detect_format(tokens)
    repairs: list[dict] = []
    parsed: list[Parsed] = []
    if fid in ("gov2019", "gov2021"):
        parsed += _parse_t2(tokens, fid)
    t3 = _parse_t3(tokens, fid if fid in ("gov2019", "gov2021") else
                   ("gov2021" if "申请人逾期未按收费通知" in "".join(t.key for t in tokens) else "gov2019"))
    if t3:
        parsed.append(t3)
    t4 = _parse_t4(tokens)
    if t4:
        parsed.append(t4)
    form = _parse_stats_form(tokens) if fid in (None, "pre2019_stats_2014") else None
    if form:
        parsed.append(form)
        fid = "pre2019_stats_2014"
    elif fid == "pre2019_stats_2014":
        fid = None
    if fid is None and (t3 or t4):
        fid = "gov2021" if t3 and "other_overdue_fee" in t3.rows else "gov2019"

    tables: dict = {}
    blocks = []
    table_fid = fid or "gov2019"
    for p in parsed:
        failed = []
        if p.table_id == "t3_applications" and p.status == "ok":
            failed = _check_t3(p.rows, table_fid)
        elif p.table_id == "t4_review_litigation" and p.status == "ok":
            failed = _check_t4(p.rows["count"])
        status = "checks_failed" if failed else p.status
        entry = {"status": status, "rows": p.rows}
        if failed:
            entry["checks_failed"] = failed
            warnings += [f"勾稽关系不符：{f}" for f in failed]
        if p.problems:
            entry["problems"] = p.problems
            warnings.append(f"{p.table_id} 不完整，未能重建的行保留为空：" + "；".join(p.problems))
        tables[p.table_id] = entry
        if p.status == "ok" or p.table_id == "t4_review_litigation" and p.status != "incomplete":
            blocks.append((p.first, p.last + 1, _markdown(p, table_fid)))
        else:
            warnings.append(f"{p.table_id} 无法完整重建，保留原文")

    if fid in ("gov2019", "gov2021"):
        stripped = [unicodedata.normalize("NFKC", line).strip() for line in lines]
        for tid, heading in SECTION_OF_TABLE.items():
            present = any(heading.match(re.sub(r"\s+", "", s)) for s in stripped)
            if present and tid not in tables:
                tables[tid] = {"status": "missing", "rows": {}}
                name = "表三（收到和处理政府信息公开申请情况）" if tid.startswith("t3") else "表四（行政复议、行政诉讼情况）"
                warnings.append(f"{name}在原文中缺失（可能是图片或附件），相关数字未提取")

    stats = {k: None for k in STAT_KEYS}
    t3_rows = tables.get("t3_applications", {}).get("rows", {})
    if tables.get("t3_applications", {}).get("status") in ("ok", "checks_failed"):
        stats["applications_received_new"] = t3_rows.get("new_received", {}).get("total")
        stats["applications_carried_over"] = t3_rows.get("carried_over", {}).get("total")
    t4_entry = tables.get("t4_review_litigation", {})
    if t4_entry.get("status") in ("ok", "checks_failed"):
        row = t4_entry["rows"]["count"]
        stats["review_total"] = row.get("review_total")
        stats["litigation_total"] = _sum([row.get("lit_direct_total"), row.get("lit_after_review_total")])
    form_rows = tables.get("stats_form", {}).get("rows", {})
    if form_rows.get("s1_total", {}).get("value") is not None:
        stats["proactive_total"] = form_rows["s1_total"]["value"]
    else:
        stats["proactive_total"], prose_warnings = proactive_from_prose(lines)
        warnings += prose_warnings
    blocks.sort()
    return TablesResult(format=FORMAT_NAMES.get(fid) if fid else None, tables=tables, stats=stats,
                        blocks=blocks, warnings=warnings, repairs=repairs)
