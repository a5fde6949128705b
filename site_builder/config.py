"""The one validated configuration: ``[tool.site_builder]`` in the project's pyproject.toml.

Defaults live here and nowhere else; an unknown key or a wrong type is an error naming the file and key,
and every such error is reported at once.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import quote, urlsplit

from site_builder.errors import Problem, SiteError

CONFIG_FILE = "pyproject.toml"
# The default theme ships inside the package (package data: pyproject.toml), so an installed site-builder
# builds any project without configuration; a project overrides it file by file (Config.template_dirs/static_dirs).
BUILTIN_THEME = Path(__file__).resolve().parent / "themes" / "default"


@dataclass(frozen=True)
class Config:
    root: Path
    title: str = "政务公开文件档案库"
    description: str = "各地政府信息公开工作年度报告、政务公开工作要点与实施方案的公开档案，可检索、可比较、可引用。"
    content_dir: str = "content"
    theme_dir: str = ""          # a theme folder of the project's own, over the packaged one; "": none
    output_dir: str = "public"
    base_url: str = "/"
    page_size: int = 50
    feed_size: int = 30
    latest_size: int = 12
    search: bool = True
    search_engine: str = "pagefind"   # one of SEARCH_ENGINES (site_builder/search/__init__.py)

    @property
    def content_path(self) -> Path:
        return (self.root / self.content_dir).resolve()

    @property
    def theme_path(self) -> Path:
        """The project's theme folder (theme_dir), or the packaged default theme when none is set."""
        return (self.root / self.theme_dir).resolve() if self.theme_dir else BUILTIN_THEME

    @property
    def theme_layers(self) -> tuple[Path, ...]:
        """Theme folders, the one that wins first: theme_dir (when set), then the packaged default theme."""
        return tuple(dict.fromkeys((self.theme_path, BUILTIN_THEME)))

    @property
    def template_dirs(self) -> tuple[Path, ...]:
        """Where templates are looked up, first match wins: the project's templates/, then each theme's."""
        return ((self.root / "templates").resolve(), *(t / "templates" for t in self.theme_layers))

    @property
    def static_dirs(self) -> tuple[Path, ...]:
        """Static files, by name, first match wins: the project's static/, then each theme's static/."""
        return ((self.root / "static").resolve(), *(t / "static" for t in self.theme_layers))

    @property
    def output_path(self) -> Path:
        return (self.root / self.output_dir).resolve()

    @property
    def base_path(self) -> str:
        """The path part of the base URL, always with leading and trailing slash ("/", "/archive/")."""
        return urlsplit(self.base_url).path

    @property
    def absolute_base(self) -> str | None:
        """Scheme and host when the base URL is absolute (for canonical links, sitemap, feed)."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme else None


_KEYS = {f.name: f for f in fields(Config) if f.name != "root"}
_TYPES = {"title": str, "description": str, "content_dir": str, "theme_dir": str, "output_dir": str,
          "base_url": str, "page_size": int, "feed_size": int, "latest_size": int, "search": bool,
          "search_engine": str}
SEARCH_ENGINES = ("pagefind", "exact")


def normalise_base_url(value: str) -> str:
    """'/archive' → '/archive/'; 'https://x.org/a' → 'https://x.org/a/'; '' → '/'."""
    parts = urlsplit(value.strip())
    if parts.scheme and parts.scheme not in ("http", "https"):
        raise ValueError(f"base_url must be a path or an http(s) URL, not {value!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"base_url must not have a query or fragment: {value!r}")
    path = "/" + parts.path.strip("/") + "/" if parts.path.strip("/") else "/"
    # percent-encoded ("/政务 档案/" → "/%E6%94%BF%E5%8A%A1%20…/"): a valid URL in the sitemap and feed, and the
    # form in which browsers request it (the dev server compares request paths with it); "%xx" is kept as given
    path = quote(path, safe="/%!$&'()*+,;=:@~")
    return f"{parts.scheme}://{parts.netloc}{path}" if parts.scheme else path


def load_config(root: Path | None = None, **overrides) -> Config:
    """Read ``[tool.site_builder]`` from ``root/pyproject.toml`` (if any) and apply CLI overrides."""
    root = (root or Path.cwd()).resolve()
    file = root / CONFIG_FILE
    values: dict = {}
    problems: list[Problem] = []
    if file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SiteError(Problem(str(file), f"cannot parse configuration: {exc}")) from None
        section = data.get("tool", {}).get("site_builder", {})
        if not isinstance(section, dict):
            raise SiteError(Problem(str(file), "[tool.site_builder] must be a table"))
        for key, value in section.items():
            if key not in _KEYS:
                known = ", ".join(sorted(_KEYS))
                problems.append(Problem(str(file), f"unknown key tool.site_builder.{key} (known keys: {known})"))
                continue
            want = _TYPES[key]
            if not isinstance(value, want) or (want is int and isinstance(value, bool)):
                problems.append(Problem(str(file), f"tool.site_builder.{key} must be {want.__name__}, "
                                                   f"not {type(value).__name__} {value!r}"))
                continue
            values[key] = value
    values.update({k: v for k, v in overrides.items() if v is not None})
    for key in ("page_size", "feed_size", "latest_size"):
        if key in values and values[key] < 1:
            problems.append(Problem(str(file), f"tool.site_builder.{key} must be at least 1"))
    if values.get("search_engine", "pagefind") not in SEARCH_ENGINES:
        problems.append(Problem(str(file), f"tool.site_builder.search_engine must be one of "
                                           f"{', '.join(SEARCH_ENGINES)}, not {values['search_engine']!r}"))
    if "base_url" in values:
        try:
            values["base_url"] = normalise_base_url(values["base_url"])
        except ValueError as exc:
            problems.append(Problem(str(file), str(exc)))
    if problems:
        raise SiteError(problems)
    return Config(root=root, **values)
