"""`site-builder serve` as a real process, with real headless Chromium (issue 5): live reload of the open page
and its listings, error overlay naming file and line over the last good page, recovery, 404 page with status
404, base path, never half a file, Ctrl-C leaves nothing behind."""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

from test_build import make_site
from test_watch import Live, processes_mentioning


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture
def served(tmp_path):
    root = make_site(tmp_path / "site", page_size=50)
    port = free_port()
    live = Live("serve", "--root", root, "--port", port)
    live.expect("serving http://127.0.0.1")
    yield root, f"http://127.0.0.1:{port}/", live
    live.stop()


def retitle(path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(f"title: {old}", f"title: {new}"), encoding="utf-8")


def test_edit_reloads_open_page_and_listing(served, browser):
    root, base, live = served
    page = browser.new_page()
    page.goto(base + "docs/qianshan-2019/")
    assert page.inner_text("h1") == "潜山市2019年政府信息公开年度报告"
    listing = browser.new_page()
    listing.goto(base + "years/2019/")
    region = browser.new_page()
    region.goto(base + "regions/340882/")
    page.wait_for_timeout(300)   # the live-reload connections are open
    retitle(root / "content" / "qianshan-2019.md", "潜山市2019年政府信息公开年度报告", "潜山市2019年报告（修订）")
    page.wait_for_function("document.querySelector('h1').textContent === '潜山市2019年报告（修订）'", timeout=10000)
    listing.wait_for_function("document.body.textContent.includes('潜山市2019年报告（修订）')", timeout=10000)
    region.wait_for_function("document.body.textContent.includes('潜山市2019年报告（修订）')", timeout=10000)
    for p in (page, listing, region):
        p.close()


def test_broken_file_shows_overlay_with_file_and_line_and_recovers(served, browser):
    root, base, live = served
    page = browser.new_page()
    page.goto(base)
    page.wait_for_timeout(300)  # the live-reload connection is open
    broken = root / "content" / "broken.md"
    broken.write_text("---\ntitle: 好\ndoc_type: other\nyear: [1\n---\n正文\n", encoding="utf-8")
    page.wait_for_selector("#site-builder-error", timeout=10000)
    text = page.inner_text("#site-builder-error")
    assert "content/broken.md:" in text and "YAML" in text
    line = next(part for part in text.split() if part.startswith("content/broken.md:"))
    assert line.split(":")[1].isdigit(), text   # path:line
    assert page.inner_text("h1") == "测试档案"   # the last good page stays underneath
    other = browser.new_page()                   # a page opened while the build is broken shows it too
    other.goto(base + "years/")
    other.wait_for_selector("#site-builder-error", timeout=10000)
    broken.write_text("---\ntitle: 修好的文件\ndoc_type: other\nyear: 2019\n---\n正文\n", encoding="utf-8")
    page.wait_for_function("!document.getElementById('site-builder-error') && document.body.textContent.includes('修好的文件')",
                           timeout=10000)
    other.wait_for_function("!document.getElementById('site-builder-error')", timeout=10000)
    page.close()
    other.close()


def test_missing_url_gets_404_page_with_status(served, browser):
    root, base, live = served
    page = browser.new_page()
    response = page.goto(base + "no/such/page/")
    assert response.status == 404
    assert page.inner_text("h1") == "页面未找到"
    page.close()
    status, body = fetch(base + "docs/no-such-document/")
    assert status == 404 and "页面未找到".encode() in body
    # HEAD (search-pagefind.js checks Pagefind's WebAssembly with one): GET's status and headers, no body
    for path, expected in (("docs/qianshan-2019/", 200), ("no/such/page/", 404)):
        request = urllib.request.Request(base + path, method="HEAD")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, length, body = response.status, response.headers["Content-Length"], response.read()
        except urllib.error.HTTPError as exc:
            status, length, body = exc.code, exc.headers["Content-Length"], exc.read()
        assert status == expected and int(length) > 0 and body == b"", path


