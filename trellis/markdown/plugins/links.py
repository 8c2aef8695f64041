"""Markdown links: `[text](Folder/Note.md)` is a link to a note, anything with a scheme is external.

Local Markdown images (`![alt](pic.png)`) are recorded among the note's links too (as
embeds), so that the link graph decides which attachments are public.

A link to a `.md` file or to a name without extension (`[y](Other)`; percent-encoded or not,
with an optional `#Heading`) is resolved like
a wikilink; when it fails it renders as unresolved text. External links get
`class="external-link"`, open in a new tab and carry `rel="noopener"`.
"""

from __future__ import annotations

import posixpath
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from trellis.markdown.plugins._tokens import children_with_lines, link_context, note_line
from trellis.markdown.plugins.media import is_local, media_kind
from trellis.markdown.plugins.wikilinks import ResolveLink
from trellis.model.content import LinkRef


def note_target(href: str) -> str | None:
    """The wikilink-style target of a Markdown href that points into the vault, else None."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = unquote(parts.path)
    # `[y](Other)`, `[z](Other%20Note)`: a name without extension is a note, as in Obsidian
    # (not a folder address such as `../x/`, nor `page.html`).
    bare = not posixpath.splitext(path)[1] and not path.endswith("/")
    if (
        not bare
        and not path.lower().endswith(".md")
        and media_kind(path) is None
        and path.rsplit(".", 1)[-1].lower() != "md"
    ):
        return None
    fragment = unquote(parts.fragment)
    # A `#` of the name (`Odd%20%23hash.md`) stays escaped: targets split at the first `#`.
    return path.replace("#", "%23") + (f"#{fragment}" if fragment else "")


def _record(state: StateCore) -> None:
    content = state.env.get("content")
    for inline, child, line in children_with_lines(state.tokens):
        if child.type == "link_open" and is_file_url(str(child.attrGet("href") or "")):
            # A file on the author's disk: its text is shown, the link graph warns.
            child.meta["file_url"] = True
            if content is not None:
                href = unquote(str(child.attrGet("href")))
                content.links.append(LinkRef(href, False, note_line(state.env, line), True))
        elif child.type == "link_open":
            target = note_target(str(child.attrGet("href") or ""))
            if target is not None:
                child.meta["target"] = target
                child.meta["line"] = note_line(state.env, line)
                if content is not None:
                    ref = LinkRef(target, False, child.meta["line"], True, link_context(inline))
                    content.links.append(ref)
        elif child.type == "image" and content is not None:
            # Recorded like an embed so the link graph, not the renderer, makes the file
            # public: a page taken over unchanged from the last build still gets its image.
            src = str(child.attrGet("src") or "")
            if is_local(src) and src.split("#", 1)[0]:
                path = unquote(src.split("#", 1)[0])
                content.links.append(LinkRef(path, True, note_line(state.env, line), True))


def is_file_url(href: str) -> bool:
    return href.strip().lower().startswith("file:")


def links_plugin(md: MarkdownIt, resolve: ResolveLink) -> None:
    md.core.ruler.after("inline", "markdown_note_links", _record)
    # markdown-it refuses `file:` links, leaving `[x](file:///...)` as raw text: let them
    # parse, so that their text is shown (never the link: it means nothing on the web).
    validate = md.validateLink
    md.validateLink = lambda url: is_file_url(url) or validate(url)  # type: ignore[method-assign]

    def render_open(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
        token = tokens[idx]
        target = token.meta.get("target")
        if token.meta.get("file_url"):
            _mark_close(tokens, idx, False)
            return '<span class="is-unresolved">'
        if target is not None:
            resolved = resolve(target, env)
            token.meta["resolved"] = resolved is not None
            _mark_close(tokens, idx, resolved is not None)
            if resolved is None:
                return '<span class="internal-link is-unresolved">'
            token.attrSet("href", resolved.href)
            token.attrSet("class", "internal-link")
            token.attrSet("data-href", target)
        else:
            href = str(token.attrGet("href") or "")
            if urlsplit(href).scheme in ("http", "https") or href.startswith("//"):
                token.attrSet("class", "external-link")
                token.attrSet("target", "_blank")
                token.attrSet("rel", "noopener")
        return self.renderToken(tokens, idx, options, env)

    def render_close(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
        if tokens[idx].meta.get("unresolved"):
            return "</span>"
        return self.renderToken(tokens, idx, options, env)

    md.add_render_rule("link_open", render_open)
    md.add_render_rule("link_close", render_close)


def _mark_close(tokens: list[Token], idx: int, resolved: bool) -> None:
    depth = 0
    for token in tokens[idx:]:
        if token.type == "link_open":
            depth += 1
        elif token.type == "link_close":
            depth -= 1
            if depth == 0:
                token.meta["unresolved"] = not resolved
                return
