"""Tags across the site: which notes carry each tag or one of its children.

Obsidian groups tags case-insensitively; the first spelling met names the group. The site
groups them by their page's address (`key`): `cas clinique` and `cas-clinique`, or
`classe_iii` and `classe-III`, share one tag page, which lists the notes of both.
`#a/b` also counts for `#a`, so `/tags/a/` lists notes tagged with `a` or any `a/...`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class TagEntry(Generic[T]):
    name: str  # as first written, without `#`
    direct: list[T] = field(default_factory=list)  # items tagged exactly this
    all: list[T] = field(default_factory=list)  # items tagged this or a child tag


def build_tag_index(
    items: Iterable[tuple[T, list[str]]], key: Callable[[str], str] = str.lower
) -> dict[str, TagEntry[T]]:
    """Map `key(tag)` -> entry, for every tag and every parent of a nested tag (a key
    holds `/` where the tag does: parents are found by cutting it)."""
    index: dict[str, TagEntry[T]] = {}
    seen: set[tuple[str, int, bool]] = set()
    for item, tags in items:
        for tag in tags:
            parts = [p for p in tag.split("/") if p]
            for depth in range(1, len(parts) + 1):
                name = "/".join(parts[:depth])
                group = key(name)
                entry = index.setdefault(group, TagEntry(name))
                exact = depth == len(parts)
                for bucket, is_direct in ((entry.all, False), (entry.direct, True)):
                    if is_direct and not exact:
                        continue
                    mark = (group, id(item), is_direct)
                    if mark not in seen:
                        seen.add(mark)
                        bucket.append(item)
    return dict(sorted(index.items()))
