"""Obsidian callouts: a blockquote whose first line is `[!type|metadata]± Title`.

Why a core rule and not a block rule: markdown-it already nests blockquotes correctly (lazy
lines, `> > >`, quotes in list items), so right after the "block" step this rule retypes the
`blockquote_open/close` pair of every callout into `callout_open/close`, puts the rest of the
first line in its own `inline` token (the title, inline-parsed later like any paragraph) and
re-parses the remaining lines of that first paragraph as blocks, so `> [!note]` followed by
`>     code` or `> 2. item` gives the block Obsidian shows. mdit-py-plugins has nothing for
this: its `container` needs `:::` fences and the `alerts` option knows five GFM types only.

The DOM is Obsidian's (`.callout[data-callout]`, `.callout-title`, `.callout-icon`,
`.callout-title-inner`, `.callout-content`, `is-collapsible is-collapsed`) so snippets written
for Obsidian apply. Foldable callouts (`-` closed, `+` open) are `<details>`/`<summary>`, which
fold without JavaScript and which browsers open by themselves for find-in-page and `#^id`
links; the others are `<div>`s. `data-callout-fold` and `data-callout-metadata` are written
only when they have a value (Obsidian writes them empty): that is smaller on large sites and
`[data-callout-metadata*="x"]` selectors match the same way. The icon is an empty
`<span class="callout-icon">` that `static/callouts.css` paints with a CSS mask of a shipped
Lucide SVG per type (a few bytes per callout instead of an inline SVG); a callout whose body is
empty has no `.callout-content` element.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

# `[!type]`, `[!type|metadata]`, then an optional fold sign and the title.
_MARKER = re.compile(r"\[!([^\]]*)\]([+-]?)[ \t]*(.*)")


@dataclass(frozen=True)
class CalloutHeader:
    """What the first line of a callout says."""

    type: str  # lowercased, as it goes into `data-callout`
    fold: str  # "", "+" or "-"
    metadata: str | None  # what follows `|` in the brackets
    title: str  # the rest of the line, Markdown


def parse_header(line: str) -> CalloutHeader | None:
    """The callout marker at the start of `line`, or None when the line is not one."""
    match = _MARKER.match(line)
    if match is None:
        return None
    inside, fold, title = match.groups()
    name, bar, metadata = inside.partition("|")
    name = name.strip().lower()
    if not name and not bar:  # `[!]` is text; `[!|meta]` is an untyped callout
        return None
    return CalloutHeader(name, fold, metadata.strip() if bar else None, title.strip())


def default_title(callout_type: str) -> str:
    """What Obsidian shows without a title: the type with its first letter capitalised."""
    return callout_type[:1].upper() + callout_type[1:]


def _header_of(tokens: list[Token], index: int) -> CalloutHeader | None:
    """The header of the blockquote opening at `index`, when it is a callout."""
    if index + 3 >= len(tokens):
        return None
    quote, paragraph, inline = tokens[index], tokens[index + 1], tokens[index + 2]
    if paragraph.type != "paragraph_open" or inline.type != "inline":
        return None
    # The marker must be on the blockquote's own first line, not after an empty `>` line.
    if quote.map and paragraph.map and quote.map[0] != paragraph.map[0]:
        return None
    return parse_header(inline.content.split("\n", 1)[0])


def _token(kind: str, tag: str, nesting: int, level: int, meta: dict[str, Any]) -> Token:
    token = Token(kind, tag, nesting, level=level, meta=meta)
    token.block = True
    return token


def _title_tokens(
    header: CalloutHeader, line: int | None, level: int, meta: dict[str, Any]
) -> list[Token]:
    """`callout_title_open`, the title's inline token, `callout_title_close`."""
    line_map = [line, line + 1] if line is not None else None
    opening = _token("callout_title_open", meta["title_tag"], 1, level, meta)
    opening.map = line_map
    opening.attrSet("class", "callout-title")
    title = _token("inline", "", 0, level + 1, {})
    title.map = line_map
    title.children = []
    if header.title:
        title.content = header.title
    elif header.type:
        # Pre-filled so the type name is shown as text, never read as Markdown.
        text = Token("text", "", 0, content=default_title(header.type))
        title.children.append(text)
    closing = _token("callout_title_close", meta["title_tag"], -1, level, meta)
    return [opening, title, closing]


