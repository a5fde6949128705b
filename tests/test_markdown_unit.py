"""content/markdown.py, rule by rule: small bodies in, the exact HTML and plain text out.

Each safety rule of the renderer (link allow-list, images as links, no raw HTML) is checked with a hostile
body as well as a friendly one; the layout rules (heading demotion, heading ids, table wrapper, empty
paragraphs) and the plain text the search indexes are checked on the smallest body that shows them.
"""

from __future__ import annotations

import pytest

from site_builder.content.markdown import _engine, plain_text, render, render_markdown, safe_link


def html(source: str) -> str:
    return render_markdown(source)


# --- render() is render_markdown() and plain_text() from one parse ----------------------------------------------

@pytest.mark.parametrize("source", ["段落。", "# 标题\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", "![图](a.png) [链接](/x/)", ""])
def test_render_is_the_html_and_the_text_of_one_parse(source):
    assert render(source) == (render_markdown(source), plain_text(source))


def test_a_paragraph():
    assert render("段落。") == ("<p>段落。</p>\n", "段落。")
    assert render("") == ("", "")


def test_inline_markup_and_breaks():
    assert html("**粗** *斜* `码`") == "<p><strong>粗</strong> <em>斜</em> <code>码</code></p>\n"
    assert html("甲\n乙  \n丙") == "<p>甲\n乙<br />\n丙</p>\n"   # xhtmlOut: <br />
    assert html("- 一\n- 二") == "<ul>\n<li>一</li>\n<li>二</li>\n</ul>\n"


# --- links: http(s), mailto and site-relative only ----------------------------------------------------------------

def test_allowed_links_become_links():
    source = ("[a](https://example.org/x?a=1&b=2) [s](http://example.org) [m](mailto:a@b.cn) [r](/docs/x/) "
              "[h](#s-1) [d](./a) [u](../b) [p](page.html)")
    assert html(source) == (
        '<p><a href="https://example.org/x?a=1&amp;b=2">a</a> <a href="http://example.org">s</a> '
        '<a href="mailto:a@b.cn">m</a> <a href="/docs/x/">r</a> <a href="#s-1">h</a> <a href="./a">d</a> '
        '<a href="../b">u</a> <a href="page.html">p</a></p>\n')
    assert html("<https://example.org>") == '<p><a href="https://example.org">https://example.org</a></p>\n'


@pytest.mark.parametrize("source", [
    "[a](javascript:alert(1))",
    "[a](JAVASCRIPT:alert(1))",
    "[a](&#106;avascript:alert(1))",                  # an entity hides the scheme
    "[a](java\\script:alert(1))",
    "[a](<javascript:alert(1)>)",
    "[a](data:text/html;base64,PHNjcmlwdD4=)",
    "[a](vbscript:msgbox(1))",
    "[a](file:///etc/passwd)",
    "<javascript:alert(1)>",                          # an autolink
    "[a][r]\n\n[r]: javascript:alert(1)",             # a reference definition
])
def test_hostile_links_stay_text(source):
    out = html(source)
    assert "<a" not in out and "href" not in out, out
    assert out.startswith("<p>") and out.endswith("</p>\n")


def test_a_refused_link_keeps_the_authors_text():
    assert html("[a](javascript:alert(1))") == "<p>[a](javascript:alert(1))</p>\n"
    assert html("[a](&#106;avascript:x)") == "<p>[a](javascript:x)</p>\n"   # the entity decoded, as text
    assert html("[a](<javascript:alert(1)>)") == "<p>[a](&lt;javascript:alert(1)&gt;)</p>\n"
    assert html("[a](java\tscript:alert(1))") == "<p>[a](java\tscript:alert(1))</p>\n"


def test_an_allowed_reference_definition_is_a_link_and_a_title_is_escaped():
    assert html('[ref]\n\n[ref]: https://example.org "t"') == '<p><a href="https://example.org" title="t">ref</a></p>\n'
    assert html('[a](https://e.org "t\\"onmouseover=x")') == \
        '<p><a href="https://e.org" title="t&quot;onmouseover=x">a</a></p>\n'


@pytest.mark.parametrize("url, allowed", [
    ("https://example.org", True), ("HTTP://example.org", True), ("mailto:a@b.cn", True),
    ("/docs/", True), ("#s-1", True), ("./a", True), ("../a", True), ("page.html", True), ("a/b?c#d", True),
    ("javascript:alert(1)", False), ("JavaScript:x", False), ("data:image/png;base64,AAAA", False),
    ("vbscript:x", False), ("file:///etc/passwd", False), ("ftp://example.org", False),
    ("java%09script:x", False),
    ("//example.org/x", True),   # protocol-relative: another host, as an https link may be
])
def test_safe_link(url, allowed):
    assert safe_link(url) is allowed


# --- raw HTML is text -------------------------------------------------------------------------------------------

