"""Raw bytes → text.

Order of evidence: a byte-order mark; strict UTF-8 (valid UTF-8 is almost never anything else, and pages saved
from a browser are often re-encoded to UTF-8 while keeping a stale ``<meta charset=gb2312>``); the HTML's own
charset declaration; GB18030 (a superset of GB2312/GBK); finally charset-normalizer's guess. Anything that is
empty, binary (NUL bytes, many control characters) or still undecodable raises DecodeError with a one-line
message.
"""

from __future__ import annotations

import codecs
import re


class DecodeError(Exception):
    """The input is not a readable text document (message is one line, for ``path: message``)."""


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_XML_DECL = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""", re.I)

# GB2312 and GBK are subsets of GB18030; decoding as GB18030 never loses anything they encode.
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "hz",
    "utf8": "utf-8",
    "unicode": "utf-8",
    "big5-hkscs": "big5hkscs",
    "x-big5": "big5",
}


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML/XML document declares in its first 4 KB, normalised for Python, or None."""
    head = data[:4096]
    m = _META_CHARSET.search(head) or _XML_DECL.search(head)
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").strip().lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return None
    # A declaration read as ASCII bytes cannot be true of UTF-16 or UTF-32 (their text has NUL bytes between the
    # letters): the page is ASCII-compatible, and browsers read it as UTF-8 (HTML standard, "prescan").
    return "utf-8" if name.startswith(("utf-16", "utf-32")) else name


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > max(8, len(sample) // 100)


def _bad_text(text: str) -> bool:
    """Decoded but not text: many control or replacement characters."""
    if not text.strip():
        return False
    sample = text[:20000]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f") or ch == "\ufffd")
    return bad > max(8, len(sample) // 50)


def decode_bytes(data: bytes, is_html: bool = False) -> tuple[str, str]:
    """Return (text, encoding name). Raises DecodeError."""
    if not data or data.isspace():  # (no .strip(): that would copy a big file)
        raise DecodeError("empty file")
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as e:
                raise DecodeError(f"cannot decode as {enc} despite its byte-order mark ({e.reason})") from None
            return _finish(text, enc)
    if _looks_binary(data):
        raise DecodeError("binary file, not a text or HTML document")

    candidates: list[str] = ["utf-8"]
    declared = declared_charset(data) if (is_html or data[:4096].lstrip()[:1] == b"<") else None
    if declared and declared not in candidates:
        candidates.append(declared)
    if "gb18030" not in candidates:
        candidates.append("gb18030")
    for enc in candidates:
        try:
            text = data.decode(enc)
        except (UnicodeError, LookupError):   # also a declared codec that is no charset ("undefined", "idna")
            continue
        if enc == "gb18030" and not _plausible_chinese(text):
            continue
        return _finish(text, enc)
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # pragma: no cover - defensive: a detector crash is still "undecodable"
        best = None
    if best is not None and best.encoding:
        return _finish(str(best), best.encoding)
    raise DecodeError("cannot decode: not UTF-8, GB18030 or a declared charset")


def _plausible_chinese(text: str) -> bool:
    """GB18030 decodes almost any byte string; accept it only when the result is mostly common text."""
    sample = text[:20000]
    if not sample:
        return False
    ok = 0
    for ch in sample:
        o = ord(ch)
        if o < 128 or 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or 0x2000 <= o <= 0x206F:
            ok += 1
    return ok / len(sample) > 0.9


def _finish(text: str, enc: str) -> tuple[str, str]:
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise DecodeError("empty file")
    if _bad_text(text):
        raise DecodeError(f"binary or corrupt file (decoded as {enc} but full of control characters)")
    return text, enc
