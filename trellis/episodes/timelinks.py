"""Timestamps in an episode's text become links that seek its audio.

`[06:01]`, `(1:02:03)` and chapter lines (`1 00:00 Welcome`) are found by
`trellis.markdown.plugins.timestamps.find_timestamps`, in Markdown text and in raw HTML
(Snipd's show notes are one HTML block of `<br/>`-separated lines). Never inside links,
code, inline-field keys or the HTML this package writes itself. A link points at the audio
file with `#t=` (which opens it there without JavaScript); `episode.js` seeks the page's
player instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it.token import Token

from trellis.episodes import html as pieces
from trellis.markdown.plugins.timestamps import find_timestamps

# Turns one time (seconds, text as written) into the HTML of a link.
LinkMaker = Callable[[float, str], str]


def link_timestamps(tokens: list[Token], audio: str) -> None:
    """Make the timestamps in `tokens` seek `audio` (tokens are changed in place)."""

    def link(seconds: float, text: str) -> str:
        return pieces.timestamp_link(audio, seconds, text)

    for token in tokens:
        if token.type == "html_block" and not token.meta.get("episode"):
            token.content = link_times_in_html(token.content, link)
        elif token.type == "inline" and token.children:
            token.children = _link_children(token.children, link)


_NO_LINKS_IN = {
    "link_open": "link_close",
    "wikilink_open": "wikilink_close",
    "inline_field_key_open": "inline_field_key_close",
}


def _link_children(children: list[Token], link: LinkMaker) -> list[Token]:
    out: list[Token] = []
    depth = 0
    html_anchor = 0
    line_start = True
    for child in children:
        if child.type in _NO_LINKS_IN:
            depth += 1
        elif child.type in _NO_LINKS_IN.values():
            depth = max(0, depth - 1)
        elif child.type == "html_inline":
            if re.match(r"<a\b", child.content, re.I):
                html_anchor += 1
            elif re.match(r"</a\s*>", child.content, re.I):
                html_anchor = max(0, html_anchor - 1)
        if child.type == "text" and depth == 0 and html_anchor == 0:
            out.extend(_split_text(child, line_start, link))
        else:
            out.append(child)
        line_start = child.type in ("softbreak", "hardbreak") or (
            child.type == "html_inline" and re.match(r"<br\b", child.content, re.I) is not None
        )
    return out


def _split_text(child: Token, line_start: bool, link: LinkMaker) -> list[Token]:
    found = find_timestamps(child.content, at_line_start=line_start)
    if not found:
        return [child]
    out: list[Token] = []
    position = 0
    text = child.content
    for stamp in found:
        if stamp.start > position:
            out.append(Token("text", "", 0, content=text[position : stamp.start]))
        html = link(stamp.seconds, stamp.label)
        out.append(Token("html_inline", "", 0, content=html, meta={"episode": True}))
        position = stamp.end
    if position < len(text):
        out.append(Token("text", "", 0, content=text[position:]))
    return out


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
