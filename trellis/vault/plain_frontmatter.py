"""Frontmatter blocks of the shapes Obsidian and the Digital Garden plugin write, read
without YAML: the same values and key lines as the YAML loader gives them, or None.

Why: loading a block with YAML costs about 80 microseconds (PyYAML's resolvers and
constructors run in Python), most of reading a vault whose notes are otherwise
unchanged. Keeping parsed blocks in the build cache instead would let the cache decide
which notes are published, and a cache is input Trellis does not trust. So the common
shapes are read here, from the note's own bytes, every build; any other block, and any
line this module is not sure of, goes to YAML (`trellis.vault.frontmatter`).

Two shapes, each taken only whole:

- one line of JSON (`{"dg-publish":true,"tags":["a"]}`), without backslashes (no
  escapes), floats, `NaN`/`Infinity` or repeated keys: YAML 1.2 reads such JSON as JSON;
- lines of `key: value`, at the left margin, with ASCII keys, and values that are
  `true`/`false`, integers, `YYYY-MM-DD` dates, double-quoted strings without `"` or
  `\\`, or plain text starting with a letter and holding no `#`, no `: ` and no
  trailing `:`; a key with nothing after it takes the list of the `- item` lines that
  follow it (items quoted or plain, as values are), or None.

Any character YAML refuses (control characters, U+FEFF) sends the block to YAML too, as
does a block `frontmatter` would find nested too deeply.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

# What YAML reads (its printable set), less tab, U+FEFF and what YAML 1.1 takes for line
# breaks (U+0085, U+2028, U+2029): a block holding anything else is left to the YAML
# loader, which reports it or reads it its own way.
_UNREADABLE = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# A `key: value` line, the value's kind told by the group that matched: a quoted string,
# true/false, a date, anything else (read by `_value`); no value (a list may follow).
_LINE = re.compile(
    r'([A-Za-z][A-Za-z0-9_-]{0,199}):(?: (?:"([^"\\]*)"|(true|false)|'
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})|(.+)))?"
)
_ITEM = re.compile(r'( {0,4})- (?:"([^"\\]*)"|(.+))')
_QUOTED = re.compile(r'"([^"\\]*)"')
# Plain text: a letter first, then anything but `#`, `\`; never `: ` nor a trailing `:`
# or space (those end or change a plain scalar in YAML).
_PLAIN = re.compile(r"[^\W\d_][^#\\]*")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")
# Plain words YAML reads as something other than text.
_WORDS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False}
_WORDS["FALSE"] = False
_NOT_TEXT = {"null", "Null", "NULL"}
# YAML refuses an implicit key longer than this (PyYAML: 1024 characters).
_MAX_KEY = 512


class _NotPlain(Exception):
    """The block is not of a shape read here: YAML reads it."""


def read_plain(block: str, first_line: int) -> tuple[dict[str, Any], dict[str, int]] | None:
    """The values and the file line of each key of `block` (the text between the fences,
    starting with the rest of the opening fence's line, which is file line `first_line`),
    exactly as the YAML loader reads it; None when the block is not of a shape read here."""
    if _UNREADABLE.search(block) or "\\" in block:
        return None
    lines = block.split("\n")
    if len(lines) < 3 or lines[0] or lines[-1]:
        return None
    try:
        if len(lines) == 3 and lines[1].startswith("{"):
            meta = _json(lines[1])
            return meta, dict.fromkeys(meta, first_line + 1)
        return _key_lines(lines, first_line)
    except _NotPlain:
        return None


def _json(line: str) -> dict[str, Any]:
    try:
        meta = json.loads(
            line,
            object_pairs_hook=_object,
            parse_float=_refuse,
            parse_constant=_refuse,
        )
    except ValueError as error:  # not JSON (or an integer too long to read)
        raise _NotPlain from error
    if type(meta) is not dict:
        raise _NotPlain
    return meta


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs) or any(len(key) > _MAX_KEY for key in found):
        raise _NotPlain  # YAML refuses a repeated key, and a very long one
    return found


def _refuse(text: str) -> Any:
    raise _NotPlain  # a float (or NaN, Infinity): YAML may spell or round it otherwise


def _key_lines(lines: list[str], first_line: int) -> tuple[dict[str, Any], dict[str, int]]:
    meta: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    listing = ""  # the key with nothing after it: `- item` lines make its value a list
    indent = ""  # the items' indentation (all of one list alike)
    for number, line in enumerate(lines[1:-1], 1):
        if line[:1] in (" ", "-"):
            item = _ITEM.fullmatch(line)
            if item is None or not listing:
                raise _NotPlain
            if meta[listing] is None:
                meta[listing], indent = [], item.group(1)
            elif item.group(1) != indent:
                raise _NotPlain
            quoted = item.group(2)
            meta[listing].append(quoted if quoted is not None else _value(item.group(3)))
            continue
        found = _LINE.fullmatch(line)
        if found is None:
            raise _NotPlain
        key, quoted, word, year, month, day, other = found.groups()
        if key in meta or key in _WORDS or key in _NOT_TEXT:
            raise _NotPlain
        key_lines[key] = first_line + number
        listing = ""
        if quoted is not None:
            meta[key] = quoted
        elif word is not None:
            meta[key] = word == "true"
        elif year is not None:
            meta[key] = _date(year, month, day)
        elif other is not None:
            meta[key] = _value(other)
        else:
            meta[key], listing = None, key
    return meta, key_lines


def _date(year: str, month: str, day: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError as error:  # YAML fails on it: the block is invalid
        raise _NotPlain from error


def _value(text: str) -> Any:
    quoted = _QUOTED.fullmatch(text)
    if quoted is not None:
        return quoted.group(1)
    if text in _WORDS:
        return _WORDS[text]
    if _INT.fullmatch(text):
        return int(text)
    day = _DATE.fullmatch(text)
    if day is not None:
        return _date(*day.groups())
    if (
        _PLAIN.fullmatch(text) is None
        or text in _NOT_TEXT
        or ": " in text
        or text.endswith((":", " "))
    ):
        raise _NotPlain
    return text
