"""The content model: discover content files, parse them, and freeze them into one ``Site``."""

from site_builder.content.model import Document, Region, Site
from site_builder.content.loader import load_site

__all__ = ["Document", "Region", "Site", "load_site"]
