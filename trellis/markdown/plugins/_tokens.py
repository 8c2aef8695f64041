"""Helpers that several plugins share for walking a parsed token stream."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from markdown_it.token import Token


def children_with_lines(tokens: list[Token]) -> Iterator[tuple[Token, Token, int]]:
    """(inline token, child, 0-based source line) for every inline child of the document.

    markdown-it only maps block tokens to lines; a child's line is its block's first line
    plus the line breaks before it.
    """
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        line = token.map[0] if token.map else 0
        for child in token.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            yield token, child, line


def link_context(inline: Token, limit: int = 240) -> str:
    """The readable text around a link: its block's plain text, shortened to `limit`.

    Computed once per block and kept in the token's meta: a paragraph often holds many links.
    """
    cached = inline.meta.get("link_context")
    if cached is None:
        text = " ".join(plain_text(inline.children, readable=True).split())
        cached = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
        inline.meta["link_context"] = cached
    return cached


def note_line(env: dict[str, Any], line: int) -> int:
    """A 0-based line of the Markdown body as a 1-based line of the note's file."""
    return int(env.get("line_offset", 0)) + line + 1


def plain_text(children: list[Token] | None, readable: bool = False) -> str:
    """The visible text of inline children (what a heading or alias reads as).

    `readable` (descriptions, backlink context, feed summaries) keeps the word boundaries the
    page shows: the `: ` the renderer writes after an inline field's key (`up: 📥 Sources`,
    not `up📥 Sources`), and a space where an embed was. Headings' ids keep the bare text.
    """
    parts: list[str] = []
    for child in children or []:
        if child.type in ("text", "code_inline", "math_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif readable and child.type == "inline_field_key_close":
            parts.append(": ")
        elif readable and child.type in ("wikiembed", "image"):
            parts.append(" ")
        elif child.children:
            parts.append(plain_text(child.children, readable))
    return "".join(parts)
