"""Warnings about the vault, collected for the whole build and reported at the end.

Every stage reports problems here instead of raising, so one broken note never stops the
rest of the garden. A warning names the file (vault-relative) and, where known, the line.

Warnings end up on a terminal, and file names (and link targets, and frontmatter values) are
the vault owner's bytes: a name holding ESC could recolour, retitle or rewrite the terminal,
a newline could forge a warning line, a bidi override could show `gpj.exe` as `exe.jpg`.
`printable` escapes those characters, and `Diagnostic.__str__` uses it, so every warning is
safe to print however it is reached; other terminal lines naming files use it too.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

# C0 and C1 controls and DEL, line and paragraph separators, the bidi controls
# (ALM, LRM, RLM, LRE..RLO, LRI..PDI) and lone surrogates (undecodable bytes of a name).
_UNPRINTABLE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every control, separator and bidi character shown as a `\\x1b`-style escape."""
    return _UNPRINTABLE.sub(_escape, text)


class FatalError(Exception):
    """A problem that stops the build (no such vault, unwritable output): one clear line."""


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int | None
    message: str
    code: str = "warning"

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        text = f"{where}: {self.code}: {self.message}" if where else f"{self.code}: {self.message}"
        return printable(text)


@dataclass
class Diagnostics:
    """A thread-safe list of warnings; the same (path, line, message) is kept once."""

    items: list[Diagnostic] = field(default_factory=list)
    _seen: set[Diagnostic] = field(default_factory=set, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def warn(self, path: str, message: str, line: int | None = None, code: str = "warning") -> None:
        item = Diagnostic(path, line, message, code)
        with self._lock:
            if item not in self._seen:
                self._seen.add(item)
                self.items.append(item)

    @classmethod
    def of(cls, items: list[Diagnostic]) -> Diagnostics:
        """A list holding `items` once each, in order (faster than `warn` one by one)."""
        unique = list(dict.fromkeys(items))
        return cls(items=unique, _seen=set(unique))

    def extend(self, items: list[Diagnostic]) -> None:
        for item in items:
            self.warn(item.path, item.message, item.line, item.code)

    def __len__(self) -> int:
        return len(self.items)

    def for_path(self, path: str) -> list[Diagnostic]:
        return [d for d in self.items if d.path == path]


# Quoted names, vault paths (`Folder/Note.md`) and numbers: what differs between warnings
# of one kind.
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|[^\s;,']*\.md\b|\d+(?:\.\d+)?")
# The same without vault paths, for a message with no `.md` in it (most: a build of
# 10,000 notes reports thousands, and trying a path at every character was most of it).
_QUOTED_NO_PATH = re.compile(r"'[^']*'|\"[^\"]*\"|\d+(?:\.\d+)?")


def warning_kind(message: str) -> str:
    """`message` with its quoted names and numbers blanked: warnings of one kind alike."""
    return (_QUOTED if ".md" in message else _QUOTED_NO_PATH).sub("…", message)


def pick_shown(items: list[Diagnostic], limit: int) -> list[Diagnostic]:
    """At most `limit` of `items`, in their order, the first of every kind before the rest:
    a rare warning (a note kept private by broken frontmatter) is not hidden behind
    thousands of links to unpublished notes, the usual case in an exported garden."""
    if len(items) <= limit:
        return list(items)
    chosen: set[int] = set()
    kinds: set[str] = set()
    for index, item in enumerate(items):
        kind = warning_kind(item.message)
        if kind not in kinds:
            kinds.add(kind)
            chosen.add(index)
            if len(chosen) == limit:
                break
    for index in range(len(items)):
        if len(chosen) == limit:
            break
        chosen.add(index)
    return [items[index] for index in sorted(chosen)]


def hidden_summary(items: list[Diagnostic], shown: list[Diagnostic], kinds: int = 5) -> str:
    """One line counting the warnings not shown, by kind (the commonest first)."""
    counts: dict[str, int] = {}
    visible = set(shown)
    for item in items:
        if item not in visible:
            kind = warning_kind(item.message)
            counts[kind] = counts.get(kind, 0) + 1
    hidden = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    parts = [f"{count} × {printable(kind)}" for kind, count in ranked[:kinds]]
    if len(ranked) > kinds:
        parts.append(f"{sum(count for _, count in ranked[kinds:])} other")
    return f"... and {hidden} more (-v shows all): " + "; ".join(parts)