def _body_tokens(state: StateCore, inline: Token, level: int) -> list[Token]:
    """The first paragraph's lines after the title, parsed as blocks at their own lines."""
    _, _, rest = inline.content.partition("\n")
    if not rest.strip():
        return []
    body: list[Token] = []
    state.md.block.parse(rest, state.md, state.env, body)
    shift = inline.map[0] + 1 if inline.map else 0
    for token in body:
        token.level += level
        if token.map is not None:
            token.map = [token.map[0] + shift, token.map[1] + shift]
    return body


def _callout_meta(header: CalloutHeader) -> dict[str, Any]:
    foldable = bool(header.fold)
    return {
        "type": header.type,
        "fold": header.fold,
        "metadata": header.metadata,
        "title_tag": "summary" if foldable else "div",
    }


def _open_callout(token: Token, header: CalloutHeader, meta: dict[str, Any]) -> None:
    """Retype a `blockquote_open` in place, keeping attributes other rules may add later."""
    token.type = "callout_open"
    token.tag = "details" if header.fold else "div"
    token.markup = ">"
    token.meta = meta
    classes = ["callout"]
    if header.fold:
        classes.append("is-collapsible")
    if header.fold == "-":
        classes.append("is-collapsed")
    token.attrSet("class", " ".join(classes))
    token.attrSet("data-callout", header.type)
    if header.fold:
        token.attrSet("data-callout-fold", header.fold)
    if header.metadata:
        token.attrSet("data-callout-metadata", header.metadata)
    if header.fold == "+":
        token.attrSet("open", "")


def _callouts(state: StateCore) -> None:
    """Core rule: turn callout blockquotes into callout tokens, outermost first, in one pass."""
    tokens = state.tokens
    if not any(t.type == "blockquote_open" for t in tokens):
        return
    result: list[Token] = []
    # One entry per open blockquote: the callout's meta and whether it has a content element.
    open_quotes: list[tuple[dict[str, Any], bool] | None] = []
    extra_level = 0  # how many callout wrappers (title/content) enclose the current token
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "blockquote_open":
            header = _header_of(tokens, index)
            if header is None:
                open_quotes.append(None)
            else:
                meta = _callout_meta(header)
                token.level += extra_level
                _open_callout(token, header, meta)
                result.append(token)
                line = token.map[0] if token.map else None
                result.extend(_title_tokens(header, line, token.level + 1, meta))
                inline = tokens[index + 2]
                body = _body_tokens(state, inline, token.level + 2)
                has_content = bool(body) or tokens[index + 4].type != "blockquote_close"
                if has_content:
                    result.append(_token("callout_content_open", "div", 1, token.level + 1, meta))
                result.extend(body)
                open_quotes.append((meta, has_content))
                extra_level += 1
                index += 4  # blockquote_open, paragraph_open, inline, paragraph_close
                continue
        elif token.type == "blockquote_close":
            callout = open_quotes.pop()
            if callout is not None:
                meta, has_content = callout
                extra_level -= 1
                token.type = "callout_close"
                token.tag = "details" if meta["fold"] else "div"
                token.meta = meta
                token.level += extra_level
                if has_content:
                    result.append(_token("callout_content_close", "div", -1, token.level + 1, meta))
                result.append(token)
                index += 1
                continue
        token.level += extra_level
        result.append(token)
        index += 1
    state.tokens[:] = result


def _render_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    # Like markdown-it's own blocks: start a line after a hidden tight-list paragraph.
    before = "\n" if idx and tokens[idx - 1].hidden else ""
    return f"{before}<{token.tag}{self.renderAttrs(token)}>\n"


def _render_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return f"</{tokens[idx].tag}>\n"


def _render_title_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    return (
        f"<{token.tag}{self.renderAttrs(token)}>"
        '<span class="callout-icon" aria-hidden="true"></span>'
        '<span class="callout-title-inner">'
    )


def _render_title_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    fold = '<span class="callout-fold" aria-hidden="true"></span>' if token.meta["fold"] else ""
    return f"</span>{fold}</{token.tag}>\n"


def _render_content_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return '<div class="callout-content">\n'


def callouts_plugin(md: MarkdownIt, **options: Any) -> None:
    """Register the callout core rule (before inline parsing) and its render rules."""
    md.core.ruler.after("block", "callouts", _callouts)
    md.add_render_rule("callout_open", _render_open)
    md.add_render_rule("callout_close", _render_close)
    md.add_render_rule("callout_title_open", _render_title_open)
    md.add_render_rule("callout_title_close", _render_title_close)
    md.add_render_rule("callout_content_open", _render_content_open)
    md.add_render_rule("callout_content_close", _render_close)
