"""Dataview inline fields: `key:: value` lines, `[key:: value]` and `(key:: value)` in text.

Gardens carry thousands of them (Snipd exports: `**up**:: [[Index]]`, `- Show:: The Show`,
`**tags**:: #a, #b`), and shown raw they read as clutter with stray `::`. Each field becomes

    <span class="inline-field" data-key="key">
      <span class="inline-field-key">key: </span><span class="inline-field-value">value</span>
    </span>

where the value is tokenised in place, so links, tags, emphasis and code in it still work.
The `: ` after the key is real text, written by the renderer only (tokens, and so headings'
ids and plain text, keep the key alone): without it the page's text reads `keyvalue`, one
word to Pagefind and in feed readers (which have no CSS). The key is an inline-block, so the
space at its end takes no room and the pill looks as it did with the colon drawn by CSS.
For `(key:: value)` Dataview shows only the value: that field gets the extra class
`inline-field-hidden-key` and no key span at all (the key stays in `data-key`), so it is
not read out by screen readers nor copied into search text or feeds.

Recognition follows Dataview (`data-import/inline-field.ts`):
- a line whose text is `key:: value` is a full-line field (any line of a paragraph, list
  item, heading, quote or table cell). The key is letters, digits, `_`, `-`, `/`, spaces and
  emoji, optionally wrapped in `**`, `__`, `*`, `_`, `~~` or `==` (stripped for display); a
  key holding other punctuation (`See https://x`, `` `a::b` ``) makes no field. Unlike
  Dataview we also want a space (or the line's end) after the `::`, so prose such as
  `Use std::vector here` stays prose; real gardens write `key:: value`. As in Dataview, a
  line holding a bracketed field is not also a full-line field, and neither is a task
  (`- [ ] …`, whose text starts with `[`).
- `[key:: value]` / `(key:: value)` anywhere in a line: the key holds no brackets,
  parentheses or backticks, the value runs to the matching closing bracket (nested pairs and
  backslash escapes respected) on the same line.
Code spans and code blocks are never looked at: their text is consumed before these rules.

After inline parsing, `env["inline_fields"]` lists every field of the note in document
order as `InlineField(key, value)` (a NamedTuple, so it also unpacks as a `(key, raw value)`
pair): `key` as displayed (formatting stripped, case kept), `value` the Markdown source of
the value, trimmed. Later features (episode pages) read them from `NoteContent.env`.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token


class InlineField(NamedTuple):
    key: str
    value: str


_WRAPPERS = {"[": "]", "(": ")"}
_KEY_CHAR = r"(?:[\w \t/\-]|[^\x00-\x7f\s])"
# A full-line key: optional emphasis markers, the key, the same markers, then `::`.
_LINE_KEY = re.compile(rf"(?P<lead>[*_~=]*)(?P<key>{_KEY_CHAR}+?)(?P<trail>[*_~=]*)")
_FORMAT_MARKS = "*_~="
_IN_VALUE = "_trellis_inline_field_value"
_SEEN = "_trellis_inline_fields_seen"


def _clean_key(key: str) -> str:
    """`**Key**` -> `Key`: the key as Dataview shows it."""
    return key.strip().strip(_FORMAT_MARKS).strip()


def _at_line_start(src: str, pos: int) -> bool:
    while pos > 0 and src[pos - 1] in " \t":
        pos -= 1
    return pos == 0 or src[pos - 1] == "\n"


def _line_end(state: StateInline, pos: int) -> int:
    end = state.src.find("\n", pos, state.posMax)
    return state.posMax if end < 0 else end


def scan_bracketed(src: str, start: int, end: int) -> tuple[str, int, int] | None:
    """A `[key:: value]` or `(key:: value)` opening at `src[start]` and closing before `end`.

    Returns (key, index of the value's first character, index of the closing bracket).
    """
    opener = src[start]
    closer = _WRAPPERS[opener]
    separator = src.find("::", start + 1, end)
    if separator < 0:
        return None
    raw_key = src[start + 1 : separator]
    if any(ch in raw_key for ch in "[]()`"):
        return None
    key = _clean_key(raw_key)
    if not key:
        return None
    nesting = 0
    escaped = False
    for index in range(separator + 2, end):
        ch = src[index]
        if ch == "\\":
            escaped = not escaped
            continue
        if escaped:
            escaped = False
            continue
        if ch == opener:
            nesting += 1
        elif ch == closer:
            nesting -= 1
            if nesting < 0:
                return key, separator + 2, index
    return None


def _has_bracketed(src: str, start: int, end: int) -> bool:
    for index in range(start, end):
        if src[index] in _WRAPPERS and scan_bracketed(src, index, end) is not None:
            return True
    return False


def _push_field(state: StateInline, key: str, start: int, end: int, kind: str) -> None:
    """Push the field's tokens, with `src[start:end]` (trimmed) parsed as its value."""
    value = state.src[start:end].strip(" \t")
    meta = {"key": key, "value": value, "kind": kind}
    state.env[_SEEN] = True
    opener = state.push("inline_field_open", "span", 1)
    opener.attrSet(
        "class", "inline-field inline-field-hidden-key" if kind == "paren" else "inline-field"
    )
    opener.attrSet("data-key", key)
    opener.meta = meta
    if kind != "paren":
        key_open = state.push("inline_field_key_open", "span", 1)
        key_open.attrSet("class", "inline-field-key")
        state.push("text", "", 0).content = key
        state.push("inline_field_key_close", "span", -1)
    value_open = state.push("inline_field_value_open", "span", 1)
    value_open.attrSet("class", "inline-field-value")
    # The value is parsed on its own (markdown-it-py's text rule can run past `posMax`, so a
    # nested tokenize could swallow what follows the field); `_IN_VALUE` keeps `a:: b` in a
    # value from becoming a field of its own.
    children: list[Token] = []
    state.env[_IN_VALUE] = True
    try:
        state.md.inline.parse(value, state.md, state.env, children)
    finally:
        state.env.pop(_IN_VALUE, None)
    for child in children:
        child.level += state.level
        state.tokens.append(child)
        state.tokens_meta.append(None)
    state.push("inline_field_value_close", "span", -1)
    state.push("inline_field_close", "span", -1).meta = meta


def _may_hold_fields(state: StateInline) -> bool:
    """Whether the text has a `::` at all (asked once per inline text: the line rule runs at
    every position the tokenizer stops at)."""
    possible: bool | None = state.__dict__.get("_trellis_fields")
    if possible is None:
        possible = "::" in state.src
        state.__dict__["_trellis_fields"] = possible
    return possible


def _line_field_rule(state: StateInline, silent: bool) -> bool:
    """`key:: value` filling a whole line of the inline text."""
    src, pos = state.src, state.pos
    if pos and src[pos - 1] not in "\n \t":
        return False
    if not _may_hold_fields(state) or not _at_line_start(src, pos) or state.env.get(_IN_VALUE):
        return False
    end = _line_end(state, pos)
    separator = src.find("::", pos, end)
    if separator < 0 or (separator + 2 < end and src[separator + 2] not in " \t"):
        return False
    match = _LINE_KEY.fullmatch(src, pos, separator)
    if match is None:
        return False
    key = _clean_key(match.group("key"))
    if not key or _has_bracketed(src, pos, end):
        return False
    if not silent:
        _push_field(state, key, separator + 2, end, "line")
    state.pos = end
    return True


def _bracketed_rule(state: StateInline, silent: bool) -> bool:
    """`[key:: value]` or `(key:: value)` within a line."""
    src, pos = state.src, state.pos
    if src[pos] not in _WRAPPERS or not _may_hold_fields(state):
        return False
    found = scan_bracketed(src, pos, _line_end(state, pos))
    if found is None:
        return False
    key, value_start, close = found
    if not silent:
        _push_field(state, key, value_start, close, "paren" if src[pos] == "(" else "bracket")
    state.pos = close + 1
    return True


def _record_fields(state: StateCore) -> None:
    """Core rule: every field of the note, in order, into `env["inline_fields"]`."""
    fields: list[InlineField] = []
    state.env["inline_fields"] = fields
    if not state.env.pop(_SEEN, False):
        return
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        for child in token.children:
            if child.type == "inline_field_open":
                fields.append(InlineField(child.meta["key"], child.meta["value"]))


def _render_key_close(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
    """Close the key with `: `, so that key and value are two words of the page's text."""
    return ": </span>"


def inline_fields_plugin(md: MarkdownIt, **options: Any) -> None:
    # The line rule must see the line before `text` swallows its first word.
    md.inline.ruler.before("text", "inline_field_line", _line_field_rule)
    md.inline.ruler.before("link", "inline_field", _bracketed_rule)
    md.inline.add_terminator_char("(")
    md.core.ruler.after("inline", "inline_fields_record", _record_fields)
    md.add_render_rule("inline_field_key_close", _render_key_close)
