"""`site-builder init [DIR] [--install SOURCE]`: start a new archive in DIR (default: the current folder).

Writes the configuration (every key of config.py, commented, with its default), content/, templates/ and
static/ for overrides of the packaged theme, .gitignore, a GitHub Pages workflow and netlify.toml that install
site-builder from SOURCE and build the project the way this repository's own files build the sample (both come
from the templates in site_builder/scaffold/, which also render this repository's files byte for byte:
tests/test_own_archive.py), and a README with the next commands. Existing files are never overwritten: if any
is there, each is named and nothing is written.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from dataclasses import fields
from importlib import metadata, resources
from pathlib import Path

from site_builder.config import CONFIG_FILE, Config
from site_builder.errors import Problem, SiteError, display_path

# What a generated project installs when the source of this site-builder is not known (installed from a wheel
# or a local folder without a remote): fails loudly in CI (".invalid" never resolves) until replaced.
PLACEHOLDER = "git+https://example.invalid/REPLACE-ME/site-builder.git"
REPO_INSTALL = "."   # this repository's own workflow and netlify.toml install the checkout itself

MEANINGS = {
    "title": "site title",
    "description": "one-line description (home page, meta)",
    "content_dir": "Markdown documents (what `site-builder ingest` writes)",
    "theme_dir": "a theme folder of your own (templates/, static/) over the packaged one; \"\": none",
    "output_dir": "build output (never committed)",
    "base_url": "path or absolute URL the site is served under, e.g. \"/archive/\"",
    "page_size": "documents per listing page",
    "feed_size": "entries in the Atom feed",
    "latest_size": "latest documents on the home page",
    "search": "build the search index",
    "search_engine": "\"pagefind\" or \"exact\" (the project's own index, for very large archives)",
}


def scaffold_text(name: str) -> str:
    return resources.files("site_builder").joinpath("scaffold", name).read_text(encoding="utf-8")


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)   # a TOML basic string for any text


def config_text() -> str:
    lines = ["# site-builder's configuration of this archive. Every key is optional: each is shown, commented,",
             "# with its default; remove the '#' before a key to change it.", "[tool.site_builder]"]
    for f in fields(Config):
        if f.name != "root":
            lines += ["", f"# {MEANINGS.get(f.name, f.name)}", f"# {f.name} = {toml_value(f.default)}"]
    return "\n".join(lines) + "\n"


def install_word(install: str) -> str:
    """The install source as one shell word (quoted only when it must be)."""
    return shlex.quote(install)


def pages_workflow(install: str) -> str:
    return scaffold_text("pages.yml").replace("@INSTALL@", install_word(install))


def netlify_toml(install: str, deploy_doc: str = "site-builder's docs/deploy.md") -> str:
    command = f'pip install {install_word(install)} && site-builder build --base-url "$URL/"'
    return (scaffold_text("netlify.toml").replace("@COMMAND@", json.dumps(command, ensure_ascii=False))
            .replace("@DEPLOY_DOC@", deploy_doc))


def readme(install: str, title: str) -> str:
    link = install.split("+", 1)[1] if install.startswith("git+") else install
    note = ("\n**Before publishing:** the install source above is a placeholder. Replace\n"
            f"`{PLACEHOLDER}` in this README, `.github/workflows/pages.yml` and\n"
            "`netlify.toml` with where site-builder comes from (a git URL such as\n"
            "`git+https://github.com/<you>/site-builder.git`, or a package name), or run\n"
            "`site-builder init --install SOURCE` again in an empty folder.\n"
            if install == PLACEHOLDER else "")
    return (scaffold_text("README.md").replace("@TITLE@", title).replace("@SOURCE_LINK@", re.sub(r"@[^/]*$", "", link))
            .replace("@INSTALL@", install_word(install)).replace("@PLACEHOLDER_NOTE@", note))


def default_install() -> str:
    """Where the running site-builder came from, if another machine can install it from there: the VCS URL
    and commit pip recorded (PEP 610 direct_url.json) when it was installed from git, or the `origin` remote
    of the git checkout it was installed from; otherwise PLACEHOLDER."""
    try:
        info = json.loads(metadata.distribution("site-builder").read_text("direct_url.json") or "null")
    except (metadata.PackageNotFoundError, ValueError):
        info = None
    if not isinstance(info, dict):
        return PLACEHOLDER
    url = str(info.get("url", ""))
    vcs = info.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git":
        return f"git+{url}@{vcs['commit_id']}" if vcs.get("commit_id") else f"git+{url}"
    if url.startswith("file://"):
        try:
            remote = subprocess.run(["git", "-C", url[len("file://"):], "remote", "get-url", "origin"],
                                    capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            remote = ""
        if remote.startswith(("https://", "ssh://", "git@")):
            return "git+" + (remote.replace(":", "/", 1).replace("git@", "ssh://git@", 1)
                             if remote.startswith("git@") else remote)
    return PLACEHOLDER


def project_files(install: str, title: str) -> dict[str, str]:
    """Path (relative to the new project) → text of every file init writes."""
    return {
        CONFIG_FILE: config_text(),
        "README.md": readme(install, title),
        ".gitignore": scaffold_text("gitignore"),
        ".github/workflows/pages.yml": pages_workflow(install),
        "netlify.toml": netlify_toml(install),
        "templates/README.md": scaffold_text("templates-README.md"),
        "static/.gitkeep": scaffold_text("static-gitkeep"),
    }


FOLDERS = ("content",)


def init_project(folder: Path, install: str | None = None) -> list[str]:
    """Write a new project into `folder`; returns the paths written. Raises SiteError naming every file that
    exists already (nothing is written then)."""
    folder = Path(folder)
    install = install or default_install()
    files = project_files(install, Config.title)
    where = lambda rel: display_path(folder / rel, Path.cwd())   # noqa: E731
    taken = [Problem(where(rel), "exists already; not overwritten (init writes nothing when a file is there)")
             for rel in files if (folder / rel).exists() or (folder / rel).is_symlink()]
    taken += [Problem(where(rel), "exists and is not a folder; not overwritten")
              for rel in FOLDERS if (folder / rel).exists() and not (folder / rel).is_dir()]
    if taken:
        raise SiteError(taken)
    written = []
    for rel in FOLDERS:
        (folder / rel).mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as f:   # "x": never replaces a file that appeared meanwhile
            f.write(text)
        written.append(rel)
    return written


def run_init(folder: Path, install: str | None, stdout) -> int:
    install = install or default_install()
    written = init_project(folder, install)
    shown = display_path(Path(folder), Path.cwd())
    stdout.write(f"started a new archive in {shown}: {', '.join(written)}, content/\n")
    if install == PLACEHOLDER:
        stdout.write(f"note: the workflow, netlify.toml and README install site-builder from {PLACEHOLDER}: "
                     f"replace it with where site-builder comes from (or run init with --install SOURCE)\n")
    cd = "" if Path(folder).resolve() == Path.cwd().resolve() else f"cd {shlex.quote(str(folder))} && "
    stdout.write(f"next: {cd}site-builder ingest ~/scraped --out content && site-builder build && "
                 f"site-builder serve\n")
    return 0
