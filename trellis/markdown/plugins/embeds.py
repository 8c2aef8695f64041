"""Rendering `![[...]]`: media files by extension, notes through a callback.

A note embed is a block (`<div class="internal-embed markdown-embed">`). When it stands
alone in a paragraph the paragraph is dropped; when text surrounds it the paragraph is
closed around it, so the HTML stays well-formed. Inline elements open where the embed
stands (`*a ![[Note]] b*`, link text, an inline field) are closed before the block and
opened again after it, as they were: the text around the embed keeps its look, the embedded
note does not take it, and no block ends up inside an inline element (nor a link in a link).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from trellis.markdown.canonical import escape_attr, escape_text
from trellis.markdown.plugins.media import ResolveFile, media_html, media_kind

EmbedNote = Callable[[str, dict[str, Any]], str]
RenderRule = Callable[[list[Token], int, Any, dict], str]


def _is_note_embed(token: Token) -> bool:
    return token.type == "wikiembed" and media_kind(token.meta["target"]) is None


def _mark_block_embeds(state: StateCore) -> None:
    """Hide paragraphs that hold nothing but note embeds; flag the others to be split."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "inline" or not token.children or index == 0:
            continue
        if tokens[index - 1].type != "paragraph_open":
            continue
        embeds = [c for c in token.children if _is_note_embed(c)]
        if not embeds:
            continue
        rest = [c for c in token.children if not _is_note_embed(c)]
        if all(
            c.type in ("softbreak", "hardbreak") or (c.type == "text" and not c.content.strip())
            for c in rest
        ):
            tokens[index - 1].hidden = True
            tokens[index + 1].hidden = True
            token.children = embeds
        elif not tokens[index - 1].hidden:  # a tight list's paragraph writes no <p> to split
            for embed in embeds:
                embed.meta["split_paragraph"] = True


def _open_elements(tokens: list[Token], idx: int) -> list[int]:
    """Indices of the inline elements still open at `tokens[idx]`, outermost first."""
    stack: list[int] = []
    for index in range(idx):
        nesting = tokens[index].nesting
        if nesting == 1:
            stack.append(index)
        elif nesting == -1 and stack:
            stack.pop()
    return stack


def _closer(tokens: list[Token], opener: int) -> int | None:
    """The index of the token that closes `tokens[opener]` (markdown-it balances them)."""
    depth = 0
    for index in range(opener, len(tokens)):
        depth += tokens[index].nesting
        if depth == 0:
            return index
    return None


def _render_one(renderer: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
    """`tokens[idx]` exactly as the renderer writes it (plugins' rules included), so a
    reopened link is the same `<a>` (or unresolved `<span>`) as the one closed."""
    rule: RenderRule | None = renderer.rules.get(tokens[idx].type)
    if rule is not None:
        return rule(tokens, idx, options, env)
    return str(renderer.renderToken(tokens, idx, options, env))


def embeds_plugin(md: MarkdownIt, resolve_file: ResolveFile, embed_note: EmbedNote) -> None:
    md.core.ruler.push("block_embeds", _mark_block_embeds)

    def render(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
        token = tokens[idx]
        target: str = token.meta["target"]
        kind = media_kind(target)
        if kind is None:
            html = embed_note(target, env)
            if token.meta.get("split_paragraph"):
                html = f"</p>{html}<p>"
            opened = _open_elements(tokens, idx)
            if not opened:
                return html
            closes = []
            for opener in reversed(opened):
                closer = _closer(tokens, opener)
                closes.append(
                    f"</{tokens[opener].tag}>"
                    if closer is None
                    else _render_one(self, tokens, closer, options, env)
                )
            reopens = [_render_one(self, tokens, opener, options, env) for opener in opened]
            return "".join(closes) + html + "".join(reopens)
        path, _, fragment = target.partition("#")
        resolved = resolve_file(path.strip(), env, True)
        name = path.strip().rsplit("/", 1)[-1]
        if resolved is None:
            return f'<span class="internal-embed is-unresolved">{escape_text(name)}</span>'
        element = media_html(kind, resolved.href, name, fragment.strip(), token.meta.get("options"))
        return (
            f'<span class="internal-embed media-embed {kind}-embed" data-src="{escape_attr(name)}">'
            f"{element}</span>"
        )

    md.add_render_rule("wikiembed", render)
