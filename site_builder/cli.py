"""Thin commands: init, ingest, build [--watch], serve, check. Input problems print as `path[:line]: message`."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from site_builder.config import SEARCH_ENGINES, load_config
from site_builder.errors import Problem, SiteError, display_path, print_problems


def _site_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=None,
                        help="project folder holding pyproject.toml with [tool.site_builder] (default: current folder)")
    parser.add_argument("--content", dest="content_dir", help="content folder (default: content)")
    parser.add_argument("--output", dest="output_dir", help="output folder (default: public)")
    parser.add_argument("--theme", dest="theme_dir",
                        help="a theme folder over the packaged default theme (default: none, theme_dir)")
    parser.add_argument("--base-url", dest="base_url",
                        help="URL or path the site is served under, e.g. /archive/ or https://example.org/archive/")


def _search_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--search-engine", dest="search_engine", choices=SEARCH_ENGINES,
                        help="engine that builds the search index: pagefind (default) or exact, the project's own")
    parser.add_argument("--no-search", action="store_true", help="build no search index (faster; search page will not work)")


def _version() -> str:
    """The installed package's version (pyproject.toml's [project] version, from the package metadata)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("site-builder")
    except PackageNotFoundError:   # run from a source tree that was never installed
        return "unknown (not installed)"


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="site-builder", description="政务公开文件档案库 static-site generator")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    init = commands.add_parser("init", help="start a new archive: configuration, folders, README, deploy files")
    init.add_argument("folder", nargs="?", type=Path, default=Path("."), help="where (default: current folder)")
    init.add_argument("--install", metavar="SOURCE",
                      help="what the generated GitHub Pages workflow and netlify.toml `pip install` to get "
                           "site-builder: a git URL (git+https://…) or a package name (default: where this "
                           "site-builder was installed from, when known; else a placeholder to replace)")

    ingest = commands.add_parser("ingest", help="turn raw scraped .txt/.html documents into content Markdown")
    ingest.add_argument("inputs", nargs="+", type=Path, help="files or folders of raw documents")
    ingest.add_argument("--out", type=Path, default=Path("content"), help="content folder to write (default: content)")
    ingest.add_argument("--force", action="store_true", help="overwrite files a person has edited since ingest")
    ingest.add_argument("--report", action="store_true", help="print extracted fields, warnings and doubts per document")
    ingest.add_argument("--jobs", "-j", type=int, default=None,
                        help="worker processes parsing documents (default: one per core; 1: no workers)")
    ingest.add_argument("--max-size", dest="max_size", type=_size, default="64M", metavar="SIZE",
                        help="refuse input files larger than this, e.g. 200M or 1G (default: 64M)")

    build = commands.add_parser("build", help="build the static site into public/")
    _site_options(build)
    _search_options(build)
    build.add_argument("--watch", action="store_true", help="keep running and rebuild when content, theme or config change")
    build.add_argument("--poll", action="store_true", help="with --watch: poll the file system instead of using change events")
    build.add_argument("--quiet", action="store_true", help="print only errors")
    build.add_argument("--jobs", "-j", type=int, default=None,
                       help="worker processes for parsing and rendering (default: one per core; 1: no workers)")

    serve = commands.add_parser("serve", help="build, serve on 127.0.0.1 with live reload, rebuild on change")
    _site_options(serve)
    _search_options(serve)
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument("--poll", action="store_true", help="poll the file system instead of using change events")

    check = commands.add_parser("check", help="validate content/ and configuration without building")
    _site_options(check)
    return parser


def _size(text: str) -> int:
    """argparse type of --max-size: a readable error for `--max-size lots`."""
    from site_builder.ingest import parse_size
    try:
        return parse_size(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _config(args):
    return load_config(args.root, content_dir=args.content_dir, output_dir=args.output_dir,
                       theme_dir=args.theme_dir, base_url=args.base_url, search_engine=getattr(args, "search_engine", None))


def _leave(code: int, argv: list[str] | None) -> int:
    """After a build run from the command line (`argv` None), exit without freeing the build's objects one by
    one: the operating system takes the memory back at once (freeing them cost 0.4 s of a one-edit rebuild of
    10,000 documents). Called in-process with arguments (tests), it returns."""
    if argv is None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        if args.command == "init":
            from site_builder.init import run_init
            return run_init(args.folder, args.install, sys.stdout)
        if args.command == "ingest":
            from site_builder.build import terminal_progress
            from site_builder.ingest import run_ingest
            out = sys.stdout
            with terminal_progress(sys.stderr.isatty()) as (_, progress):   # on a terminal only
                # inside, sys.stdout/sys.stderr are rich's: lines written to them appear above the bar; output
                # sent elsewhere than the terminal (a pipe, a file) goes there as it is
                return run_ingest(args.inputs, args.out, force=args.force, report=args.report,
                                  stdout=sys.stdout if out.isatty() else out, stderr=sys.stderr, jobs=args.jobs,
                                  progress=progress, max_bytes=args.max_size)
        if args.command == "serve" or getattr(args, "watch", False):
            from site_builder.serve import run
            return run(lambda: _config(args), serve=args.command == "serve", port=getattr(args, "port", None),
                       poll=args.poll, search=not args.no_search)
        config = _config(args)
        if args.command == "check":
            from site_builder.check import check
            return check(config)
        from site_builder.build import build, terminal_progress
        if argv is None:   # exits at once after (_leave): the collector, paused for the build, stays off; turned
            gc.disable()   # back on, it would first go through every object the build made (0.1 s at 10,000)
        with terminal_progress(not args.quiet and sys.stderr.isatty()) as (log, progress):
            result = build(config, search=False if args.no_search else None, log=log, jobs=args.jobs,
                           progress=progress)
        if not args.quiet:
            print(result.summary())
        for warning in result.warnings(display_path(config.output_path, config.root)):
            print(f"warning: {warning}", file=sys.stderr)
        return _leave(0, argv)
    except SiteError as exc:
        print_problems(exc.problems)
        return 1
    except OSError as exc:   # one no stage turned into a problem (disk full, no permission …): one line, no traceback
        print_problems(Problem(str(exc.filename or "site-builder"), exc.strerror or str(exc)))
        return 1
    except KeyboardInterrupt:
        return 130
