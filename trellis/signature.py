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
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from trellis.diagnostics import Diagnostics
from trellis.render.templates import static_dirs, template_dirs, theme_files
from trellis.vault.files import CheckedPath, FileTree, file_digest, walk


def input_signature(
    vault: Path, context: str, exclude: Iterable[Path], published: Mapping[str, str]
) -> tuple[str, bool]:
    """The digest of `vault`'s files (`exclude`d folders left out), its theme and `context`
    (settings, version); and whether every attachment in `published` (vault path -> the
    hash of its bytes when it was published) still has those bytes.

    The digest depends on the inputs alone, not on what the last build did."""
    digest = hashlib.blake2b(context.encode(), digest_size=16)
    ignored = Diagnostics()
    root = vault.resolve()
    unseen = dict(published)
    files: list[tuple[str, CheckedPath, bool]] = []
    for found in walk(FileTree.of(root, root, exclude), ignored):
        # Bases and canvases are read by the build (queries, canvas pages): by content too.
        by_content = found.rel_path.lower().endswith((".md", ".base", ".canvas"))
        files.append((found.rel_path, found.file, by_content))
        expected = unseen.pop(found.rel_path, None)
        if expected is not None and _digest_of(found.file) != expected:
            unseen[found.rel_path] = expected
    for label, folders in (("templates", template_dirs(vault)), ("static", static_dirs(vault))):
        for name, file in theme_files(folders, vault, ignored).items():
            files.append((f"\0{label}/{name}", file, True))
    for name, file, by_content in files:
        digest.update(os.fsencode(f"\n{name}\0{file.path}\0"))
        try:
            if by_content:
                # Only compared, never published: a plain no-follow open is enough here.
                fd = os.open(file.path, _READ)
                try:
                    while chunk := os.read(fd, _CHUNK):
                        digest.update(chunk)
                finally:
                    os.close(fd)
            else:
                info = os.stat(file.path, follow_symlinks=False)
                stamp = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
                digest.update(repr(stamp).encode())
        except OSError as error:
            digest.update(f"unreadable {error.errno}".encode())
    return digest.hexdigest(), not unseen


_READ = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_CHUNK = 1024 * 1024


def _digest_of(file: CheckedPath) -> str:
    try:
        with file.open() as (handle, _):
            return file_digest(handle)
    except OSError:
        return ""
