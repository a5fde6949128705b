"""Hostile and broken content: nothing executes, every problem is named, nothing is lost (issue 8).

The corpus is tests/fixtures/hostile/: `raw/` (an HTML page and a text file full of scripts, handlers and
dangerous URLs, put through ingest), `content/` (Markdown bodies and front-matter values of the same kind) and
`broken/` (one content file per way of being broken). The 30 MB file and the symbolic links are made here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import xml.dom.minidom
from pathlib import Path

import pytest

from conftest import REPO, run_cli, serve_folder
from site_checks import html_pages, soup
from test_build import make_site

HOSTILE = REPO / "tests" / "fixtures" / "hostile"
FRONT_TITLE = '<script>alert("title")</script><img src=x onerror=alert("title-img")>某县2021年政务公开工作要点'
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRS = ("href", "src", "action", "formaction", "xlink:href", "poster", "background", "data", "cite", "srcset")
FORBIDDEN_TAGS = ["iframe", "frame", "frameset", "object", "embed", "applet", "style", "base", "portal"]


def dangerous_url(value: str) -> bool:
    """As a browser reads it: tabs and newlines anywhere and leading controls/spaces are ignored."""
    cleaned = re.sub(r"[\t\n\r]", "", value).lstrip("".join(map(chr, range(0x21)))).lower()
    return cleaned.startswith(DANGEROUS_SCHEMES)


def unsafe_markup(page: Path, base: str = "/") -> list[str]:
    """Everything on a page that could run code, load from elsewhere or restyle it — none may come from content."""
    found = []
    s = soup(page)
    for script in s.find_all("script"):
        src = script.get("src", "")
        if not src.startswith(base + "assets/") or script.string:
            found.append(f"script {script}")
    for tag in s.find_all(FORBIDDEN_TAGS):
        found.append(f"<{tag.name}>")
    for meta in s.find_all("meta"):
        if (meta.get("http-equiv") or "").lower() == "refresh":
            found.append("meta refresh")
    for element in s.find_all(True):
        for name, value in element.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on"):
                found.append(f"handler {name} on <{element.name}>")
            if name.lower() == "style":
                found.append(f"style attribute on <{element.name}>")
            if name.lower() in URL_ATTRS and (dangerous_url(value) or any(dangerous_url(part) for part in value.split(","))):
                found.append(f"{name}={value!r} on <{element.name}>")
            if element.name in ("img", "source", "video", "audio", "track", "input") and name in ("src", "srcset") \
                    and not value.startswith(base):
                found.append(f"<{element.name}> loads {value!r}")
        if element.name == "link" and (element.get("href") or "").startswith(("http:", "https:", "//")) \
                and "canonical" not in element.get("rel", []) and "alternate" not in element.get("rel", []):
            found.append(f"<link> to another host: {element}")
    return found


def test_the_scanner_finds_each_kind_of_unsafe_markup(tmp_path):
    page = tmp_path / "page.html"
    bad = ['<script>alert(1)</script>', '<script src="https://evil.example/x.js"></script>', '<iframe src="/x"></iframe>',
           '<style>p{}</style>', '<p onclick="x()">a</p>', '<p style="color:red">a</p>', '<a href="javascript:x()">a</a>',
           '<a href=" JaVa&#x09;Script:x()">a</a>', '<a href="data:text/html,x">a</a>', '<img src="https://evil.example/p.png">',
           '<object data="x.swf"></object>', '<meta http-equiv="refresh" content="0;url=javascript:x()">',
           '<form action="vbscript:x"></form>', '<svg><a xlink:href="javascript:x()">a</a></svg>']
    for snippet in bad:   # each one on its own: every kind is found (a count of all could hide a miss)
        page.write_text(snippet, encoding="utf-8")
        assert unsafe_markup(page), snippet
    page.write_text('<script type="module" src="/assets/search.abc.js"></script><a href="/docs/x/">x</a>'
                    '<a href="https://www.gov.cn/">x</a>', encoding="utf-8")
    assert unsafe_markup(page) == []


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    """The ordinary test site plus the hostile corpus (raw pages through ingest), built with search."""
    root = make_site(tmp_path_factory.mktemp("hostile") / "site")
    for path in sorted((HOSTILE / "content").glob("*.md")):
        shutil.copy(path, root / "content" / path.name)
    run_cli("ingest", HOSTILE / "raw", "--out", root / "content")
    run_cli("build", "--root", root)
    return root


def test_no_script_handler_style_or_dangerous_url_reaches_any_page(hostile_site):
    public = hostile_site / "public"
    pages = html_pages(public)
    assert len(pages) > 30
    problems = {str(p.relative_to(public)): unsafe_markup(p) for p in pages}
    assert {page: found for page, found in problems.items() if found} == {}


def test_hostile_text_is_shown_as_text_and_prose_survives(hostile_site):
    public = hostile_site / "public"
    front = soup(public / "docs/hostile-front/index.html")
    assert front.h1.get_text() == FRONT_TITLE
    assert front.title.get_text().startswith(FRONT_TITLE)
    facts = front.select_one(".doc-facts").get_text()
    assert '"><img src=x onerror=alert("body")>' in facts and 'javascript:alert("source-url")' in facts
    assert not front.select('a[href*="alert"]')
    body = soup(public / "docs/hostile-body/index.html").select_one(".doc-body")
    text = body.get_text()
    for fragment in ('<script>alert("raw-script")</script>', '<iframe src="https://evil.example/frame"></iframe>',
                     "正文第一段", "正常的政府信息公开内容。", '<script>alert("code-block")</script>'):
        assert fragment in text, fragment
    links = [a["href"] for a in body.find_all("a")]
    assert links and all(href.startswith(("https://", "/")) for href in links), links
    # the raw page and text went through ingest: their prose is on the site, their markup is not
    documents = json.loads((public / "data/documents.json").read_text(encoding="utf-8"))
    documents = documents["documents"] if isinstance(documents, dict) else documents
    by_source = {(d.get("source") or {}).get("file"): d for d in documents}
    for source, sentences in (("hostile-page.html", ["本年度主动公开政府信息100条。", "文字中的脚本标签。"]),
                              ("hostile-text.txt", ["本年度主动公开政府信息200条。", "自动链接", "二、主动公开政府信息情况",
                                                    "全文完。"])):
        text = soup(public / by_source[source]["url"].strip("/") / "index.html").select_one(".doc-body").get_text()
        for sentence in sentences:   # prose after a tag quoted in a .txt (<svg …>) is not swallowed
            assert sentence in text, (source, sentence)
    # a source URL is a link only when it is http(s)
    for name in ("source-url-case", "source-url-data", "source-url-vbscript", "source-url-quote", "source-url-tab"):
        facts = soup(public / f"docs/{name}/index.html").select_one(".doc-facts")
        assert not facts.find("a", string="原文链接"), name
        assert "原文地址" in facts.get_text(), name


def test_feed_sitemap_and_open_data_stay_well_formed(hostile_site):
    public = hostile_site / "public"
    feed = xml.dom.minidom.parse(str(public / "feed.xml"))
    titles = [t.firstChild.data for t in feed.getElementsByTagName("title") if t.firstChild]
    assert FRONT_TITLE in titles
    xml.dom.minidom.parse(str(public / "sitemap.xml"))
    text = (public / "data/documents.json").read_text(encoding="utf-8")
    json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in documents.json"))
    assert json.dumps(FRONT_TITLE, ensure_ascii=False) in text or json.dumps(FRONT_TITLE) in text


def test_hostile_pages_run_nothing_in_chromium(hostile_site, browser):
    public = hostile_site / "public"
    server, base = serve_folder(public)
    page = browser.new_page()
    dialogs, outside = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    try:
        for path in html_pages(public):
            rel = path.relative_to(public).as_posix()
            page.goto(base + (rel[: -len("index.html")] if rel.endswith("index.html") else rel))
        page.goto(base + "docs/hostile-body/")
        for link in page.query_selector_all(".doc-body a"):   # hovering and following content links runs nothing
            link.hover()
        assert page.evaluate("document.querySelectorAll('.doc-body script, .doc-body img, .doc-body iframe').length") == 0
        page.wait_for_timeout(300)
        assert dialogs == [] and outside == []
    finally:
        page.close()
        server.shutdown()


@pytest.fixture(scope="module", params=["pagefind", "exact"])
def hostile_search_site(request, hostile_site, tmp_path_factory) -> Path:
    """The hostile site's content built with `--search-engine <param>`; its public/."""
    engine = request.param
    root = tmp_path_factory.mktemp(f"hostile-{engine}")
    shutil.copytree(hostile_site / "content", root / "content")
    shutil.copy(hostile_site / "pyproject.toml", root / "pyproject.toml")
    run_cli("build", "--root", root, "--search-engine", engine)
    folder = {"pagefind": "pagefind", "exact": "fulltext"}[engine]
    assert json.loads((root / "public" / folder / "index.json").read_text(encoding="utf-8"))["engine"] == engine
    return root / "public"


