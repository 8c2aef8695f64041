"""What only the build's own process reads, and only at its end, packed while workers run.

Why: a worker is forked from the build, and a forked process's resident size counts every
page of the build's memory at that moment (its page tables map them all), so each MiB the
build holds at the fork is counted once more per worker in the peak of the build's process
tree (issue 17: ~600 MiB at 50,000 notes). Some of it is read by nobody until the cache is
written: the stat and hash of every file the scan read (`seen`, the cache's head) and the
frontmatter blocks of the published notes (the next `serve` build's memo); and the texts of
private notes no page reads at all. Pickled and compressed before the fork, they take a
fraction of that, and the memory they let go of is taken by what each process makes next
(parses, pages). They stay in memory: they name private notes, and nothing of those may
be written anywhere (the spill file lies in the output folder). The link stage's records
(read again by the cache alone) are packed so too once the pages' plan is made: the
build's own process holds them through its pages, at the build's peak.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Iterable
from typing import Generic, TypeVar

from trellis.build.spill import compress_private_bodies
from trellis.vault.records import SourceNote

T = TypeVar("T")


class Aside(Generic[T]):
    """A value kept as it is until `pack` (called just before workers are forked), then as
    compressed pickle bytes until `value` asks for it again (once, at the build's end).
    `sources`: every note the scan read, whose private ones' texts `pack` compresses."""

    __slots__ = ("_packed", "_sources", "_value")

    def __init__(self, value: T, sources: Iterable[SourceNote] = ()) -> None:
        self._value: T | None = value
        self._packed = b""
        self._sources = sources

    def pack(self, published: Iterable[SourceNote] = ()) -> None:
        """Pack the value; compress the texts of the notes not `published`."""
        compress_private_bodies(self._sources, published)
        self._sources = ()
        if self._value is not None:
            data = pickle.dumps(self._value, pickle.HIGHEST_PROTOCOL)
            self._packed, self._value = zlib.compress(data, 1), None

    @property
    def value(self) -> T:
        if self._value is None:  # (only this process's own bytes are ever read back)
            self._value, self._packed = pickle.loads(zlib.decompress(self._packed)), b""
        assert self._value is not None
        return self._value
