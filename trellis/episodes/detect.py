"""Which published notes are podcast episodes.

A note is one when it says so (frontmatter `type: podcast`/`episode`, a `type::` field or a
tag naming a podcast such as `#📥/🎙`) or when it has the shape of a Snipd export (a link to
a snip on share.snipd.com, or the `Episode metadata` fields). Saying so is enough: an
episode with no snips yet still gets its header and a place in the episodes index.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from trellis.public.site import PublishedNote

SNIPD_SNIP = re.compile(r"^https?://share\.snipd\.com/snip/", re.I)
_SNIPD_LINK = re.compile(r"\]\(\s*<?https?://share\.snipd\.com/snip/", re.I)
# `**type**:: #📥/🎙`, `type:: podcast`, `- Episode title:: …`, `- Show:: …` on their own lines.
_FIELD_START = r"(?m)^[ \t>]*(?:[-*+][ \t]+)?[*_]*"
_TYPE_FIELD = re.compile(_FIELD_START + r"type[*_]*::[ \t]*(\S[^\n]*)", re.I)
_EPISODE_TITLE = re.compile(_FIELD_START + r"episode title[*_]*::", re.I)
_SHOW = re.compile(_FIELD_START + r"show[*_]*::", re.I)
# The same three fields, matched on a line's text before its first colon (`_fields`): a field
# name holds no colon, so a field's `::` is the line's first colon. Scanning every line of
# every note with the three patterns above took 1.5 s at 10,000 notes; finding `::` first,
# a tenth of that.
_FIELD_NAME = re.compile(
    r"[ \t>]*(?:[-*+][ \t]+)?[*_]*(?:(type)|(episode title)|(show))[*_]*", re.I
)
_TYPE, _TITLE, _SHOW_NAME = 1, 2, 3
# A tag `#tv/episode` is no podcast; a frontmatter `type: episode` in a podcast vault is.
_TAG_WORDS = frozenset({"podcast", "podcasts", "podcast-episode", "podcast_episode", "snipd"})
_TYPE_WORDS = _TAG_WORDS | {"episode"}
_MIC = ("🎙", "🎧")  # `🎙️` is the same character with a variation selector


def _names_podcast(value: str, words: frozenset[str] = _TYPE_WORDS) -> bool:
    """`#📥/🎙`, `podcast`, `Podcast Episode`, `sources/podcasts` all name a podcast."""
    value = value.strip().lstrip("#").strip().lower()
    if not value:
        return False
    if any(mic in value for mic in _MIC):
        return True
    last = value.rsplit("/", 1)[-1].strip().replace(" ", "-")
    return last in words


def _values(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(item) for item in value if isinstance(item, str | int)]
    return []


def looks_like_episode(note: PublishedNote) -> bool:
    """True for a podcast episode note (see the module docstring for what counts).

    Reads the frontmatter, the tags and the note's text, never its tokens, so telling the
    episodes apart does not make a build parse notes it could take from its cache.
    """
    meta = note.meta
    for key in ("type", "category", "kind"):
        if any(_names_podcast(v) for v in _values(meta.get(key))):
            return True
    if any(_names_podcast(tag, _TAG_WORDS) for tag in note.tags):
        return True
    body = note.source.body
    fields = list(_fields(body))
    for field, value in fields:
        if field == _TYPE and _names_podcast(value.split(",")[0]):
            return True
    if _SNIPD_LINK.search(body):
        return True
    found = {field for field, _ in fields}
    return _TITLE in found and _SHOW_NAME in found


def _fields(body: str) -> Iterator[tuple[int, str]]:
    """(which field, the value after `::`) of each line of `body` that `_TYPE_FIELD`,
    `_EPISODE_TITLE` or `_SHOW` matches; a `type` value is that of `_TYPE_FIELD`'s group,
    the others are not used."""
    at = body.find("::")
    while at != -1:
        start = body.rfind("\n", 0, at) + 1
        end = body.find("\n", at)
        end = len(body) if end == -1 else end
        colon = body.find(":", start, end)
        if body.startswith("::", colon):
            match = _FIELD_NAME.fullmatch(body, start, colon)
            if match is not None:
                field = match.lastindex or 0
                value = body[colon + 2 : end].lstrip(" \t")
                if field != _TYPE or (value and not value[0].isspace()):
                    yield field, value
        at = body.find("::", end)
