"""Turn a site_builder content folder into an equivalent Hugo site, for timing Hugo on the same documents.

    python benchmarks/hugo_site.py --content benchmarks/corpus-10k/content --out benchmarks/out-hugo-10k

Every document becomes a page (same body Markdown, same title and date) with `province` and `year`
taxonomies, under a minimal theme: single.html (the document with its facts), list.html (paginated,
50 per page like site_builder), taxonomy.html and term.html, home. Hugo's defaults stay on (RSS per list,
sitemap), as a Hugo user would have them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path

import yaml

CONFIG = """baseURL = "https://example.org/"
languageCode = "zh-CN"
title = "政务公开文件档案库（Hugo 对照）"
hasCJKLanguage = true
disablePathToLower = true

[taxonomies]
province = "provinces"
year = "years"

[pagination]
pagerSize = 50

[markup.goldmark.renderer]
unsafe = false
"""

BASEOF = """<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ site.Title }}</title></head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a>
<nav><a href="{{ "/provinces/" | relURL }}">地区</a> · <a href="{{ "/years/" | relURL }}">年份</a></nav></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer><p>本站收录各级政府公开发布的政府信息公开工作年度报告、政务公开工作要点、实施方案等文件。</p></footer>
</body>
</html>
"""

SINGLE = """{{ define "main" }}
<article>
<p>{{ .Params.doc_type_label }}{{ with .Params.year }} · {{ index . 0 }}年{{ end }}</p>
<h1>{{ .Title }}</h1>
<dl>
<dt>发布机关</dt><dd>{{ .Params.issuing_body | default "不详" }}</dd>
<dt>地区</dt><dd>{{ range .GetTerms "provinces" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }} {{ .Params.region_label }}</dd>
<dt>发布日期</dt><dd>{{ if .Params.date }}{{ .Date.Format "2006年1月2日" }}{{ else }}不详{{ end }}</dd>
<dt>文号</dt><dd>{{ .Params.doc_number | default "无" }}</dd>
</dl>
<div class="doc-body">{{ .Content }}</div>
</article>
{{ end }}
"""

LIST = """{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $pager := .Paginate .Pages.ByDate.Reverse }}
<ul>{{ range $pager.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }} {{ .Params.region_label }}</li>{{ end }}</ul>
{{ template "_internal/pagination.html" . }}
{{ end }}
"""

TAXONOMY = """{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
"""

HOME = """{{ define "main" }}
<h1>{{ site.Title }}</h1>
<p>现收录 {{ len (where site.RegularPages "Section" "docs") }} 份文件。</p>
<ul>{{ range first 12 (where site.RegularPages "Section" "docs").ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ end }}
"""

DOC_TYPES = {"annual_report": "年度报告", "work_points": "工作要点", "work_plan": "实施方案",
             "implementation_report": "落实情况报告", "other": "其他文件"}


def _split(text: str) -> tuple[dict, str]:
    end = text.index("\n---", 4)
    return yaml.load(text[4:end], Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), text[end + 4:].lstrip("\n")


def hugo_front_matter(meta: dict) -> dict:
    region = meta.get("region") or {}
    out = {"title": meta["title"], "doc_type_label": DOC_TYPES.get(meta.get("doc_type"), "其他文件"),
           "issuing_body": meta.get("issuing_body"), "doc_number": meta.get("doc_number"),
           "region_label": " ".join(x for x in (region.get("province"), region.get("city"), region.get("county")) if x),
           "province": [region.get("province") or "全国性或不详"],
           "year": [str(meta.get("year") or "年份不详")]}
    if meta.get("date"):
        out["date"] = str(meta["date"])
    return out


def convert_file(source: Path, target: Path) -> None:
    meta, body = _split(source.read_text(encoding="utf-8"))
    fm = json.dumps(hugo_front_matter(meta), ensure_ascii=False, indent=0)   # Hugo reads JSON front matter
    target.write_text(f"{fm}\n\n{body}", encoding="utf-8")


def make_site(content: Path, out: Path) -> int:
    """Write the Hugo site (config, layouts, content/docs/*.md); returns the number of documents."""
    if out.exists():
        shutil.rmtree(out)
    layouts = out / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (out / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    for name, text in (("baseof.html", BASEOF), ("single.html", SINGLE), ("list.html", LIST),
                       ("taxonomy.html", TAXONOMY), ("term.html", LIST)):
        (layouts / name).write_text(text, encoding="utf-8")
    (out / "layouts" / "index.html").write_text(HOME, encoding="utf-8")
    docs = out / "content" / "docs"
    docs.mkdir(parents=True)
    (docs / "_index.md").write_text('{"title": "全部文件"}\n', encoding="utf-8")
    count = 0
    for dirpath, _, filenames in os.walk(content):
        for name in sorted(filenames):
            if name.endswith(".md") and not name.startswith("."):
                convert_file(Path(dirpath) / name, docs / name)
                count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, required=True, help="site_builder content folder")
    parser.add_argument("--out", type=Path, required=True, help="Hugo site folder to (re)create")
    args = parser.parse_args()
    print(f"{make_site(args.content, args.out)} documents → {args.out}")


if __name__ == "__main__":
    main()
