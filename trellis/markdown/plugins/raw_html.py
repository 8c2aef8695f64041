"""Internal links inside the author's raw HTML, resolved through the same index as wikilinks.

Why: the Digital Garden plugin pre-renders Dataview tables as HTML whose links are
`<a class="internal-link" data-href="Folder/Note" href="Folder/Note.md">`, and its
transclusions as `<a class="markdown-embed-link" href="/note-url/#id">`. Written verbatim,
such a link is broken on our site, and when it names a private note it carries that note's
vault path into the page. So every `<a>` of raw HTML that points into the vault is treated
like a wikilink:

- `data-href="Folder/Note"`, or a relative `href` (a vault path, with or without `.md`,
  percent-encoded or not, optional `#Heading`): resolved by `resolve(target, env)`;
- a root-relative `href` on an `internal-link` or `markdown-embed-link` (a URL of the
  garden the export came from): resolved by `resolve_url(path, env)`, a published page's URL;
- a `[[wikilink]]` in the text of an HTML block (`<div id="x"></div>` then `>[[Other\\|alias]]`
  on the next line is one HTML block for CommonMark): a link, as the template makes it.

A resolved link keeps its other attributes and gets our `href` (and `data-href`); an
unresolved one (private or missing) becomes the text-only `<span class="internal-link
is-unresolved">` with none of its attributes, exactly like an unresolved wikilink. The
links named by a vault path are recorded in `env["content"].links`, so the link graph
warns about them and `trellis check` lists those that name private notes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from trellis.markdown.plugins._tokens import children_with_lines, note_line
from trellis.markdown.plugins.wikilinks import Resolved, ResolveLink
from trellis.model.content import LinkRef

ResolveUrl = Callable[[str, dict[str, Any]], Resolved | None]
_EXPORT_LINK_CLASSES = ("internal-link", "markdown-embed-link")
UNRESOLVED_OPEN = '<span class="internal-link is-unresolved">'


@dataclass
class RawLink:
    """One `<a>` start tag of raw HTML that points into the vault or the old garden."""

    attrs: list[tuple[str, str | None]]
    target: str  # a vault path (`Note#Head`) or, with `by_url`, a site path (`/a/b/#id`)
    by_url: bool
    start: int = 0  # offsets of the start tag in an html_block's content
    end: int = 0
    close: tuple[int, int] | None = None  # offsets of its `</a>` in the same block
    resolved: Any = None
    text: str | None = None  # for a `[[wikilink]]` written in the block: the text it shows


def internal_target(attrs: list[tuple[str, str | None]]) -> tuple[str, bool] | None:
    """(target, by_url) for an `<a>` that points into the vault or garden, else None."""
    values = {name: value or "" for name, value in attrs}
    data_href = values.get("data-href", "").strip()
    if data_href and not urlsplit(data_href).scheme:
        return unquote(data_href), False
    href = values.get("href", "").strip()
    parts = urlsplit(href)
    if not href or parts.scheme or parts.netloc or href.startswith(("#", "//")):
        return None
    fragment = unquote(parts.fragment)
    path = unquote(parts.path)
    if href.startswith("/"):
        classes = values.get("class", "").split()
        if any(name in classes for name in _EXPORT_LINK_CLASSES):
            return path + (f"#{fragment}" if fragment else ""), True
        return None
    if path.lower().endswith(".md"):
        path = path[:-3]
    return path + (f"#{fragment}" if fragment else ""), False


# An `<a>` start tag (attribute values may hold `>` when quoted) or an `</a>` end tag: the
# tags HTML's tokenizer would see there. Only the matched start tag is given to the parser.
_A_TAG = re.compile(r"""<a(?=[\s/>])(?:[^>"']|"[^"]*"|'[^']*')*>|</a\s*>""", re.IGNORECASE)


class _Attributes(HTMLParser):
    """The attributes of one start tag, decoded as HTML's parser decodes them."""

    def __init__(self, tag: str) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: list[tuple[str, str | None]] = []
        self.feed(tag)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs = attrs

    handle_startendtag = handle_starttag


def _anchor_links(html: str) -> list[RawLink]:
    """The internal links of a piece of HTML, each with its `</a>` when the piece holds it."""
    if "<a" not in html and "<A" not in html:
        return []
    links: list[RawLink] = []
    open_links: list[RawLink | None] = []
    for match in _A_TAG.finditer(html):
        if match.group().startswith("</"):
            opener = open_links.pop() if open_links else None
            if opener is not None:
                opener.close = match.span()
            continue
        attrs = _Attributes(match.group()).attrs
        found = internal_target(attrs)
        link = None
        if found is not None:
            link = RawLink(attrs, found[0], found[1], match.start(), match.end())
            links.append(link)
        if not match.group().endswith("/>"):
            open_links.append(link)
    return links


_WIKILINK = re.compile(r"(?<!!)\[\[([^\[\]\n]+)\]\]")


def _wikilinks(html: str) -> list[RawLink]:
    """`[[Target\\|alias]]` in the text of an HTML block (not inside a tag): the template
    turns these into links too (its `link` filter runs over the page's HTML)."""
    if "[[" not in html:
        return []
    from trellis.markdown.plugins.wikilinks import display_text, split_wikilink

    links = []
    for match in _WIKILINK.finditer(html):
        if html.rfind("<", 0, match.start()) > html.rfind(">", 0, match.start()):
            continue  # inside a tag's attributes
        target, alias = split_wikilink(match.group(1))
        if target:
            text = alias or display_text(target)
            links.append(RawLink([], target, False, match.start(), match.end(), text=text))
    return links


def _block_links(html: str) -> list[RawLink]:
    return sorted([*_anchor_links(html), *_wikilinks(html)], key=lambda link: link.start)


def _record(state: StateCore) -> None:
    """Core rule: find the internal links of raw HTML and note them among the note's links."""
    content = state.env.get("content")
    found: list[tuple[RawLink, int]] = []
    for token in state.tokens:
        if token.type == "html_block" and not (token.meta or {}).get("episode"):
            links = _block_links(token.content)
            if links:
                token.meta = {**(token.meta or {}), "raw_links": links}
                line = token.map[0] if token.map else 0
                position = 0
                for link in links:  # in source order: count the lines between them once
                    line += token.content.count("\n", position, link.start)
                    position = link.start
                    found.append((link, line))
    for inline, child, line in children_with_lines(state.tokens):
        if child.type == "html_inline" and not (child.meta or {}).get("episode"):
            _pair_inline(inline, child, line, found)
    if content is not None:
        for link, line in found:
            if not link.by_url:
                line_number = note_line(state.env, line)
                content.links.append(LinkRef(link.target, False, line_number, html=True))


def _pair_inline(inline: Token, child: Token, line: int, found: list[tuple[RawLink, int]]) -> None:
    """An inline `<a ...>` gets its link; the `</a>` closing it (same paragraph) gets a
    reference to it, so both render alike."""
    stack: list[RawLink | None] = inline.meta.setdefault("raw_link_stack", [])
    text = child.content.strip()
    if text.lower().startswith("</a"):
        if stack:
            opener = stack.pop()
            if opener is not None:
                child.meta = {**(child.meta or {}), "raw_close": opener}
        return
    if not text.lower().startswith("<a") or text[2:3].isalnum():
        return
    links = _anchor_links(text)
    link = links[0] if links else None
    if text.endswith("/>"):
        return
    stack.append(link)
    if link is not None:
        child.meta = {**(child.meta or {}), "raw_link": link}
        found.append((link, line))


def _start_tag(link: RawLink, resolved: Resolved | None) -> str:
    if resolved is None:
        return UNRESOLVED_OPEN
    parts = ["<a"]
    for name, value in link.attrs:
        if name == "href":
            value = resolved.href
        elif name == "data-href" and not link.by_url:
            value = link.target
        parts.append(f' {name}="{escapeHtml(value or "")}"' if value is not None else f" {name}")
    names = {name for name, _ in link.attrs}
    if "href" not in names:
        parts.append(f' href="{escapeHtml(resolved.href)}"')
    if "data-href" not in names and not link.by_url:  # as on a wikilink: link previews use it
        parts.append(f' data-href="{escapeHtml(link.target)}"')
    return "".join(parts) + ">"


def _wikilink_html(link: RawLink, resolved: Resolved | None) -> str:
    text = link.text or ""
    if resolved is None:
        return f"{UNRESOLVED_OPEN}{text}</span>"
    return (
        f'<a class="internal-link" href="{escapeHtml(resolved.href)}"'
        f' data-href="{escapeHtml(link.target)}">{text}</a>'
    )


def raw_html_plugin(md: MarkdownIt, resolve: ResolveLink, resolve_url: ResolveUrl) -> None:
    md.core.ruler.push("raw_html_links", _record)
    block_default = md.renderer.rules.get("html_block")
    inline_default = md.renderer.rules.get("html_inline")

    def find(link: RawLink, env: dict) -> Resolved | None:
        return (resolve_url if link.by_url else resolve)(link.target, env)

    def render_block(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
        links: list[RawLink] | None = (tokens[idx].meta or {}).get("raw_links")
        if not links:
            return str(block_default(tokens, idx, options, env))  # type: ignore[misc]
        html = tokens[idx].content
        edits: list[tuple[int, int, str]] = []
        for link in links:
            resolved = find(link, env)
            if link.text is not None:
                edits.append((link.start, link.end, _wikilink_html(link, resolved)))
                continue
            if resolved is None and link.close is None:
                # No `</a>` in this block: an `<a>` without href is text, and names nothing.
                edits.append((link.start, link.end, '<a class="internal-link is-unresolved">'))
                continue
            edits.append((link.start, link.end, _start_tag(link, resolved)))
            if resolved is None and link.close is not None:
                edits.append((*link.close, "</span>"))
        pieces, position = [], 0
        for start, end, text in sorted(edits):
            pieces += [html[position:start], text]
            position = end
        return "".join([*pieces, html[position:]])

    def render_inline(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
        meta = tokens[idx].meta or {}
        link: RawLink | None = meta.get("raw_link")
        if link is not None:
            link.resolved = find(link, env)
            return _start_tag(link, link.resolved)
        opener: RawLink | None = meta.get("raw_close")
        if opener is not None and opener.resolved is None:
            return "</span>"
        return str(inline_default(tokens, idx, options, env))  # type: ignore[misc]

    md.add_render_rule("html_block", render_block)
    md.add_render_rule("html_inline", render_inline)
