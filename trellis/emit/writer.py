"""`OutputWriter`: the only way output reaches the disk.

Files go into a fresh staging folder beside the output folder (`.OUT.trellis-new`); `commit`
swaps it in with two renames, so a failed or interrupted build leaves the previous site as
it was and pages of deleted notes vanish. Every path is checked to stay inside the staging
folder, a second write to one path is refused, and an existing output folder is replaced
only if a marker file shows Trellis wrote it: Trellis never deletes anything it did not make.
Beside the output folder there is also its build cache (`.OUT.trellis-cache`, or in the
`cache_dir` setting's folder; see `trellis.pipeline`): it names private things (links as
written, warnings), so it must never be inside the folder that gets deployed.
"""

from __future__ import annotations

import errno
import os
import posixpath
import shutil
from pathlib import Path

from trellis.diagnostics import Diagnostics, FatalError

MARKER = ".trellis-site"


def copy_with_time(source: Path, target: Path) -> None:
    """Copy `source` to `target` with its times, so a later build can tell it is the same."""
    shutil.copyfile(source, target)
    info = source.stat()
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))


def cache_path(out: Path, folder: Path | None = None) -> Path:
    """The build cache of the output folder `out`: in `folder` (setting `cache_dir`), else
    beside the output folder; never inside it, so it is never deployed."""
    out = out.absolute()
    if folder is not None:
        return folder / f"{out.name}.trellis-cache"
    return out.parent / f".{out.name}.trellis-cache"


class OutputWriter:
    def __init__(
        self, out: Path, vault: Path, diagnostics: Diagnostics, cache_file: Path | None = None
    ) -> None:
        self.out = out.absolute()
        self.cache_file = cache_file or cache_path(self.out)
        self.diagnostics = diagnostics
        self.staging = self.out.parent / f".{self.out.name}.trellis-new"
        self._old = self.out.parent / f".{self.out.name}.trellis-old"
        self.written: set[str] = set()
        # The folder of the last build, whose unchanged files may be linked instead of copied.
        self.previous: Path | None = None
        vault = vault.resolve()
        real_out = self.out.resolve()
        if real_out == vault or vault.is_relative_to(real_out):
            raise FatalError(f"output folder {out} would contain the vault {vault}; choose another")
        if self.cache_file.resolve().is_relative_to(real_out):
            raise FatalError(
                f"build cache {self.cache_file} would be inside the output folder {out}, "
                "which gets deployed; choose another cache_dir"
            )
        if self.out.exists() and not self.out.is_dir():
            raise FatalError(f"output {out} exists and is not a folder")
        if self.out.is_dir() and any(self.out.iterdir()) and not (self.out / MARKER).is_file():
            raise FatalError(
                f"output folder {out} is not empty and was not written by Trellis "
                f"(no {MARKER} file); empty it or choose another folder"
            )

    @property
    def own_paths(self) -> list[Path]:
        """The folders and files this writer uses (never read as part of a vault)."""
        cache = self.cache_file
        return [self.out, self.staging, self._old, cache, cache.with_name(cache.name + ".tmp")]

    def start(self) -> None:
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            for leftover in (self.staging, self._old):
                if leftover.exists():
                    shutil.rmtree(leftover)
            self.staging.mkdir()
        except OSError as error:
            raise FatalError(
                f"cannot write output folder {self.out}: {error.strerror or error}"
            ) from None

    def _target(self, rel_path: str) -> Path | None:
        normal = posixpath.normpath("/" + rel_path.replace("\\", "/")).lstrip("/")
        if (
            not normal
            or normal.startswith("..")
            or normal != rel_path.replace("\\", "/").lstrip("/")
        ):
            self.diagnostics.warn("", f"refused to write outside the output folder: {rel_path!r}")
            return None
        if normal in self.written:
            self.diagnostics.warn("", f"two outputs for one file: {normal} (second one dropped)")
            return None
        self.written.add(normal)
        path = self.staging / normal
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self._skip(normal, error)
            return None
        return path

    def _skip(self, rel_path: str, error: OSError) -> None:
        """One file that cannot be written (a name too long for the disk, say) is skipped
        with a warning; only a folder we cannot write at all stops the build."""
        if error.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT):
            raise FatalError(f"cannot write output folder {self.out}: {error.strerror or error}")
        self.diagnostics.warn("", f"could not write {rel_path}: {error.strerror or error}")

    def adopt(self, rel_paths: set[str]) -> None:
        """Count as written the files a worker process wrote into the staging folder."""
        self.written.update(rel_paths)

    def write_text(self, rel_path: str, text: str) -> None:
        self.write_bytes(rel_path, text.encode("utf-8"))

    def write_bytes(self, rel_path: str, data: bytes) -> None:
        path = self._target(rel_path)
        if path is not None:
            try:
                path.write_bytes(data)
            except OSError as error:
                self._skip(rel_path, error)

    def copy_file(self, rel_path: str, source: Path) -> None:
        """Copy `source`; the copy keeps its time, so the next build can tell it is the same.

        When the last output (`previous`) holds a file of the same size and time, it is
        hard-linked instead of copied: big assets (fonts, scripts, audio) cost nothing.
        """
        path = self._target(rel_path)
        if path is None:
            return
        if self.previous is not None:
            try:
                here, there = source.stat(), (self.previous / rel_path).stat()
                if (here.st_size, here.st_mtime_ns) == (there.st_size, there.st_mtime_ns):
                    os.link(self.previous / rel_path, path)
                    return
            except OSError:
                pass

        try:
            copy_with_time(source, path)
        except OSError as error:  # an unreadable attachment costs that file, not the build
            path.unlink(missing_ok=True)
            self._skip(rel_path, error)

    def reuse(self, rel_path: str, previous: Path) -> bool:
        """Take over `previous/rel_path` (a file an earlier build wrote) unchanged.

        A hard link when the file system allows it (no bytes copied), else a copy. False when
        there is no such file, and the caller renders the page instead.
        """
        source = previous / rel_path
        if not source.is_file() or source.is_symlink():
            return False
        path = self._target(rel_path)
        if path is None:
            return True
        try:
            os.link(source, path)
        except OSError:
            try:
                shutil.copyfile(source, path)
            except OSError:
                self.written.discard(posixpath.normpath(rel_path))
                return False
        return True

    def reuse_tree(self, rel_dir: str, previous: Path) -> bool:
        """Take over every file under `previous/rel_dir` (see `reuse`); False if none."""
        folder = previous / rel_dir
        if not folder.is_dir():
            return False
        files = [p for p in folder.rglob("*") if p.is_file()]
        for path in files:
            if not self.reuse(path.relative_to(previous).as_posix(), previous):
                return False
        return bool(files)

    def write_cache(self, data: bytes) -> None:
        """Replace the build cache beside the output folder (atomically; best effort)."""
        target = self.cache_file
        temporary = target.with_name(target.name + ".tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(data)
            os.replace(temporary, target)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            self.diagnostics.warn("", f"build cache not saved: {error.strerror or error}")

    def commit(self) -> None:
        """Swap the staged site in place of the old one."""
        (self.staging / MARKER).write_text("Written by Trellis; replaced on every build.\n")
        try:
            if self.out.exists():
                os.replace(self.out, self._old)
            os.replace(self.staging, self.out)
        except OSError as error:
            raise FatalError(
                f"cannot replace output folder {self.out}: {error.strerror or error}"
            ) from None
        shutil.rmtree(self._old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
