"""Rendering `![[...]]`: media files by extension, notes through a callback.

A note embed is a block (`<div class="internal-embed markdown-embed">`). When it stands
alone in a paragraph the paragraph is dropped; when text surrounds it the paragraph is
closed around it, so the HTML stays well-formed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from trellis.markdown.plugins.media import ResolveFile, media_html, media_kind

EmbedNote = Callable[[str, dict[str, Any]], str]


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


def embeds_plugin(md: MarkdownIt, resolve_file: ResolveFile, embed_note: EmbedNote) -> None:
    md.core.ruler.push("block_embeds", _mark_block_embeds)

    def render(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
        token = tokens[idx]
        target: str = token.meta["target"]
        kind = media_kind(target)
        if kind is None:
            html = embed_note(target, env)
            return f"</p>{html}<p>" if token.meta.get("split_paragraph") else html
        path, _, fragment = target.partition("#")
        resolved = resolve_file(path.strip(), env, True)
        name = path.strip().rsplit("/", 1)[-1]
        if resolved is None:
            return f'<span class="internal-embed is-unresolved">{escapeHtml(name)}</span>'
        element = media_html(kind, resolved.href, name, fragment.strip(), token.meta.get("options"))
        return (
            f'<span class="internal-embed media-embed {kind}-embed" data-src="{escapeHtml(name)}">'
            f"{element}</span>"
        )

    md.add_render_rule("wikiembed", render)
