"""Rows a query works on, and the record of what it read.

A row is a read-only mapping over a published note (`PageRow`), one of its tasks
(`TaskRow`: the task's own keys, then the page's), or a mapping derived from such rows
(`FLATTEN` overlays, `GROUP BY` groups). Page and file mappings write every key they are
asked for into `Reads.fields` as `(note path, key)`, with `file.<key>` for implicit fields
and `*` when a whole object is walked; `Reads` also keeps the link targets a query resolved
by name and whether it asked for the time. This is the dependency record (see
`trellis.query.deps`): a query's result is a function of exactly what it read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from trellis.query.page import FILE_KEYS, file_field, page_fields
from trellis.query.view import PublishedView


@dataclass
class Reads:
    fields: set[tuple[str, str]] = field(default_factory=set)
    # (target as written, note it was written in) -> published path it named, or None
    lookups: dict[tuple[str, str | None], str | None] = field(default_factory=dict)
    clock: bool = False

    def note(self, path: str, key: str) -> None:
        self.fields.add((path, key))


class PageRow(Mapping[str, Any]):
    """A published note's fields plus `file`, recording each key read."""

    __slots__ = ("_fields", "path", "reads", "view")

    def __init__(self, view: PublishedView, path: str, reads: Reads) -> None:
        self.view = view
        self.path = path
        self.reads = reads
        self._fields = page_fields(view, path)

    def __getitem__(self, key: str) -> Any:
        if key == "file":  # reading `file` itself tells nothing; its keys are recorded
            return FileRow(self.view, self.path, self.reads)
        self.reads.note(self.path, key)
        return self._fields[key]

    def __contains__(self, key: object) -> bool:
        if key == "file":
            return True
        self.reads.note(self.path, str(key))
        return key in self._fields

    def __iter__(self) -> Iterator[str]:
        self.reads.note(self.path, "*")
        yield "file"
        yield from self._fields

    def __len__(self) -> int:
        self.reads.note(self.path, "*")
        return len(self._fields) + 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PageRow) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)


class FileRow(Mapping[str, Any]):
    """`file` of a published note: the implicit fields, each recorded as `file.<key>`."""

    __slots__ = ("path", "reads", "view")

    def __init__(self, view: PublishedView, path: str, reads: Reads) -> None:
        self.view = view
        self.path = path
        self.reads = reads

    def _keys(self) -> list[str]:
        keys = list(FILE_KEYS)
        if file_field(self.view, self.path, "day") is None:
            keys.remove("day")
        return keys

    def __getitem__(self, key: str) -> Any:
        self.reads.note(self.path, "file." + key)
        if key not in FILE_KEYS:
            raise KeyError(key)
        value = file_field(self.view, self.path, key)
        if value is None and key == "day":
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        self.reads.note(self.path, f"file.{key}")
        return key in self._keys()

    def __iter__(self) -> Iterator[str]:
        self.reads.note(self.path, "file.*")
        return iter(self._keys())

    def __len__(self) -> int:
        self.reads.note(self.path, "file.*")
        return len(self._keys())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FileRow) and other.path == self.path

    def __hash__(self) -> int:
        return hash(("file", self.path))


class TaskRow(Mapping[str, Any]):
    """A task of a note: its own keys first, then the note's (tasks inherit page fields)."""

    __slots__ = ("item", "page")

    def __init__(self, item: Mapping[str, Any], page: PageRow) -> None:
        self.item = item
        self.page = page

    def __getitem__(self, key: str) -> Any:
        if key in self.item:
            return self.item[key]
        return self.page[key]

    def __contains__(self, key: object) -> bool:
        return key in self.item or key in self.page

    def __iter__(self) -> Iterator[str]:
        yield from self.item
        yield from (k for k in self.page if k not in self.item)

    def __len__(self) -> int:
        return len(set(self.item) | set(self.page))


class Overlay(Mapping[str, Any]):
    """A row with one more name bound (`FLATTEN x AS name`)."""

    __slots__ = ("base", "extra")

    def __init__(self, base: Mapping[str, Any], extra: dict[str, Any]) -> None:
        self.base = base
        self.extra = extra

    def __getitem__(self, key: str) -> Any:
        if key in self.extra:
            return self.extra[key]
        return self.base[key]

    def __contains__(self, key: object) -> bool:
        return key in self.extra or key in self.base

    def __iter__(self) -> Iterator[str]:
        yield from self.extra
        yield from (k for k in self.base if k not in self.extra)

    def __len__(self) -> int:
        return len(set(self.extra) | set(self.base))


def materialize(value: Any, depth: int = 0) -> Any:
    """A plain copy of a value (rows become dicts), for output that outlives the reads."""
    if depth > 8:
        return None
    if isinstance(value, Mapping):
        return {k: materialize(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [materialize(v, depth + 1) for v in value]
    return value
