"""Inline `#tags`: `#tag`, `#nested/tag`, `#árbol`, `#日本語`, `#📥/🎙`.

A tag is `#` followed by Obsidian's own tag characters: anything but whitespace, the
General and Supplemental Punctuation blocks (U+2000–U+206F, U+2E00–U+2E7F) and ASCII
punctuation other than `-`, `_` and `/`. So a tag stops at `,.;:!?()[]"'` and the like,
and it needs one character that is not an ASCII digit (`#1984` is text, `#y1984` a tag).
Two choices of ours where Obsidian is vague: a tag neither starts nor ends with `/` (the
slash stays text, so no tag page is named by an empty segment), and a `#` counts only where
Obsidian starts a tag: at the start of the text, after whitespace or `(`, right inside an
emphasis, strikethrough or highlight opener (`**#tag**`), at the start of a link's text, or
right after a link, code span or HTML tag. Elsewhere (`a#b`, `https://x.org/#frag`,
`page.html#part`, `C#`) it is text; code, links, URLs and entities are consumed by their own
rules before this one sees their `#`, and `# Heading` is a heading before inline parsing.
A markdown-it-attrs block ending a line (`{ #75f403}`, `{ #id .class}`, as the Digital
Garden plugin writes block ids) holds no tag: it is the block id plugin's to read.

Tokens: `tag_open` (with `meta["tag"]`, the tag as written, no `#`), a text token `#tag`,
`tag_close`; rendered `<a href="…" class="tag" data-tag="…">#tag</a>` with the href from
the `tag_href` callback. Inside a link's text a tag cannot be a link: it renders as a
`<span class="tag">`. After inline parsing, each tag is added to `env["content"].tags`
once (compared case-insensitively, as Obsidian groups tags; the first spelling is kept).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from trellis.markdown.canonical import escape_attr

TagHref = Callable[[str], str]

# markdown-it-attrs on a line of its own (the same pattern as trellis.markdown.plugins.block_ids).
ATTRS_LINE = re.compile(r"^\{:?\s*((?:[#.][^\s{}]+\s*)+)\}[ \t]*$")

# Obsidian's tag body (the character class of its own tag pattern).
_TAG_BODY = re.compile(r"[^\u2000-\u206F\u2E00-\u2E7F'!\"#$%&()*+,.:;<=>?@^`{|}~\[\]\\\s]+")
_NOT_DIGIT = re.compile(r"[^0-9]")
_OPENING_PUNCTUATION = "("
# Tokens after which a `#` starts a new stretch of text in Obsidian's reading view.
_CHUNK_ENDS = frozenset(
    {
        "code_inline",
        "link_open",
        "link_close",
        "wikilink_open",
        "wikilink_close",
        "wikiembed",
        "html_inline",
    }
)
_DELIMITER_CHARS = frozenset("*_~=")
_SEEN = "_trellis_tags_seen"  # set in `env` once a tag is found: the core rule can skip notes


def _starts_chunk(state: StateInline) -> bool:
    """Whether a `#` at `state.pos` is where Obsidian would look for a tag."""
    pos = state.pos
    if pos == 0:
        return True
    previous = state.src[pos - 1]
    if previous.isspace() or previous in _OPENING_PUNCTUATION:
        return True
    if state.pending or not state.tokens:
        return False
    last = state.tokens[-1]
    if last.type in _CHUNK_ENDS:
        return True
    # `**#tag**`: the `**` is still a text token waiting to become an emphasis opener.
    if last.type == "text" and last.content and set(last.content) <= _DELIMITER_CHARS:
        delimiters = state.delimiters
        return (
            bool(delimiters)
            and delimiters[-1].token == len(state.tokens) - 1
            and delimiters[-1].open
        )
    return False


def scan_tag(src: str, start: int, end: int) -> str | None:
    """The tag (without `#`) whose `#` is at `src[start]`, or None if there is none."""
    match = _TAG_BODY.match(src, start + 1, end)
    if match is None:
        return None
    tag = match.group().rstrip("/")
    if not tag or tag.startswith("/") or not _NOT_DIGIT.search(tag):
        return None
    return tag


def _in_attrs_line(src: str, pos: int) -> bool:
    """Whether the `#` at `pos` sits in a `{ #id .class }` that ends its line (block ids)."""
    brace = src.rfind("{", src.rfind("\n", 0, pos) + 1, pos)
    end = src.find("\n", pos)
    return brace >= 0 and ATTRS_LINE.match(src[brace : end if end >= 0 else len(src)]) is not None


def _tag_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "#" or not _starts_chunk(state):
        return False
    if state.src[state.pos - 1 : state.pos] in (" ", "{") and _in_attrs_line(state.src, state.pos):
        return False
    tag = scan_tag(state.src, state.pos, state.posMax)
    if tag is None:
        return False
    if not silent:
        meta = {"tag": tag, "in_link": False}
        state.env[_SEEN] = True
        opener = state.push("tag_open", "a", 1)
        opener.meta = meta
        opener.markup = "#"
        text = state.push("text", "", 0)
        text.content = "#" + tag
        closer = state.push("tag_close", "a", -1)
        closer.meta = meta
    state.pos += 1 + len(tag)
    return True


def _link_depth_change(token: Token) -> int:
    if token.type in ("link_open", "wikilink_open"):
        return 1
    if token.type in ("link_close", "wikilink_close"):
        return -1
    return 0


def _finish_tags(state: StateCore) -> None:
    """Core rule: mark tags inside link text (they cannot be links themselves), and list
    each tag of the note once, in order, in `env["content"].tags`."""
    if not state.env.pop(_SEEN, False):
        return
    content = state.env.get("content")
    seen = {tag.lower() for tag in content.tags} if content is not None else set()
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        depth = 0
        for child in token.children:
            depth += _link_depth_change(child)
            if child.type != "tag_open":
                continue
            child.meta["in_link"] = depth > 0
            tag = child.meta["tag"]
            if content is not None and tag.lower() not in seen:
                seen.add(tag.lower())
                content.tags.append(tag)


def tags_plugin(md: MarkdownIt, tag_href: TagHref, **options: Any) -> None:
    md.inline.ruler.before("link", "tag", _tag_rule)
    md.core.ruler.after("inline", "tags_finish", _finish_tags)

    def render_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        meta = tokens[idx].meta
        data = escape_attr(meta["tag"])
        if meta["in_link"]:
            return f'<span class="tag" data-tag="{data}">'
        href = escape_attr(tag_href(meta["tag"]))
        return f'<a href="{href}" class="tag" data-tag="{data}">'

    def render_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        return "</span>" if tokens[idx].meta["in_link"] else "</a>"

    md.add_render_rule("tag_open", render_open)
    md.add_render_rule("tag_close", render_close)
