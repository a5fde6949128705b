"""Faults a user meets (issue 18), in real processes: builds run twice at once, killed half-way, a damaged cache, a
build or an ingest that cannot write (full disk, an injected write error, no permission), public/ deleted or
replaced under `build --watch`. Each must lose nothing: public/ ends equal to a clean build or exactly as it was,
content/ holds whole files only, and a failure is one `path: message` line, never a traceback."""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from conftest import REPO, SEEDS, run_cli
from site_checks import tree_bytes
from test_build import make_site
from test_watch import Live

sys.path.insert(0, str(REPO / "benchmarks"))
from corpus import generate  # noqa: E402


def corpus_site(root: Path, count: int = 200) -> Path:
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.site_builder]\ntitle = "故障测试"\n', encoding="utf-8")
    generate(count, root / "content")
    return root


def clean_build(root: Path, where: Path) -> dict[str, bytes]:
    """public/ as a clean build of the same project makes it (in a fresh copy, without cache)."""
    copy = where / f"clean-{time.monotonic_ns()}"
    copy.mkdir()
    shutil.copy(root / "pyproject.toml", copy / "pyproject.toml")
    shutil.copytree(root / "content", copy / "content")
    run_cli("build", "--root", copy, "--no-search")
    return tree_bytes(copy / "public")


def start(*args, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "site_builder", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}, **popen)


def leftovers(folder: Path) -> list[str]:
    """Staging, old and lock files a build leaves beside the output folder (none after any build ends)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith((".public.", ".site-builder-cache.")))


def no_traceback(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in text and "Error:" not in text.replace("OSError", ""), text


def edit(root: Path, n: int) -> None:
    first = sorted((root / "content").glob("*.md"))[0]
    first.write_text(first.read_text(encoding="utf-8") + f"\n第{n}次修改的段落。\n", encoding="utf-8")


# --- two at once ---------------------------------------------------------------------------------------------

def test_two_builds_at_once_both_succeed_and_public_is_a_clean_build(tmp_path):
    root = corpus_site(tmp_path / "site")
    for round_ in range(3):
        if round_:
            edit(root, round_)
        first = start("build", "--root", root, "--no-search")
        second = start("build", "--root", root, "--no-search")
        outs = [p.communicate(timeout=300) for p in (first, second)]
        assert [first.returncode, second.returncode] == [0, 0], outs
        for out, err in outs:
            no_traceback(out, err)
            assert [line for line in err.splitlines() if line.strip()] in ([], [err.strip()])   # at most one line
            assert not err.strip() or err.startswith("waiting for the build of ")
        assert leftovers(root) == []
        assert tree_bytes(root / "public") == clean_build(root, tmp_path)


def test_a_build_while_build_watch_runs(tmp_path):
    root = corpus_site(tmp_path / "site")
    live = Live("build", "--watch", "--no-search", "--root", root)
    try:
        live.expect(r"^watching for changes")
        for n in range(3):
            edit(root, n)
            manual = run_cli("build", "--root", root, "--no-search")
            no_traceback(manual.stdout, manual.stderr)
        live.idle()
        edit(root, 9)   # public/ was replaced by the manual builds: the watcher must not trust what it knew
        live.expect(r"^rebuilt")
        live.idle()
        assert live.proc.poll() is None
    finally:
        code = live.stop()
    assert code == 0
    no_traceback("".join(live.seen))
    assert leftovers(root) == []
    assert tree_bytes(root / "public") == clean_build(root, tmp_path)


# --- killed half-way -------------------------------------------------------------------------------------------

def test_a_build_killed_half_way_loses_nothing_and_the_next_one_recovers(tmp_path):
    root = corpus_site(tmp_path / "site", 600)
    run_cli("build", "--root", root, "--no-search")
    before = tree_bytes(root / "public")
    config = root / "pyproject.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("故障测试", "故障测试二"), encoding="utf-8")
    build = start("build", "--root", root, "--no-search", start_new_session=True)
    staging = root / ".public.staging"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (staging / "docs").is_dir():
        time.sleep(0.005)
    os.kill(build.pid, signal.SIGKILL)   # the build alone, as `kill -9 <pid>`: its workers are orphaned
    build.communicate()
    assert build.returncode == -signal.SIGKILL
    for _ in range(100):   # orphaned workers finish their chunk and exit (a parse worker may hang: stopped)
        try:
            os.killpg(build.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(build.pid, signal.SIGKILL)
    assert tree_bytes(root / "public") == before
    assert staging.is_dir()   # killed half-way indeed
    (root / ".public.old" / "docs").mkdir(parents=True)   # as a build killed during the swap leaves it
    (root / ".public.old" / "docs" / "x.html").write_text("old", encoding="utf-8")
    after = run_cli("build", "--root", root, "--no-search")
    no_traceback(after.stdout, after.stderr)
    assert after.stderr == ""   # the dead build's lock was released by the kernel: no waiting
    assert leftovers(root) == []
    assert tree_bytes(root / "public") == clean_build(root, tmp_path)


# --- damaged cache ---------------------------------------------------------------------------------------------

def _truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _garble(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes(b ^ 0x5A for b in data[middle:middle + 16]) + data[middle + 16:]


@pytest.mark.parametrize("damage", [_truncate, _garble, lambda data: b"", lambda data: b"\x80\x05junk" * 7],
                         ids=["truncated", "garbled", "emptied", "junk"])
def test_a_damaged_cache_is_detected_and_rebuilt(tmp_path, damage):
    root = corpus_site(tmp_path / "site", 120)
    run_cli("build", "--root", root, "--no-search")
    cache = root / ".site-builder-cache"
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert any(p.parent.name == "packs" for p in files)
    for path in files:
        path.write_bytes(damage(path.read_bytes()))
    edit(root, 1)   # so that unchanged documents are looked up in the damaged packs
    damaged = run_cli("build", "--root", root, "--no-search")
    no_traceback(damaged.stdout, damaged.stderr)
    assert damaged.stdout.startswith("built 120 documents")
    assert tree_bytes(root / "public") == clean_build(root, tmp_path)
    assert run_cli("build", "--root", root, "--no-search").stdout.startswith("no change")   # the cache healed
    shutil.rmtree(root / "public")   # and a build from the healed cache is still a clean build
    run_cli("build", "--root", root, "--no-search")
    assert tree_bytes(root / "public") == clean_build(root, tmp_path)


def test_a_rebuild_reads_bodies_from_packs_and_survives_losing_them(tmp_path):
    """A rebuild takes unchanged documents' faces from the cache and their bodies from the packs, only for the
    pages it renders. A faces file that went bad is passed over (its pack is read), and a body whose pack went
    away is parsed again from its file: the output is a clean build's either way."""
    root = corpus_site(tmp_path / "site", 60)
    run_cli("build", "--root", root, "--no-search")
    packs = root / ".site-builder-cache" / "documents" / "packs"
    faces = sorted(packs.glob("*.faces"))
    assert faces and len(faces) == len(list(packs.glob("*.pickle")))
    faces[0].write_bytes(_garble(faces[0].read_bytes()))
    for pack in sorted(packs.glob("*.pickle"))[1:]:
        pack.unlink()   # their faces stay: the documents' pages must still get their bodies
    edit(root, 1)
    shutil.rmtree(root / "public")   # every page is rendered: every body is needed
    rebuilt = run_cli("build", "--root", root, "--no-search")
    no_traceback(rebuilt.stdout, rebuilt.stderr)
    assert tree_bytes(root / "public") == clean_build(root, tmp_path)


