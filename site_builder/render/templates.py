"""The Jinja2 environment: an ordered search path (project templates/ → theme_dir → packaged theme), autoescape,
strict undefined."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import shutil
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, TemplateNotFound, select_autoescape

from site_builder.schema import DOC_TYPES, FORMATS, STAT_KEYS, format_number
from site_builder.errors import display_path
from site_builder.render.charts import bar_chart, hbar_chart
from site_builder.stats import OUTCOMES
from site_builder.urls import Urls


class ThemeLoader(FileSystemLoader):
    """FileSystemLoader whose "not found" names the template and every folder searched (a missing theme
    otherwise shows as "'home.html' not found in search paths: " with nothing after it)."""

    def __init__(self, folders: list[Path], root: Path | None = None):
        super().__init__([str(f) for f in folders if f.is_dir()])
        self.described = [display_path(f, root) for f in folders]

    def get_source(self, environment, template):
        try:
            return super().get_source(environment, template)
        except TemplateNotFound:
            raise TemplateNotFound(template, f"template {template!r} not found in "
                                             f"{', '.join(self.described) or 'no folder'}") from None


class CheckedBytecodeCache(FileSystemBytecodeCache):
    """Compiled templates in the cache folder, each file ending with the sha256 of what precedes it, as every
    cache file does (cache.py): a damaged one is compiled again instead of being run as garbage bytecode."""

    def load_bytecode(self, bucket) -> None:
        try:
            data = Path(self._get_cache_filename(bucket)).read_bytes()
        except OSError:
            return
        if len(data) > 32 and hashlib.sha256(data[:-32]).digest() == data[-32:]:
            bucket.load_bytecode(io.BytesIO(data[:-32]))

    def dump_bytecode(self, bucket) -> None:
        out = io.BytesIO()
        bucket.write_bytecode(out)
        data = out.getvalue()
        target = Path(self._get_cache_filename(bucket))
        temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            temp.write_bytes(data + hashlib.sha256(data).digest())
            os.replace(temp, target)
        except OSError:   # a full or read-only cache folder only costs compiling again
            temp.unlink(missing_ok=True)


class RecordingEnvironment(Environment):
    """An Environment that notes every template and static file a page uses while it renders (`recording`):
    extends, include and import all load their template through ``get_template`` at render time."""

    recording: set | None = None

    def get_template(self, name, parent=None, globals=None):
        if self.recording is not None and isinstance(name, str):
            self.recording.add(("template", name))
        return super().get_template(name, parent, globals)


def make_environment(template_dirs: list[Path], urls: Urls, assets: dict, root: Path | None = None,
                     keep_compiled: bool = False) -> Environment:
    """`template_dirs`: folders in the order they win (Config.template_dirs); missing ones are skipped.
    `keep_compiled`: keep compiled templates in the project's cache folder."""
    bytecode = None
    if root is not None and keep_compiled:   # kept across builds: a rebuild of a few pages compiled for 0.15 s
        from site_builder.cache import cache_dir, code_digest

        folder = cache_dir(root) / f"templates-{code_digest()[:16]}"   # compiled by this code's options
        try:
            if not folder.is_dir():   # the last code's compiled templates are of no use any more
                for old in cache_dir(root).glob("templates-*"):
                    shutil.rmtree(old, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
            bytecode = CheckedBytecodeCache(str(folder))
        except OSError:   # a read-only project: compile every time
            bytecode = None
    env = RecordingEnvironment(loader=ThemeLoader(list(template_dirs), root), autoescape=select_autoescape(default=True),
                               bytecode_cache=bytecode,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True, auto_reload=False)   # one environment per build

    def asset(name: str) -> str:
        if env.recording is not None:
            env.recording.add(("asset", name))
        if name not in assets:
            raise KeyError(f"no static file {name!r} in the theme")
        return urls.link(assets[name][0])

    env.globals.update(link=urls.link, absolute=urls.absolute, asset=asset, urls=urls,
                       DOC_TYPES=DOC_TYPES, STAT_KEYS=STAT_KEYS, FORMATS=FORMATS, OUTCOMES=OUTCOMES,
                       bar_chart=bar_chart, hbar_chart=hbar_chart)
    env.filters["number"] = format_number
    env.filters["web_url"] = web_url
    env.filters["cn_date"] = format_date
    return env


def web_url(value) -> str | None:
    """Only http(s) URLs from content become links (source URLs are untrusted text)."""
    text = str(value or "").strip()
    return text if re.match(r"https?://[^\s\"'<>]+$", text, re.IGNORECASE) else None


def format_date(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "日期不详"
