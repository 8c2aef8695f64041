"""The part of a note an embed shows (`![[Note#Heading]]`, `![[Note#^block]]`): a slice of its
tokens that closes everything it opens, so the embedding page's HTML stays well formed."""

from __future__ import annotations

from markdown_it.token import Token


def section_tokens(tokens: list[Token], element_id: str, subpath: str) -> list[Token] | None:
    """The tokens an embed shows: everything, one heading's section, or one block."""
    if not subpath.strip():
        return tokens
    if not element_id:
        return None
    for index, token in enumerate(tokens):
        if token.nesting != 1 or token.attrGet("id") != element_id:
            continue
        if token.type == "heading_open":
            level = int(token.tag[1])
            end = index + 1
            while end < len(tokens):
                other = tokens[end]
                if (
                    other.type == "heading_open"
                    and int(other.tag[1]) <= level
                    and other.level == token.level
                ):
                    break
                # The end of the footnotes, or of the quote, list or callout holding the
                # heading, ends its section too: a slice must never close what it did not open.
                if other.type == "footnote_block_open" or other.level < token.level:
                    break
                end += 1
            return tokens[index:end]
        depth, end = 0, index
        while end < len(tokens):
            depth += tokens[end].nesting
            end += 1
            if depth == 0:
                break
        block = tokens[index:end]
        if token.type == "list_item_open":
            # A lone list item is rendered inside a list of its own kind.
            return [_list_open(tokens, index), *block, _list_close(tokens, index)]
        return block
    return None


def _list_open(tokens: list[Token], index: int) -> Token:
    for position in range(index - 1, -1, -1):
        if (
            tokens[position].type in ("bullet_list_open", "ordered_list_open")
            and tokens[position].level == tokens[index].level - 1
        ):
            return tokens[position]
    return Token("bullet_list_open", "ul", 1)


def _list_close(tokens: list[Token], index: int) -> Token:
    opener = _list_open(tokens, index)
    return Token(opener.type.replace("_open", "_close"), opener.tag, -1)
