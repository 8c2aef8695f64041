"""Plain records for what a vault holds: notes with their frontmatter, and attachments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from trellis.model.dates import note_dates
from trellis.vault.files import CheckedPath
from trellis.vault.history import NoteHistory


@dataclass
class SourceNote:
    """One `*.md` file as read from disk, before any decision about publishing it."""

    rel_path: str  # vault-relative, POSIX separators: "Sources/Podcasts/Foo Bar.md"
    abs_path: Path
    meta: dict[str, Any]
    body: str  # the text after the frontmatter, LF line endings
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

    @property
    def stem(self) -> str:
        return PurePosixPath(self.rel_path).stem

    @cached_property
    def folder(self) -> str:
        """Worked out once: every list of notes (tags, folders, backlinks) asks for it."""
        parent = str(PurePosixPath(self.rel_path).parent)
        return "" if parent == "." else parent

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
