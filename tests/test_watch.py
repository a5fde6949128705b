"""`site-builder build --watch` (issue 5): randomised sequences of edits end byte-identical to a clean build;
broken inputs are reported as `path[:line]: message` and the watcher recovers; polling works; public/ is not
watched. Real processes, plus the same sequences run in-process against rebuild.Rebuilder (many seeds)."""

from __future__ import annotations

import os
import queue
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import run_cli, write_doc
from site_checks import tree_bytes
from test_build import make_site

from site_builder.config import BUILTIN_THEME


class Live:
    """A real `site-builder` process whose output is read line by line in the background."""

    def __init__(self, *args, cwd: Path | None = None):
        self.proc = subprocess.Popen([sys.executable, "-m", "site_builder", *map(str, args)], cwd=cwd,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.lines: queue.Queue = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _next(self, timeout: float) -> str | None:
        line = self.lines.get(timeout=timeout)
        if line is None:
            self.lines.put(None)
            raise AssertionError(f"process exited ({self.proc.poll()}); output:\n{''.join(self.seen)}")
        self.seen.append(line)
        return line

    def expect(self, pattern: str, timeout: float = 60) -> str:
        """The next line that matches `pattern` (a regular expression)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                line = self._next(max(0.01, left))
            except queue.Empty:
                line = None
            if line is not None and re.search(pattern, line):
                return line
            if left <= 0:
                raise AssertionError(f"{pattern!r} not printed; output so far:\n{''.join(self.seen)}")

    def quiet(self, seconds: float, limit: float = 120) -> list[str]:
        """Read until nothing is printed for `seconds`; returns what was printed meanwhile."""
        got, deadline = [], time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                got.append(self._next(seconds))
            except queue.Empty:
                return got
        raise AssertionError(f"never quiet; output:\n{''.join(self.seen)}")

    def idle(self, timeout: float = 120) -> None:
        """Wait until the last change is fully applied: a build was printed and nothing more happens for a
        second and a half (every rebuild is exact: there is no later pass to wait for)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not any(re.match(r"^(built|rebuilt)", line) for line in self.seen):
                self.expect(r"^(built|rebuilt)", timeout=max(1.0, deadline - time.monotonic()))
            if not [line for line in self.quiet(1.5) if re.match(r"^(built|rebuilt)", line)]:
                return
        raise AssertionError(f"never idle; output:\n{''.join(self.seen)}")

    def stop(self) -> int:
        """Ctrl-C; the exit code (all remaining output is then in `seen`)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout=40)   # generous: CI machines can be loaded
        while True:
            try:
                line = self.lines.get(timeout=5)
            except queue.Empty:
                break
            if line is None:
                self.lines.put(None)
                break
            self.seen.append(line)
        return code


def processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in cmdline:
                found.append(f"{entry.name}: {cmdline}")
    return found


# --- random edit sequences --------------------------------------------------------------------------------

DOC_TYPES = ["other", "work_plan", "annual_report", "work_points"]
REGIONS = ['region: {code: "340882", province: 安徽省, city: 安庆市, county: 潜山市}',
           'region: {code: "340800", province: 安徽省, city: 安庆市, county: null}',
           'region: {code: "360700", province: 江西省, city: 赣州市, county: null}',
           "region: null"]


def random_doc(rng: random.Random, n: int) -> str:
    date = f"date: 20{rng.randint(12, 23)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}\n" if rng.random() < 0.7 else ""
    return (f"title: 随机文件{n}号\ndoc_type: {rng.choice(DOC_TYPES)}\nyear: {rng.choice([2015, 2019, 2020, 2022])}\n"
            f"{date}{rng.choice(REGIONS)}")


def mutate(rng: random.Random, root: Path, step: int, kinds: tuple[str, ...]) -> str:
    """One random change to the project; returns what it did."""
    content = root / "content"
    files = sorted(content.rglob("*.md"))
    action = rng.choice(kinds)
    if action == "body" and files:
        f = rng.choice(files)
        f.write_text(f.read_text(encoding="utf-8") + f"\n第{step}段新增的正文。\n", encoding="utf-8")
    elif action == "title" and files:
        f = rng.choice(files)
        f.write_text(re.sub(r"^title: (.*)$", lambda m: f"title: 改{step}·{m.group(1)}", f.read_text(encoding="utf-8"),
                            count=1, flags=re.M), encoding="utf-8")
    elif action == "date" and files:
        f = rng.choice(files)
        text = re.sub(r"^date: .*\n", "", f.read_text(encoding="utf-8"), flags=re.M)
        f.write_text(text.replace("---\n", f"---\ndate: 20{rng.randint(10, 23)}-1{rng.randint(0, 2)}-0{rng.randint(1, 9)}\n", 1),
                     encoding="utf-8")
    elif action == "year" and files:
        f = rng.choice(files)
        f.write_text(re.sub(r"^year: .*$", f"year: {rng.choice([2014, 2019, 2021])}", f.read_text(encoding="utf-8"),
                            count=1, flags=re.M), encoding="utf-8")
    elif action == "add" or not files:
        folder = content / "more" if rng.random() < 0.3 else content
        action = "add"
        write_doc(folder, f"new-{step}.md", random_doc(rng, step), f"第{step}号文件的正文。\n")
    elif action == "delete" and len(files) > 2:
        rng.choice(files).unlink()
    elif action == "rename":
        f = rng.choice(files)
        f.rename(f.with_name(f"renamed-{step}.md"))
    elif action == "template":
        (root / "templates").mkdir(exist_ok=True)
        (root / "templates" / "404.html").write_text(
            '{% extends "base.html" %}{% block main %}<h1>找不到' + str(step) + '</h1>{% endblock %}', encoding="utf-8")
    elif action == "static":
        css = root / "themes/default/static/site.css"
        css.write_text(css.read_text(encoding="utf-8") + f"\n/* {step} */\n", encoding="utf-8")
    elif action == "config":
        config = root / "pyproject.toml"
        text = re.sub(r'title = ".*"', f'title = "测试档案{step}"', config.read_text(encoding="utf-8"))
        config.write_text(re.sub(r"page_size = \d+", f"page_size = {rng.choice([1, 2, 3])}", text), encoding="utf-8")
    else:
        return "nothing"
    return action


CONTENT_KINDS = ("body", "title", "date", "year", "add", "delete", "rename")
ALL_KINDS = CONTENT_KINDS + ("title", "add", "template", "static", "config")


def project(tmp_path: Path, own_theme: bool) -> Path:
    root = make_site(tmp_path / "site", page_size=2, extra_config='theme_dir = "themes/default"\n' if own_theme else "")
    if own_theme:   # a theme of its own (a copy of the packaged one), edited by the sequence
        shutil.copytree(BUILTIN_THEME, root / "themes/default")
    return root


def clean_build(root: Path, search: bool = False) -> dict[str, bytes]:
    run_cli("build", "--root", root, "--output", "clean", *([] if search else ["--no-search"]))
    return tree_bytes(root / "clean")


@pytest.mark.parametrize("seed", [3, 11])
def test_watch_random_sequence_ends_byte_identical(tmp_path, seed):
    root = project(tmp_path, own_theme=True)
    live = Live("build", "--watch", "--no-search", "--root", root)
    rng = random.Random(seed)
    try:
        live.expect("watching for changes")
        for step in range(16):
            action = mutate(rng, root, step, ALL_KINDS)
            if action != "nothing":
                live.expect(r"^rebuilt")
            if rng.random() < 0.3:
                time.sleep(0.6)   # let the exact pass run (or be interrupted) between some edits
        live.idle()
    finally:
        assert live.stop() == 0
    watched = tree_bytes(root / "public")
    assert watched == clean_build(root), "build --watch left public/ different from a clean build"


def test_watch_with_search_index_matches_clean_build_entirely(tmp_path):
    root = project(tmp_path, own_theme=False)
    live = Live("build", "--watch", "--root", root)
    rng = random.Random(5)
    try:
        live.expect("watching for changes")
        live.expect("search index refreshed", timeout=90)
        for step in range(4):
            mutate(rng, root, step, ("title", "add", "body"))
            live.expect(r"^rebuilt")
        live.expect("search index refreshed", timeout=90)
    finally:
        assert live.stop() == 0
    watched = tree_bytes(root / "public")
    clean = clean_build(root, search=True)
    assert any(k.startswith("pagefind/") for k in watched)   # the default engine's index
    assert watched == clean


@pytest.mark.parametrize("seed", range(12))
def test_rebuilder_random_sequences(tmp_path, seed):
    """The same sequences in-process, many seeds, through the engine serve and watch keep (rebuild.Rebuilder),
    with content problems in between: after each step public/ is as a clean build leaves it."""
    from site_builder.build import build
    from site_builder.config import load_config
    from site_builder.errors import SiteError
    from site_builder.rebuild import Rebuilder

    root = project(tmp_path, own_theme=False)
    rng = random.Random(seed)
    config = load_config(root)
    builder = Rebuilder(config, jobs=1)

    def step() -> None:
        site = builder.load()
        builder.build(site, builder.plan(site), keep_search=True)

    step()
    for n in range(25):
        if rng.random() < 0.15:
            broken = root / "content" / f"broken-{n}.md"
            broken.write_text("---\ntitle: 坏\nyear: [2019\n---\n正文\n", encoding="utf-8")
            with pytest.raises(SiteError) as err:
                step()
            assert str(err.value.problems[0]).startswith(f"content/broken-{n}.md:")
            broken.unlink()
            continue
        mutate(rng, root, n, CONTENT_KINDS)
        step()
        if rng.random() < 0.3 or n == 24:
            build(load_config(root, output_dir="clean"), search=False, jobs=1, use_cache=False)
            assert tree_bytes(root / "public") == tree_bytes(root / "clean")


# --- problems, polling, what is not watched ---------------------------------------------------------------

def test_watch_reports_broken_inputs_and_recovers_with_polling(tmp_path):
    root = project(tmp_path, own_theme=False)
    live = Live("build", "--watch", "--poll", "--no-search", "--root", root)
    public = root / "public"
    try:
        live.expect("watching for changes")
        before = tree_bytes(public)
        broken = root / "content" / "broken.md"
        broken.write_text("---\ntitle: 坏文件\ndoc_type: other\nyear: [2019\n---\n正文\n", encoding="utf-8")
        line = live.expect(r"broken\.md")
        assert re.match(r"^content/broken\.md:\d+: .*YAML", line), line
        assert tree_bytes(public) == before, "a broken input changed public/"
        (root / "templates").mkdir()
        (root / "templates" / "404.html").write_text('{% extends "base.html" %}\n{% block main %}\n{% if %}\n',
                                                     encoding="utf-8")
        live.expect(r"^templates/404\.html:\d+: template syntax error|broken\.md")
        broken.write_text("---\ntitle: 修好的文件\ndoc_type: other\nyear: 2019\n---\n正文\n", encoding="utf-8")
        live.expect(r"templates/404\.html:\d+: template syntax error")   # the template is still broken
        (root / "templates" / "404.html").unlink()
        live.expect(r"^rebuilt")
        live.idle()
        assert "修好的文件" in (public / "index.html").read_text(encoding="utf-8")
        # public/ and the staging folders next to it are never watched
        (public / "stray.txt").write_text("x", encoding="utf-8")
        (root / ".public.staging").mkdir(exist_ok=True)
        assert not [line for line in live.quiet(1.5) if line.startswith("rebuilt")]
        assert live.proc.poll() is None
        assert "Traceback" not in "".join(live.seen)
    finally:
        assert live.stop() == 0
