"""Snapshots of the Markdown renderer: tests/snapshots/markdown/<name>.md → <name>.html (render_markdown) and
<name>.txt (plain_text, what search indexes).

Ordinary bodies (real documents from content/, statistics tables, numbered headings) and hostile ones (script
tags, raw HTML, javascript:/data:/vbscript: and entity-encoded links, remote images, h1 headings, autolinks,
reference links, nested emphasis, tables with pipes and HTML in cells). A mismatch fails with a diff;
``UPDATE_SNAPSHOTS=1`` rewrites the expected files (read every changed one before committing it).
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest

from site_builder.content.markdown import plain_text, render, render_markdown

SNAPSHOTS = Path(__file__).parent / "snapshots" / "markdown"
INPUTS = sorted(SNAPSHOTS.glob("*.md"))
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"


def _check(expected_path: Path, actual: str) -> None:
    if UPDATE:
        if not expected_path.exists() or expected_path.read_text(encoding="utf-8") != actual:
            expected_path.write_text(actual, encoding="utf-8")
        return
    assert expected_path.exists(), f"{expected_path.name} is missing: run with UPDATE_SNAPSHOTS=1 and review it"
    expected = expected_path.read_text(encoding="utf-8")
    if expected != actual:
        diff = "\n".join(difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                              f"{expected_path.name} (expected)", f"{expected_path.name} (now)",
                                              lineterm=""))
        pytest.fail(f"{expected_path.name} differs from the snapshot "
                    f"(UPDATE_SNAPSHOTS=1 rewrites it):\n{diff}", pytrace=False)


def test_there_are_snapshots():
    assert len(INPUTS) >= 10


@pytest.mark.parametrize("source", INPUTS, ids=[p.stem for p in INPUTS])
def test_html_snapshot(source: Path):
    _check(source.with_suffix(".html"), render_markdown(source.read_text(encoding="utf-8")))


@pytest.mark.parametrize("source", INPUTS, ids=[p.stem for p in INPUTS])
def test_text_snapshot(source: Path):
    text = plain_text(source.read_text(encoding="utf-8"))
    _check(source.with_suffix(".txt"), text + "\n" if text else "")


@pytest.mark.parametrize("source", INPUTS, ids=[p.stem for p in INPUTS])
def test_render_gives_both_from_one_parse(source: Path):
    body = source.read_text(encoding="utf-8")
    assert render(body) == (render_markdown(body), plain_text(body))


# What every snapshot must show, whatever it is updated to: nothing active, nothing loaded from elsewhere.
ALLOWED_TAGS = {"p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "code", "em", "strong",
                "a", "hr", "br", "div", "table", "thead", "tbody", "tr", "th", "td"}


@pytest.mark.parametrize("source", INPUTS, ids=[p.stem for p in INPUTS])
def test_snapshot_html_is_safe(source: Path):
    html = render_markdown(source.read_text(encoding="utf-8"))
    for tag, attrs in re.findall(r"<([a-zA-Z0-9]+)((?:\s[^>]*)?)>", html):
        attrs = attrs.removesuffix(" /")
        assert tag in ALLOWED_TAGS, tag
        if tag == "a":
            href = re.fullmatch(r'(?: class="image-link")? href="([^"]*)"(?: title="[^"]*")?', attrs)
            assert href, attrs
            assert re.match(r"(?:https?:|mailto:|/|#|\.\.?/|[^:/?#]+(?:[/?#]|$))", href.group(1), re.I), href.group(1)
        elif tag == "div":
            assert attrs == ' class="table-scroll"'
        elif tag == "table":
            assert attrs == ' class="data-table"'
        elif tag == "code":
            assert re.fullmatch(r'(?: class="language-[^"\s]*")?', attrs), attrs
        elif tag == "th" or tag == "td":
            assert re.fullmatch(r'(?: style="text-align:(?:left|center|right)")?', attrs), attrs
        elif tag == "ol":
            assert re.fullmatch(r'(?: start="\d+")?', attrs), attrs
        elif re.fullmatch(r"h[2-6]", tag):   # the heading's words only: no quote, space or markup can leave it
            assert re.fullmatch(r' id="s-[\w-]+"', attrs), attrs
        else:
            assert attrs == "", (tag, attrs)
    assert "<h1" not in html
