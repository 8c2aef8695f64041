"""A digest of everything a build reads: equal digests mean the last output is still right.

It is keyed on content wherever content decides what is published: the bytes of every note
(private ones too: a note flipped to `dg-publish: false` must leave the site even when its
size and time are put back, or two saves fall within one tick of the file system's clock),
of every template and asset, and of every attachment the last build published (each must
still hash to its id). The other files (attachments no published note uses) count by name,
inode, size and both times: `ctime` cannot be set back by a program, so even those are
never judged by size and time alone. Files are found and read by the rules of
`trellis.vault.files`, so the digest sees what a build would see.

This digest is the one part of the cache that is not portable, on purpose: it names each
file's absolute path and the other files' inodes and times. Equal digests let a build keep
the last output without opening it; a copy in another folder (a CI job restoring vault,
output and cache) must not, since that output was not checked. There the digest differs and
the build goes through its content keys (parses, page keys, search shards), which reuse
everything while checking each page and shard taken over (`trellis.build.cache`).

Reading every note on every build was most of an unchanged build's time, so a build keeps,
for each file it read, the stat it had (device, inode, size, both times) with the digest of
its bytes (`InputSignature.seen`, kept in the cache's head), and the next build takes the
digest of a file whose stat is the same instead of reading it. The change time cannot be
set back by a program, so a rewrite with the old size and modification time put back still
shows; a copy has new inodes and change times, so it is read. What a stat cannot show is a
second write within the same tick of the file system's clock as the stat; so a file changed
less than `RACY_NS` before the scan began is not recorded at all (as git's "racily clean"
entries), and the next build reads it. What this trusts: that no one set the clock back to
forge a change time, and a change time at all (POSIX; on Windows `st_ctime` is the creation
time, so there every file is read, `TRUST_STATS`).
"""

from __future__ import annotations

import hashlib
import io
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from trellis.config import Settings
from trellis.diagnostics import Diagnostics
from trellis.emit.output_files import FileStat
from trellis.emit.snippets import find_snippets
from trellis.render.templates import static_dirs, template_dirs, theme_files
from trellis.vault.files import CheckedPath, FolderDescriptors, file_digest, read_to_end
from trellis.vault.history import head_commit
from trellis.vault.scan import MAX_NOTE_BYTES, VaultWalk, walk_files
from trellis.versions import output_versions

# A file's stat when it was read, and the digest of the bytes read then.
SeenFile = tuple[FileStat, str]
# A note as the scan read it: its bytes, its `fstat`, and the digest of its bytes.
NoteBytes = tuple[bytes, os.stat_result, str]
# A file changed this shortly before a scan may change again within the same clock tick
# (a few ms; FAT's modification times tick every 2 s): it is not recorded as seen.
RACY_NS = 2_000_000_000
# Only POSIX systems report a change time (`st_ctime`); Windows reports the creation time
# there, which a rewrite keeps: no stat is trusted on it.
TRUST_STATS = os.name == "posix"


@dataclass(frozen=True)
class InputSignature:
    digest: str
    # Every attachment the last build published still has the bytes it had then.
    attachments_same: bool
    # Name -> the stat and digest a next build may take instead of reading the file.
    seen: dict[str, SeenFile]
    # The notes this scan read (every one, on a cold build), for `read_vault` to take
    # instead of opening and hashing each again.
    notes_read: dict[str, NoteBytes] = field(default_factory=dict, compare=False, repr=False)
    # The vault's files as this scan found them, for `read_vault` to take instead of walking.
    walked: VaultWalk | None = field(default=None, compare=False, repr=False)


def input_signature(
    vault: Path,
    context: str,
    exclude: Iterable[Path],
    published: Mapping[str, str],
    known: Mapping[str, SeenFile] | None = None,
) -> InputSignature:
    """The digest of `vault`'s files (`exclude`d folders left out), its theme and `context`
    (settings, version); and whether every attachment in `published` (vault path -> the
    hash of its bytes when it was published) still has those bytes. `known`: the last
    build's `seen` files.

    The digest depends on the inputs alone, not on what the last build did."""
    digest = hashlib.blake2b(context.encode(), digest_size=16)
    unseen = dict(published)
    files: list[tuple[str, CheckedPath, bool]] = []
    walked = walk_files(vault, exclude)  # its warnings are the build's (`read_vault`)
    reader = _Reader(known or {}, FolderDescriptors(walked.root))
    with reader.folders:
        for found in walked.found:
            # Bases and canvases are read by the build (queries, canvas pages): by content.
            by_content = found.rel_path.lower().endswith((".md", ".base", ".canvas"))
            files.append((found.rel_path, found.file, by_content))
            expected = unseen.pop(found.rel_path, None)
            if expected is not None and reader.attachment(found.rel_path, found.file) != expected:
                unseen[found.rel_path] = expected
        for label, theme in (("templates", template_dirs(vault)), ("static", static_dirs(vault))):
            for name, file in theme_files(theme, vault, Diagnostics()).items():
                files.append((f"\0{label}/{name}", file, True))
        for name, file, by_content in files:
            digest.update(os.fsencode(f"\n{name}\0{file.path}\0"))
            try:
                if by_content and name.lower().endswith(".md"):
                    digest.update(reader.note(name, file).encode())
                elif by_content:
                    digest.update(reader.content(name, file.path).encode())
                else:
                    info = os.stat(file.path, follow_symlinks=False)
                    stamp = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
                    digest.update(repr(stamp).encode())
            except OSError as error:
                digest.update(f"unreadable {error.errno}".encode())
    return InputSignature(digest.hexdigest(), not unseen, reader.seen, reader.notes_read, walked)


