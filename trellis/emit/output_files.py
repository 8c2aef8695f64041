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
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO

from trellis.vault.files import CheckedPath, file_digest

_CHUNK = 1024 * 1024

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
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


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


def hashes_to(path: Path, base: Path, digest: str) -> bool:
    """Does the regular file `path` (no symlink followed) hold bytes hashing to `digest`?"""
    try:
        with CheckedPath(base.absolute(), path.absolute()).open() as (handle, _):
            return file_digest(handle) == digest
    except OSError:
        return False
