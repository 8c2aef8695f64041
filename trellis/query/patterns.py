"""Regular expressions written by a vault's author (Dataview's `regexmatch`, a base's
`/pattern/`), run with a time limit.

A pattern such as `(a|aa)+$` backtracks for minutes on a 40-character value; with Python's
`re` that stalls the whole build on one query. The `regex` package reads the same syntax
(JavaScript's `(?<name>...)` groups included) and takes a timeout per call, so a runaway
pattern becomes a query error on its note and the rest of the site builds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import regex

# Per call (one value): generous for any sane pattern, short enough that a vault of such
# queries still builds.
PATTERN_SECONDS = 0.25

IGNORECASE = regex.IGNORECASE
MULTILINE = regex.MULTILINE
PatternError = regex.error


class PatternTimeout(Exception):
    """A pattern ran past `PATTERN_SECONDS` on one value."""


class AuthorPattern:
    """A compiled author pattern whose every match runs under the time limit."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self._compiled = regex.compile(pattern, flags)  # raises PatternError

    @property
    def groups(self) -> int:
        return int(self._compiled.groups)

    def search(self, text: str) -> Any:
        return self._timed(lambda: self._compiled.search(text, timeout=PATTERN_SECONDS))

    def sub(self, replacement: str | Callable[[Any], str], text: str, count: int = 0) -> str:
        return str(
            self._timed(
                lambda: self._compiled.sub(replacement, text, count=count, timeout=PATTERN_SECONDS)
            )
        )

    def split(self, text: str) -> list[Any]:
        return list(self._timed(lambda: self._compiled.split(text, timeout=PATTERN_SECONDS)))

    def _timed(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except TimeoutError:
            raise PatternTimeout(
                f"the regular expression /{self.pattern}/ ran longer than {PATTERN_SECONDS} s on "
                "one value (a repeated alternative such as (a|aa)+ can backtrack without end): "
                "simplify it"
            ) from None
