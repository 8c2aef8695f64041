"""The Dataview fields of a note (`- Show:: The Slow Garden`), with their text and links.

`env["inline_fields"]` holds each field's Markdown source; a header needs more: the text a
reader sees (`[[Mara Field]]` reads `Mara Field`) and the address in a link field
(`[open](https://…)`). Both come from the field's parsed value tokens.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from markdown_it.token import Token

from trellis.markdown.plugins._tokens import plain_text

_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d %Y",
    "%b %d %Y",
)
_BARE_URL = re.compile(r"https?://[^\s<>()\[\]]+")


@dataclass(frozen=True)
class FieldValue:
    key: str  # as written (`Owner / Host`)
    source: str  # the value's Markdown
    text: str  # what it reads as
    urls: tuple[str, ...] = field(default=())  # http(s) addresses in it, in order


def web_url(url: str) -> str:
    """`url` when it is an http(s) address (safe to write in an href), else ""."""
    url = url.strip()
    parts = urlsplit(url)
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


def read_fields(tokens: list[Token]) -> dict[str, FieldValue]:
    """Every field of the note by lowercased key; the first one wins, as in Dataview."""
    fields: dict[str, FieldValue] = {}
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        children = token.children
        for index, child in enumerate(children):
            if child.type != "inline_field_open":
                continue
            value = _value_children(children, index)
            key = str(child.meta.get("key", ""))
            source = str(child.meta.get("value", ""))
            urls = [str(c.attrGet("href") or "") for c in value if c.type == "link_open"]
            urls += _BARE_URL.findall(source)
            found = FieldValue(
                key,
                source,
                " ".join(plain_text(value).split()),
                tuple(dict.fromkeys(u for u in map(web_url, urls) if u)),
            )
            fields.setdefault(key.strip().lower(), found)
    return fields


def _value_children(children: list[Token], start: int) -> list[Token]:
    """The tokens between this field's `inline_field_value_open` and its close."""
    depth = 0
    inside: list[Token] = []
    collecting = False
    for child in children[start + 1 :]:
        if child.type == "inline_field_open":
            depth += 1
        elif child.type == "inline_field_close":
            if depth == 0:
                break
            depth -= 1
        if depth == 0 and child.type == "inline_field_value_open":
            collecting = True
            continue
        if depth == 0 and child.type == "inline_field_value_close":
            collecting = False
            continue
        if collecting:
            inside.append(child)
    return inside


def first_field(fields: dict[str, FieldValue], *keys: str) -> FieldValue | None:
    for key in keys:
        found = fields.get(key)
        if found is not None and (found.text or found.urls):
            return found
    return None


def parse_date(value: Any) -> dt.date | None:
    """A publication date as notes write it (`2024-03-14`, `March 14, 2024`, YAML dates)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    candidates = [text, text[:10]]
    for candidate in candidates:
        for pattern in _DATE_FORMATS:
            try:
                return dt.datetime.strptime(candidate, pattern).date()
            except ValueError:
                continue
    return None
