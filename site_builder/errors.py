"""One error format for every command and the dev-server overlay: ``path[:line]: message``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """An input problem: what is wrong, in which file, on which line (when known)."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return _one_line(f"{where}: {self.message}")


def _one_line(text: str) -> str:
    """Line breaks and control characters from a file name or value shown escaped (\\n, \\x1b): one problem is
    one line, and no terminal escape sequence from content reaches the terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def print_problems(problems, stream=None) -> None:
    """The one printer of problems: one `path[:line]: message` line each, on stderr unless told otherwise."""
    import sys

    stream = stream or sys.stderr
    for problem in problems if isinstance(problems, (list, tuple)) else [problems]:
        stream.write(f"{problem}\n")
    stream.flush()


class SiteError(Exception):
    """Raised with every problem found, so a run can report them all at once."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__("\n".join(str(p) for p in self.problems))


def display_path(path: Path | str, root: Path | None = None) -> str:
    """A path as the user should read it: relative to the project root where possible."""
    path = Path(path)
    if root is not None:
        try:  # abspath, not resolve: a symbolic link is named as itself, not as its target
            return str(Path(os.path.abspath(path)).relative_to(_resolved(Path(os.path.abspath(root)))))
        except ValueError:
            pass
    return str(path)


@lru_cache(maxsize=8)
def _resolved(root: Path) -> Path:
    return root.resolve()   # once per root: called for every content file
