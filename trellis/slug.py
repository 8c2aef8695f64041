"""URL slugs that keep every script readable.

Written by hand because python-slugify cannot do this: by default it transliterates
(`日本語` -> `ri-ben-yu`), and with `allow_unicode=True` its `\\w` pattern strips combining
marks, so Bengali `জীবন` becomes `জ-বন`. Here a slug keeps letters, marks and digits of any
script (NFC, lowercased), drops emoji, symbols and punctuation, and joins words with `-`.
Browsers show such URLs as text; hrefs are percent-encoded where they are written.
"""

from __future__ import annotations

import re
import unicodedata

_KEEP_CATEGORIES = ("L", "M", "N")
_DASHES = re.compile(r"-{2,}")


def slugify(text: str) -> str:
    """Lowercase `text`, keep letters/marks/digits of every script, join words with `-`."""
    if text.isascii():  # (no marks: each character alone says what it becomes)
        out = text.lower().translate(_ASCII)
    else:
        out = unicodedata.normalize("NFC", text).lower().translate(_UNICODE)
        if _MARK in out:  # a mark with nothing before it (after an emoji, say) is a stray
            out = _STRAY_MARKS.sub(r"\1", out).replace(_MARK, "")
    return (_DASHES.sub("-", out) if "--" in out else out).strip("-")


def _ascii_table() -> dict[int, str]:
    """What `slugify` makes of each ASCII character (lowercased already), by its rules."""
    table = {}
    for code in range(128):
        char = chr(code)
        category = unicodedata.category(char)
        if category[0] in _KEEP_CATEGORIES:
            table[code] = char
        elif char in "-_" or category[0] == "Z" or char.isspace() or category[0] == "P":
            table[code] = "-"
        else:
            table[code] = ""
    return table


_ASCII = _ascii_table()


class _UnicodeTable(dict[int, str]):
    """What `slugify` makes of each character (lowercased already), worked out the first
    time a process meets it: `str.translate` then runs in C. Letters and digits are kept,
    `-`, `_`, spaces and punctuation become `-`, the rest (emoji, symbols, control
    characters) vanish; a mark is kept unless the slug made so far is empty or ends in `-`,
    so it becomes `_MARK` and itself, and a stray one is found in the result.

    Why: a name with one emoji or one letter beyond ASCII was slugged a Python test per
    character; a build slugs every note's file name (6,000 such names at 10,000 notes,
    ~10 us each). tests/test_public_site_shortcuts.py holds that loop and compares."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        kind = unicodedata.category(char)[0]
        if kind == "M":
            made = _MARK + char
        elif kind in _KEEP_CATEGORIES:
            made = char
        elif char in "-_" or kind == "Z" or char.isspace() or kind == "P":
            made = "-"
        else:  # symbols (emoji, +, &, ...), control, private-use and unassigned characters
            made = ""
        self[code] = made
        return made


# A private-use character: one in the text is dropped (category C), so each in the result
# stands before a mark.
_MARK = "\U000f0000"
_STRAY_MARKS = re.compile(f"(^|-)(?:{_MARK}.)+", re.DOTALL)
_UNICODE = _UnicodeTable()


class UniqueSlugs:
    """Hands out heading ids for one page: a repeated slug gets `-1`, `-2`, ..."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def make(self, text: str, fallback: str = "section") -> str:
        base = slugify(text) or fallback
        slug = base
        count = self._seen.get(base, 0)
        while slug in self._seen:
            count += 1
            slug = f"{base}-{count}"
        self._seen[base] = count
        self._seen[slug] = 0
        return slug
