"""Finding and opening files so that a file is what it seems, and what was checked is read.

Every file Trellis reads into a site (notes, attachments, the `.trellis/` overrides, the
theme's templates and assets) is found by `walk` and opened by `open_checked`; two rules
hold for all of them:

- A symlink is followed only to a regular file inside the folder it belongs to (the vault;
  for the theme, the theme folder), outside any dot folder and outside the output, whose
  extension is the link's own: `diary.png` leading to a note, a link leading out of the
  vault, a loop or a dead link is skipped with a warning naming it. An override may also
  lead into its own folder (`.trellis/static/`), never to a note. A symlinked folder is
  never followed (it could loop, or bring in a whole other tree).
- A file is opened one path component at a time from its folder's own descriptor, none
  followed if it is a symlink (`O_NOFOLLOW`), and `fstat` must say regular file. A file
  swapped for a symlink (or a FIFO) after the walk fails to open instead of being read: the
  descriptor that was checked is the one read, and copied.

Names are taken as the owner sees them: NFC-normalised (a vault synced from macOS has
decomposed names, links typed in Obsidian are composed), and bytes that are not UTF-8 are
shown as U+FFFD with a warning (the file is still read from its real path).
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from trellis.diagnostics import Diagnostics

_READ = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
# A FIFO opened for reading would wait for a writer: never block, fstat says what it is.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_OPENAT = os.open in os.supports_dir_fd and bool(_NOFOLLOW)
_STATAT = _OPENAT and os.stat in os.supports_dir_fd


def file_digest(handle: BinaryIO) -> str:
    """The fast hash of what `handle` still has to read: attachment ids, build cache keys."""
    return hashlib.file_digest(handle, lambda: hashlib.blake2b(digest_size=8)).hexdigest()


class NotRegularFile(OSError):
    """What was opened is not a regular file (a FIFO, a device, a folder)."""


@dataclass(frozen=True)
class CheckedPath:
    """A file to read: `path` (no symlinks left in it) inside the folder `base`."""

    base: Path
    path: Path

    @contextmanager
    def open(self) -> Iterator[tuple[BinaryIO, os.stat_result]]:
        """The file, opened by `open_checked`, with its `fstat`."""
        fd = open_checked(self.base, self.path)
        with os.fdopen(fd, "rb") as handle:
            yield handle, os.fstat(handle.fileno())

    def read(self) -> bytes:
        with self.open() as (handle, _):
            return handle.read()


def open_checked(base: Path, path: Path) -> int:
    """A read-only descriptor of the regular file `path` inside `base` (both absolute, with
    no symlink in `path` below `base`); raises `OSError` (ELOOP when a component turned
    into a symlink, `NotRegularFile` for anything but a regular file)."""
    parts = _parts_below(base, path)
    if not parts:
        raise NotRegularFile(errno.EISDIR, "a folder, not a file")
    if _OPENAT:
        folder = os.open(base, _READ | _DIRECTORY)
        try:
            for part in parts[:-1]:
                inner = os.open(_name(part), _READ | _DIRECTORY | _NOFOLLOW, dir_fd=folder)
                os.close(folder)
                folder = inner
            fd = os.open(_name(parts[-1]), _READ | _NOFOLLOW | _NONBLOCK, dir_fd=folder)
        finally:
            os.close(folder)
    else:  # no openat (Windows): open, then make sure the path still has no symlink
        fd = os.open(path, _READ)
        if Path(os.path.realpath(path)) != path:
            os.close(fd)
            raise OSError(errno.ELOOP, "the path changed into a symlink")
    _regular(fd)
    return fd


def _regular(fd: int) -> os.stat_result:
    """The `fstat` of `fd`, which must be a regular file (else it is closed, and raised)."""
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(errno.EINVAL, f"not a regular file ({file_kind(info.st_mode)})")
    except BaseException:
        os.close(fd)
        raise
    return info


def _name(part: str) -> str:
    """`part` as one name to open; `..` would climb out of the folder it is opened from."""
    if part == "..":
        raise OSError(errno.EINVAL, "a path climbing out of its folder ('..')")
    return part


class FolderDescriptors:
    """Opens files below `base` as `open_checked` does, keeping the descriptors of the
    folders on the way from one file to the next (a scan reads a folder's files one after
    another): re-opening every folder above every note was most of opening it.

    Each folder is opened once by name from its parent's descriptor, never through a
    symlink, as `open_checked` opens it, and each file from its folder's descriptor. A
    folder swapped for a symlink before it is opened fails to open (ELOOP); one swapped
    after it was opened is still the folder opened, never the link, and only names its
    caller found are read from it. Only the folders above the last file opened are kept:
    as many descriptors as the tree is deep. Close it (`with`) when done.
    """

    def __init__(self, base: Path) -> None:
        self.base = base
        self._names: list[str] = []  # the folders open below `base`, outermost first
        self._fds: list[int] = []  # `base`'s descriptor, then one per name
        self._folder: str | None = None  # the path of the last folder in `_fds`

    def __enter__(self) -> FolderDescriptors:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._folder = None
        while self._fds:
            os.close(self._fds.pop())
        self._names.clear()

    def open(self, file: CheckedPath) -> tuple[int, os.stat_result]:
        """`open_checked(file.base, file.path)`, and its `fstat`."""
        if not _OPENAT or file.base != self.base:
            fd = open_checked(file.base, file.path)
            return fd, os.fstat(fd)
        folder, name = self._folder_of(file.path)
        fd = os.open(name, _READ | _NOFOLLOW | _NONBLOCK, dir_fd=folder)
        return fd, _regular(fd)

    def lstat(self, file: CheckedPath) -> os.stat_result:
        """The file's own stat (a symlink's, were it one), found as `open` finds it."""
        if not _STATAT or file.base != self.base:
            return os.stat(file.path, follow_symlinks=False)
        folder, name = self._folder_of(file.path)
        return os.stat(name, dir_fd=folder, follow_symlinks=False)

    def _folder_of(self, path: Path) -> tuple[int, str]:
        """The descriptor of the folder holding `path`, and the file's name in it."""
        folder, _, name = str(path).rpartition(os.sep)
        if folder == self._folder:  # the last file's folder: the usual case in a scan
            return self._fds[-1], _name(name)
        parts = _parts_below(self.base, path)
        if not parts:
            raise NotRegularFile(errno.EISDIR, "a folder, not a file")
        self._folder = None  # (until the chain below is whole again)
        if not self._fds:
            self._fds.append(os.open(self.base, _READ | _DIRECTORY))
        names, kept = self._names, 0
        depth = len(parts) - 1
        while kept < depth and kept < len(names) and names[kept] == parts[kept]:
            kept += 1
        while len(names) > kept:
            names.pop()
            os.close(self._fds.pop())
        for part in parts[kept:depth]:
            fd = os.open(_name(part), _READ | _DIRECTORY | _NOFOLLOW, dir_fd=self._fds[-1])
            self._fds.append(fd)
            names.append(part)
        self._folder = folder
        return self._fds[-1], _name(parts[-1])


