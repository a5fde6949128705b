"""`site-builder check`: validate content/, configuration and templates without writing anything."""

from __future__ import annotations

import sys

from site_builder.build import check_output_location, load
from site_builder.config import Config
from site_builder.errors import SiteError, print_problems
from site_builder.listings import build_listings
from site_builder.render import render_site
from site_builder.urls import Urls
from site_builder.wording import count


def check(config: Config) -> int:
    """Every problem at once on stderr; exit 1 if there is one. Rendering happens in memory only."""
    try:
        check_output_location(config)
        site = load(config)
        render_site(site, build_listings(site), Urls(config))
    except SiteError as exc:
        print_problems(exc.problems)
        print(f"{len(exc.problems)} problem(s) found", file=sys.stderr)
        return 1
    print(f"ok: {count(len(site.documents), 'document')}, no problems found")
    return 0
