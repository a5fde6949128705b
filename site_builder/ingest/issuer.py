"""The issuing body: who signed or compiled the document, as the text writes it.

Strongest evidence first: the page's 发布机构 field, the organ that opens the title (`XX局2020年…`, `XX关于…`), the
红头 organ line, the 信息来源 field, the signature (organ over or beside the date at the end), the subject of
the report's first sentence (`2020年，抚远市生态环境局认真贯彻…`). A field that names only a place (`来源：正阳镇`)
means that place's government; a bare `自治区人民政府办公厅` takes the province the title names. A title that
names only a place (`河北省2020年…年度报告`) names no issuer.
"""

from __future__ import annotations

import re

from .fields import CJK, ORG_SUFFIX, normalise_org, org_from_title, org_line, parse_date, suffixes_end, valid_source
from .header import Header

_ORG_AFTER_YEAR = re.compile(rf"^(?:19|20)\d{{2}}\s*年度?(?P<org>[{CJK}]{{2,20}}?(?:{ORG_SUFFIX}|政府))")
_SUBJECT = re.compile(rf"(?:19|20)\d{{2}}\s*年度?\s*[,，]\s*(?P<org>[{CJK}]{{2,30}}?{ORG_SUFFIX})")
_SIGNATURE = re.compile(rf"^(?P<org>[{CJK}()（）]{{2,40}}?{ORG_SUFFIX})\s+(?:19|20)\d{{2}}\s*年\d{{1,2}}月\d{{1,2}}日")
_TOWN = re.compile(rf"(?P<place>[{CJK}]{{1,10}}?(?:街道|镇|乡|苏木))$")
_COUNTY = re.compile(rf"^[{CJK}]{{1,12}}(?:省|自治区|市|县|区|旗|州|盟)$")
_BARE_LEVEL = re.compile(r"^(自治区|省|市|县|区|旗)(?=人民政府|政府|办公厅|办公室)")
_PLACE_PREFIX = re.compile(rf"^([{CJK}]{{2,12}}?(?:省|市|县|区|州|盟|旗|新区|示范区|实验区|开发区))")
_TITLE_PLACE = re.compile(rf"^[{CJK}]{{1,12}}?(?:自治区|省|市|县|区|旗)")


def government_of(place: str) -> str | None:
    """`正阳镇` → 正阳镇人民政府, `天长市永丰镇` → 永丰镇人民政府, `科苑街道` → 科苑街道办事处."""
    m = _TOWN.search(place)
    if m:
        town = re.sub(rf"^.*(?:省|自治区|市|县|区|旗)(?=[{CJK}]{{2,}}$)", "", m.group("place"))
        return town + ("办事处" if town.endswith("街道") else "人民政府")
    if _COUNTY.match(place):
        return place + "人民政府"
    return None


def _complete(org: str, title: str | None) -> str:
    """`自治区人民政府办公厅` on 西藏自治区's page → 西藏自治区人民政府办公厅."""
    m = _BARE_LEVEL.match(org)
    if not m or not title:
        return org
    place = _TITLE_PLACE.match(title)
    if place and place.group(0).endswith(m.group(1)) and place.group(0) != m.group(1):
        return place.group(0) + org[len(m.group(1)):]
    return org


def _from_field(value: str, title: str | None) -> str | None:
    if not valid_source(value):
        return None
    org = normalise_org(value)
    return government_of(org) or _complete(org, title)


def _whole_org(text: str, m: re.Match) -> str:
    """A lazily matched organ, extended over suffixes that follow at once (人民政府 + 办公室)."""
    return text[m.start("org"):suffixes_end(text, m.end("org"))]


def _from_title_year(title: str, body_text: str) -> str | None:
    """`2019年度青龙镇政府(机关)信息公开年度报告` → 青龙镇人民政府 when the body writes the full name."""
    m = _ORG_AFTER_YEAR.match(title)
    if not m:
        return None
    org = _whole_org(title, m)
    if org.endswith("政府") and not org.endswith("人民政府") and org[:-2] + "人民政府" in body_text:
        return org[:-2] + "人民政府"
    return normalise_org(org)


def _from_signature(body_lines: list[str]) -> str | None:
    tail = [line.strip() for line in body_lines if line.strip()][-12:]
    for k, s in enumerate(tail):
        m = _SIGNATURE.match(s)
        if m:
            return normalise_org(m.group("org"))
        org = org_line(s)
        if org and any(parse_date(x) for x in tail[k + 1:k + 3]):
            return org
    return None


def _from_subject(body_lines: list[str]) -> str | None:
    paragraphs = [line.strip() for line in body_lines if len(line.strip()) > 30][:4]
    for p in paragraphs:
        m = _SUBJECT.search(p[:80])
        if m:
            return normalise_org(_whole_org(p, m))
    return None


def pick_issuer(header: Header, meta, title: str | None, body_lines: list[str], body_text: str):
    """(issuing body or None, a warning or None)."""
    for lab in header.labelled:
        if lab.key == "publisher":
            org = _from_field(lab.value, title)
            if org:
                return org, None
    org = org_from_title(title) or (_from_title_year(title, body_text) if title else None)
    if org:
        return _complete(org, title), None
    for s in [line.strip() for line in body_lines if line.strip()][:10]:
        if len(s) > 80:
            break
        org = org_line(s)
        if org:
            return org, None
    for value in [lab.value for lab in header.labelled if lab.key == "source"] + [meta.source if meta else None]:
        org = _from_field(value or "", title)
        if org:
            return org, None
    org = _from_signature(body_lines) or _from_subject(body_lines)
    if org:
        return org, None
    org = _from_title_place(title, body_text)
    if org:
        return org, "issuing_body: not stated; inferred from the body text"
    return None, "issuing_body: not found"



def _from_title_place(title: str | None, body_text: str) -> str | None:
    """`沈抚新区2018年度…报告` and a body that speaks of 沈抚新区管委会: that body."""
    m = _PLACE_PREFIX.match(title or "")
    if not m:
        return None
    place = m.group(1)
    found = re.search(rf"{re.escape(place)}(?:[{CJK}]{{1,6}}、)?(人民政府办公室|人民政府办公厅|人民政府|管委会|管理委员会)",
                      body_text)
    return place + found.group(1) if found else None