def read_to_end(fd: int, size: int, limit: int | None = None) -> bytes:
    """The bytes of the open file `fd` (`size`: its `fstat` size), or the first `limit` + 1
    when it holds more than `limit`. One read of the size expected, then one to see the end
    (a buffered read of `limit` bytes allocated them all, for every note)."""
    chunks: list[bytes] = []
    total, want = 0, size + 1
    while limit is None or total <= limit:
        if limit is not None:
            want = min(want, limit + 1 - total)
        chunk = os.read(fd, want)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        want = max(want, 1 << 16)  # it grew since the `fstat`: read on in larger pieces
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _parts_below(base: Path, path: Path) -> tuple[str, ...] | list[str]:
    """The names leading from `base` down to `path` (`relative_to`'s parts: a string split
    where the separator allows, which a scan does for every note)."""
    prefix, text = str(base).rstrip(os.sep) + os.sep, str(path)
    if os.sep == "/" and text.startswith(prefix):
        return text[len(prefix) :].split("/")
    return path.relative_to(base).parts


@dataclass(frozen=True)
class FileTree:
    """A folder whose files Trellis reads, and where its symlinks may lead.

    `root` is walked; every file read must lie inside `base` (the vault, or the theme
    folder), which holds `root`. A symlink may lead into `root` itself, or into `base`
    outside its dot folders and `excluded` (the output); with `notes` False never to a
    `.md` there (an override that is really a note).
    """

    root: Path
    base: Path
    excluded: frozenset[Path] = frozenset()
    notes: bool = True
    # How warnings name the tree's files: "" for the vault, ".trellis/static/" and so on.
    label: str = ""

    @classmethod
    def of(
        cls, root: Path, base: Path, excluded: Iterable[Path] = (), notes: bool = True
    ) -> FileTree:
        base = base.resolve()
        label = root.absolute().relative_to(base).as_posix() + "/" if root != base else ""
        return cls(
            root.absolute(),
            base,
            frozenset(p.resolve() for p in excluded),
            notes,
            "" if label == "./" else label,
        )

    def problem(self) -> str | None:
        """Why the tree cannot be read at all (its folder is a symlink), or None."""
        if self.root.resolve() != self.root:
            return "folder is a symlink (or inside one); not used"
        return None

    def locate(self, rel_path: str) -> CheckedPath | str:
        """The file at `rel_path` (a real name under `root`) by the rules, or why not."""
        path = self.root / rel_path
        if any(part.startswith(".") for part in Path(rel_path).parts):
            return "not part of the vault (a dot name)"
        if path.is_symlink():
            target = self.follow(path)
            return target if isinstance(target, str) else CheckedPath(self.base, target)
        return CheckedPath(self.base, path)

    def follow(self, link: Path) -> Path | str:
        """Where the symlink `link` leads, or why it may not be followed."""
        try:
            target = link.resolve(strict=True)
        except (OSError, RuntimeError):
            return "broken symlink skipped (it leads nowhere or in a loop)"
        if target.is_dir():
            if not target.is_relative_to(self.base):
                return "symlinked folder not followed (it leads outside the vault)"
            return "symlinked folder not followed"
        if not target.is_relative_to(self.base):
            return "symlink pointing outside the vault not followed"
        if any(target == p or target.is_relative_to(p) for p in self.excluded):
            return "symlink into the output folder not followed"
        in_root = target.is_relative_to(self.root)
        inside = target.relative_to(self.root if in_root else self.base).parts
        if any(part.startswith(".") for part in inside):
            return "symlink into a dot folder not followed (not part of the vault)"
        suffix = target.suffix.lower()
        if suffix == ".md" and (link.suffix.lower() != ".md" or not (self.notes or in_root)):
            return f"symlink leads to a note ({_shown(target, self.base)}); not followed"
        if suffix != link.suffix.lower():
            return (
                f"symlink leads to a file of another kind ({_shown(target, self.base)}); "
                "not followed"
            )
        return target