_READ = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


class _Reader:
    """Digests of files' bytes, taken from `known` while a file's stat is the one recorded."""

    def __init__(self, known: Mapping[str, SeenFile], folders: FolderDescriptors) -> None:
        self.known = known
        self.folders = folders  # the vault's, kept open through the scan
        self.seen: dict[str, SeenFile] = {}
        self.notes_read: dict[str, NoteBytes] = {}
        # Files changed after this may share their times with a later rewrite (`RACY_NS`).
        self.settled_before = time.time_ns() - RACY_NS

    def content(self, name: str, path: Path) -> str:
        """The digest of a file read by content (only compared, never published: a plain
        no-follow open is enough); raises `OSError`."""
        kept = self.known.get(name)
        if kept is not None and _stat(os.stat(path, follow_symlinks=False)) == kept[0]:
            self._record(name, kept)
            return kept[1]
        fd = os.open(path, _READ)
        with os.fdopen(fd, "rb") as handle:
            return self._digest(name, handle, lambda: _content_digest(handle))

    def note(self, name: str, file: CheckedPath) -> str:
        """`content` for a note: read as the build reads it (`FolderDescriptors.open`), and
        kept with its `fstat` for `read_vault`, so a cold build opens and hashes each note once."""
        kept = self.known.get(name)
        if kept is not None and _stat(self.folders.lstat(file)) == kept[0]:
            self._record(name, kept)
            return kept[1]
        fd, info = self.folders.open(file)
        if info.st_size > MAX_NOTE_BYTES:  # skipped by the build: hash, keep nothing
            with os.fdopen(fd, "rb") as handle:
                return self._digest(name, handle, lambda: _content_digest(handle))
        try:
            data = read_to_end(fd, info.st_size)
        finally:
            os.close(fd)
        found = _content_digest(io.BytesIO(data))  # hashes the buffer itself: no copy
        self._record(name, (_stat(info), found))
        self.notes_read[name] = (data, info, found)
        return found

    def attachment(self, name: str, file: CheckedPath) -> str:
        """The digest of a published attachment's bytes (its id), "" when unreadable."""
        try:
            with file.open() as (handle, _):
                return self._digest("\0attachment/" + name, handle, lambda: file_digest(handle))
        except OSError:
            return ""

    def _digest(self, name: str, handle: BinaryIO, read: Callable[[], str]) -> str:
        stat = _stat(os.fstat(handle.fileno()))
        kept = self.known.get(name)
        found = kept[1] if kept is not None and kept[0] == stat else read()
        self._record(name, (stat, found))
        return found

    def _record(self, name: str, seen: SeenFile) -> None:
        """Keep `seen` for the next build unless its file changed too recently to trust."""
        stat = seen[0]
        if TRUST_STATS and stat[3] < self.settled_before and stat[4] < self.settled_before:
            self.seen[name] = seen


def _stat(info: os.stat_result) -> FileStat:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _content_digest(handle: BinaryIO) -> str:
    return hashlib.file_digest(handle, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


def _snippets(vault: Path, settings: Settings) -> list[tuple[str, str]]:
    """The CSS snippets every page links and the build copies (`trellis.emit.snippets`),
    with the digest of each one's bytes: they lie outside the walked vault."""
    found = []
    for name, file in find_snippets(vault, settings, Diagnostics()).items():
        try:
            found.append((name, hashlib.blake2b(file.read(), digest_size=16).hexdigest()))
        except OSError as error:
            found.append((name, f"unreadable {error.errno}"))
    return found


def build_inputs(
    vault: Path,
    settings: Settings,
    own_paths: list[Path],
    published: dict[str, str],
    known: dict[str, SeenFile] | None = None,
) -> InputSignature:
    """The inputs' digest (equal: nothing changed), whether the attachments the last
    build published (`published`: vault path -> hash) still have their bytes, and the files
    read with their stats (`known`: the last build's).

    The number of worker processes is left out: it never changes what is written.
    """
    head = head_commit(vault) if settings.git_dates else ""
    context = repr((output_versions(), settings.for_output(), head, _snippets(vault, settings)))
    return input_signature(vault, context, own_paths, published, known)
