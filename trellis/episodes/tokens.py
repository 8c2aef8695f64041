"""Small reads and edits of a parsed note's tokens that the episode reader needs.

Snipd's play link is a Markdown link; its player is raw HTML that markdown-it splits across
tokens (see `rawhtml.py`); a snip's title carries a `[27:34]` marker. These helpers find and
take them out of copies of the note's tokens; nothing here keeps state.
"""

from __future__ import annotations

import re

from markdown_it.token import Token

from trellis.episodes.detect import SNIPD_SNIP
from trellis.episodes.rawhtml import has_audio, strip_audio
from trellis.markdown.plugins._tokens import plain_text

# `[🎧 Play snip - 1min️ (26:22 - 27:36)](https://share.snipd.com/snip/…)`
PLAY_TEXT = re.compile(r"play\s+snip|🎧", re.I)
# `[27:34] ` opening a snip heading (something with a digit and a colon in brackets).
MARKER = re.compile(r"^\s*\[\s*([^\]\[]*\d[^\]\[]*:[^\]\[]*|[^\]\[]*:[^\]\[]*\d[^\]\[]*)\]\s*")


def heading_text(tokens: list[Token], index: int) -> str:
    return " ".join(plain_text(tokens[index + 1].children).split())


def bare(text: str) -> str:
    """`📚 Transcript` -> `transcript`: a heading's words, for matching."""
    return " ".join(re.sub(r"[^\w\s/]", " ", text).split()).lower()


def block_end(tokens: list[Token], index: int) -> int:
    """The index after the block that opens at `index` (its matching close included)."""
    depth = 0
    position = index
    while position < len(tokens):
        depth += tokens[position].nesting
        position += 1
        if depth <= 0:
            break
    return position


def html_block(html: str) -> Token:
    token = Token("html_block", "", 0, content=html, block=True)
    token.meta = {"episode": True}
    return token


def is_blank(children: list[Token]) -> bool:
    return all(
        c.type in ("softbreak", "hardbreak") or (c.type == "text" and not c.content.strip())
        for c in children
    )


def play_link(token: Token) -> tuple[str, str, int, int] | None:
    """(href, text, open index, close index) of Snipd's play link in an inline token."""
    if token.type != "inline" or not token.children:
        return None
    children = token.children
    for index, child in enumerate(children):
        if child.type != "link_open":
            continue
        close = next(
            (i for i in range(index + 1, len(children)) if children[i].type == "link_close"),
            len(children) - 1,
        )
        href = str(child.attrGet("href") or "")
        text = plain_text(children[index + 1 : close])
        if SNIPD_SNIP.match(href) or PLAY_TEXT.search(text):
            return href, text, index, close
    return None


def strip_marker(inline: Token) -> None:
    """`[27:34] Title` -> `Title` in a snip heading (the range is shown beside it)."""
    children = inline.children or []
    if children and children[0].type == "text":
        match = MARKER.match(children[0].content)
        if match:
            children[0].content = children[0].content[match.end() :]


def clean_inline(inline: Token, remove_play_link: bool) -> bool:
    """Take the raw player (and the play link) out of a snip's inline token; True if now empty."""
    children = list(inline.children or [])
    play = play_link(inline) if remove_play_link else None
    if play is not None:
        _, _, open_index, close_index = play
        del children[open_index : close_index + 1]
    kept: list[Token] = []
    for child in children:
        if child.type == "html_inline" and has_audio(child.content):
            child.content = strip_audio(child.content)
            if not child.content.strip():
                continue
        kept.append(child)
    while kept and kept[0].type in ("softbreak", "hardbreak"):
        kept.pop(0)
    while kept and kept[-1].type in ("softbreak", "hardbreak"):
        kept.pop()
    inline.children = kept
    return is_blank(kept)
