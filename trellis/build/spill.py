"""Bytes a build keeps for later but seldom reads, held in a file with no name, not in memory.

Why: at 50,000 notes every note's tokens are packed (the token budget is 0), ~140 MB in
the build's own process and ~120 MB in its worker, all held in memory from the parse to
the page that unpacks them, at the build's peak (issue 17). Written to a file, they are the
kernel's page cache (which it writes back and lets go of under pressure), not the process's
memory: reading one back is a `pread` of a few kilobytes, against the ~0.3 ms its unpacking
takes anyway.

The file is made in the folder the build writes into (its staging folder, or the output
updated in place) with no name at all where the system allows it (`O_TMPFILE`: Linux),
else named and removed at once, so nothing is left outside or inside the output, even
when the build is killed. Each process writes a file of its own (a worker forked from the
build gets one when it first writes); what was spilled before a fork can still be read in
the child, through the descriptor it inherited. A file is closed when nothing refers to it
any more. Anything that cannot be written (a full disk, a folder one cannot write) is kept
in memory as before.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from trellis.model.content import LinkRef, NoteContent
from trellis.vault.records import SourceNote


class _SpillFile:
    """One process's file of spilled bytes: written at its end, read anywhere."""

    def __init__(self, folder: Path) -> None:
        # O_TMPFILE where there is one; open as long as anything spilled here is referred to.
        self.file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115
        self.fd = self.file.fileno()
        self.end = 0
        self.pid = os.getpid()

    def append(self, data: bytes) -> int:
        """Write `data` at the end; where it starts."""
        start = self.end
        view = memoryview(data)
        while view:
            written = os.pwrite(self.fd, view, self.end)
            view = view[written:]
            self.end += written
        return start


class Spilled:
    """Bytes written to a spill file: where, and how many."""

    __slots__ = ("_file", "_size", "_start")

    def __init__(self, file: _SpillFile, start: int, size: int) -> None:
        self._file, self._start, self._size = file, start, size

    def __len__(self) -> int:
        return self._size

    def read(self) -> bytes:
        data = os.pread(self._file.fd, self._size, self._start)
        if len(data) != self._size:
            raise OSError(f"spill file: read {len(data)} of {self._size} bytes")
        return data


# Packed bytes, in memory or spilled: `contents` gives them back.
Kept = bytes | Spilled


def contents(kept: Kept) -> bytes:
    return kept.read() if isinstance(kept, Spilled) else kept


class Spill:
    """Where a process keeps bytes it reads again later (`keep`): a file in `folder`, or
    memory (`folder` None, or after the file could not be written)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._file: _SpillFile | None = None

    def keep(self, data: bytes) -> Kept:
        if self.folder is None or not data:
            return data
        try:
            file = self._file
            if file is None or file.pid != os.getpid():  # none yet, or the parent's
                file = self._file = _SpillFile(self.folder)
            start = file.append(data)
        except OSError:  # a full disk, an unwritable folder: memory, from now on
            self.folder = self._file = None
            return data
        return Spilled(file, start, len(data))

    def let_go(self) -> None:
        """Write no more; the file goes once nothing spilled into it is referred to."""
        self._file = None


def spill_bodies(sources: Iterable[SourceNote], spill: Spill) -> None:
    """Move each note's text to `spill` (read back from there each time it is asked for).

    Why: a build with workers forks once the notes are read, and every process then counts
    the texts it inherited in its resident memory (190 MB at 50,000 notes, in each), though
    each reads only its own share's, a few times: to parse them, to look for episodes, and
    as each of its pages is written (a heading that repeats the title)."""
    if spill.folder is None:
        return
    body = vars(SourceNote)["body"]
    for source in sources:
        body.move(source, spill.keep)


class Compressed:
    """Bytes kept compressed in memory; `read` gives them back (as `Spilled` does)."""

    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data = zlib.compress(data, 1)

    def read(self) -> bytes:
        return zlib.decompress(self._data)


def compress_private_bodies(sources: Iterable[SourceNote], published: Iterable[SourceNote]) -> None:
    """Compress in memory the text of each note of `sources` not in `published`.

    Why: the scan keeps every note's text, a private note's too, though no page reads
    them; each worker forked later counts them in its resident memory as the build does. A
    private text may not go to the spill file (it lies in the output folder), nor anywhere
    else: it stays in memory, a fraction of its size."""
    shown = {id(source) for source in published}
    body = vars(SourceNote)["body"]
    for source in sources:
        if id(source) not in shown:
            body.move(source, Compressed)


class SpilledLinks:
    """A parse's links, pickled as soon as the note is parsed (`pack_links`) and, in the
    build's own process, moved to its spill file: unpickled each time they are read (the
    link stage reads them once, the cache once more at the end).

    Why: the build's own process keeps every note's parse (the workers' too) for the cache,
    and links are the largest part of a parse (their targets and the text around each: up
    to ~26 MiB of objects per 4,000 generated notes, most of it the texts), while once the
    link graph is made nothing but the cache reads them. Made one note at a time, they are
    never all in memory at once (issue 17: the 50,000-note build's peak). Pickled, they
    cross to the build as the bytes (`__reduce__`); the cache writes them as the list."""

    __slots__ = ("_count", "_kept")

    def __init__(self, kept: Kept, count: int) -> None:
        self._kept, self._count = kept, count

    def _links(self) -> list[LinkRef]:
        links: list[LinkRef] = pickle.loads(contents(self._kept))
        return links

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[LinkRef]:
        return iter(self._links())

    def __getitem__(self, index: Any) -> Any:
        return self._links()[index]

    def __reduce__(self) -> tuple[type, tuple[bytes, int]]:
        return SpilledLinks, (contents(self._kept), self._count)

    def spill(self, spill: Spill) -> None:
        """Moved to `spill` (if still in memory, and `spill` has a file)."""
        if type(self._kept) is bytes:
            self._kept = spill.keep(self._kept)


def pack_links(content: NoteContent, spill: Spill) -> None:
    """Pickle `content`'s links (`SpilledLinks`), kept by `spill` (in memory: `Spill(None)`).
    Only a published note's parse comes here: a spill file lies in the output folder, and
    links are read from the note's own text (kept there too: `spill_bodies`)."""
    links = content.links
    if type(links) is list and links:
        blob = pickle.dumps(links, pickle.HIGHEST_PROTOCOL)
        content.links = SpilledLinks(spill.keep(blob), len(links))  # type: ignore[assignment]
    elif isinstance(links, SpilledLinks):
        links.spill(spill)
