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
from collections.abc import Callable
from dataclasses import dataclass

from trellis.markdown.plugins.timestamps import find_timestamps

# Turns one time (seconds, text as written) into the HTML of a link.
LinkMaker = Callable[[float, str], str]

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


# Text after these tags starts a new line as a reader sees it (chapter lists in show notes).
_LINE_TAGS = frozenset(
    {"br", "p", "div", "li", "ul", "ol", "summary", "details", "blockquote", "tr", "td", "th"}
    | {"dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_SKIP_TAGS = frozenset({"a", "code", "pre", "audio", "video", "script", "style", "kbd"})
_TAG = re.compile(r"<(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)[^>]*>|<!--.*?-->", re.S)


def link_times_in_html(text: str, link: LinkMaker) -> str:
    """`text` (raw HTML) with the timestamps of its text parts made into links."""
    out: list[str] = []
    position = 0
    skip = 0
    line_start = True
    for match in _TAG.finditer(text):
        if skip == 0:
            out.append(_link_segment(text[position : match.start()], line_start, link))
        else:
            out.append(text[position : match.start()])
        out.append(match.group(0))
        position = match.end()
        name = (match.group(2) or "").lower()
        closing = match.group(1) == "/"
        if name in _SKIP_TAGS and not match.group(0).endswith("/>"):
            skip = max(0, skip - 1) if closing else skip + 1
        if name in _LINE_TAGS:
            line_start = True
        elif name:
            line_start = False
    rest = text[position:]
    out.append(_link_segment(rest, line_start, link) if skip == 0 else rest)
    return "".join(out)


def _link_segment(segment: str, line_start: bool, link: LinkMaker) -> str:
    if not segment.strip():
        return segment
    found = find_timestamps(segment, at_line_start=line_start)
    if not found:
        return segment
    out = []
    position = 0
    for stamp in found:
        out.append(segment[position : stamp.start])
        out.append(link(stamp.seconds, stamp.label))
        position = stamp.end
    out.append(segment[position:])
    return "".join(out)
