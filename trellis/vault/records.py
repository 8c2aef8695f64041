"""Plain records for what a vault holds: notes with their frontmatter, and attachments."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from trellis.model.dates import note_dates
from trellis.model.tags import frontmatter_tags
from trellis.vault.files import CheckedPath
from trellis.vault.history import NoteHistory


class CompactText:
    """A text field kept as UTF-8 when that is smaller than the `str` (given as `str`, or
    as valid UTF-8 kept as it is; read as `str`, the same characters: lone surrogates pass
    through).

    Why: a `str` takes 4 bytes a character as soon as one character lies beyond the Basic
    Multilingual Plane (an emoji). 84% of the generated vault's notes hold one: their bodies
    took 161 MiB at 10,000 notes as `str`, 55 MB as UTF-8; and every worker process counts
    its copy of the build's memory in its own resident size. A body is read as `str` a few
    times a build (parsing, sizes, episode detection), each a decode of a few microseconds.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}_stored"

    def __get__(self, instance: object, owner: type | None = None) -> str:
        if instance is None:
            raise AttributeError(self.slot)  # a dataclass field without a default
        stored = instance.__dict__[self.slot]
        if type(stored) is str:
            return stored
        if type(stored) is not bytes:  # moved out of memory (`move`): read back
            stored = stored.read()
        return stored.decode("utf-8", "surrogatepass")

    def __set__(self, instance: object, value: str | bytes) -> None:
        if type(value) is bytes:  # UTF-8 already (`trellis.vault.scan`): kept as it is
            instance.__dict__[self.slot] = value
            return
        assert isinstance(value, str)
        encoded = value.encode("utf-8", "surrogatepass")
        smaller = len(encoded) + 33 < sys.getsizeof(value) - _EMPTY_STR
        instance.__dict__[self.slot] = encoded if smaller else value

    def move(self, instance: object, keep: Callable[[bytes], object]) -> None:
        """Hand the text's UTF-8 to `keep` and hold what it gives back: the bytes, or an
        object whose `read()` gives them (`trellis.build.spill`: a build with workers moves
        every body to a file before forking, so that no process holds them in memory)."""
        stored = instance.__dict__[self.slot]
        if type(stored) is str:
            stored = stored.encode("utf-8", "surrogatepass")
        if type(stored) is bytes:
            instance.__dict__[self.slot] = keep(stored)


# The size of a `str` beyond this is its characters' (1, 2 or 4 bytes each, CPython's
# compact strings) and a few dozen bytes of header: asked of the object, where `max(text)`
# looked at every character (1.5 s of the scan at 10,000 notes).
_EMPTY_STR = sys.getsizeof("")


@dataclass
class SourceNote:
    """One `*.md` file as read from disk, before any decision about publishing it."""

    rel_path: str  # vault-relative, POSIX separators: "Sources/Podcasts/Foo Bar.md"
    abs_path: Path
    meta: dict[str, Any]
    # The text after the frontmatter, LF line endings.
    body: str = CompactText()  # type: ignore[assignment]
    body_line: int  # 1-based line of the file on which `body` starts
    mtime: float = 0.0
    frontmatter_ok: bool = True
    content_hash: str = ""
    # The 1-based file line of each top-level frontmatter key, for warnings about its value.
    meta_lines: dict[str, int] = field(default_factory=dict)
    # (st_dev, st_ino) of the file read: no attachment may be this same file (a hard link).
    file_id: tuple[int, int] = (0, 0)
    git_blob: str = ""  # the id git would give these bytes
    history: NoteHistory | None = None  # its commits, when the vault is in a git repository

    @cached_property
    def stem(self) -> str:
        """The file name without its suffix (`PurePosixPath.stem`, without making a path:
        every note's title falls back to it)."""
        name = self.rel_path.rpartition("/")[2]
        dot = name.rfind(".")
        return name[:dot] if 0 < dot < len(name) - 1 else name

    @cached_property
    def folder(self) -> str:
        """Worked out once: every list of notes (tags, folders, backlinks) asks for it.
        (`rel_path` is as the walk made it, no `.` or empty segment: no path is needed.)"""
        return self.rel_path.rpartition("/")[0]

    @cached_property
    def tags(self) -> tuple[str, ...]:
        """Its frontmatter tags (`frontmatter_tags`), worked out once: pages, cards, the tag
        index, feeds and episode detection each ask for every note's (`meta` is never
        changed after the read; an edit makes a new `SourceNote`)."""
        return tuple(frontmatter_tags(self.meta))

    @cached_property
    def dates(self) -> tuple[datetime, datetime]:
        """(created, updated), worked out once: feeds and the sitemap ask for every note's."""
        committed = None
        if self.history is not None:
            clean = self.history.blob == self.git_blob
            committed = (self.history.first, self.history.last if clean else None)
        return note_dates(self.meta, self.mtime, committed)


@dataclass(frozen=True)
class Attachment:
    """A non-note file (image, audio, video, PDF, ...) that notes may embed or link."""

    rel_path: str
    file: CheckedPath  # where its bytes are read (for a symlink, the file it leads to)

    @property
    def abs_path(self) -> Path:
        return self.file.path

    @property
    def name(self) -> str:
        return PurePosixPath(self.rel_path).name

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.rel_path).suffix.lower()


@dataclass
class Vault:
    root: Path
    notes: list[SourceNote] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    # Entries the walk left out (refused symlinks, pipes, devices): (vault path, why).
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def note_files(self) -> frozenset[tuple[int, int]]:
        """The files (device, inode) the notes were read from."""
        return frozenset(note.file_id for note in self.notes)
