"""The rebuild record on disk (site_builder/cache/record.py): a base file and the changes since, read back as the
record that was saved last, whatever was changed, added or removed."""

from __future__ import annotations

from site_builder.cache import RecordFile


def record(n: int, *, title: str = "t") -> dict:
    return {"global": "g", "pages": {f"/p/{i}/": (("doc", f"{i}.md"), ("template", "base.html")) for i in range(n)},
            "digests": {("doc", f"{i}.md"): bytes([i % 256]) * 16 for i in range(n)},
            "faces": {f"{i}.md": (f"sha{i}", f"/p/{i}/", title) for i in range(n)},
            "manifest": {f"p/{i}/index.html": (100 + i, 1, i) for i in range(n)},
            "exports": {f"{i}.md": (b"x", title.encode()) for i in range(n)}}


def test_changes_are_written_beside_the_base_and_read_back(tmp_path):
    output = tmp_path / "public"
    first = record(200)
    RecordFile(tmp_path, output).save(first)
    saved = RecordFile(tmp_path, output)
    last = saved.load()
    assert last == first
    changes = saved.changes_path
    assert not changes.exists()

    edited = {name: dict(table) if isinstance(table, dict) else table for name, table in last.items()}
    edited["faces"]["3.md"] = ("sha3b", "/p/3/", "new title")
    del edited["pages"]["/p/7/"], edited["manifest"]["p/7/index.html"]
    edited["pages"]["/p/new/"] = (("doc", "new.md"),)
    edited["global"] = "g2"
    base_before = saved.base_path.read_bytes()
    saved.save(edited)
    assert saved.base_path.read_bytes() == base_before   # only the changes were written
    assert changes.exists()
    assert RecordFile(tmp_path, output).load() == edited

    again = dict(edited, faces={**edited["faces"], "3.md": ("sha3", "/p/3/", "t")})   # changed back, and more
    saved.save(again)
    assert RecordFile(tmp_path, output).load() == again


def test_the_base_is_written_again_when_the_changes_grow(tmp_path):
    output = tmp_path / "public"
    RecordFile(tmp_path, output).save(record(50))
    saved = RecordFile(tmp_path, output)
    saved.load()
    retitled = record(50, title="another")   # every face and export line changed: more than a tenth
    saved.save(retitled)
    assert not saved.changes_path.exists()
    assert RecordFile(tmp_path, output).load() == retitled


def test_changes_made_for_another_base_are_not_applied(tmp_path):
    output = tmp_path / "public"
    RecordFile(tmp_path, output).save(record(100))
    one, other = RecordFile(tmp_path, output), RecordFile(tmp_path, output)
    one.load()
    other.load()
    changed = record(100)
    changed["faces"]["1.md"] = ("sha1b", "/p/1/", "t")
    one.save(changed)                      # changes on the base both read
    fresh = record(30)
    other.save(fresh)                      # more than a tenth: a new base, the first one's changes dropped
    assert RecordFile(tmp_path, output).load() == fresh
    one.save(record(100))                  # changes for the old base, written after the new base
    assert RecordFile(tmp_path, output).load() == fresh
