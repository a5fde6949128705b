"""The code's shape, checked: the pipeline in layers with no import cycle (import-linter's contract in
pyproject.toml, and the drawing of it in docs/imports.md), no module over 400 lines, no function over 60."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
from draw_imports import drawing  # noqa: E402

PACKAGE = REPO / "site_builder"
MAX_MODULE, MAX_FUNCTION = 400, 60


def test_imports_keep_the_layers():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    result = subprocess.run([lint, "--no-cache"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the pipeline in layers KEPT" in result.stdout


def test_the_drawing_of_the_imports_is_the_code():
    assert (REPO / "docs" / "imports.md").read_text(encoding="utf-8") == drawing(), \
        "run: python scripts/draw_imports.py > docs/imports.md"


def test_no_module_over_400_lines_and_no_function_over_60():
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")) + sorted(PACKAGE.rglob("*.js")):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_MODULE:
            too_long.append(f"{path.relative_to(REPO)}: {text.count(chr(10))} lines")
        if path.suffix == ".py":
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    length = node.end_lineno - node.lineno + 1
                    if length > MAX_FUNCTION:
                        too_long.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name}(): {length} lines")
    assert not too_long, "\n".join(too_long)
