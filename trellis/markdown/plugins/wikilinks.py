"""`[[Target#Sub|Alias]]` links and `![[Target|options]]` embeds.

Parsing yields `wikilink_open`/`wikilink_close` around the display text (an alias is parsed
as inline Markdown) and a single `wikiembed` token; both keep `meta["target"]`. Rendering asks
`resolve(target, env)` for a link; `None` (a missing or private note) renders the display text
in `<span class="internal-link is-unresolved">` with no trace of where it pointed.
The Digital Garden plugin's escaped pipe (`[[path\\|alias]]`) is accepted everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from trellis.markdown.canonical import escape_attr, url_attr


class Resolved(Protocol):
    href: str


ResolveLink = Callable[[str, dict[str, Any]], Resolved | None]


# Text with none of the characters that start inline Markdown (emphasis, code, links, HTML,
# entities, escapes, math, highlights, tags, comments, autolinks).
_PLAIN_ALIAS = re.compile(r"[^*_`\[\]<>&\\$=~%#!:|^]*")


def split_wikilink(inner: str) -> tuple[str, str | None]:
    """`Target\\|Alias` or `Target|Alias` -> (target, alias); spaces around each trimmed."""
    bar = inner.find("|")
    if bar < 0:
        return inner.strip(), None
    target = inner[:bar]
    if target.endswith("\\"):
        target = target[:-1]
    return target.strip(), inner[bar + 1 :].strip()


def display_text(target: str) -> str:
    """What Obsidian shows for a link without alias: `Note > Heading`, `Heading` for `#Heading`."""
    path, _, sub = target.partition("#")
    parts = [p.strip().lstrip("^") for p in sub.split("#") if p.strip()]
    name = path.strip()
    if name.lower().endswith(".md"):
        name = name[:-3]
    if not parts:
        return name
    return " > ".join([name, *parts]) if name else " > ".join(parts)


def _scan(state: StateInline, start: int) -> int | None:
    """Index of the `]]` closing a `[[` that opens at `start`, on the same line."""
    src = state.src
    end = src.find("]]", start + 2, state.posMax + 1)
    if end < 0:
        return None
    newline = src.find("\n", start + 2, end)
    if newline >= 0 or end == start + 2:
        return None
    # A second `[[` before the close means this one is not a link (`[[a [[b]]`).
    if src.find("[[", start + 2, end) >= 0:
        return None
    return end


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    src = state.src
    embed = src.startswith("![[", pos)
    if not embed and not src.startswith("[[", pos):
        return False
    start = pos + 1 if embed else pos
    end = _scan(state, start)
    if end is None:
        return False
    target, alias = split_wikilink(src[start + 2 : end])
    if not target and not embed:
        return False
    if not silent:
        if embed:
            token = state.push("wikiembed", "", 0)
            token.meta = {"target": target, "options": alias}
            token.content = src[pos : end + 2]
        else:
            shared: dict[str, Any] = {"target": target, "alias": alias}
            token = state.push("wikilink_open", "a", 1)
            token.meta = shared
            if alias and _PLAIN_ALIAS.fullmatch(alias):
                # Most aliases are plain words: no need to run the inline parser over them.
                text = state.push("text", "", 0)
                text.content = alias
            elif alias:
                # Parse the alias on its own, so emphasis, code and the like work in it.
                # (A nested tokenize over the original source would run past the alias:
                # markdown-it-py's text rule does not stop at posMax.) Its tokens join ours
                # with empty `tokens_meta`, which must stay aligned with `tokens`.
                children: list[Token] = []
                state.md.inline.parse(alias, state.md, state.env, children)
                for child in children:
                    child.level += state.level
                    state.tokens.append(child)
                    state.tokens_meta.append(None)
            else:
                text = state.push("text", "", 0)
                text.content = display_text(target)
            close = state.push("wikilink_close", "a", -1)
            close.meta = shared
    state.pos = end + 2
    return True


def wikilinks_plugin(md: MarkdownIt, resolve: ResolveLink) -> None:
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.core.ruler.after("inline", "wikilink_lines", record_links)

    def render_open(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
        shared = tokens[idx].meta
        resolved = resolve(shared["target"], env)
        shared["resolved"] = resolved is not None
        if resolved is None:
            return '<span class="internal-link is-unresolved">'
        return (
            f'<a class="internal-link" href="{url_attr(self, resolved.href)}"'
            f' data-href="{escape_attr(shared["target"])}">'
        )

    def render_close(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
        return "</a>" if tokens[idx].meta.get("resolved") else "</span>"

    md.add_render_rule("wikilink_open", render_open)
    md.add_render_rule("wikilink_close", render_close)


def record_links(state: Any) -> None:
    """Core rule: note every `[[link]]`/`![[embed]]` with its file line in `env["content"]`."""
    from trellis.markdown.plugins._tokens import children_with_lines, link_context, note_line
    from trellis.model.content import LinkRef

    content = state.env.get("content")
    for inline, child, line in children_with_lines(state.tokens):
        if child.type in ("wikilink_open", "wikiembed"):
            child.meta["line"] = note_line(state.env, line)
            if content is not None:
                embed = child.type == "wikiembed"
                context = "" if embed else link_context(inline)
                content.links.append(
                    LinkRef(child.meta["target"], embed, child.meta["line"], context=context)
                )
