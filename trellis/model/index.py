"""Resolve link targets to files the way Obsidian does.

One index is built per build, over whatever files it is given (the public site gives it the
published notes only). A target is matched, case-insensitively and with `.md` optional:
by full vault path, then relative to the linking note's folder, then as a path suffix
(`Sub/Note`), then by bare file name, then by alias. When a name fits several files the
shortest path wins, then the alphabetically first, and the caller is told it was ambiguous.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


def normalise_target(target: str, strip_md: bool = True) -> str:
    """Lowercased POSIX path without leading `/` or `./`, and without `.md` if asked.

    `%23` is `#`: a Markdown link to a note whose name holds `#` keeps it escaped in its
    target (`Odd %23hash.md`), since a bare `#` there starts the heading part."""
    target = target.strip().replace("\\", "/").lstrip("/").replace("%23", "#")
    while target.startswith("./"):
        target = target[2:]
    lowered = target.lower()
    if strip_md and lowered.endswith(".md"):
        lowered = lowered[:-3]
    return lowered


def _rank(path: str) -> tuple[int, int, str]:
    return (path.count("/"), len(path), path)


@dataclass(frozen=True)
class Match(Generic[T]):
    item: T
    # Other items the target also fits (the caller warns about ambiguity).
    also: tuple[str, ...] = ()


class PathIndex(Generic[T]):
    """Finds items by vault path, path suffix, bare name or alias."""

    def __init__(self, strip_md: bool = True) -> None:
        self._strip_md = strip_md
        self._by_path: dict[str, tuple[str, T]] = {}
        self._by_name: dict[str, list[tuple[str, T]]] = defaultdict(list)
        self._by_alias: dict[str, list[tuple[str, T]]] = defaultdict(list)

    def add(self, rel_path: str, item: T, aliases: Iterable[str] = ()) -> None:
        key = normalise_target(rel_path, self._strip_md)
        self._by_path[key] = (rel_path, item)
        self._by_name[key.rpartition("/")[2]].append((rel_path, item))  # (its basename)
        for alias in aliases:
            if alias.strip():
                self._by_alias[alias.strip().lower()].append((rel_path, item))

    def finish(self) -> None:
        """Sort candidate lists once, after every item was added."""
        for table in (self._by_name, self._by_alias):
            for candidates in table.values():
                if len(candidates) > 1:  # (most names: one note)
                    candidates.sort(key=lambda pair: _rank(pair[0].lower()))

    def resolve(self, target: str, source_folder: str = "") -> Match[T] | None:
        key = normalise_target(target, self._strip_md)
        if not key:
            return None
        exact = self._by_path.get(key)
        if exact is not None:
            return Match(exact[1])
        if source_folder or key.startswith("../"):
            relative = posixpath.normpath(posixpath.join(source_folder.lower(), key))
            if not relative.startswith("../") and relative in self._by_path:
                return Match(self._by_path[relative][1])
        name = posixpath.basename(key)
        candidates = self._by_name.get(name, [])
        if "/" in key:
            suffix = "/" + key
            candidates = [
                pair
                for pair in candidates
                if "/" + normalise_target(pair[0], self._strip_md) == suffix
                or normalise_target(pair[0], self._strip_md).endswith(suffix)
            ]
        if not candidates and "/" not in key:
            candidates = self._by_alias.get(key, [])
        if not candidates:
            return None
        return Match(candidates[0][1], tuple(path for path, _ in candidates[1:]))