# --- cannot write ----------------------------------------------------------------------------------------------

SIMULATED: dict[Path, int] = {}   # folder → size, for the small disks made without a mount
SIMULATOR = Path(__file__).parent / "small_disk"   # its sitecustomize.py makes a folder a small disk


def size_in_bytes(size: str) -> int:
    return int(size[:-1]) * {"k": 1024, "m": 1024 ** 2}[size[-1]]


@contextlib.contextmanager
def small_disk(folder: Path, size: str, kind: str):
    """A disk of `size` at `folder`: a tmpfs mounted there (kind "tmpfs", where this machine allows mounting),
    or a folder that every Python process the test starts treats as a disk of that size (kind "simulated", and
    "tmpfs" where no tmpfs can be mounted: tests/small_disk/sitecustomize.py, through PYTHONPATH)."""
    folder.mkdir(parents=True)
    if kind == "tmpfs":
        try:
            mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                                     capture_output=True)
            why = mounted.stderr.decode(errors="replace").strip()
        except FileNotFoundError:
            mounted, why = None, "no mount command"
        if mounted is not None and mounted.returncode == 0:
            try:
                yield folder
            finally:
                subprocess.run(["umount", "-l", str(folder)], check=False)
            return
        warnings.warn(f"cannot mount a tmpfs here ({why}): the full-disk test runs on the simulated disk")
    SIMULATED[folder] = size_in_bytes(size)
    saved = {name: os.environ.get(name) for name in ("SMALL_DISK", "PYTHONPATH")}
    os.environ["SMALL_DISK"] = f"{folder}:{SIMULATED[folder]}"
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SIMULATOR), saved["PYTHONPATH"]]))
    try:
        yield folder
    finally:
        del SIMULATED[folder]
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def disk_used(folder: Path) -> int:
    """Bytes used below `folder` as a tmpfs counts them (whole pages; a file linked twice once)."""
    inodes = {(st.st_dev, st.st_ino): st.st_size for st in (p.lstat() for p in folder.rglob("*") if p.is_file())}
    return sum(-(-size // 4096) * 4096 for size in inodes.values())


def fill(folder: Path, leave: int = 0) -> None:
    """Fill the disk of `folder` until at most `leave` bytes are free."""
    if folder in SIMULATED:
        free = SIMULATED[folder] - disk_used(folder)
        (folder / "filler").write_bytes(bytes(max(free - leave, 0) // 4096 * 4096))
        return
    with open(folder / "filler", "wb") as f:
        block = b"\0" * 4096
        with contextlib.suppress(OSError):
            while True:
                st = os.statvfs(folder)
                if st.f_bavail * st.f_frsize <= leave:
                    break
                f.write(block)
                f.flush()


def file_size_limit(limit: int):
    """preexec_fn: files larger than `limit` bytes cannot be written (EFBIG; Python ignores SIGXFSZ). An
    injected write error that stops root as well as anyone."""
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def assert_one_line_failure(result: subprocess.CompletedProcess, starts: str, reason: str) -> None:
    assert result.returncode != 0
    no_traceback(result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(starts) and reason in lines[0], result.stderr


def retitled(root: Path) -> None:
    """Every page changes: a build must write them all."""
    config = root / "pyproject.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('title = "', 'title = "新'), encoding="utf-8")


@pytest.mark.parametrize("kind", ["tmpfs", "simulated"])
def test_a_build_on_a_full_disk_says_so_and_leaves_public_as_it_was(tmp_path, kind):
    root = make_site(tmp_path / "site")
    with small_disk(tmp_path / "disk", "2m", kind) as disk:
        run_cli("build", "--root", root, "--no-search", "--output", disk / "public")
        before = tree_bytes(disk / "public")
        fill(disk)
        retitled(root)
        result = run_cli("build", "--root", root, "--no-search", "--output", disk / "public", check=False)
        assert_one_line_failure(result, f"{disk / 'public'}: cannot write: ", "No space left on device")
        assert tree_bytes(disk / "public") == before
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "public"]   # no staging, no lock
        (disk / "filler").unlink()
        run_cli("build", "--root", root, "--no-search", "--output", disk / "public")
        assert sorted(p.name for p in disk.iterdir()) == ["public"]


def test_a_build_with_a_write_error_says_so_and_leaves_public_as_it_was(tmp_path):
    root = corpus_site(tmp_path / "site", 50)
    run_cli("build", "--root", root, "--no-search")
    before = tree_bytes(root / "public")
    retitled(root)
    cmd = [sys.executable, "-m", "site_builder", "build", "--root", str(root), "--no-search"]
    result = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=file_size_limit(3000), timeout=300)
    assert_one_line_failure(result, "public: cannot write: File too large (.public.staging/", "")
    assert tree_bytes(root / "public") == before
    assert leftovers(root) == []


def without_root_privilege():
    """preexec_fn: root loses the capabilities that let it write where permissions say no (CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH leave the bounding set, so the program run next does not get them); anyone else already
    lacks them. A permission test then means the same as root as it does for any user."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):   # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:   # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_a_build_without_permission_says_so_and_leaves_public_as_it_was(tmp_path):
    root = make_site(tmp_path / "site")
    out = tmp_path / "out"
    run_cli("build", "--root", root, "--no-search", "--output", out / "public")
    before = tree_bytes(out / "public")
    retitled(root)
    out.chmod(0o555)
    cmd = [sys.executable, "-m", "site_builder", "build", "--root", str(root), "--no-search",
           "--output", str(out / "public")]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=without_root_privilege, timeout=300)
    finally:
        out.chmod(0o755)
    assert_one_line_failure(result, f"{out / 'public'}: cannot write: ", "Permission denied")
    assert tree_bytes(out / "public") == before
    assert sorted(p.name for p in out.iterdir()) == ["public"]
    run_cli("build", "--root", root, "--no-search", "--output", out / "public")   # allowed again: it builds
    assert tree_bytes(out / "public") != before


# --- build --watch when public/ goes away ----------------------------------------------------------------------

def test_build_watch_rebuilds_a_deleted_or_replaced_public(tmp_path):
    root = corpus_site(tmp_path / "site", 60)
    live = Live("build", "--watch", "--no-search", "--root", root)
    try:
        live.expect(r"^watching for changes")
        shutil.rmtree(root / "public")
        edit(root, 1)
        live.expect(r"^rebuilt")
        live.idle()
        assert tree_bytes(root / "public") == clean_build(root, tmp_path)
        (root / "public").rename(root / "elsewhere")   # replaced by another folder, as a manual build does
        (root / "public" / "docs").mkdir(parents=True)
        (root / "public" / "docs" / "stray.html").write_text("stray", encoding="utf-8")
        edit(root, 2)
        live.expect(r"^rebuilt")
        live.idle()
        assert tree_bytes(root / "public") == clean_build(root, tmp_path)
    finally:
        code = live.stop()
    assert code == 0
    no_traceback("".join(live.seen))


# --- ingest ----------------------------------------------------------------------------------------------------

def reference_ingest(tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / "reference"
    run_cli("ingest", SEEDS, "--out", out)
    return tree_bytes(out)


@pytest.mark.parametrize("kind", ["tmpfs", "simulated"])
def test_ingest_on_a_full_disk_keeps_whole_files_and_names_the_one_it_could_not_write(tmp_path, kind):
    reference = reference_ingest(tmp_path)
    sizes = sorted(len(data) for name, data in reference.items() if name.endswith(".md"))
    with small_disk(tmp_path / "disk", "1m", kind) as disk:
        fill(disk, leave=sum(-(-size // 4096) * 4096 for size in sizes[: len(sizes) // 2]))   # about half
        result = run_cli("ingest", SEEDS, "--out", disk / "content", check=False)
        assert result.returncode != 0
        no_traceback(result.stdout, result.stderr)
        failures = [line for line in result.stderr.splitlines() if "No space left on device" in line]
        assert failures and failures[0].startswith(f"{disk / 'content'}/") and ".md: cannot write (" in failures[0]
        assert failures[1:] in ([], [f"{disk / 'content' / '.ingest-manifest.json'}: cannot write manifest: "
                                     f"No space left on device"]), result.stderr
        written = {p.name: p.read_bytes() for p in (disk / "content").iterdir()}
        assert 0 < len([n for n in written if n.endswith(".md")]) < len(sizes)
        for name, data in written.items():   # whole files only: no temporary file, no half of one
            assert name.endswith(".md") or name == ".ingest-manifest.json", name
            if name.endswith(".md"):
                assert data == reference[name]
        assert not (disk / ".content.lock").exists()
        (disk / "filler").unlink()
        run_cli("ingest", SEEDS, "--out", disk / "content")   # run again: every document, whole
        assert tree_bytes(disk / "content") == reference


def test_ingest_with_a_write_error_keeps_whole_files_and_names_the_files(tmp_path):
    reference = reference_ingest(tmp_path)
    limit = sorted(len(data) for data in reference.values())[len(reference) // 2]
    out = tmp_path / "content"
    cmd = [sys.executable, "-m", "site_builder", "ingest", str(SEEDS), "--out", str(out)]
    result = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=file_size_limit(limit), timeout=300)
    assert result.returncode != 0
    no_traceback(result.stdout, result.stderr)
    too_large = [n for n, data in reference.items() if len(data) > limit and n.endswith(".md")]
    for name in too_large:
        assert f"{out / name}: cannot write (" in result.stderr
    written = {n: data for n, data in tree_bytes(out).items() if n.endswith(".md")}
    assert set(written) == {n for n in reference if n.endswith(".md")} - set(too_large)
    assert all(written[n] == reference[n] for n in written)
    assert [p.name for p in out.iterdir() if p.name.endswith(".tmp")] == []
    run_cli("ingest", SEEDS, "--out", out)
    assert tree_bytes(out) == reference


def test_two_ingests_at_once_write_one_whole_file_per_document(tmp_path):
    reference = reference_ingest(tmp_path)
    out = tmp_path / "content"
    runs = [start("ingest", SEEDS, "--out", out) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in runs]
    assert [p.returncode for p in runs] == [0, 0], outs
    for stdout, stderr in outs:
        no_traceback(stdout, stderr)
    assert tree_bytes(out) == reference
    assert not (tmp_path / ".content.lock").exists()


def test_an_indexer_that_cannot_run_is_one_problem_line_and_public_stays(tmp_path):
    """Pagefind's program missing (a broken install): the build names the index folder and why, in the one
    problem format, with no traceback, and the site built before stays as it was."""
    root = make_site(tmp_path / "site")
    run_cli("build", "--root", root)
    before = tree_bytes(root / "public")
    doc = sorted((root / "content").glob("*.md"))[0]
    doc.write_text(doc.read_text(encoding="utf-8") + "\n新的一段。\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "site_builder", "build", "--root", str(root)], capture_output=True,
                            text=True, timeout=300, env={**os.environ, "PAGEFIND_BINARY_PATH": str(tmp_path / "none")})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("public/pagefind: search index not built: FileNotFoundError")
    assert tree_bytes(root / "public") == before
