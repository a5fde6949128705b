"""Atom feed, sitemap.xml and robots.txt: deterministic (dates come from documents, never from the clock)."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from site_builder.content.model import Site
from site_builder.urls import Urls


def _entry_id(urls: Urls, route: str) -> str:
    """Atom ids must be absolute IRIs; without a host, a tag URI built from the route stays stable."""
    return urls.absolute(route) if urls.config.absolute_base else f"tag:site-builder,2019:{route}"


def atom_feed(site: Site, urls: Urls) -> bytes:
    docs = site.documents[:site.config.feed_size]
    updated = max((d.date for d in docs if d.date), default=None)
    stamp = f"{updated.isoformat()}T00:00:00Z" if updated else "1970-01-01T00:00:00Z"
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
             f"  <title>{escape(site.config.title)}</title>",
             f"  <subtitle>{escape(site.config.description)}</subtitle>",
             f"  <id>{escape(_entry_id(urls, Urls.home))}</id>",
             f"  <link rel=\"self\" href={quoteattr(urls.absolute(Urls.feed))}/>",
             f"  <link rel=\"alternate\" type=\"text/html\" href={quoteattr(urls.absolute(Urls.home))}/>",
             f"  <updated>{stamp}</updated>"]
    for doc in docs:
        route = Urls.document(doc.slug)
        when = f"{doc.date.isoformat()}T00:00:00Z" if doc.date else stamp
        summary = " · ".join(x for x in (doc.issuing_body, doc.region.label if doc.region else None,
                                        f"{doc.year}年" if doc.year else None, doc.doc_type_label) if x)
        lines += ["  <entry>",
                  f"    <title>{escape(doc.title)}</title>",
                  f"    <id>{escape(_entry_id(urls, route))}</id>",
                  f"    <link rel=\"alternate\" type=\"text/html\" href={quoteattr(urls.absolute(route))}/>",
                  f"    <updated>{when}</updated>",
                  f"    <author><name>{escape(doc.issuing_body or '发布机关不详')}</name></author>",
                  f"    <summary>{escape(summary)}</summary>",
                  "  </entry>"]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode()


def sitemap(routes: list[str], urls: Urls) -> bytes:
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"  <url><loc>{escape(urls.absolute(r))}</loc></url>" for r in sorted(routes)]
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode()


def robots(urls: Urls) -> bytes:
    return f"User-agent: *\nAllow: /\nSitemap: {urls.absolute(Urls.sitemap)}\n".encode()
