"""Which published notes are podcast episodes.

A note is one when it says so (frontmatter `type: podcast`/`episode`, a `type::` field or a
tag naming a podcast such as `#📥/🎙`) or when it has the shape of a Snipd export (a link to
a snip on share.snipd.com, or the `Episode metadata` fields). Saying so is enough: an
episode with no snips yet still gets its header and a place in the episodes index.
"""

from __future__ import annotations

import re
from typing import Any

from trellis.public.site import PublishedNote

SNIPD_SNIP = re.compile(r"^https?://share\.snipd\.com/snip/", re.I)
_SNIPD_LINK = re.compile(r"\]\(\s*<?https?://share\.snipd\.com/snip/", re.I)
# `**type**:: #📥/🎙`, `type:: podcast`, `- Episode title:: …`, `- Show:: …` on their own lines.
_FIELD_START = r"(?m)^[ \t>]*(?:[-*+][ \t]+)?[*_]*"
_TYPE_FIELD = re.compile(_FIELD_START + r"type[*_]*::[ \t]*(\S[^\n]*)", re.I)
_EPISODE_TITLE = re.compile(_FIELD_START + r"episode title[*_]*::", re.I)
_SHOW = re.compile(_FIELD_START + r"show[*_]*::", re.I)
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
    for match in _TYPE_FIELD.finditer(body):
        if _names_podcast(match.group(1).split(",")[0]):
            return True
    if _SNIPD_LINK.search(body):
        return True
    return bool(_EPISODE_TITLE.search(body) and _SHOW.search(body))
