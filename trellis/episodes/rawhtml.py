"""The `<audio>`/`<source>` tags of a snip as Markdown leaves them: raw HTML, in pieces.

markdown-it splits Snipd's player unpredictably: `<audio controls>` right after the play
link is inline HTML of that paragraph, `<source …>` can start an HTML block (it is a
block-level name to CommonMark) that swallows `</audio>`, and blank lines or odd spacing
split it further. So the tags are found (and removed) by pattern in every HTML piece of the
snip, whatever token holds them, and one clean player is written instead.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

AUDIO_TAG = re.compile(r"<\s*(?P<close>/)?\s*(?P<name>audio|source)\b(?P<attrs>[^>]*)>", re.I)
_ATTR = re.compile(r"""([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


@dataclass(frozen=True)
class RawSource:
    src: str  # unescaped, as written (may carry `#t=`)
    type: str
    tag: str  # "audio" (`<audio src>`) or "source"
    line: int  # lines into the HTML piece where its tag starts (0 for the first)


def tag_attributes(text: str) -> dict[str, str]:
    """`controls src="a.mp3#t=1"` -> {"controls": "", "src": "a.mp3#t=1"} (unescaped)."""
    found: dict[str, str] = {}
    for match in _ATTR.finditer(text):
        name = match.group(1).lower()
        value = next((g for g in match.groups()[1:] if g is not None), "")
        found.setdefault(name, html.unescape(value).strip())
    return found


def audio_sources(text: str) -> list[RawSource]:
    """The media addresses of every `<audio src>` and `<source src>` in `text`."""
    sources = []
    for match in AUDIO_TAG.finditer(text):
        if match.group("close"):
            continue
        attrs = tag_attributes(match.group("attrs"))
        if attrs.get("src"):
            line = text.count("\n", 0, match.start())
            sources.append(
                RawSource(attrs["src"], attrs.get("type", ""), match["name"].lower(), line)
            )
    return sources


def has_audio(text: str) -> bool:
    return AUDIO_TAG.search(text) is not None


def strip_audio(text: str) -> str:
    """`text` without its `<audio>`, `<source>` and `</audio>` tags."""
    return AUDIO_TAG.sub("", text)
