"""What an evaluation read, and whether a change to the published notes can change its result.

A query (or a base, or an inline `= expr`) is a function of what it reads, so its
`Dependencies` record is exactly that, gathered while it runs (`trellis.query.rows`):

- `source` and `matched`: the FROM predicate (a frozen syntax node) and the notes it
  selected. A note entering or leaving that set changes the result.
- `reads`: every key read and the notes it was read on: a field name (`rating`), an
  implicit field (`file.mtime`, `file.inlinks`, `file.tasks`), `*` (every field of the note
  was walked) or `file.*`; stored per key, `None` meaning "on every selected note", so a
  query over 10,000 notes costs a few entries (`fields` expands it to `(path, key)` pairs).
  Keys that were asked for and absent are recorded too: gaining them matters. Reads are
  dynamic: a note that WHERE rejected on `rating` records only `rating`, and only a change
  to `rating` can bring it back.
- `lookups`: link targets the query resolved by name (`[[X]]`, `link("X")`, `FROM [[X]]`),
  with the note they were written in and the published path they named (None: nothing).
- `clock`: the query asked for the time (`date(today)`, `date(now)`, ...).

`diff_views(old, new, touched)` turns an edit into a `Change` (which keys of which notes
now hold other values, which notes may have entered or left a source); `affected(change)`
says whether this record's result may differ. It is sound (never False when the result
can change) because evaluation is deterministic given the values read; it is precise up
to the key: a page is re-rendered only when something it read changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trellis.query import ast

if TYPE_CHECKING:
    from trellis.query.rows import Reads
    from trellis.query.view import PublishedView


@dataclass(frozen=True)
class Dependencies:
    source: ast.Source | None = None  # None: the result depends on no note's membership
    matched: frozenset[str] = frozenset()
    # key -> the notes it was read on; None stands for "every note in `matched`" (the
    # common case, kept small: a query over 10,000 notes reading 3 keys stores 3 entries).
    reads: tuple[tuple[str, frozenset[str] | None], ...] = ()
    lookups: frozenset[tuple[str, str | None, str | None]] = frozenset()
    clock: bool = False
    this: str | None = None

    @classmethod
    def from_reads(
        cls, source: ast.Source | None, matched: Iterable[str], reads: Reads, this: str | None
    ) -> Dependencies:
        matched = frozenset(matched)
        by_key: dict[str, set[str]] = {}
        for path, key in reads.fields:
            by_key.setdefault(key, set()).add(path)
        compact = tuple(
            sorted(
                (key, None if paths == matched else frozenset(paths))
                for key, paths in by_key.items()
            )
        )
        return cls(
            source,
            matched,
            compact,
            frozenset((t, src, found) for (t, src), found in reads.lookups.items()),
            reads.clock,
            this,
        )

    @property
    def fields(self) -> set[tuple[str, str]]:
        """Every (note path, key) read (expanded; for tests and tools)."""
        return {
            (path, key)
            for key, paths in self.reads
            for path in (self.matched if paths is None else paths)
        }

    def affected(self, change: Change) -> bool:
        if self.clock:
            return True
        for target, written_in, found in self.lookups:
            if change.new.resolve(target, written_in) != found:
                return True
        if self.source is not None:
            for path in change.membership:
                now = source_contains(self.source, change.new, path, self.this)
                if now != (path in self.matched):
                    return True
        for path, changed in change.fields.items():
            page_keys = any(not k.startswith("file.") for k in changed)
            file_keys = any(k.startswith("file.") for k in changed)
            for key, paths in self.reads:
                if path not in (self.matched if paths is None else paths):
                    continue
                if key in changed or (key == "*" and page_keys) or (key == "file.*" and file_keys):
                    return True
        return False


def affected_any(records: Iterable[Dependencies], change: Change) -> bool:
    return any(record.affected(change) for record in records)


@dataclass
class Change:
    """How the published notes changed, for `Dependencies.affected`."""

    new: PublishedView
    fields: Mapping[str, frozenset[str]] = field(default_factory=dict)
    membership: frozenset[str] = frozenset()


def source_contains(
    source: ast.Source, view: PublishedView, path: str, this: str | None = None
) -> bool:
    """Whether one note is selected by a FROM source written in `this` (without selecting
    every note, as `engine.select` does)."""
    if path not in view.records:
        return False
    if isinstance(source, ast.AllPages):
        return True
    if isinstance(source, ast.TagSource):
        return path in view.tags.get(source.tag.lower(), ())
    if isinstance(source, ast.FolderSource):
        folder = source.folder
        return path in view.cached("", "folder:" + folder, lambda: view.in_folder(folder))
    if isinstance(source, ast.LinkSource):
        target = view.resolve(source.target, this)
        if target is None:
            return False
        if source.incoming:
            return path in view.inlinks.get(target, ())
        return any(link.path == path for link in view.outlinks.get(target, ()))
    if isinstance(source, ast.NegatedSource):
        return not source_contains(source.child, view, path, this)
    if isinstance(source, ast.BinarySource):
        left = source_contains(source.left, view, path, this)
        right = source_contains(source.right, view, path, this)
        return (left and right) if source.op == "&" else (left or right)
    return False


def fingerprint(value: Any) -> str:
    return hashlib.blake2b(repr(value).encode(), digest_size=12).hexdigest()


def note_fingerprints(view: PublishedView, path: str) -> dict[str, str]:
    """A fingerprint of every key a query can read on one note (fields and `file.*`)."""
    from trellis.query.page import FILE_KEYS, file_field, page_fields

    if path not in view.records:
        return {}
    prints = {key: fingerprint(value) for key, value in page_fields(view, path).items()}
    for key in FILE_KEYS:
        prints["file." + key] = fingerprint(file_field(view, path, key))
    return prints


def diff_views(old: PublishedView, new: PublishedView, touched: Iterable[str]) -> Change:
    """The change between two views, given the notes whose records differ (edited, added,
    removed). Notes those link to (before or after) are looked at too: their inlinks move."""
    touched = set(touched)
    around = set(touched)
    for path in touched:
        for view in (old, new):
            around.update(link.path for link in view.outlinks.get(path, ()) if link.path)
    fields: dict[str, frozenset[str]] = {}
    for path in around:
        before, after = note_fingerprints(old, path), note_fingerprints(new, path)
        keys = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        if keys:
            fields[path] = frozenset(keys)
    return Change(new, fields, frozenset(touched))