@dataclass(frozen=True)
class Found:
    """One file found by `walk`: its name in the tree and where to read it."""

    rel_path: str  # as the owner sees it (NFC, U+FFFD for undecodable bytes), POSIX
    file: CheckedPath  # for a symlink, the file it leads to


def walk(
    tree: FileTree, diagnostics: Diagnostics, skipped: list[tuple[str, str]] | None = None
) -> list[Found]:
    """Every regular file of `tree` that the rules let in, sorted by name; dot names and
    `excluded` left out, every other skipped entry warned about (named by `tree.label`)
    and, with `skipped`, listed there as (name, why) for `trellis check`."""
    found: dict[str, Found] = {}
    skipped = [] if skipped is None else skipped
    pending: list[tuple[Path, str]] = [(tree.root, "")]
    # Compared as strings: a `Path` made and hashed per entry was half of an unchanged
    # build's walk.
    excluded = {str(path) for path in tree.excluded}
    while pending:
        folder, prefix = pending.pop()
        try:
            with os.scandir(folder) as listing:
                children = sorted(listing, key=lambda e: e.name)
        except OSError as error:
            shown = tree.label + prefix.rstrip("/") or "."
            diagnostics.warn(shown, f"cannot read folder: {error.strerror or error}")
            continue
        for child in children:
            if child.name.startswith(".") or child.path in excluded:
                continue
            path = folder / child.name
            rel = prefix + _display_name(child.name, diagnostics, tree.label + prefix)
            shown = tree.label + rel
            try:
                if child.is_symlink():
                    target = tree.follow(path)
                    if isinstance(target, str):
                        diagnostics.warn(shown, target)
                        skipped.append((shown, target))
                        continue
                    mode, path = stat.S_IFREG, target
                elif child.is_file(follow_symlinks=False):  # the usual case: no stat call
                    mode = stat.S_IFREG
                elif child.is_dir(follow_symlinks=False):
                    pending.append((path, rel + "/"))
                    continue
                else:
                    mode = child.stat(follow_symlinks=False).st_mode
            except OSError as error:
                diagnostics.warn(shown, f"cannot read: {error.strerror or error}")
                continue
            if not stat.S_ISREG(mode):
                why = f"not a regular file ({file_kind(mode)}); skipped"
                diagnostics.warn(shown, why)
                skipped.append((shown, why))
            elif rel in found:
                diagnostics.warn(
                    shown, "another file has the same name once normalised; this one is skipped"
                )
            else:
                found[rel] = Found(rel, CheckedPath(tree.base, path))
    return [found[rel] for rel in sorted(found)]


def _display_name(name: str, diagnostics: Diagnostics, prefix: str) -> str:
    """`name` as text: undecodable bytes become U+FFFD (with a warning), then NFC."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(name)
        name = raw.decode("utf-8", errors="replace")
        diagnostics.warn(prefix + name, "file name is not valid UTF-8; shown with \ufffd")
    return unicodedata.normalize("NFC", name)


def _shown(target: Path, base: Path) -> str:
    return target.relative_to(base).as_posix()


def file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a file"
