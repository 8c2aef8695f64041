"""Obsidian comments, `%%…%%`: removed before anything else reads the note.

Comments are where authors keep what readers must not see, so this plugin is a privacy
boundary, not a formatting rule. Comment text never becomes tokens: no link, tag, field or
embed inside a comment is recorded, resolved or copied, and no byte of it is rendered.

What counts as a comment, reading the note from top to bottom: outside code, a `%%` opens
a comment and the next `%%` closes it, wherever that is (same line, a later line, across
paragraphs, lists, headings, quotes). Inside a comment nothing is syntax, so a fence or a
backtick there does not protect a `%%` (this is how Obsidian's editor, where authors write
and see their comments, reads them). Outside comments, `%%` in inline code, fenced and
indented code blocks is literal text (Mermaid's `%%{init}%%` lives there). A `%%` that is
never closed hides the rest of the note, as in Obsidian, where the unclosed comment greys out
everything after it.

How, in three steps that agree on which `%%` pairs with which (if they disagreed, one
misplaced marker would flip every later comment into view):
1. A block rule, first of all, takes a `%%` at the start of a line through the closing `%%`
   as one hidden `obsidian_comment` token, whatever Markdown lies between (headings, lists,
   fences, HTML blocks), and terminates a paragraph, list, quote or table it interrupts. If
   text follows the closing `%%` on its line, block parsing resumes right after it. If the
   comment runs past the end of a quote, the next block outside carries on swallowing up to
   the closing `%%`. `%%a%% text` on one line is left to step 2.
2. Right after block parsing (the core `block` step is wrapped, so no other core rule sees
   the tokens before), one walk through the tokens in document order tracks whether a
   comment is open: it cuts comments out of each inline token's source text (skipping code
   spans, so `` `%%` `` stays), drops every block token that lies inside a comment, counts
   the `%%` in dropped blocks to stay in step, and finally removes containers (paragraphs,
   headings, list items, quotes) that a comment left empty. Removed text leaves its line
   breaks behind so later links keep their line numbers.
3. An inline rule hides `%%…%%` in any inline text the walk did not see (for instance
   text a plugin renders with `renderInline`); the walk leaves nothing for it in note bodies.
Raw HTML blocks are not code: a `%%` in them is a comment too.
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_core import block as core_block
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

MARK = "%%"
TOKEN = "obsidian_comment"
# Set while a comment opened in a block rule is still open at the end of a container.
_OPEN_KEY = "_trellis_comment_open"
# Outside comments: a `%%`, a backtick run (a code span may start), or an escaped character.
_SCAN = re.compile(r"%%|`+|\\[^%]")
_BACKTICKS = re.compile(r"`+")
# Table parts stay (emptied) when some of the table is still visible.
_TABLE_PARTS = frozenset({"thead_open", "tbody_open", "tr_open", "th_open", "td_open"})


def _closing_run(text: str, start: int, length: int) -> int:
    """Where the backtick run of exactly `length` that closes a code span starts, or -1."""
    for match in _BACKTICKS.finditer(text, start):
        if len(match.group()) == length:
            return match.start()
    return -1


def _next_marker(text: str, pos: int, code_aware: bool) -> int:
    """The index of the next `%%` at or after `pos` that is not inside a code span."""
    if not code_aware:
        return text.find(MARK, pos)
    while True:
        match = _SCAN.search(text, pos)
        if match is None:
            return -1
        found = match.group()
        if found == MARK:
            return match.start()
        if found[0] == "\\":
            pos = match.end()
            continue
        close = _closing_run(text, match.end(), len(found))
        pos = close + len(found) if close >= 0 else match.end()


def _line_breaks(text: str) -> str:
    return "\n" * text.count("\n")


def strip_comments(text: str, is_open: bool, code_aware: bool = True) -> tuple[str, bool]:
    """`text` without its comments (each leaves only its line breaks), and whether a
    comment is still open at its end. `is_open`: a comment was already open at its start."""
    parts: list[str] = []
    pos = 0
    if is_open:
        close = text.find(MARK)
        if close < 0:
            return _line_breaks(text), True
        parts.append(_line_breaks(text[:close]))
        pos = close + len(MARK)
    while True:
        opening = _next_marker(text, pos, code_aware)
        if opening < 0:
            parts.append(text[pos:])
            return "".join(parts), False
        parts.append(text[pos:opening])
        close = text.find(MARK, opening + len(MARK))
        if close < 0:
            parts.append(_line_breaks(text[opening:]))
            return "".join(parts), True
        parts.append(_line_breaks(text[opening : close + len(MARK)]))
        pos = close + len(MARK)


# -- step 1: block comments ------------------------------------------------------------------


def _resume_after(state: StateBlock, line: int, pos: int) -> None:
    """Make `line` start at `pos` (after a closing `%%`) for the block rules that follow."""
    end = state.eMarks[line]
    while pos < end and state.src[pos] in " \t":
        pos += 1
    state.bMarks[line] = pos
    state.tShift[line] = 0
    state.sCount[line] = state.blkIndent


def _comment_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    src = state.src
    continuing = bool(state.env.get(_OPEN_KEY))
    if continuing:
        search = state.bMarks[start_line]
        markers = 0
    else:
        start = state.bMarks[start_line] + state.tShift[start_line]
        if state.sCount[start_line] - state.blkIndent >= 4:
            return False  # indented code
        if not src.startswith(MARK, start) or start + len(MARK) > state.eMarks[start_line]:
            return False
        search = start + len(MARK)
        markers = 1

    line, close = start_line, -1
    while line < end_line:
        close = src.find(MARK, search, state.eMarks[line])
        if close >= 0:
            break
        line += 1
        if line < end_line:
            search = state.bMarks[line]

    if close < 0:
        # Unclosed here: the rest of this container is comment, and so is what follows it.
        if not silent:
            state.env[_OPEN_KEY] = True
            _push(state, start_line, end_line, markers)
            state.line = end_line
        return True

    after = close + len(MARK)
    text_follows = bool(src[after : state.eMarks[line]].strip())
    # `%%a%% text` is an inline comment; a lone `%%a%%` line does not end a paragraph.
    if line == start_line and not continuing and (text_follows or silent):
        return False
    if silent:
        return True
    state.env[_OPEN_KEY] = False
    _push(state, start_line, line + 1, markers + 1)
    if not text_follows:
        state.line = line + 1
        return True
    _resume_after(state, line, after)
    if line == start_line:
        # Nothing consumed but the comment's end: let the other rules take the line now.
        return False
    state.line = line
    return True


def _push(state: StateBlock, start_line: int, end_line: int, markers: int) -> None:
    token = state.push(TOKEN, "", 0)
    token.map = [start_line, end_line]
    token.meta = {"markers": markers}  # the comment's text is deliberately not kept
    token.hidden = True


# -- step 2: the walk ------------------------------------------------------------------------


def _block_then_hide(state: StateCore) -> None:
    """The core `block` step, followed at once by the comment walk."""
    state.env[_OPEN_KEY] = False
    try:
        core_block(state)
    finally:
        state.env.pop(_OPEN_KEY, None)
    if MARK in state.src:
        hide_comments(state.tokens)


def hide_comments(tokens: list[Token]) -> None:
    """Cut every comment out of a block token stream, in place (see the module docstring)."""
    count = len(tokens)
    dropped = [False] * count
    inside = [False] * count
    is_open = False
    for index, token in enumerate(tokens):
        if token.type == TOKEN:
            dropped[index] = True
            if token.meta["markers"] % 2:
                is_open = not is_open
        elif token.type == "inline":
            if is_open or MARK in token.content:
                text, is_open = strip_comments(token.content, is_open)
                if text != token.content:
                    token.content = text.strip()
                    dropped[index] = not token.content
        elif token.nesting == 0:
            if is_open:
                dropped[index] = True
                if (token.info.count(MARK) + token.content.count(MARK)) % 2:
                    is_open = False
            elif token.type == "html_block" and MARK in token.content:
                text, is_open = strip_comments(token.content, False, code_aware=False)
                token.content = text if text.strip() else ""
                dropped[index] = not token.content
        elif is_open:
            inside[index] = True
    if any(dropped) or any(inside):
        tokens[:] = _prune(tokens, dropped, inside)


def _prune(tokens: list[Token], dropped: list[bool], inside: list[bool]) -> list[Token]:
    """The tokens minus dropped ones and the containers a comment left empty."""
    count = len(tokens)
    partner = [-1] * count
    stack: list[int] = []
    for index, token in enumerate(tokens):
        if token.nesting == 1:
            stack.append(index)
        elif token.nesting == -1 and stack:
            partner[stack.pop()] = index
    # Prefix sums: kept leaf tokens (content) and dropped tokens before each index.
    content = [0] * (count + 1)
    removed = [0] * (count + 1)
    for index, token in enumerate(tokens):
        content[index + 1] = content[index] + (not dropped[index] and token.nesting == 0)
        removed[index + 1] = removed[index] + dropped[index]
    kept: list[Token] = []
    index = 0
    while index < count:
        token = tokens[index]
        if dropped[index]:
            index += 1
            continue
        end = partner[index]
        if (
            end > index
            and token.type not in _TABLE_PARTS
            and content[end] == content[index + 1]
            and (inside[index] or removed[end] > removed[index + 1])
        ):
            index = end + 1
            continue
        kept.append(token)
        index += 1
    return kept


# -- step 3: inline safety net ---------------------------------------------------------------


def _inline_comment(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    if not state.src.startswith(MARK, pos) or pos + len(MARK) > state.posMax:
        return False
    close = state.src.find(MARK, pos + len(MARK), state.posMax)
    state.pos = state.posMax if close < 0 else close + len(MARK)
    return True


def comments_plugin(md: MarkdownIt, **options: Any) -> None:
    md.block.ruler.before(
        "table",
        TOKEN,
        _comment_block,
        {"alt": ["paragraph", "reference", "blockquote", "list", "table"]},
    )
    md.core.ruler.at("block", _block_then_hide)
    md.inline.ruler.after("text", TOKEN, _inline_comment)
    md.add_render_rule(TOKEN, _render_nothing)


def _render_nothing(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return ""
