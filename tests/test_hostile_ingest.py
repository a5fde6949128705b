"""`site-builder ingest` on hostile and broken raw files: each named, the rest ingested, nothing written outside
the content folder, a person's edit never overwritten (issue 8). The hostile pages' way to the site (scripts,
handlers, URLs) is checked on the built site in test_hostile_content.py."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from conftest import REPO, run_cli

HOSTILE = REPO / "tests" / "fixtures" / "hostile"
GOOD = "潜山市2019年政府信息公开年度报告\n发布时间:2020-01-31\n一、总体情况\n本年度主动公开政府信息100条。\n"

RAW_BROKEN = {   # file in tests/fixtures/hostile/raw-broken (or made here): what its error says
    "empty.txt": "empty file",
    "whitespace.txt": "empty file",
    "binary.html": "binary file",
    "image.txt": "binary file",
    "controls.txt": "binary file",
    "undecodable.txt": "cannot decode",
    "bad-bom.txt": "cannot decode as utf-16 despite its byte-order mark",
    "only-markup.html": "no document text found",
    "huge.txt": "file too large",
    "link.txt": "symbolic link points outside",
}


def outside(tmp_path: Path, out: Path) -> dict[str, bytes | str]:
    """Every path under tmp_path except the content folder, with its bytes."""
    return {p.relative_to(tmp_path).as_posix(): ("link" if p.is_symlink() else "dir" if p.is_dir() else p.read_bytes())
            for p in sorted(tmp_path.rglob("*")) if not p.is_relative_to(out)}


def published_text(out: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(out.glob("*.md")))


def test_broken_raw_files_are_named_and_the_rest_ingested(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(HOSTILE / "raw-broken", raw)
    (raw / "good.txt").write_text(GOOD, encoding="utf-8")
    with (raw / "huge.txt").open("w", encoding="utf-8") as f:   # 30 MB: made here, never committed
        f.write("某县政府信息公开工作年度报告\n" + "本年度主动公开政府信息。\n" * (30 * 1024 * 1024 // 36))
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "secret.txt").write_text("机密：不应被公开的内容。\n一、总体情况\n本年度主动公开政府信息1条。\n",
                                                     encoding="utf-8")
    os.symlink(tmp_path / "private" / "secret.txt", raw / "link.txt")
    os.symlink(tmp_path / "private", raw / "linked-folder")
    out = tmp_path / "content"
    before = outside(tmp_path, out)
    result = run_cli("ingest", raw, "--out", out, "--max-size", "20M", check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    for name, message in RAW_BROKEN.items():
        assert any(line.startswith(f"{raw / name}: ") and message in line for line in lines), (name, result.stderr)
    assert len(lines) == len(RAW_BROKEN), result.stderr
    written = sorted(out.glob("*.md"))
    assert len(written) == 2                          # good.txt and bogus-charset.html (a declared charset it ignores)
    text = published_text(out)
    assert "本年度主动公开政府信息100条" in text and "本年度主动公开政府信息300条" in text
    assert "机密" not in text and "1条" not in text    # the linked file outside the input folder is not published
    assert outside(tmp_path, out) == before           # nothing written next to the inputs or anywhere else


def test_missing_input_and_unwritable_manifest_are_clear(tmp_path):
    out = tmp_path / "content"
    out.mkdir()
    (out / ".ingest-manifest.json").write_bytes(b"\xff\x00 not json {")
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text(GOOD, encoding="utf-8")
    result = run_cli("ingest", raw, tmp_path / "nowhere", "--out", out, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{tmp_path / 'nowhere'}: no such file or directory" in result.stderr
    assert len(list(out.glob("*.md"))) == 1           # a corrupt manifest is rebuilt, not a crash
    json.loads((out / ".ingest-manifest.json").read_text(encoding="utf-8"))


def test_ingest_never_overwrites_an_edit_nor_writes_through_a_link_or_a_hostile_manifest(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(HOSTILE / "raw" / "hostile-text.txt", raw / "a.txt")
    (raw / "b.txt").write_text(GOOD, encoding="utf-8")
    out = tmp_path / "content"
    run_cli("ingest", raw, "--out", out)
    manifest_path = out / ".ingest-manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))["files"]
    a, b = out / manifest["a.txt"]["output"], out / manifest["b.txt"]["output"]

    # a person's edit survives a re-run that would change the file
    edited = a.read_text(encoding="utf-8") + "\n人工校对：本段由编辑补充。\n"
    a.write_text(edited, encoding="utf-8")
    with (raw / "a.txt").open("a", encoding="utf-8") as f:
        f.write("三、新增的一段正文。\n")
    # a content file replaced by a link to a file outside the content folder
    victim = tmp_path / "victim.md"
    victim.write_text("别人的文件。\n", encoding="utf-8")
    b.unlink()
    os.symlink(victim, b)
    # a manifest entry that points outside the content folder
    data = json.loads(manifest_path.read_text(encoding="utf-8"))
    data["files"]["c.txt"] = {"output": "../escaped.md", "output_sha256": "0" * 64, "input_sha256": "0" * 64}
    manifest_path.write_text(json.dumps(data), encoding="utf-8")
    (raw / "c.txt").write_text(GOOD.replace("潜山市", "太湖县"), encoding="utf-8")

    before = outside(tmp_path, out)
    result = run_cli("ingest", raw, "--out", out, check=False)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert f"skipped {a.name}: edited by hand" in result.stdout
    assert a.read_text(encoding="utf-8") == edited
    assert victim.read_text(encoding="utf-8") == "别人的文件。\n" and b.is_symlink()
    assert outside(tmp_path, out) == before and not (tmp_path / "escaped.md").exists()
    assert "太湖县" in published_text(out)            # c.txt got a name of its own inside content/

    # --force overwrites the edit (that is what it is for) but replaces the link, never its target
    result = run_cli("ingest", raw, "--out", out, "--force", check=False)
    assert result.returncode == 0
    assert "人工校对" not in a.read_text(encoding="utf-8") and "新增的一段正文" in a.read_text(encoding="utf-8")
    assert not b.is_symlink() and "本年度主动公开政府信息100条" in b.read_text(encoding="utf-8")
    assert victim.read_text(encoding="utf-8") == "别人的文件。\n"
    assert outside(tmp_path, out) == {**before, "raw/c.txt": before["raw/c.txt"]}
