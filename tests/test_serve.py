"""`site-builder serve` and `build --watch` as real processes, with real headless Chromium (issue 5)."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, run_cli, write_doc
from site_checks import tree_bytes
from test_build import make_site


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(*args: str, cwd: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "site_builder", *map(str, args)], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def wait_for_line(proc: subprocess.Popen, needle: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        if needle in line:
            return line
    raise AssertionError(f"{needle!r} not printed; output so far:\n{''.join(seen)}")


def stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGINT)
    return proc.wait(timeout=40)   # generous: CI machines can be loaded


@pytest.fixture
def served(tmp_path):
    root = make_site(tmp_path / "site", page_size=50)
    port = free_port()
    proc = start("serve", "--root", root, "--port", port)
    wait_for_line(proc, "serving http://127.0.0.1")
    yield root, f"http://127.0.0.1:{port}/", proc
    if proc.poll() is None:
        stop(proc)


def test_edit_reloads_open_page_and_listing(served, browser):
    root, base, proc = served
    page = browser.new_page()
    page.goto(base + "docs/qianshan-2019/")
    assert page.inner_text("h1") == "潜山市2019年政府信息公开年度报告"
    listing = browser.new_page()
    listing.goto(base + "years/2019/")
    path = root / "content" / "qianshan-2019.md"
    path.write_text(path.read_text(encoding="utf-8").replace("title: 潜山市2019年政府信息公开年度报告",
                                                             "title: 潜山市2019年报告（修订）"), encoding="utf-8")
    page.wait_for_function("document.querySelector('h1').textContent === '潜山市2019年报告（修订）'", timeout=10000)
    listing.wait_for_function("document.body.textContent.includes('潜山市2019年报告（修订）')", timeout=10000)
    page.close()
    listing.close()


def test_broken_file_shows_overlay_and_recovers(served, browser):
    root, base, proc = served
    page = browser.new_page()
    page.goto(base)
    page.wait_for_timeout(300)  # the live-reload connection is open
    broken = root / "content" / "broken.md"
    broken.write_text("---\ntitle: 好\ndoc_type: other\nyear: [1\n---\n正文\n", encoding="utf-8")
    page.wait_for_selector("#site-builder-error", timeout=10000)
    text = page.inner_text("#site-builder-error")
    assert "content/broken.md:" in text and "YAML" in text
    assert page.inner_text("h1") == "测试档案"   # the last good page stays underneath
    broken.write_text("---\ntitle: 修好的文件\ndoc_type: other\nyear: 2019\n---\n正文\n", encoding="utf-8")
    page.wait_for_function("!document.getElementById('site-builder-error') && document.body.textContent.includes('修好的文件')",
                           timeout=10000)
    page.close()


def test_missing_url_gets_404_page_with_status(served, browser):
    root, base, proc = served
    page = browser.new_page()
    response = page.goto(base + "no/such/page/")
    assert response.status == 404
    assert page.inner_text("h1") == "页面未找到"
    page.close()


def test_ctrl_c_stops_cleanly(served):
    root, base, proc = served
    port = int(base.rsplit(":", 1)[1].strip("/"))
    assert stop(proc) == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))   # the port is free again
    assert subprocess.run(["pgrep", "-f", f"site_builder.serve.index_worker.*{root}"]).returncode == 1


def test_serve_under_base_path(tmp_path, browser):
    root = make_site(tmp_path / "site")
    port = free_port()
    proc = start("serve", "--root", root, "--port", port, "--base-url", "/archive/")
    try:
        wait_for_line(proc, "serving http://127.0.0.1")
        page = browser.new_page()
        assert page.goto(f"http://127.0.0.1:{port}/archive/docs/qianshan-2019/").status == 200
        page.click("a.site-title")
        page.wait_for_url(f"http://127.0.0.1:{port}/archive/")
        page.close()
    finally:
        stop(proc)


def test_watch_random_edits_end_byte_identical_to_clean_build(tmp_path):
    root = make_site(tmp_path / "site")
    shutil.copytree(REPO / "themes", root / "themes")   # a project theme of its own, edited below
    proc = start("build", "--watch", "--no-search", "--root", root)
    rng = random.Random(11)
    content = root / "content"
    theme_override = root / "templates"
    try:
        wait_for_line(proc, "watching for changes")
        for step in range(18):
            files = sorted(content.glob("*.md"))
            action = rng.choice(["edit", "add", "delete", "rename", "template", "edit", "static", "config"])
            if action == "edit":
                f = rng.choice(files)
                f.write_text(f.read_text(encoding="utf-8").replace("正文", f"正文{step}"), encoding="utf-8")
            elif action == "add":
                write_doc(content, f"new-{step}.md", f"title: 新增文件{step}\ndoc_type: other\nyear: {2010 + step}")
            elif action == "delete" and len(files) > 3:
                rng.choice(files).unlink()
            elif action == "rename":
                f = rng.choice(files)
                f.rename(content / f"renamed-{step}.md")
            elif action == "template":
                theme_override.mkdir(exist_ok=True)
                (theme_override / "404.html").write_text(
                    '{% extends "base.html" %}{% block main %}<h1>找不到' + str(step) + '</h1>{% endblock %}',
                    encoding="utf-8")
            elif action == "static":
                css = root / "themes/default/static/site.css"
                css.write_text(css.read_text(encoding="utf-8") + f"\n/* {step} */\n", encoding="utf-8")
            elif action == "config":
                config = root / "pyproject.toml"
                config.write_text(re.sub(r'title = ".*"', f'title = "测试档案{step}"', config.read_text(encoding="utf-8")),
                                  encoding="utf-8")
            wait_for_line(proc, "rebuilt")
        time.sleep(0.3)
    finally:
        assert stop(proc) == 0
    watched = tree_bytes(root / "public")
    run_cli("build", "--root", root, "--no-search", "--output", "clean")
    assert watched == tree_bytes(root / "clean")
