"""site_builder: a static archive of Chinese government information-disclosure documents.

Pipeline (one module per stage): ingest → content model → listings → urls → render → output → search.
"""

__version__ = "0.1.0"
