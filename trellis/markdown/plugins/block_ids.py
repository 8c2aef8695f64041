"""Block ids: Obsidian's ` ^id` and the Digital Garden plugin's trailing `{ #id}` line.

` ^id` at the end of a paragraph or list item (or alone on the line after a block) becomes
the block's `id="^id"` and is not shown; `[[Note#^id]]` then lands on it. Gardens carry
`{ #id}` or `{ .class}` as the last line of a block (markdown-it-attrs syntax): the id and
classes go onto the block; so do they at the end of a block's last line (after an image,
say). Each id is recorded in `env["content"].block_ids`. Right under a
table, GFM reads that line as one more row: as markdown-it-attrs does, the row is dropped
and the id names the table.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from trellis.markdown.plugins.tags import ATTRS_LINE

_CARET_ID = re.compile(r"(?:^|[ \t])\^([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*$")
_ATTRS_LINE = ATTRS_LINE
# The same at the end of a block's last line, after its text or an image (`![x](p.png)  { #id}`).
_TRAILING_ATTRS = re.compile(r"(?:^|(?<=[ \t]))\{:?\s*((?:[#.][^\s{}]+\s*)+)\}[ \t]*$")

_BLOCK_OPENERS = (
    "paragraph_open",
    "list_item_open",
    "blockquote_open",
    "table_open",
    "bullet_list_open",
    "ordered_list_open",
    "heading_open",
    "callout_open",
)


def _owner(tokens: list[Token], inline_index: int) -> Token | None:
    """The block an inline token's marker belongs to: its list item, else its paragraph."""
    opener = tokens[inline_index - 1] if inline_index else None
    if opener is None or not opener.type.endswith("_open"):
        return None
    if (
        opener.type == "paragraph_open"
        and inline_index >= 2
        and tokens[inline_index - 2].type == "list_item_open"
    ):
        return tokens[inline_index - 2]
    return opener


def _previous_block(tokens: list[Token], index: int) -> Token | None:
    """The opening token of the block that ends right before `tokens[index]`."""
    depth = 0
    for position in range(index - 1, -1, -1):
        token = tokens[position]
        depth += -token.nesting
        if depth == 0 and token.nesting == 1 and token.type in _BLOCK_OPENERS:
            return token
        if depth < 0:
            return None
    return None


def _strip_last_text(children: list[Token], pattern: re.Pattern[str]) -> re.Match[str] | None:
    if not children or children[-1].type != "text":
        return None
    match = pattern.search(children[-1].content)
    if match:
        children[-1].content = children[-1].content[: match.start()].rstrip()
        if not children[-1].content:
            children.pop()
            while children and children[-1].type in ("softbreak", "hardbreak"):
                children.pop()
    return match


def _attrs_line(children: list[Token]) -> re.Match[str] | None:
    """A trailing `{ #id .class}` on a line of its own (after a softbreak)."""
    if (
        len(children) < 2
        or children[-1].type != "text"
        or children[-2].type not in ("softbreak", "hardbreak")
    ):
        if len(children) == 1 and children[0].type == "text":
            return _ATTRS_LINE.match(children[0].content.strip())
        return None
    return _ATTRS_LINE.match(children[-1].content.strip())


def _table_of_attrs_row(tokens: list[Token], index: int) -> tuple[int, int] | None:
    """(table_open index, tr_open index) when `tokens[index]` is the first cell of a table's
    last row and every other cell of that row is empty: a `{ #id}` line under a table."""
    if index < 2 or tokens[index - 1].type != "td_open" or tokens[index - 2].type != "tr_open":
        return None
    end = index
    while end < len(tokens) and tokens[end].type != "tr_close":
        if end != index and tokens[end].type == "inline" and tokens[end].content.strip():
            return None
        end += 1
    if end + 1 >= len(tokens) or tokens[end + 1].type != "tbody_close":
        return None
    for position in range(index - 2, -1, -1):
        if tokens[position].type == "table_open":
            return position, index - 2
    return None


def _drop_row(tokens: list[Token], row: int) -> None:
    """Remove the `tr` opening at `row` (and the `tbody` it leaves empty)."""
    end = row
    while tokens[end].type != "tr_close":
        end += 1
    del tokens[row : end + 1]
    if tokens[row - 1].type == "tbody_open" and tokens[row].type == "tbody_close":
        del tokens[row - 1 : row + 1]


def _apply(
    block: Token, ids: list[str], classes: list[str], state: StateCore, written: list[str]
) -> None:
    content = state.env.get("content")
    for block_id in ids[:1]:
        element_id = block_id
        if not block.attrGet("id"):
            block.attrSet("id", element_id)
        else:
            element_id = str(block.attrGet("id"))
        if content is not None:
            for name in written:
                content.block_ids.setdefault(name.lower(), element_id)
    if classes:
        existing = str(block.attrGet("class") or "")
        block.attrSet("class", " ".join(filter(None, [existing, *classes])))


def _block_ids(state: StateCore) -> None:
    tokens = state.tokens
    hide: list[int] = []
    rows: list[int] = []
    for index, token in enumerate(tokens):
        if token.type != "inline" or not token.children:
            continue
        children = token.children
        alone = len(children) == 1 and children[0].type == "text"
        attrs = _attrs_line(children)
        if attrs is not None:
            words = attrs.group(1).split()
            ids = [w[1:] for w in words if w.startswith("#")]
            classes = [w[1:] for w in words if w.startswith(".")]
            table = _table_of_attrs_row(tokens, index) if alone else None
            if table is not None:
                block = tokens[table[0]]
                rows.append(table[1])
            elif alone:
                block = _previous_block(tokens, index - 1)
                hide.append(index)
            else:
                del children[-2:]
                block = _owner(tokens, index)
            if block is not None:
                _apply(block, ids, classes, state, ids)
            continue
        trailing = _strip_last_text(children, _TRAILING_ATTRS)
        if trailing is not None:
            words = trailing.group(1).split()
            block = _owner(tokens, index)
            if block is not None:
                ids = [w[1:] for w in words if w.startswith("#")]
                _apply(block, ids, [w[1:] for w in words if w.startswith(".")], state, ids)
            continue
        match = _strip_last_text(children, _CARET_ID)
        if match is None:
            continue
        name = match.group(1)
        if not children:  # `^id` alone: it names the block before it
            block = _previous_block(tokens, index - 1)
            hide.append(index)
        else:
            block = _owner(tokens, index)
        if block is not None:
            _apply(block, ["^" + name], [], state, [name])
    for index in hide:
        tokens[index].children = []
        for neighbour in (index - 1, index + 1):
            if tokens[neighbour].type in ("paragraph_open", "paragraph_close"):
                tokens[neighbour].hidden = True
    for row in reversed(rows):
        _drop_row(tokens, row)


def block_ids_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("block_ids", _block_ids)
