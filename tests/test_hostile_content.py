"""Hostile and broken content: nothing executes, every problem is named, nothing is lost (issue 8)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import run_cli, serve_folder, write_doc
from site_checks import html_pages, soup, tree_bytes
from test_build import make_site

XSS_TITLE = '<script>alert("t")</script><img src=x onerror=alert(1)>'
HOSTILE_BODY = """## 一、<img src=x onerror=alert(2)>

<script>alert(3)</script>
<iframe src="https://evil.example/"></iframe>
<style>body{display:none}</style>
<div onclick="alert(4)" style="position:fixed">点我</div>

[链接一](javascript:alert(5)) [链接二](JAVASCRIPT:alert(6)) [链接三](data:text/html,<script>alert(7)</script>)
[链接四](vbscript:msgbox) [链接五](&#106;avascript:alert(8)) [链接六][ref] <javascript:alert(9)>
![图](data:image/png;base64,AAAA) ![外图](https://evil.example/pixel.png)

[ref]: javascript:alert(10)

正常的政府信息公开内容。
"""


def hostile_site(root: Path) -> Path:
    make_site(root)
    write_doc(root / "content", "hostile.md",
              f"title: '{XSS_TITLE}'\ndoc_type: annual_report\nyear: 2020\n"
              "issuing_body: '\"><svg onload=alert(11)>'\n"
              "region: {code: \"340882\", province: '<b>安徽省</b>', city: 安庆市, county: 潜山市}\n"
              "source: {file: '<script>x</script>.txt', url: 'javascript:alert(12)'}\n"
              "warnings: ['<script>alert(13)</script>']\n"
              "repairs: [{field: body, before: '<img src=x onerror=alert(14)>', after: x}]",
              HOSTILE_BODY)
    return root


def test_no_script_handler_or_dangerous_url_reaches_any_page(tmp_path):
    root = hostile_site(tmp_path / "site")
    run_cli("build", "--root", root, "--no-search")
    public = root / "public"
    for page in html_pages(public):
        s = soup(page)
        for script in s.find_all("script"):
            assert script.get("src", "").startswith(("/assets/", "/pagefind/")) and not script.string, page
        assert not s.find_all(["iframe", "object", "embed", "style"]), page
        for element in s.find_all(True):
            for name, value in element.attrs.items():
                assert not name.lower().startswith("on"), (page, element)
                assert name.lower() != "style", (page, element)
                if name in ("href", "src", "action"):
                    assert not str(value).strip().lower().startswith(("javascript:", "data:", "vbscript:")), (page, value)
                    assert not str(value).startswith(("http://", "https://")) or element.name == "a", (page, value)
    doc = soup(public / "docs/hostile/index.html")
    assert doc.h1.get_text() == XSS_TITLE            # shown as text, exactly
    assert "正常的政府信息公开内容" in doc.get_text()


def test_hostile_page_runs_nothing_in_chromium(tmp_path, browser):
    root = hostile_site(tmp_path / "site")
    run_cli("build", "--root", root)
    server, base = serve_folder(root / "public")
    page = browser.new_page()
    dialogs, outside = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    for route in ("docs/hostile/", "", "years/2020/", "regions/340882/", "search/?q=script"):
        page.goto(base + route)
        page.wait_for_timeout(300)
    page.wait_for_function("document.getElementById('search-status').dataset.count !== undefined", timeout=15000)
    assert XSS_TITLE in page.inner_text("#search-results")   # the result title is text
    assert dialogs == [] and outside == []
    server.shutdown()


BROKEN = {
    "yaml.md": ("---\ntitle: [unclosed\ndoc_type: other\n---\n", "invalid YAML"),
    "year.md": ("---\ntitle: 年份错\ndoc_type: other\nyear: abc\n---\n", "'year' must be a year"),
    "region.md": ("---\ntitle: 区划错\ndoc_type: other\nregion: {code: \"999999\"}\n---\n", "not in the administrative-division table"),
    "notitle.md": ("---\ndoc_type: other\n---\n正文\n", "'title' is required"),
    "slug.md": ("---\ntitle: 越界\ndoc_type: other\nslug: ../../etc\n---\n", "'slug' must be"),
    "empty.md": ("", "missing front matter"),
    "dupkey.md": ("---\ntitle: a\ntitle: b\ndoc_type: other\n---\n", "duplicate key"),
}


@pytest.fixture
def broken_site(tmp_path):
    root = make_site(tmp_path / "site")
    run_cli("build", "--root", root, "--no-search")
    for name, (text, _) in BROKEN.items():
        (root / "content" / name).write_text(text, encoding="utf-8")
    (root / "content" / "binary.md").write_bytes(b"---\x00\x01\x02")
    (root / "content" / "gbk.md").write_bytes("---\ntitle: 编码\n---\n".encode("gbk"))
    outside = tmp_path / "secret.md"
    outside.write_text("---\ntitle: 外部\ndoc_type: other\n---\n", encoding="utf-8")
    os.symlink(outside, root / "content" / "link.md")
    return root


def test_every_broken_file_is_named_and_public_is_untouched(broken_site):
    root = broken_site
    before_public = tree_bytes(root / "public")
    before_inodes = {p: p.stat().st_ino for p in (root / "public").rglob("*") if p.is_file()}
    snapshot = sorted(str(p.relative_to(root.parent)) for p in root.parent.rglob("*"))
    result = run_cli("build", "--root", root, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = result.stderr
    for name, (_, message) in BROKEN.items():
        assert f"content/{name}" in errors and message in errors, (name, errors)
    assert "content/binary.md: binary file" in errors
    assert "content/gbk.md: not valid UTF-8" in errors
    assert "content/link.md: symbolic link points outside" in errors
    assert tree_bytes(root / "public") == before_public
    assert {p: p.stat().st_ino for p in (root / "public").rglob("*") if p.is_file()} == before_inodes
    assert sorted(str(p.relative_to(root.parent)) for p in root.parent.rglob("*")) == snapshot  # nothing written anywhere


def test_check_lists_every_problem_at_once(broken_site):
    result = run_cli("check", "--root", broken_site, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("content/")]
    assert len(lines) >= len(BROKEN) + 3
    assert "problem(s) found" in result.stderr


def test_huge_file_is_refused_with_a_clear_error(tmp_path):
    root = make_site(tmp_path / "site")
    with (root / "content" / "huge.md").open("w", encoding="utf-8") as f:
        f.write("---\ntitle: 巨大\ndoc_type: other\n---\n")
        f.write("政府信息公开。" * (30 * 1024 * 1024 // 21))
    result = run_cli("build", "--root", root, "--no-search", check=False)
    assert result.returncode == 1 and "content/huge.md: file is larger than" in result.stderr


def test_ingest_bad_raw_files_are_named_and_the_rest_ingested(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "empty.txt").write_bytes(b"")
    (raw / "binary.html").write_bytes(bytes(range(256)) * 40)
    (raw / "good.txt").write_text("潜山市2019年政府信息公开年度报告\n发布时间:2020-01-31\n一、总体情况\n本年度主动公开政府信息100条。\n",
                                  encoding="utf-8")
    out = tmp_path / "content"
    result = run_cli("ingest", raw, "--out", out, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "empty.txt" in result.stderr and "binary.html" in result.stderr
    written = [p for p in out.glob("*.md")]
    assert len(written) == 1
    assert not list(tmp_path.glob("raw/*.md"))   # nothing written next to the inputs