def test_hostile_search_results_run_nothing_in_chromium(hostile_search_site, browser):
    """With either engine: a hostile title and excerpt are shown as text, and markup in a query is only text."""
    server, base = serve_folder(hostile_search_site)
    page = browser.new_page()
    dialogs, outside = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    try:
        page.goto(base + "search/?q=" + "alert")
        page.wait_for_function("document.getElementById('search-status').dataset.count !== undefined", timeout=20000)
        results = page.inner_text("#search-results")
        assert FRONT_TITLE in results
        assert page.evaluate("document.querySelectorAll('#search-results script, #search-results img').length") == 0
        found = page.evaluate("window.siteSearch('某县2021年政务公开工作要点')")
        assert FRONT_TITLE in [r["title"] for r in found]
        # the markup is searchable text, character for character (punctuation included)
        found = page.evaluate("""window.siteSearch('<script>alert("title")</script>')""")
        assert [r["title"] for r in found] == [FRONT_TITLE]
        page.fill("#search-q", '<img src=x onerror=alert("title-img")>')
        page.wait_for_function("document.getElementById('search-status').dataset.count === '1'", timeout=20000)
        assert FRONT_TITLE in page.inner_text("#search-results")
        assert page.evaluate("document.querySelectorAll('#search-results script, #search-results img').length") == 0
        page.wait_for_timeout(300)
        assert dialogs == [] and outside == []
    finally:
        page.close()
        server.shutdown()


