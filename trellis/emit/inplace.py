"""`InPlaceWriter`: changes a few files of a finished output folder, each one atomically.

The preview's fast path (`trellis.edits`) re-renders a handful of pages after a save; making
a whole new folder for that (as `OutputWriter` does, linking thousands of unchanged files)
would cost more than the rendering. Files are written beside their target and renamed over
it, so a request being served reads the old file or the new one, never half of one, and a
file hard-linked from an older build is replaced, never changed through the shared link.
The path checks are `OutputWriter`'s: nothing lands outside the folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from trellis.diagnostics import Diagnostics, FatalError
from trellis.emit.writer import MARKER, TEMPORARY_SUFFIX, OutputWriter, hashes_to
from trellis.vault.files import CheckedPath


class InPlaceWriter(OutputWriter):
    def __init__(
        self, out: Path, vault: Path, diagnostics: Diagnostics, cache_file: Path | None = None
    ) -> None:
        super().__init__(out, vault, diagnostics, cache_file)
        if not (self.out / MARKER).is_file():
            raise FatalError(f"{out} is not a finished Trellis site; cannot update it in place")
        # Emitters find the site being written under `staging`: here it is the folder itself.
        self.staging = self.out

    def start(self) -> None:
        pass

    def commit(self) -> None:
        pass

    def abort(self) -> None:
        pass

    def write_bytes(self, rel_path: str, data: bytes) -> None:
        self._replace(rel_path, lambda temporary: temporary.write_bytes(data))

    def copy_file(
        self, rel_path: str, source: CheckedPath | Path, digest: str = "", shown: str = ""
    ) -> bool:
        def fill(temporary: Path) -> bool:
            return self._copy_into(temporary, rel_path, source, digest, shown)

        return self._replace(rel_path, fill)

    def _replace(self, rel_path: str, fill: Callable[[Path], object]) -> bool:
        """`fill` a file beside `rel_path`'s target, then rename it over the target."""
        path = self._target(rel_path)
        if path is None:
            return False
        temporary = path.with_name(f".{path.name}{TEMPORARY_SUFFIX}")
        try:
            temporary.unlink(missing_ok=True)
            if fill(temporary) is False:
                return False
            os.replace(temporary, path)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            self._skip(rel_path, error)
            return False
        return True

    def remove(self, rel_path: str) -> None:
        """Remove one file of the folder (an asset whose source is gone, a tag page nobody
        needs), and the folders it leaves empty: a clean build would not make them."""
        path = self._target(rel_path)
        if path is None:
            return
        path.unlink(missing_ok=True)
        self._folders.clear()  # the folders it leaves empty go
        folder = path.parent
        while folder != self.out and folder.is_relative_to(self.out):
            try:
                folder.rmdir()
            except OSError:  # not empty (or gone): stop
                break
            folder = folder.parent

    def reuse(self, rel_path: str, previous: Path, digest: str = "") -> bool:
        """A file of this very folder is in place already (with `digest`, holding bytes
        that hash to it); nothing else can be taken over."""
        path = self.out / rel_path
        if previous.absolute() != self.out or not path.is_file():
            return False
        return not digest or hashes_to(path, self.out, digest)
