"""The search page's ES modules (site_builder/themes/default/static/search*.js): each under 400 lines, loaded
by relative imports that the build points at fingerprinted names (render/assets.py), so that they load under
a sub-path base URL with netlify.toml's Content-Security-Policy, with either engine, and a change to one
module renames every module that imports it."""

from __future__ import annotations

import re
import shutil
import tomllib

import pytest

from conftest import REPO, run_cli, serve_folder
from site_checks import poll
from site_builder.render.assets import IMPORT, collect_assets

STATIC = REPO / "site_builder/themes/default/static"
MODULES = sorted(STATIC.glob("search*.js"))
BASE = "/archive/"


def netlify_csp() -> str:
    rules = tomllib.loads((REPO / "netlify.toml").read_text(encoding="utf-8"))["headers"]
    (csp,) = [r["values"]["Content-Security-Policy"] for r in rules if "Content-Security-Policy" in r["values"]]
    return csp


def test_no_search_module_is_over_400_lines():
    assert len(MODULES) >= 8, MODULES
    for path in MODULES:
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines <= 400, f"{path.name}: {lines} lines"


def test_a_changed_module_renames_every_module_that_imports_it(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "entry.js").write_text('import { b } from "./lib/b.js";\nimport "./c.js";\nb();\n')
    (tmp_path / "lib/b.js").write_text('export { c as b } from "../c.js";\n')
    (tmp_path / "c.js").write_text("export function c() {}\n")
    (tmp_path / "other.js").write_text('const u = new URL("./c.js", import.meta.url);\n')
    before = collect_assets(tmp_path)
    entry = before["entry.js"][1].decode()
    b_route, c_route = before["lib/b.js"][0], before["c.js"][0]
    # relative still (any base URL), and naming the imported file's fingerprinted name
    assert f'from "./{b_route.removeprefix("/assets/")}"' in entry and f'import "./{c_route.removeprefix("/assets/")}"' in entry
    assert f'from "../{c_route.removeprefix("/assets/")}"' in before["lib/b.js"][1].decode()
    assert before["other.js"][1] == (tmp_path / "other.js").read_bytes()   # not an import: left as written
    (tmp_path / "c.js").write_text("export function c() { return 1; }\n")
    after = collect_assets(tmp_path)
    assert {n for n in before if before[n][0] != after[n][0]} == {"c.js", "lib/b.js", "entry.js"}
    (tmp_path / "c.js").write_text('import "./entry.js";\n')
    with pytest.raises(ValueError, match="cycle"):
        collect_assets(tmp_path)


@pytest.fixture(scope="module", params=["pagefind", "exact"])
def archive(request, sample_site, tmp_path_factory):
    """The sample archive built for /archive/ with each engine, served there with netlify.toml's CSP."""
    root = tmp_path_factory.mktemp(f"modules-{request.param}")
    shutil.copytree(sample_site / "content", root / "content")
    run_cli("build", "--root", root, "--base-url", BASE, "--search-engine", request.param)
    server, base = serve_folder(root / "public", BASE, headers={"Content-Security-Policy": netlify_csp()})
    yield root / "public", base, request.param
    server.shutdown()


def test_published_imports_name_published_files(archive):
    public, _, _ = archive
    scripts = sorted((public / "assets").glob("search*.js"))
    for script in scripts:
        for match in IMPORT.finditer(script.read_text(encoding="utf-8")):
            assert (script.parent / match[3]).is_file(), (script.name, match[3])


def test_modules_load_under_a_sub_path_with_the_csp_and_no_console_error(archive, browser):
    public, base, engine = archive
    page = browser.new_page()
    problems, loaded = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    # (a HEAD, as search-pagefind.js checks Pagefind's WebAssembly with, is reported aborted once answered)
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}") if r.method != "HEAD" else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else
            loaded.append(r.url) if "/assets/search" in r.url else None)
    page.goto(base + "search/?q=行政复议&sort=date")
    assert poll(page, "() => document.getElementById('search-status').dataset.count", tries=300) == "2"
    titles = page.evaluate("() => window.siteSearch('行政复议').then(rs => rs.map(r => r.url))")
    assert len(titles) == 2 and all(u.startswith(BASE + "docs/") for u in titles)
    assert page.input_value("#search-sort") == "date"
    page.close()
    assert problems == [], problems
    # every module of the page (and only this engine's) came from /archive/assets/ under its fingerprinted name
    names = {re.sub(r"\.[0-9a-f]{10}\.js$", ".js", u.rsplit("/", 1)[1]) for u in loaded}
    other = "exact" if engine == "pagefind" else "pagefind"
    assert names == {p.name for p in MODULES} - {f"search-{other}.js"}, names
    assert all(u.startswith(base + "assets/") for u in loaded)
