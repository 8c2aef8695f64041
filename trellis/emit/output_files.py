"""Files of the output folder: copied with their hash, checked by their hash or their stat.

A file the last build wrote and the cache recorded (`OutputWriter.reuse`, with its digest)
is hashed again unless its `FileStat` is the one recorded after that build: device, inode,
size, modification and change time. Hashing every taken-over page was 6 of the 37 CPU
seconds of a one-note rebuild at 10,000 notes. The change time cannot be set by `utime`
(only the clock sets it), so bytes rewritten in place, even with the old size and
modification time put back, are hashed; a copy restored elsewhere (a CI cache) has new
inodes and is hashed. What this trusts: that no one changed the system clock to forge a
change time. The output folder is ours, and whoever can write the cache beside it can name
any digest for any file anyway: the check is against stale or restored output, not against
someone who owns the cache (see `trellis.build.cache` for what a hostile cache can do).

The CI case (threat model, session 11). A restored copy of the output and its cache is
neither trusted as a whole nor rebuilt: nothing in the folder says it is the copy the cache
describes (a marker or token would be copied with a stale or tampered folder too), and a
size check misses a same-length edit, so every file to be kept is read and its bytes must
hash as recorded (one `open`, `fstat` and `read` each, `read_plain`; 408 MB in 27,876
files at 10,000 notes, ~0.65 CPU s, against ~5 s to render and index them again). Each
file is read once per build: one that hashed as recorded has the stat it was read with
`vouched` for (taken from the descriptor before reading, so a change during or after the
read shows as another stat), and later checks in the same build cost an `lstat`; after
the build its stat is recorded, so the next build trusts it as any file it left. The
reading is done ahead, on the other core, by a helper process (`trellis.emit.output_hashes`)
whose hashes count under the same rule. Whatever fails is made again: a changed page is
rendered, a search shard indexed (its fragments must also name exactly its pages now,
`trellis.emit.search_shards`), and a file the cache does not record is removed by the
update's sweep, so the rebuilt output is byte for byte a clean build's
(`tests/test_restored_output.py`).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from trellis.emit.output_hashes import fragment_url, is_fragment
from trellis.vault.files import CheckedPath, file_digest

_CHUNK = 1024 * 1024
_PLAIN_READ = (
    os.O_RDONLY
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO never blocks: fstat says what it is
    | getattr(os, "O_BINARY", 0)
)

# (device, inode, size, modification ns, change ns) of a regular file, unfollowed.
FileStat = tuple[int, int, int, int, int]


def file_stat(path: Path) -> FileStat | None:
    """The `FileStat` of the regular file `path` (a symlink is not followed: None)."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return stat_of(info)


def copy_checked(handle: BinaryIO, info: os.stat_result, target: Path) -> str:
    """Copy what `handle` still has to read into a new file `target`, with `info`'s times;
    the hash of the bytes copied."""
    digest = hashlib.blake2b(digest_size=8)
    with target.open("xb") as out:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))
    return digest.hexdigest()


def bytes_digest(data: bytes) -> str:
    """The hash files of the output are recorded by (`file_digest`'s, of bytes in memory)."""
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def stat_of(info: os.stat_result) -> FileStat:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def read_plain(path: str) -> tuple[FileStat, bytes] | None:
    """The regular file at `path`, a string naming no symlink but maybe its last part (which
    is not followed): its `FileStat`, taken from the descriptor before reading, and its
    bytes; None when it is not such a file or cannot be read.

    For a folder cleared of symlinks (`SiteUpdate`'s output after its survey): one `open`,
    `fstat` and `read` per file, half of what `CheckedPath` costs (it opens every folder
    on the way down), which a restored copy of the output pays for ~27,000 files."""
    try:
        fd = os.open(path, _PLAIN_READ)
    except (OSError, ValueError):
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        data = os.read(fd, info.st_size + 1)
        if len(data) > info.st_size:  # it grew since the fstat: read the rest
            data += b"".join(iter(lambda: os.read(fd, _CHUNK), b""))
    except OSError:
        return None
    finally:
        os.close(fd)
    return stat_of(info), data


