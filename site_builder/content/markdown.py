"""Markdown body → safe HTML and plain text.

The engine is markdown-it-py: CommonMark without raw HTML, plus GFM tables (the same rules as the site always
had). One parser is built once and reused for every document.

Content is untrusted, and every safety rule works on the parser's tokens, never on its HTML:

* raw HTML is off, so `<script>` in a body is text;
* ``validateLink`` lets only http(s), mailto and site-relative targets (``/``, ``#``, ``./``, ``../``, a
  scheme-less relative path) become links, images or reference definitions; anything else stays the text the
  author wrote;
* an image is rendered as a link to it (``<a class="image-link" href="…">[图片：alt]</a>``), so no page ever loads
  anything from another host;
* when the body has a level-1 heading every heading moves down one level (the page title is the only ``<h1>``);
* a table is wrapped in ``<div class="table-scroll">`` and gets ``class="data-table"``;
* a paragraph of nothing but (no-break, ideographic) spaces is dropped;
* every heading gets an id made of its words (``id="s-一总体情况"``; a repeat gets ``-2``, ``-3``…; a heading with
  no letters ``s-<n>``), so the same body always gives the same ids and a page's table of contents can link them.

The plain text search indexes (``plain_text``) is read off the same tokens.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

# CommonMark's rules without html_block / html_inline, plus GFM tables.
RULES = ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
         "autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline", "table"]

# Checked on the target as the parser hands it over: entities and backslash escapes decoded, then
# percent-encoded (so a tab or a line break hidden in a scheme is "%09" / "%0A" and no longer matches).
_SAFE_LINK = re.compile(r"(?:https?:|mailto:|/|#|\./|\.\./|[^:/?#]+(?:[/?#]|$))", re.IGNORECASE)
_SPACES = re.compile(r"[ \t]+")


def safe_link(url: str) -> bool:
    """http(s), mailto and site-relative targets only (javascript:, data:, vbscript:, file:… are not)."""
    return _SAFE_LINK.match(url) is not None


def _site_blocks(state) -> None:
    """Core rule, after block parsing: drop paragraphs of spaces only; demote headings when there is an h1."""
    tokens = state.tokens
    h1 = False
    empty = False
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            if token.tag == "h1":
                h1 = True
        elif token.type == "paragraph_open" and not tokens[i + 1].content.strip():
            empty = True
    if empty:   # markdown-it-py strips a paragraph's content with str.strip(): \xa0 and \u3000 included
        keep = []
        skip = 0
        for i, token in enumerate(tokens):
            if skip:
                skip -= 1
                continue
            if (token.type == "paragraph_open" and tokens[i + 1].type == "inline"
                    and not tokens[i + 1].content.strip()):
                skip = 2   # the inline token and paragraph_close
                continue
            keep.append(token)
        state.tokens = tokens = keep
    if h1:
        for token in tokens:
            if token.type in ("heading_open", "heading_close"):
                token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"


_NOT_ID = re.compile(r"[^\w-]+")


def _heading_ids(state) -> None:
    """Core rule, after inline parsing: a stable, unique id on every heading, from its text."""
    seen: set[str] = set()
    tokens = state.tokens
    n = 0
    for i, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        n += 1
        words = "".join(c.content for c in (tokens[i + 1].children or ()) if c.type in ("text", "code_inline"))
        base = "s-" + (_NOT_ID.sub("", words)[:40] or str(n))
        ident, k = base, 1
        while ident in seen:
            k += 1
            ident = f"{base}-{k}"
        seen.add(ident)
        token.attrSet("id", ident)


def _image(self, tokens, idx, options, env) -> str:
    """An image becomes a link to it, labelled with its alt text: the site loads nothing from other hosts."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children, options, env) if token.children else ""
    label = escapeHtml(f"[图片：{alt or '图片'}]")
    src = token.attrGet("src") or ""
    if not safe_link(src):   # validateLink already refused it; kept in case the parser ever lets one through
        return label
    depth = 0
    for before in tokens[:idx]:
        if before.type == "link_open":
            depth += 1
        elif before.type == "link_close":
            depth -= 1
    if depth:   # inside a link: a link may not hold another one, and the outer link says where to go
        return label
    return f'<a class="image-link" href="{escapeHtml(src)}">{label}</a>'


def _table_open(self, tokens, idx, options, env) -> str:
    return '<div class="table-scroll"><table class="data-table">\n'   # wide tables scroll on a phone


def _table_close(self, tokens, idx, options, env) -> str:
    return "</table></div>\n"


@lru_cache(maxsize=1)
def _engine() -> MarkdownIt:
    md = MarkdownIt("zero", {"xhtmlOut": True}).enable(RULES)
    md.validateLink = safe_link
    md.core.ruler.after("block", "site_blocks", _site_blocks)
    md.core.ruler.after("inline", "heading_ids", _heading_ids)
    md.add_render_rule("image", _image)
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)
    return md


def _text_of(tokens) -> str:
    """The words of a token stream: one line per block, a space after each table cell, image labels left out."""
    out: list[str] = []
    add = out.append
    for token in tokens:
        kind = token.type
        if kind == "inline":
            for child in token.children or ():
                ckind = child.type
                if ckind == "text" or ckind == "code_inline":
                    add(child.content)
                elif ckind == "softbreak" or ckind == "hardbreak":
                    add("\n")
                # image: its label is not the document's words; link_open/close, em/strong: no text
            add("\n")
        elif kind == "th_close" or kind == "td_close":
            out[-1] = " "   # the cell's line break becomes a space: cells of a row share a line
        elif kind == "tr_close":
            add("\n")
        elif kind == "fence" or kind == "code_block":
            add(token.content)
            add("\n")
    text = "".join(out)
    if "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text)
    return "\n".join(filter(None, map(str.strip, text.split("\n"))))   # no blank lines, no white space at the ends


def render(source: str) -> tuple[str, str]:
    """(safe HTML, plain text) of a document body, from one parse."""
    md = _engine()
    env: dict = {}
    tokens = md.parse(source, env)
    return md.renderer.render(tokens, md.options, env), _text_of(tokens)


def render_markdown(source: str) -> str:
    """The safe HTML of a document body."""
    md = _engine()
    env: dict = {}
    return md.renderer.render(md.parse(source, env), md.options, env)


def plain_text(source: str) -> str:
    """The text of a Markdown body as render_markdown shows it: one line per block, table cells spaced, image
    labels left out (they are not the document's words)."""
    return _text_of(_engine().parse(source, {}))