# -- broken content files ----------------------------------------------------------------------------------

BROKEN = {   # file: (what its error says, the line it names or None)
    "yaml-syntax.md": ("invalid YAML in front matter", 3),
    "year-type.md": ("'year' must be a year", 4),
    "region-unknown.md": ("not in the administrative-division table", 5),
    "title-missing.md": ("'title' is required", None),
    "slug-escape.md": ("'slug' must be lower-case ASCII", 4),
    "dup-a.md": ("wants the same output file docs/duplicate/index.html as content/dup-b.md", None),
    "empty.md": ("missing front matter", 1),
    "binary.md": ("binary file", None),
    "gbk.md": ("not valid UTF-8", None),
    "unclosed.md": ("front matter is not closed", 1),
    "not-mapping.md": ("front matter must be a mapping", 2),
    "table-shape.md": ("tables.t3_applications must be a mapping", 5),
    "infinite.md": ("stats.proactive_total must be a finite number", 5),
    "alias-bomb.md": ("too many or too deeply nested values", None),
    "yaml-tag.md": ("could not determine a constructor", 4),
    "date-invalid.md": ("'date' must be an ISO date", 4),
    "doc-type.md": ("'doc_type' must be one of", 3),
    "duplicate-key.md": ("duplicate key 'title'", 3),
    "huge.md": ("file is larger than 8 MB", None),
    "link.md": ("symbolic link points outside the content folder", None),
}