def read_checked(base: Path, path: Path) -> tuple[FileStat, bytes] | None:
    """As `read_plain`, for a file of a folder that may hold symlinks (`CheckedPath`)."""
    try:
        with CheckedPath(base.absolute(), path.absolute()).open() as (handle, info):
            return stat_of(info), handle.read()
    except OSError:
        return None


def looked_at(name: str, found: FileStat, data: bytes) -> tuple[FileStat, str, str | None]:
    """What a check of an output file `name` read as `data` with stat `found` needs: that
    stat, the hash of the bytes, and the URL a search fragment names (else None)."""
    return found, bytes_digest(data), fragment_url(data) if is_fragment(name) else None


def hashes_to(path: Path, base: Path, digest: str) -> bool:
    """Does the regular file `path` (no symlink followed) hold bytes hashing to `digest`?"""
    try:
        with CheckedPath(base.absolute(), path.absolute()).open() as (handle, _):
            return file_digest(handle) == digest
    except OSError:
        return False


class LastOutputChecks:
    """How a writer checks a file of the last output (`previous`) before taking it over: by
    the stat the last build recorded for it (`previous_stats`), else by its bytes' hash,
    once per build: a file hashed as recorded has the stat it was read with `vouched` for,
    so a later check of it in the same build (a search shard's files are checked when the
    shard is planned, then when it is taken over) costs one `lstat`."""

    previous: Path | None
    previous_stats: dict[str, FileStat]
    vouched: dict[str, FileStat]

    def previous_as_recorded(self, rel_path: str) -> bool:
        """Is the last output's `rel_path` unchanged since its stat was recorded?"""
        previous = self.previous
        return previous is not None and self._as_recorded(rel_path, previous, previous / rel_path)

    def previous_changed(self, prefix: str, names: Iterable[str]) -> set[str]:
        """Those of `names` (under `prefix` in the last output) not unchanged since their
        stats were recorded."""
        return {name for name in names if not self.previous_as_recorded(prefix + name)}

    def previous_holds(self, rel_path: str, digest: str) -> bool:
        """Does the last output's `rel_path` hold bytes hashing to `digest`? Not read while
        its stat is the one recorded after the last build, or the one it had when this build
        hashed it; else read and hashed once, its stat then `vouched` for (see
        `trellis.emit.output_files`)."""
        previous = self.previous
        found = file_stat(previous / rel_path) if previous is not None else None
        if found is None:
            return False
        if found == self.previous_stats.get(rel_path) or found == self.vouched.get(rel_path):
            return True
        read = self.previous_file(rel_path)
        if read is None or bytes_digest(read[1]) != digest:
            return False
        self.vouched[rel_path] = read[0]
        return True

    def previous_file(self, rel_path: str) -> tuple[FileStat, bytes] | None:
        """The last output's `rel_path` read through one checked descriptor: its stat (taken
        before reading) and its bytes; None if it is no regular file there."""
        previous = self.previous
        return None if previous is None else read_checked(previous, previous / rel_path)

    def previous_look(self, rel_path: str) -> tuple[FileStat, str, str | None] | None:
        """The stat and hash of the last output's `rel_path`, and the URL it names if it is
        a search fragment (`looked_at`)."""
        read = self.previous_file(rel_path)
        return None if read is None else looked_at(rel_path, *read)

    def relinked(self, rel_paths: Iterable[str]) -> None:
        """`rel_paths` were linked elsewhere and unlinked since they were kept (their change
        time moved): nothing to do here, `stats_of` always looks at every file."""

    def _as_recorded(self, rel_path: str, previous: Path, source: Path) -> bool:
        """Is `source` (the last output's `rel_path`) unchanged since its stat was recorded?"""
        recorded = self.previous_stats.get(rel_path) if previous == self.previous else None
        return recorded is not None and file_stat(source) == recorded
