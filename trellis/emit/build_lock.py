"""One build at a time into an output folder.

Why: since a build with the cache updates the last output in place
(`trellis.emit.site_update`), two builds into one folder at once (two terminals, a script
and an editor hook) would interleave their files and sweeps; even with staging they raced
for the cache file. A build holds an advisory `flock` on the folder that holds the output
folder (not the output folder itself: a staged build swaps that; not a lock file: nothing is
left beside the output), and a second build waits for it, saying so. Builds into two
output folders of one parent folder run one after the other too: slower, never wrong.
Where locks do not exist (Windows) or the file system refuses one, builds run unlocked,
as before.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

_DIRECTORY = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)


@contextmanager
def build_lock(out: Path, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the build lock of the output folder `out` while the block runs; when another
    build holds it, call `waiting` with a message, then wait for it."""
    holder = out.absolute().parent
    handle = None
    if fcntl is not None:
        try:
            holder.mkdir(parents=True, exist_ok=True)
            handle = os.open(holder, _DIRECTORY)
        except OSError:
            handle = None
    try:
        if handle is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if waiting is not None:
                    waiting(
                        f"another Trellis build is writing into {holder}; waiting for it to end"
                    )
                fcntl.flock(handle, fcntl.LOCK_EX)
            except OSError:  # a file system without locks: unlocked, as before
                pass
        yield
    finally:
        if handle is not None:
            os.close(handle)
