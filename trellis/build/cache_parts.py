"""The cache's parses kept as parts: one pickle per note, written back as read when unchanged.

Why: a one-note rebuild at 10,000 notes pickled all 9,000 parses again (21.6 MB, 0.35 of
the ~0.6 CPU s the cache's write took) though all but one were the entries the last build
had written. In the file, the record `parsed` is vault path -> the bytes of that note's
`ParsedEntry` pickled alone (`encode_parses`); a build that read an entry from the file and
left it as read (`ParsedParts.bytes_of`: the same object, the same field values and the same
objects in its fields) writes those bytes again instead of pickling it. Reading decodes every
entry (each is checked as before, and the build reads them all).

What an entry holds that a build may change is all compared (`_state`): its content hash,
file time, episode record, `plain`, `quiet`, warnings, and the content's fields (the lists
themselves and their lengths, so neither a new list nor an item appended goes unseen). An
entry the build parsed afresh is a new object and is pickled.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable
from typing import Any

# The key a read cache's data holds its `ParsedParts` under (never written to the file).
PARTS = "parsed_parts"

# An entry's fields, in `_state` order: those compared by identity, then by value.
_SAME_OBJECTS = 10


def _state(entry: Any) -> tuple[Any, ...]:
    """What of a `ParsedEntry` a build may change: objects first (compared with `is`),
    then values."""
    content = entry.content
    objects = (
        content,
        content.headings,
        content.block_ids,
        content.links,
        content.tags,
        content.features,
        content.query_facts,
        content.queries,
        entry.warnings,
        entry.episode,
    )
    values = (
        entry.content_hash,
        entry.file_time,
        entry.plain,
        entry.quiet,
        content.description,
        len(content.headings),
        len(content.block_ids),
        len(content.links),
        len(content.tags),
        len(content.features),
        len(entry.warnings),
    )
    return objects + values


class ParsedParts:
    """The entries a build read from the cache file, each with its state then and its bytes."""

    def __init__(self) -> None:
        self._read: dict[str, tuple[Any, tuple[Any, ...], bytes]] = {}

    def remember(self, path: str, entry: Any, blob: bytes) -> None:
        self._read[path] = (entry, _state(entry), blob)

    def bytes_of(self, path: str, entry: Any) -> bytes | None:
        """The bytes `entry` was read from, if it is the entry read for `path` and unchanged."""
        kept = self._read.get(path)
        if kept is None or kept[0] is not entry:
            return None
        then, now = kept[1], _state(entry)
        same = all(a is b for a, b in zip(then[:_SAME_OBJECTS], now[:_SAME_OBJECTS], strict=True))
        return kept[2] if same and then[_SAME_OBJECTS:] == now[_SAME_OBJECTS:] else None

    def __len__(self) -> int:
        return len(self._read)


def encode_parses(
    parsed: dict[str, Any], parts: ParsedParts | None, kept: Callable[[Any], Any]
) -> dict[str, bytes]:
    """The record `parsed` as the file holds it: each entry's bytes, those read and unchanged
    as they were, the others pickled (`kept`: the entry as it is kept, without tokens)."""
    blobs: dict[str, bytes] = {}
    for path, entry in parsed.items():
        blob = parts.bytes_of(path, entry) if parts is not None else None
        if blob is None:
            blob = pickle.dumps(kept(entry), protocol=pickle.HIGHEST_PROTOCOL)
        blobs[path] = blob
    return blobs


def decode_parses(
    record: Any, unpickler: Callable[[io.BytesIO], pickle.Unpickler]
) -> tuple[dict[str, Any], dict[str, bytes]] | None:
    """The entries of the file's record `parsed` (not yet checked) and the bytes of those
    read from bytes; None when it is not a mapping or an entry's bytes cannot be read. (A
    value that is not bytes is taken as it is, to be checked like the rest: a file of one
    pickle, as tests write one, holds the entries themselves.)"""
    if not isinstance(record, dict):
        return None
    entries: dict[str, Any] = {}
    blobs: dict[str, bytes] = {}
    for path, blob in record.items():
        if not isinstance(blob, bytes):
            entries[path] = blob
            continue
        try:
            entries[path] = unpickler(io.BytesIO(blob)).load()
        except Exception:  # a garbled pickle can fail in any way; nothing ran
            return None
        blobs[path] = blob
    return entries, blobs
