"""Markdown body → safe HTML and plain text.

Content is untrusted: raw HTML is off (markdown-it escapes it), links are limited to http(s), mailto and
site-relative targets, and images are rendered as links so that no page ever loads from another host.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.common.utils import escapeHtml

_SAFE_LINK = re.compile(r"^(https?:|mailto:|/|#|\./|\.\./|[^:/?#]+(?:[/?#]|$))", re.IGNORECASE)


def _validate_link(url: str) -> bool:
    return bool(_SAFE_LINK.match(url.strip()))


def _render_image(self, tokens, idx, options, env):
    """An image becomes a link to it: the site loads nothing from other hosts."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env) or "图片"
    return f'<a class="image-link" href="{escapeHtml(token.attrGet("src") or "")}">[图片：{escapeHtml(alt)}]</a>'


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.validateLink = _validate_link
    md.add_render_rule("image", _render_image)
    return md


def _demote_headings(tokens: list[Token]) -> None:
    """The page title is the only <h1>: a body that uses '#' headings is shifted down one level."""
    if not any(t.type == "heading_open" and t.tag == "h1" for t in tokens):
        return
    for t in tokens:
        if t.type in ("heading_open", "heading_close"):
            t.tag = f"h{min(int(t.tag[1]) + 1, 6)}"


def _plain_text(tokens: list[Token]) -> str:
    parts: list[str] = []
    for t in tokens:
        if t.type == "inline":
            for child in t.children or []:
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append("\n")
        elif t.type in ("code_block", "fence"):
            parts.append(t.content)
        elif t.type in ("th_close", "td_close"):
            parts.append(" ")
        elif t.type.endswith("_close") and t.block:
            parts.append("\n")
    text = "".join(parts)
    return re.sub(r"\n{2,}", "\n", re.sub(r"[ \t]+", " ", text)).strip()


def render_markdown(source: str) -> tuple[str, str]:
    """Return (html, plain_text) for a document body."""
    md = _parser()
    tokens = md.parse(source)
    _demote_headings(tokens)
    for t in tokens:  # wide statistics tables scroll inside their own box on a phone
        if t.type == "table_open":
            t.attrSet("class", "data-table")
    html = md.renderer.render(tokens, md.options, {})
    html = html.replace('<table class="data-table">', '<div class="table-scroll"><table class="data-table">')
    html = html.replace("</table>", "</table></div>")
    return html, _plain_text(tokens)
