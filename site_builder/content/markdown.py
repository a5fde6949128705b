"""Markdown body → safe HTML and plain text.

The engine is markdown-it-pyrs (the Rust port of markdown-it, from the markdown-it-py maintainers): CommonMark
plus tables, about eight times faster than markdown-it-py, which made Markdown the largest cost of a build.

Content is untrusted: the raw-HTML rules are not enabled (so `<script>` is text), the engine drops
javascript:/vbscript:/file:/data: links, and the output is then narrowed further — links keep only http(s),
mailto and site-relative targets, and images become links so that no page ever loads from another host. With
raw HTML off, every tag in the engine's output is one it made, so the rewrites below can match its exact form.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import markdown_it_pyrs

# CommonMark's rules without html_block / html_inline, plus GFM tables.
RULES = ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
         "autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline", "table"]

_SAFE_LINK = re.compile(r"^(https?:|mailto:|/|#|\./|\.\./|[^:/?#]+(?:[/?#]|$))", re.IGNORECASE)
_LINK = re.compile(r'<a href="([^"]*)"(?: title="[^"]*")?>(.*?)</a>', re.DOTALL)
_IMAGE = re.compile(r'<img src="([^"]*)" alt="([^"]*)"(?: title="[^"]*")? />')
_HEADING = re.compile(r"<(/?)h([1-6])>")
_EMPTY_PARAGRAPH = re.compile(r"^<p>\s*</p>\n", re.MULTILINE)   # a line of no-break spaces is not text
_IMAGE_LINK = re.compile(r'<a class="image-link" [^>]*>.*?</a>')
_TAG = re.compile(r"<[^>]*>")
# Where the plain text breaks: after a block, and between table cells.
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|ul|ol|blockquote|pre|tr|thead|tbody|table)>|<hr />|<br />")
_CELL_END = re.compile(r"</t[dh]>")
_SPACES = re.compile(r"[ \t]+")


def _safe(url: str) -> bool:
    return bool(_SAFE_LINK.match(html.unescape(url).strip()))


@lru_cache(maxsize=1)
def _engine() -> markdown_it_pyrs.MarkdownIt:
    return markdown_it_pyrs.MarkdownIt("zero").enable_many(RULES)


def _link(match: re.Match) -> str:
    """A link to a target outside the allowed kinds keeps its text and loses its href."""
    return match.group(0) if _safe(match.group(1)) else match.group(2)


def _image(match: re.Match) -> str:
    """An image becomes a link to it: the site loads nothing from other hosts."""
    src, alt = match.groups()
    label = f"[图片：{alt or '图片'}]"
    return f'<a class="image-link" href="{src}">{label}</a>' if _safe(src) else label


def _demote(match: re.Match) -> str:
    return f"<{match.group(1)}h{min(int(match.group(2)) + 1, 6)}>"


def plain_text(body_html: str) -> str:
    """The text of a body rendered by render_markdown: one line per block, table cells spaced, image labels
    left out (they are not the document's words)."""
    text = _IMAGE_LINK.sub("", body_html) if "image-link" in body_html else body_html
    # Text has no literal "<" or ">" (the engine escapes them): ">\n<" is layout between two tags.
    text = _CELL_END.sub(" ", text.replace(">\n<", "><"))
    text = _BLOCK_END.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))
    if "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text)
    return "\n".join(filter(None, map(str.strip, text.split("\n"))))   # no blank lines, no white space at the ends


def render_markdown(source: str) -> str:
    """The safe HTML of a document body."""
    out = _engine().render(source)
    if "<p>\xa0" in out or "<p>\u3000" in out:
        out = _EMPTY_PARAGRAPH.sub("", out)
    if "<a " in out:
        out = _LINK.sub(_link, out)
    if "<img " in out:   # after links: the links made from images are safe by construction
        out = _IMAGE.sub(_image, out)
    if "<h1>" in out:   # the page title is the only <h1>: a body that uses '#' headings moves down one level
        out = _HEADING.sub(_demote, out)
    if "<table>" in out:   # wide statistics tables scroll inside their own box on a phone
        out = out.replace("<table>", '<div class="table-scroll"><table class="data-table">')
        out = out.replace("</table>", "</table></div>")
    return out
