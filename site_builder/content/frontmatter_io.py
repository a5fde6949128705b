"""Front matter: the one place that reads and writes the YAML block at the top of a content file.

Both directions go through python-frontmatter with ``FrontMatterHandler``, a ``YAMLHandler`` with the archive's
rules (../shared/docs/content-schema.md):

* the file starts with a ``---`` line (the caller strips a UTF-8 BOM when decoding; CRLF line ends read as LF);
  the front matter ends at the next line that is ``---`` (trailing spaces or tabs allowed); the body is what
  follows that line, without its leading blank lines;
* safe YAML, but timestamps are not resolved (``date: 2020-01-31`` stays the text "2020-01-31"; the loader
  validates it) and a key given twice is an error;
* every problem is a ``FrontMatterError`` that carries the line in the file;
* written: keys in the order given, Unicode as itself, block style, lines up to 1000 characters, then a blank
  line and the body.

Reading calls the handler's ``split`` and ``load`` rather than ``frontmatter.loads``: ``loads`` strips the text
(a body that starts with an indented code block would lose its indentation), hands the keys to ``Post(**meta)``
(a key ``content`` or a non-text key would be a TypeError) and drops front matter that is not a mapping.
``frontmatter.loads(text, handler=HANDLER)`` still works, with the same errors.
"""

from __future__ import annotations

import re
from typing import Any

import frontmatter
import yaml
from frontmatter.default_handlers import YAMLHandler

OPENING = "---\n"


class FrontMatterError(Exception):
    """A file whose front matter cannot be read; `line` is the file's line (1-based).

    Not a ValueError: python-frontmatter takes a ValueError from ``split`` to mean "no front matter here"."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message, self.line = message, line


class _Loader(yaml.SafeLoader):
    """SafeLoader, but timestamps stay strings (validated by the loader) and duplicate keys are errors."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)

# The same rules on libyaml's parser (about six times faster); the pure-Python one where libyaml is missing.
_FastLoader = type("_FastLoader", (getattr(yaml, "CSafeLoader", yaml.SafeLoader),), {})
_FastLoader.yaml_implicit_resolvers = {k: list(v) for k, v in _Loader.yaml_implicit_resolvers.items()}
_FastLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


class FrontMatterHandler(YAMLHandler):
    """python-frontmatter's YAML handler with the archive's syntax, YAML rules, errors and output style."""

    FM_BOUNDARY = re.compile(r"^---[ \t]*$", re.MULTILINE)   # the closing line; the opening one is exactly ---
    START_DELIMITER = END_DELIMITER = "---"
    DUMP_OPTIONS = {"Dumper": yaml.SafeDumper, "allow_unicode": True, "sort_keys": False,
                    "default_flow_style": False, "width": 1000}

    def detect(self, text: str) -> bool:
        return text.replace("\r\n", "\n").startswith(OPENING)

    def split(self, text: str) -> tuple[str, str]:
        """(YAML text, body); the YAML text starts on the file's line 2."""
        text = text.replace("\r\n", "\n")
        if not text.startswith(OPENING):
            raise FrontMatterError("missing front matter: the file must start with a '---' line", 1)
        end = self.FM_BOUNDARY.search(text, len(OPENING))
        if not end:
            raise FrontMatterError("front matter is not closed by a '---' line", 1)
        return text[len(OPENING):end.start()], text[end.end():].lstrip("\n")

    def load(self, fm: str, first_line: int = 2, **kwargs: object) -> dict[str, Any]:
        """The mapping in `fm` (YAML text whose first line is the file's line `first_line`)."""
        try:
            try:
                meta = yaml.load(fm, Loader=_FastLoader)
            except yaml.YAMLError:   # the pure-Python loader words its errors better: report those
                meta = yaml.load(fm, Loader=_Loader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise FrontMatterError(f"invalid YAML in front matter: {reason}",
                                   mark.line + first_line if mark else first_line - 1) from None
        if meta is None:
            return {}
        if not isinstance(meta, dict):
            raise FrontMatterError("front matter must be a mapping of keys to values", first_line)
        return meta

    def export(self, metadata: dict[str, object], **kwargs: object) -> str:
        """The YAML text, ending with a newline, in the order of `metadata`."""
        return yaml.dump(metadata, **{**self.DUMP_OPTIONS, **kwargs})

    def format(self, post: frontmatter.Post, **kwargs: object) -> str:
        """``---``, the YAML, ``---``, a blank line, the body exactly as given (python-frontmatter's own
        template strips the body)."""
        return f"{self.START_DELIMITER}\n{self.export(post.metadata, **kwargs)}{self.END_DELIMITER}\n\n{post.content}"


HANDLER = FrontMatterHandler()


def read(text: str) -> tuple[dict[str, Any], str]:
    """(front matter, body) of a content file's text; raises FrontMatterError naming the file's line."""
    fm, body = HANDLER.split(text)
    return HANDLER.load(fm), body


def write(front: dict[str, Any], body: str) -> str:
    """The text of a content file: `front` as YAML front matter in its own key order, then `body`."""
    post = frontmatter.Post(body, HANDLER)
    post.metadata = front   # not Post(**front): that would copy the mapping and needs text keys
    return frontmatter.dumps(post, handler=HANDLER)


def key_lines(text: str) -> dict[str, int]:
    """The line of each top-level front-matter key ('year: abc' → its line), for problems about a field."""
    lines: dict[str, int] = {}
    end = text.find("\n---", 3)
    head = text if end < 0 else text[:end + 5]   # the front matter (and its closing line), not the body
    for number, line in enumerate(head.replace("\r\n", "\n").split("\n")[1:], 2):
        if re.match(r"^---[ \t]*$", line):
            break
        m = re.match(r"^['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?[ \t]*:", line)
        if m:
            lines.setdefault(m.group(1), number)
    return lines