def test_never_serves_half_a_file(served):
    """Requests while the page is rewritten again and again: every response is one whole page."""
    root, base, live = served
    url = base + "docs/qianshan-2019/"
    failures, stop = [], threading.Event()

    def hammer():
        while not stop.is_set():
            status, body = fetch(url)
            if status != 200 or not body.rstrip().endswith(b"</html>") or body.count(b"<html") != 1:
                failures.append((status, body[-200:]))

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for t in threads:
        t.start()
    path = root / "content" / "qianshan-2019.md"
    title = "潜山市2019年政府信息公开年度报告"
    try:
        for n in range(12):
            new = f"潜山市第{n}版" + "很长的标题" * (n % 4 * 50)   # sizes differ between versions
            retitle(path, title, new)
            title = new
            live.expect(r"^rebuilt")
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not failures, failures[:3]


def test_ctrl_c_stops_cleanly_even_while_indexing(served):
    root, base, live = served
    port = int(base.rsplit(":", 1)[1].strip("/"))
    live.expect("search index refreshed", timeout=60)
    retitle(root / "content" / "qianshan-2019.md", "潜山市2019年政府信息公开年度报告", "新标题")
    live.expect(r"^rebuilt")
    deadline = time.monotonic() + 10   # the indexer starts after a quiet period: stop while it runs
    while not processes_mentioning("index_worker") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live.stop() == 0
    assert "stopped" in "".join(live.seen)
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))   # the port is free again
    time.sleep(0.2)
    assert not processes_mentioning(str(root)), processes_mentioning(str(root))


def test_serve_under_base_path(tmp_path, browser):
    root = make_site(tmp_path / "site")
    port = free_port()
    live = Live("serve", "--root", root, "--port", port, "--base-url", "/archive/")
    try:
        live.expect("serving http://127.0.0.1:\\d+/archive/")
        page = browser.new_page()
        assert page.goto(f"http://127.0.0.1:{port}/archive/docs/qianshan-2019/").status == 200
        page.click("a.site-title")
        page.wait_for_url(f"http://127.0.0.1:{port}/archive/")
        page.wait_for_timeout(300)
        retitle(root / "content" / "qianshan-2019.md", "潜山市2019年政府信息公开年度报告", "基础路径下的新标题")
        page.wait_for_function("document.body.textContent.includes('基础路径下的新标题')", timeout=10000)
        response = page.goto(f"http://127.0.0.1:{port}/archive/no/such/")
        assert response.status == 404 and page.inner_text("h1") == "页面未找到"
        assert page.goto(f"http://127.0.0.1:{port}/").url == f"http://127.0.0.1:{port}/archive/"
        assert fetch(f"http://127.0.0.1:{port}/docs/qianshan-2019/")[0] == 404   # outside the base path
        page.close()
    finally:
        assert live.stop() == 0
    public = (root / "public" / "index.html").read_text(encoding="utf-8")
    assert "__livereload" not in public   # injected when serving, never written


def test_serve_without_search_and_with_either_engine(tmp_path, browser):
    """`serve --no-search` builds no index; `serve --search-engine exact` builds the project's own, and the
    search page finds documents with it; `serve` (default) builds Pagefind's."""
    root = make_site(tmp_path / "site")
    port = free_port()
    live = Live("serve", "--root", root, "--port", port, "--no-search")
    try:
        live.expect("serving http://127.0.0.1")
        time.sleep(4)   # longer than the quiet period after which an index would be refreshed
        assert "search index" not in "".join(live.seen)
        assert not (root / "public" / "pagefind").exists() and not (root / "public" / "fulltext").exists()
    finally:
        assert live.stop() == 0
    for engine, folder in (("exact", "fulltext"), (None, "pagefind")):
        live = Live("serve", "--root", root, "--port", port, *(("--search-engine", engine) if engine else ()))
        try:
            live.expect("search index refreshed", timeout=60)
            assert (root / "public" / folder / "index.json").is_file()
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/search/")
            urls = page.evaluate("q => window.siteSearch(q).then(r => r.map(x => x.url))", "潜山市")
            assert "/docs/qianshan-2019/" in urls, (engine, urls)
            page.close()
        finally:
            assert live.stop() == 0
