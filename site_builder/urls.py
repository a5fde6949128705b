"""The one place that decides every URL and output path.

Routes are site-relative paths ("/docs/<slug>/"); ``Urls.link`` applies the base URL, ``output_file`` maps a
route to its file under public/, and ``find_collisions`` reports two pages that want the same file. Region
pages are keyed on division codes, never on pinyin, so polyphonic names (长治, 朝阳县, 单县) cannot go wrong.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from posixpath import normpath

from site_builder.config import Config

DOC_TYPE_SLUGS = {
    "annual_report": "annual-report",
    "work_points": "work-points",
    "work_plan": "work-plan",
    "implementation_report": "implementation-report",
    "other": "other",
}

# Names whose first pypinyin reading is wrong in a place name. Only used for non-division areas and
# hand-named files; division pages use codes.
PINYIN_OVERRIDES = {
    "长治": "changzhi", "长春": "changchun", "长沙": "changsha", "朝阳": "chaoyang", "单县": "shanxian",
    "郫都": "pidu", "涡阳": "guoyang", "洪洞": "hongtong", "浚县": "xunxian", "费县": "bixian",
    "什邡": "shifang", "中牟": "zhongmu", "筠连": "junlian", "繁峙": "fanshi", "重庆": "chongqing",
    "蚌埠": "bengbu", "六安": "luan", "乐清": "yueqing", "番禺": "panyu", "厦门": "xiamen",
}


def slugify(text: str, max_length: int = 60) -> str:
    """ASCII slug: known place names by the override list, the rest by pypinyin; stable for a given text."""
    from pypinyin import lazy_pinyin  # imported here: only hand-named files and special zones need it

    for name, reading in sorted(PINYIN_OVERRIDES.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(name, f" {reading} ")
    # a run of other characters comes whole: keep its ASCII as one word ("changzhi", "2019"), drop the rest
    words = lazy_pinyin(text, errors=lambda chars: ["".join(c for c in chars if c.isascii())])
    slug = re.sub(r"[^a-z0-9]+", "-", "-".join(words).lower()).strip("-")[:max_length].strip("-")
    return slug or "x-" + hashlib.sha1(text.encode()).hexdigest()[:8]


INDEX_ROOTS = {"pagefind": "pagefind", "exact": "fulltext"}   # the folder under public/ each search engine fills
UNDATED = "undated"   # the year listing key of documents without a year
FINGERPRINTED = re.compile(r"^assets/.+\.[0-9a-f]{10}(\.[A-Za-z0-9]+)?$")


@dataclass(frozen=True)
class Urls:
    config: Config

    # --- routes (site-relative) -------------------------------------------------------------------
    home = "/"
    search = "/search/"
    regions = "/regions/"
    years = "/years/"
    types = "/types/"
    stats = "/stats/"
    data = "/data/"
    documents_json = "/data/documents.json"
    documents_csv = "/data/documents.csv"
    tables_csv = "/data/tables.csv"
    feed = "/feed.xml"
    sitemap = "/sitemap.xml"
    robots = "/robots.txt"
    not_found = "/404.html"

    @property
    def search_index(self) -> str:
        """The folder of the configured engine's search index ("/pagefind/" or "/fulltext/")."""
        return f"/{INDEX_ROOTS[self.config.search_engine]}/"

    @staticmethod
    def document(slug: str) -> str:
        return f"/docs/{slug}/"

    @staticmethod
    def zone_key(province_code: str, zone_name: str) -> str:
        """The region key of a special zone that is not a division (沈抚新区): "<province code>/<zone slug>"."""
        return f"{province_code}/{slugify(zone_name)}"

    @staticmethod
    def region(key: str) -> str:
        """``key`` is a division code ("340882") or "<province code>/<zone slug>" for a special zone."""
        return f"/regions/{key}/"

    @staticmethod
    def year(year: int | str | None) -> str:
        """A year (2019), or its listing key ("2019"; "undated" or None for documents without a year)."""
        return f"/years/{year}/" if year and year != UNDATED else f"/years/{UNDATED}/"

    @staticmethod
    def doc_type(doc_type: str) -> str:
        return f"/types/{DOC_TYPE_SLUGS[doc_type]}/"

    @staticmethod
    def stats_year(year: int) -> str:
        return f"/stats/{year}/"

    @staticmethod
    def asset(name: str, digest: str) -> str:
        """A static file under a name that changes with its bytes (digest: 10 hex digits), cacheable for good."""
        stem, dot, ext = name.rpartition(".")
        return f"/assets/{stem}.{digest}.{ext}" if dot else f"/assets/{name}.{digest}"

    @staticmethod
    def is_fingerprinted(rel: str) -> bool:
        """Whether an output file (relative to public/) is a fingerprinted static file (``asset``)."""
        return FINGERPRINTED.match(rel) is not None

    @staticmethod
    def paginated(route: str, number: int) -> str:
        return route if number == 1 else f"{route}page/{number}/"

    # --- what the reader's browser sees -----------------------------------------------------------
    def link(self, route: str) -> str:
        """A route as a link on the site: under the base path ("/archive/docs/x/")."""
        return self.config.base_path + route.lstrip("/")

    def absolute(self, route: str) -> str:
        """Absolute URL when the base URL has a host (canonical, sitemap, feed); else the base-path link."""
        host = self.config.absolute_base
        return (host or "") + self.link(route)

    # --- where it is written ----------------------------------------------------------------------
    @staticmethod
    def output_file(route: str) -> str:
        """'/docs/x/' → 'docs/x/index.html'; '/feed.xml' → 'feed.xml'. Refuses routes that leave public/."""
        path = route.lstrip("/")
        if route.endswith("/"):
            path += "index.html"
        clean = normpath(path)
        if clean in (".", "") or clean.startswith("..") or clean.startswith("/") or clean != path or "\\" in path:
            raise ValueError(f"route {route!r} does not stay inside the output folder")
        return clean


def route_of(output: str) -> str:
    """The route whose page is written to `output` (a path under public/): the inverse of ``output_file``."""
    if output == "index.html" or output.endswith("/index.html"):
        return "/" + output[: -len("index.html")]
    return "/" + output


def document_link(base_path: str, slug: str) -> str:
    """The link to a document's page under a base path: what ``Document.url`` holds from the moment it is loaded."""
    return base_path + Urls.document(slug).lstrip("/")


def find_collisions(claims: list[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """Given (output file, who wants it) pairs, return every file wanted by more than one source."""
    first: dict[str, str] = {}
    shared: dict[str, list[str]] = {}   # only these are sorted: sorting all 13,800 outputs took 10 ms per plan
    for output, source in claims:
        if output in first:
            shared.setdefault(output, [first[output]]).append(source)
        else:
            first[output] = source
    return [(out, sorted(shared[out])) for out in sorted(shared)]
