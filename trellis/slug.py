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
        return _DASHES.sub("-", text.lower().translate(_ASCII)).strip("-")
    text = unicodedata.normalize("NFC", text).lower()
    out: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if category[0] in _KEEP_CATEGORIES:
            # A mark with nothing before it (after an emoji, say) is a stray: drop it.
            if category[0] == "M" and (not out or out[-1] == "-"):
                continue
            out.append(char)
        elif char in "-_" or category[0] == "Z" or char.isspace() or category[0] == "P":
            out.append("-")
        # Symbols (emoji, +, &, ...) and control characters vanish.
    return _DASHES.sub("-", "".join(out)).strip("-")


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
