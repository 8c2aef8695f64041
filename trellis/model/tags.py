"""Tags across the site: which notes carry each tag or one of its children.

Obsidian groups tags case-insensitively; the first spelling met names the group. The site
groups them by their page's address (`key`): `cas clinique` and `cas-clinique`, or
`classe_iii` and `classe-III`, share one tag page, which lists the notes of both.
`#a/b` also counts for `#a`, so `/tags/a/` lists notes tagged with `a` or any `a/...`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def frontmatter_tags(meta: dict[str, Any]) -> list[str]:
    """`tags`/`tag` as a list or a comma/space separated string, with or without `#`."""
    value = meta.get("tags", meta.get("tag"))
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list):
        return []
    tags = []
    for item in value:
        if isinstance(item, str | int) and not isinstance(item, bool):
            tag = str(item).strip().lstrip("#").strip()
            if tag and not tag.isdigit():
                tags.append(tag)
    return tags


def note_tags(frontmatter: list[str], inline: list[str]) -> tuple[str, ...]:
    """Frontmatter tags, then inline ones, once each (case-insensitive, the first spelling
    kept). `gardenEntry` is the export's mark of the home page, not a topic: not listed."""
    seen: dict[str, str] = {}
    for tag in (*frontmatter, *inline):
        lowered = tag.lower()
        if lowered != "gardenentry":
            seen.setdefault(lowered, tag)
    return tuple(seen.values())


@dataclass
class TagEntry(Generic[T]):
    name: str  # as first written, without `#`
    direct: list[T] = field(default_factory=list)  # items tagged exactly this
    all: list[T] = field(default_factory=list)  # items tagged this or a child tag


def build_tag_index(
    items: Iterable[tuple[T, list[str]]], key: Callable[[str], str] = str.lower
) -> dict[str, TagEntry[T]]:
    """Map `key(tag)` -> entry, for every tag and every parent of a nested tag (a key
    holds `/` where the tag does: parents are found by cutting it). Each spelling's levels
    are worked out once (a vault uses a few hundred tags thousands of times)."""
    index: dict[str, TagEntry[T]] = {}
    levels: dict[str, list[tuple[str, str, bool]]] = {}  # tag -> (key, name, exact) per level
    for item, tags in items:
        listed: set[str] = set()  # the keys this item is in `all` of, and in `direct` of
        direct: set[str] = set()
        for tag in tags:
            found = levels.get(tag)
            if found is None:
                found = levels[tag] = _levels(tag, key)
            for group, name, exact in found:
                entry = index.get(group)
                if entry is None:
                    entry = index[group] = TagEntry(name)
                if group not in listed:
                    listed.add(group)
                    entry.all.append(item)
                if exact and group not in direct:
                    direct.add(group)
                    entry.direct.append(item)
    return dict(sorted(index.items()))


def _levels(tag: str, key: Callable[[str], str]) -> list[tuple[str, str, bool]]:
    """`a/b/c` -> the key and name of `a`, `a/b` and `a/b/c`, and whether it is the tag."""
    parts = [p for p in tag.split("/") if p]
    names = ["/".join(parts[:depth]) for depth in range(1, len(parts) + 1)]
    return [(key(name), name, depth == len(parts)) for depth, name in enumerate(names, 1)]
