"""`==highlighted text==` becomes `<mark>highlighted text</mark>`.

Obsidian's highlight is a pair delimiter like strikethrough, so this is a port of the
JavaScript `markdown-it-mark` plugin onto markdown-it-py's delimiter machinery rather than a
pattern match: each `==` run is pushed as a text token plus a `Delimiter`, the shared
`balance_pairs` step pairs openers with closers (flanking rules included), and a `ruler2`
step turns matched pairs into `mark_open`/`mark_close`. That gives the edge cases for free:
`a == b` (spaces on both sides) and a lone `==` stay text, marks nest with emphasis and
links, never cross a link's boundary, and never start inside code. Raw
`<mark class="hltr-…">` HTML (the Highlightr plugin's output) is ordinary inline HTML.
"""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Delimiter

_MARKER = "="


def _tokenize(state: StateInline, silent: bool) -> bool:
    """Push each `==` of a run as its own text token and remember it as a delimiter."""
    if silent or state.src[state.pos] != _MARKER:
        return False
    scanned = state.scanDelims(state.pos, True)
    length = scanned.length
    if length < 2:
        return False
    if length % 2:
        # `===`: the odd `=` stays text in front of the delimiters.
        token = state.push("text", "", 0)
        token.content = _MARKER
        length -= 1
    for _ in range(0, length, 2):
        token = state.push("text", "", 0)
        token.content = _MARKER * 2
        if not scanned.can_open and not scanned.can_close:
            continue
        state.delimiters.append(
            Delimiter(
                marker=ord(_MARKER),
                length=0,  # no "rule of 3" (that is for `*` and `_` only)
                token=len(state.tokens) - 1,
                end=-1,
                open=scanned.can_open,
                close=scanned.can_close,
            )
        )
    state.pos += scanned.length
    return True


def _pair_up(state: StateInline, delimiters: list[Delimiter]) -> None:
    """Turn the delimiter pairs `balance_pairs` matched into `mark_open`/`mark_close`."""
    lone_markers: list[int] = []
    for delimiter in delimiters:
        if delimiter.marker != ord(_MARKER) or delimiter.end == -1:
            continue
        closer = delimiters[delimiter.end]
        for index, kind, nesting in (
            (delimiter.token, "mark_open", 1),
            (closer.token, "mark_close", -1),
        ):
            token = state.tokens[index]
            token.type = kind
            token.tag = "mark"
            token.nesting = nesting  # type: ignore[assignment]
            token.markup = "=="
            token.content = ""
        before = state.tokens[closer.token - 1]
        if before.type == "text" and before.content == _MARKER:
            lone_markers.append(closer.token - 1)
    # An odd run (`===`) left one `=` in front of its pairs: move it after the closing
    # tags it precedes, so `==a===` reads `<mark>a</mark>=`.
    while lone_markers:
        index = lone_markers.pop()
        after = index + 1
        while after < len(state.tokens) and state.tokens[after].type == "mark_close":
            after += 1
        after -= 1
        if index != after:
            state.tokens[index], state.tokens[after] = state.tokens[after], state.tokens[index]


def _post_process(state: StateInline) -> None:
    _pair_up(state, state.delimiters)
    for meta in state.tokens_meta:
        if meta and "delimiters" in meta:
            _pair_up(state, meta["delimiters"])


def highlights_plugin(md: MarkdownIt, **options: Any) -> None:
    md.inline.ruler.before("emphasis", "mark", _tokenize)
    md.inline.ruler2.before("emphasis", "mark", _post_process)
