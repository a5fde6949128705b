"""`site-builder build --watch` as a real process survives broken files and recovers when they are fixed (issue 8).
(`serve` recovering in the browser is tested in test_serve.py.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import REPO
from site_checks import tree_bytes
from test_build import make_site

HOSTILE = REPO / "tests" / "fixtures" / "hostile"


def put(path: Path, data: bytes) -> None:
    """Replace a file in one step, so the watcher never reads it half-written."""
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)


def wait_for(proc: subprocess.Popen, needle: str, seen: list[str], timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        if needle in line:
            return line
    raise AssertionError(f"{needle!r} not printed (exit status {proc.poll()}); output:\n{''.join(seen)}")


def test_watch_survives_broken_files_and_recovers(tmp_path):
    root = make_site(tmp_path / "site")
    content, public = root / "content", root / "public"
    proc = subprocess.Popen([sys.executable, "-m", "site_builder", "build", "--watch", "--no-search", "--root", str(root)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    seen: list[str] = []
    try:
        wait_for(proc, "watching for changes", seen)
        good = tree_bytes(public)
        bad = content / "bad.md"
        huge = b"---\ntitle: \xe5\xb7\xa8\ndoc_type: other\n---\n" + "政府信息公开。\n".encode() * (30 * 1024 * 1024 // 22)
        steps = [
            ((HOSTILE / "broken/yaml-syntax.md").read_bytes(), "content/bad.md:3: invalid YAML in front matter"),
            ((HOSTILE / "broken/binary.md").read_bytes(), "content/bad.md: binary file"),
            (huge, "content/bad.md: file is larger than 8 MB"),
            ((HOSTILE / "broken/slug-escape.md").read_bytes(), "content/bad.md:4: front matter: 'slug' must be"),
            (b"---\ntitle: dup\ndoc_type: other\nslug: undated\n---\n", "content/bad.md: wants the same output file"),
        ]
        for data, message in steps:
            put(bad, data)
            line = wait_for(proc, message, seen)
            assert line.startswith("content/bad.md"), line
            assert proc.poll() is None                       # still running
            assert tree_bytes(public) == good                # the last good site is still served
        put(bad, "---\ntitle: 修好的文件\ndoc_type: other\nyear: 2020\n---\n修好了。\n".encode())
        wait_for(proc, "rebuilt", seen)
        page = public / "docs/bad/index.html"
        assert page.is_file() and "修好的文件" in page.read_text(encoding="utf-8")
        assert "/docs/bad/" in (public / "years/2020/index.html").read_text(encoding="utf-8")
    finally:
        proc.send_signal(signal.SIGINT)
        status = proc.wait(timeout=40)
        rest = proc.stdout.read()
    assert status == 0
    assert "Traceback" not in "".join(seen) + rest
