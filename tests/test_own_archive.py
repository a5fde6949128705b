"""Your own archive (issue 19): the installed tool, `site-builder init`, the packaged theme and its overrides,
and `ingest` of a whole scrape (progress, summary, worker processes)."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import REPO, SEEDS, run_cli, serve_folder
from site_checks import tree_bytes
from test_build import make_site
from test_deploy import check_netlify_config, check_pages_workflow

from site_builder import init
from site_builder.config import BUILTIN_THEME, Config
from site_builder.render.templates import ThemeLoader

INSTALL = "git+https://example.org/archive-tools/site-builder.git@v0.1.0"


# --- the wheel, installed into a fresh virtualenv, starts, builds and serves a new archive -----------------

@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtualenv with the built wheel (and its dependencies from PyPI) installed: its bin/ folder."""
    where = tmp_path_factory.mktemp("wheel")
    source = where / "source"   # built from a copy: the build must not leave build/ or *.egg-info in the tree
    shutil.copytree(REPO / "site_builder", source / "site_builder", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", source)
    pip = lambda python, *args: subprocess.run([str(python), "-m", "pip", *args], check=True,  # noqa: E731
                                               capture_output=True, text=True, timeout=1200)
    pip(sys.executable, "wheel", str(source), "--no-deps", "-w", str(where / "dist"))
    wheel = next((where / "dist").glob("site_builder-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    theme = {f"site_builder/themes/default/{p.relative_to(BUILTIN_THEME).as_posix()}"
             for p in BUILTIN_THEME.rglob("*") if p.is_file()}
    assert theme and theme <= names, f"not in the wheel: {sorted(theme - names)}"
    scaffold = {f"site_builder/scaffold/{p.name}" for p in (REPO / "site_builder/scaffold").iterdir()}
    assert scaffold <= names, f"not in the wheel: {sorted(scaffold - names)}"
    subprocess.run([sys.executable, "-m", "venv", str(where / "venv")], check=True, timeout=300)
    pip(where / "venv/bin/python", "install", "-q", str(wheel))
    return where / "venv/bin"


def test_installed_wheel_starts_builds_and_serves_an_archive(installed, tmp_path, browser):
    project = tmp_path / "my-archive"
    project.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    run = lambda *args: subprocess.run([str(installed / "site-builder"), *map(str, args)], cwd=project,  # noqa: E731
                                       env=env, capture_output=True, text=True, timeout=900)
    started = run("init", "--install", INSTALL)
    assert started.returncode == 0, started.stderr
    ingested = run("ingest", SEEDS)
    assert ingested.returncode == 0, ingested.stderr
    assert ingested.stdout.splitlines()[-1].startswith("ingested 5 documents into content")
    built = run("build")
    assert built.returncode == 0 and "search index (pagefind) of 5 documents" in built.stdout, built.stderr
    # the installed package's theme, not this checkout's
    where = subprocess.run([str(installed / "python"), "-c", "import site_builder.config as c; print(c.BUILTIN_THEME)"],
                           cwd=project, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert not Path(where).is_relative_to(REPO) and Path(where).is_dir()

    saying = {p.name for p in (project / "content").glob("*.md") if "行政复议" in p.read_text(encoding="utf-8")}
    assert saying
    server, base = serve_folder(project / "public")
    try:
        page = browser.new_page()
        page.goto(base + "search/")
        found = page.evaluate("() => window.siteSearch('行政复议')")
        assert {r["url"].rstrip("/").rsplit("/", 1)[-1] + ".md" for r in found} == saying
        page.close()
    finally:
        server.shutdown()

    # the generated workflow builds this project as the repository's own builds the sample
    check_pages_workflow(project / ".github/workflows/pages.yml", install=init.install_word(INSTALL))
    check_netlify_config(project / "netlify.toml", install=init.install_word(INSTALL))


# --- init ---------------------------------------------------------------------------------------------------

def test_deploy_files_come_from_the_templates_that_make_the_repositorys_own():
    """The repository's workflow and netlify.toml are the scaffold's templates with `pip install .`: what a new
    project gets cannot drift from what is tested on the sample."""
    assert init.pages_workflow(init.REPO_INSTALL) == (REPO / ".github/workflows/pages.yml").read_text(encoding="utf-8")
    assert init.netlify_toml(init.REPO_INSTALL, "docs/deploy.md") == (REPO / "netlify.toml").read_text(encoding="utf-8")


def test_init_writes_a_project_with_every_configuration_key(tmp_path):
    result = run_cli("init", tmp_path / "new", "--install", INSTALL)
    root = tmp_path / "new"
    for rel in ("pyproject.toml", "README.md", ".gitignore", ".github/workflows/pages.yml", "netlify.toml",
                "templates/README.md", "static/.gitkeep"):
        assert (root / rel).is_file(), rel
        assert rel in result.stdout
    assert (root / "content").is_dir() and not any((root / "content").iterdir())
    config = (root / "pyproject.toml").read_text(encoding="utf-8")
    for name in Config.__dataclass_fields__:
        if name != "root":
            assert re.search(rf"^# {name} = ", config, re.MULTILINE), name
    # uncommenting every key gives a valid configuration equal to the defaults
    (root / "pyproject.toml").write_text(re.sub(r"^# (\w+ = )", r"\1", config, flags=re.MULTILINE), encoding="utf-8")
    from site_builder.config import load_config
    assert load_config(root) == Config(root=root.resolve())
    ignored = (root / ".gitignore").read_text(encoding="utf-8").split()
    assert {"public/", ".site-builder-cache/", ".venv/"} <= set(ignored)
    readme = (root / "README.md").read_text(encoding="utf-8")
    for command in ("site-builder ingest", "site-builder build", "site-builder serve", f"pip install {INSTALL}"):
        assert command in readme
    check_pages_workflow(root / ".github/workflows/pages.yml", install=INSTALL)
    check_netlify_config(root / "netlify.toml", install=INSTALL)


def test_init_with_an_install_source_that_needs_quoting(tmp_path):
    source = "site-builder @ git+https://example.org/x/site-builder.git"
    run_cli("init", tmp_path, "--install", source)
    workflow = yaml.safe_load((tmp_path / ".github/workflows/pages.yml").read_text(encoding="utf-8"))
    runs = [s.get("run") for s in workflow["jobs"]["build"]["steps"]]
    assert f"pip install '{source}'" in runs
    check_netlify_config(tmp_path / "netlify.toml", install=f"'{source}'")


def test_init_without_a_known_source_writes_a_placeholder_and_says_so(tmp_path):
    result = run_cli("init", tmp_path)
    assert init.PLACEHOLDER in result.stdout
    assert f"pip install {init.PLACEHOLDER}" in (tmp_path / ".github/workflows/pages.yml").read_text(encoding="utf-8")
    assert "Before publishing" in (tmp_path / "README.md").read_text(encoding="utf-8")


def test_init_refuses_to_overwrite_naming_each_file_and_writes_nothing(tmp_path):
    (tmp_path / "README.md").write_text("mine\n", encoding="utf-8")
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / ".github/workflows/pages.yml").write_text("mine\n", encoding="utf-8")
    before = tree_bytes(tmp_path)
    result = run_cli("init", cwd=tmp_path, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert sorted(line.split(":")[0] for line in lines) == [".github/workflows/pages.yml", "README.md"], lines
    assert all("exists already; not overwritten" in line for line in lines)
    assert tree_bytes(tmp_path) == before
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        ".github", ".github/workflows", ".github/workflows/pages.yml", "README.md"]


# --- the packaged theme and its overrides -------------------------------------------------------------------

def asset_bytes(public: Path, name: str) -> bytes:
    stem, ext = name.rsplit(".", 1)
    found = list((public / "assets").glob(f"{stem}.*.{ext}"))
    assert len(found) == 1, (name, found)
    return found[0].read_bytes()


def test_project_templates_and_static_override_the_packaged_theme_file_by_file(tmp_path):
    root = make_site(tmp_path / "site", extra_config='theme_dir = "mytheme"\n')
    (root / "templates").mkdir()
    (root / "templates/404.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>本站没有这一页</h1>{% endblock %}', encoding="utf-8")
    (root / "static").mkdir()
    (root / "static/site.css").write_text("body { color: #123456; }\n", encoding="utf-8")
    (root / "static/extra.txt").write_text("附加文件\n", encoding="utf-8")
    (root / "static/.gitkeep").write_text("not published\n", encoding="utf-8")
    # theme_dir sits between: its 404.html loses to the project's, its favicon wins over the packaged one
    (root / "mytheme/templates").mkdir(parents=True)
    (root / "mytheme/templates/404.html").write_text("theme_dir 404", encoding="utf-8")
    (root / "mytheme/static").mkdir(parents=True)
    (root / "mytheme/static/favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    run_cli("build", "--root", root, "--no-search")
    public = root / "public"
    assert "本站没有这一页" in (public / "404.html").read_text(encoding="utf-8")
    home = (public / "index.html").read_text(encoding="utf-8")
    assert 'class="site-header"' in home or "<header" in home   # home.html still the packaged theme's
    assert asset_bytes(public, "site.css") == b"body { color: #123456; }\n"
    assert asset_bytes(public, "extra.txt") == "附加文件\n".encode()
    assert asset_bytes(public, "favicon.svg") == b"<svg xmlns='http://www.w3.org/2000/svg'/>"
    assert asset_bytes(public, "search.js") == (BUILTIN_THEME / "static/search.js").read_bytes()
    assert not list((public / "assets").glob(".gitkeep*")) and not list((public / "assets").glob("gitkeep*"))
    # a change to an override is a change of the build ("no change" must not hide it)
    (root / "static/site.css").write_text("body { color: #654321; }\n", encoding="utf-8")
    out = run_cli("build", "--root", root, "--no-search").stdout
    assert out.startswith("rebuilt ") and "files rewritten" in out, out   # not "no change"
    assert asset_bytes(public, "site.css") == b"body { color: #654321; }\n"


def test_a_missing_template_names_itself_and_the_folders_searched(tmp_path):
    root = make_site(tmp_path / "site")
    (root / "templates").mkdir()
    (root / "templates/404.html").write_text('{% include "no-such-part.html" %}', encoding="utf-8")
    result = run_cli("build", "--root", root, "--no-search", "--jobs", "1", check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("templates/404.html:"), lines
    assert "'no-such-part.html' not found in templates, " in lines[0] and str(BUILTIN_THEME / "templates") in lines[0]


def test_theme_loader_message_names_every_folder_even_missing_ones(tmp_path):
    from jinja2 import Environment, TemplateNotFound

    loader = ThemeLoader([tmp_path / "templates", tmp_path / "theme/templates"], tmp_path)
    with pytest.raises(TemplateNotFound) as caught:
        loader.get_source(Environment(), "home.html")
    assert str(caught.value) == "template 'home.html' not found in templates, theme/templates"


# --- ingest of a whole scrape -------------------------------------------------------------------------------

def scrape(folder: Path, copies: int) -> Path:
    """`copies` × the seed documents under other names (each its own document for ingest)."""
    folder.mkdir(parents=True)
    seeds = sorted(p for p in SEEDS.iterdir() if p.suffix == ".txt")
    for n in range(copies):
        for seed in seeds:
            shutil.copy(seed, folder / f"{n:03d}-{seed.name}")
    return folder


def test_ingest_ends_with_a_summary_and_shows_no_progress_off_a_terminal(tmp_path):
    out = tmp_path / "content"
    first = run_cli("ingest", SEEDS, "--out", out)
    assert first.stderr == "" and "\x1b" not in first.stdout
    assert first.stdout.splitlines() == [first.stdout.splitlines()[-1]]   # nothing but the summary
    assert re.fullmatch(rf"ingested 5 documents into {re.escape(str(out))} in [\d.]+ s: 5 written, 0 unchanged, "
                        r"0 failed, \d+ with warnings \(--report shows them\)\n", first.stdout), first.stdout
    edited = sorted(out.glob("*.md"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n人工补充。\n", encoding="utf-8")
    (tmp_path / "broken.txt").write_bytes(b"")
    again = run_cli("ingest", SEEDS, tmp_path / "broken.txt", "--out", out, check=False)
    assert again.returncode == 1
    assert re.search(r": 0 written, 4 unchanged, 1 kept \(edited by hand or not ingest's; --force overwrites\), "
                     r"1 failed", again.stdout.splitlines()[-1]), again.stdout


def test_ingest_shows_progress_on_a_terminal(tmp_path):
    source = scrape(tmp_path / "raw", 4)
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "site_builder", "ingest", str(source), "--out",
                                str(tmp_path / "content")], stdout=subprocess.PIPE, stderr=follower,
                               env={**os.environ, "TERM": "xterm", "COLUMNS": "100"})
    os.close(follower)
    shown = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:   # the other end closed
            break
        if not chunk:
            break
        shown += chunk
    stdout, _ = process.communicate(timeout=120)
    os.close(leader)
    assert process.returncode == 0
    assert b"ingesting documents" in shown and b"20/20" in shown, shown[-500:]
    assert stdout.decode().startswith("ingested 20 documents")


def test_ingest_with_workers_writes_the_same_bytes_as_one_process(tmp_path):
    source = scrape(tmp_path / "raw", 6)
    shutil.copy(SEEDS / "truth.json", source)   # not a document: ingest passes it over
    (source / "zz-empty.txt").write_bytes(b"")   # a failure in the middle of the order changes nothing else
    one = run_cli("ingest", source, "--out", tmp_path / "one", "--jobs", "1", check=False)
    two = run_cli("ingest", source, "--out", tmp_path / "two", "--jobs", "2", check=False)
    assert one.returncode == two.returncode == 1
    assert one.stderr == two.stderr and one.stderr.count("\n") == 1
    strip = lambda text: re.sub(r"into \S+ in [\d.]+ s", "", text)   # noqa: E731
    assert strip(one.stdout) == strip(two.stdout)
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two")
    assert len(list((tmp_path / "one").glob("*.md"))) == 30
