"""English counts in the CLI's messages: "1 document", "2 documents" (never "1 documents")."""

from __future__ import annotations


def count(n: int, noun: str) -> str:
    """count(1, "document") → '1 document'; count(3, "document") → '3 documents'; thousands not grouped."""
    return f"{n} {noun if n == 1 else noun + 's'}"