def add_broken_files(root: Path) -> None:
    content = root / "content"
    for path in sorted((HOSTILE / "broken").iterdir()):
        shutil.copy(path, content / path.name)
    with (content / "huge.md").open("w", encoding="utf-8") as f:   # 30 MB: made here, never committed
        f.write("---\ntitle: 巨大的文件\ndoc_type: other\n---\n")
        f.write("政府信息公开工作。\n" * (30 * 1024 * 1024 // 28))
    secret = root.parent / "secret.md"
    secret.write_text("---\ntitle: 外部文件\ndoc_type: other\n---\n不应公开的内容。\n", encoding="utf-8")
    os.symlink(secret, content / "link.md")


def snapshot(folder: Path) -> dict[str, object]:
    """Every path under `folder` with its bytes and, for files, its inode (the build's own cache folder is
    left out: a failed build may still remember the documents it parsed)."""
    state = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if ".site-builder-cache" in p.parts:
            continue
        if p.is_symlink() or p.is_dir():
            state[rel] = "link" if p.is_symlink() else "dir"
        else:
            state[rel] = (p.read_bytes(), p.stat().st_ino)
    return state


def assert_named(stderr: str, expected: dict) -> None:
    lines = stderr.splitlines()
    for name, (message, line) in expected.items():
        where = f"content/{name}:{line}: " if line else f"content/{name}: "
        assert any(l.startswith(where) and message in l for l in lines), (name, where, message, stderr)


def test_every_broken_file_is_named_and_nothing_is_lost(tmp_path):
    root = make_site(tmp_path / "site")
    run_cli("build", "--root", root, "--no-search")
    add_broken_files(root)
    before = snapshot(tmp_path)
    result = run_cli("build", "--root", root, "--no-search", check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    assert_named(result.stderr, BROKEN)
    for good in ("qianshan-2019", "undated", "guoban-2019"):   # the good files are read, not blamed
        assert f"content/{good}.md" not in result.stderr
    assert snapshot(tmp_path) == before          # public/ byte- and inode-identical, nothing written anywhere
    assert not (root / "pwned-by-yaml").exists() and not Path("pwned-by-yaml").exists()


def test_check_lists_every_problem_at_once_and_writes_nothing(tmp_path):
    root = make_site(tmp_path / "site")
    add_broken_files(root)
    before = snapshot(tmp_path)
    result = run_cli("check", "--root", root, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    assert_named(result.stderr, BROKEN)
    named = [line for line in result.stderr.splitlines() if line.startswith("content/")]
    assert len(named) == len(BROKEN), named   # one line per broken file: none named twice, no other file named
    assert f"{len(named)} problem(s) found" in result.stderr
    assert snapshot(tmp_path) == before
    assert not (root / "public").exists() and not (root / ".site-builder-cache").exists()


def test_check_of_six_broken_files_exits_1_and_a_fixed_folder_exits_0(tmp_path):
    root = make_site(tmp_path / "site")
    six = ["yaml-syntax.md", "year-type.md", "region-unknown.md", "title-missing.md", "slug-escape.md", "binary.md"]
    for name in six:
        shutil.copy(HOSTILE / "broken" / name, root / "content" / name)
    result = run_cli("check", "--root", root, check=False)
    assert result.returncode == 1
    assert len([line for line in result.stderr.splitlines() if line.startswith("content/")]) == 6, result.stderr
    assert_named(result.stderr, {name: BROKEN[name] for name in six})
    for name in six:
        (root / "content" / name).unlink()
    before = snapshot(tmp_path)
    result = run_cli("check", "--root", root, check=False)
    assert result.returncode == 0 and result.stderr == "" and "no problems found" in result.stdout
    assert snapshot(tmp_path) == before