def test_raw_html_is_escaped_text():
    assert html("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
    assert html("段<b>落</b>") == "<p>段&lt;b&gt;落&lt;/b&gt;</p>\n"
    assert html("<img src=x onerror=alert(1)>") == "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n"
    assert html('<div onclick="x">\n\n甲\n\n</div>') == \
        '<p>&lt;div onclick=&quot;x&quot;&gt;</p>\n<p>甲</p>\n<p>&lt;/div&gt;</p>\n'


def test_raw_html_is_kept_as_words_in_the_plain_text():
    assert plain_text("<script>alert(1)</script>\n\n段<b>落</b>") == "<script>alert(1)</script>\n段<b>落</b>"


# --- images are links to them -----------------------------------------------------------------------------------

def test_an_image_is_a_link_labelled_with_its_alt_text():
    assert html("![图](https://example.org/x.png)") == \
        '<p><a class="image-link" href="https://example.org/x.png">[图片：图]</a></p>\n'
    assert html("![](img.png)") == '<p><a class="image-link" href="img.png">[图片：图片]</a></p>\n'
    assert html('![<b>"x"</b>](a.png)') == \
        '<p><a class="image-link" href="a.png">[图片：&lt;b&gt;&quot;x&quot;&lt;/b&gt;]</a></p>\n'
    assert "<img" not in html("![图](a.png) ![图](/b.png)")


def test_an_image_inside_a_link_is_its_label_only():
    assert html("[![图](a.png)](https://example.org)") == '<p><a href="https://example.org">[图片：图]</a></p>\n'


@pytest.mark.parametrize("source", ["![x](javascript:alert(1))", "![x](data:image/png;base64,AAAA)",
                                    "![x](vbscript:x)"])
def test_a_hostile_image_stays_text(source):
    assert html(source) == f"<p>{source}</p>\n"


def test_an_unsafe_image_that_got_past_the_parser_is_its_label_only():
    md = _engine()
    tokens = md.parse("![x](a.png)", {})
    image = tokens[1].children[0]
    assert image.type == "image"
    image.attrSet("src", "javascript:alert(1)")
    assert md.renderer.render(tokens, md.options, {}) == "<p>[图片：x]</p>\n"


def test_image_labels_are_not_words_of_the_plain_text():
    assert plain_text("[链接](https://e.org) ![图](a.png) 文") == "链接 文"
    assert plain_text("![图](a.png)") == ""


# --- headings ---------------------------------------------------------------------------------------------------

def test_headings_without_h1_keep_their_level():
    assert html("## 甲\n\n### 乙") == '<h2 id="s-甲">甲</h2>\n<h3 id="s-乙">乙</h3>\n'


def test_an_h1_moves_every_heading_down_one_level_and_h6_stays_h6():
    assert html("# 标题\n\n## 一、总体情况\n\n### 小节") == \
        '<h2 id="s-标题">标题</h2>\n<h3 id="s-一总体情况">一、总体情况</h3>\n<h4 id="s-小节">小节</h4>\n'
    assert html("###### 六\n\n# 一") == '<h6 id="s-六">六</h6>\n<h2 id="s-一">一</h2>\n'
    assert html("标题\n===\n\n乙\n---") == '<h2 id="s-标题">标题</h2>\n<h3 id="s-乙">乙</h3>\n'   # setext too


def test_heading_ids_repeat_with_a_number_and_headings_without_words_are_numbered():
    assert html("## 一、总体情况\n\n## 一、总体情况\n\n## 一、总体情况") == (
        '<h2 id="s-一总体情况">一、总体情况</h2>\n<h2 id="s-一总体情况-2">一、总体情况</h2>\n'
        '<h2 id="s-一总体情况-3">一、总体情况</h2>\n')
    assert html("## 2021\n\n## ***") == '<h2 id="s-2021">2021</h2>\n<h2 id="s-2">***</h2>\n'
    assert html("## `code` 文字") == '<h2 id="s-code文字"><code>code</code> 文字</h2>\n'


def test_a_heading_id_is_at_most_40_characters_of_words_and_escaped():
    long = "字" * 50
    assert html(f"## {long}") == f'<h2 id="s-{"字" * 40}">{long}</h2>\n'
    assert html('## a"<b>') == '<h2 id="s-ab">a&quot;&lt;b&gt;</h2>\n'


def test_ids_do_not_carry_over_from_one_document_to_the_next():
    source = "# 甲\n\n## 乙\n\n## 乙\n\n## ！"
    expected = ('<h2 id="s-甲">甲</h2>\n<h3 id="s-乙">乙</h3>\n<h3 id="s-乙-2">乙</h3>\n'
                '<h3 id="s-4">！</h3>\n')
    assert html(source) == expected
    assert html("## 乙") == '<h2 id="s-乙">乙</h2>\n'
    assert html(source) == expected


# --- tables -----------------------------------------------------------------------------------------------------

def test_a_table_is_wrapped_to_scroll_and_classed():
    assert render("| a | b |\n|---|---|\n| 1 | 2 |") == (
        '<div class="table-scroll"><table class="data-table">\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n'
        '</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table></div>\n',
        "a b\n1 2")


# --- paragraphs of spaces ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("spaces", ["\u3000\u3000", "\xa0", "\xa0\u3000 "])
def test_a_paragraph_of_spaces_only_is_dropped(spaces):
    assert render(f"{spaces}\n\n正文\n\n{spaces}") == ("<p>正文</p>\n", "正文")


# --- plain text -------------------------------------------------------------------------------------------------

def test_plain_text_is_one_line_per_block_without_markup_or_extra_spaces():
    source = "# 标题\n\n甲\n乙  \n丙\n\n- 一\n- 二\n\n```\ncode  x\n```\n\n    indented\n\n**粗** *斜* `码`\n\na\tb   c"
    assert plain_text(source) == "标题\n甲\n乙\n丙\n一\n二\ncode x\nindented\n粗 斜 码\na b c"


def test_plain_text_keeps_link_words_and_refused_links_as_written():
    assert plain_text("[链接](https://e.org) 与 [a](javascript:x)") == "链接 与 [a](javascript:x)"
