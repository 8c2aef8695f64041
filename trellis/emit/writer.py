"""`OutputWriter`: the only way output reaches the disk.

Files go into a fresh staging folder beside the output folder, with a name no other folder
has (`.OUT.<random>.trellis-new`, made with an exclusive `mkdir`, as `mkdtemp` does, but
with the usual permissions: the folder is deployed); `commit` swaps it in with two renames,
so a failed or interrupted build leaves the previous site as it was and pages of deleted
notes vanish. Every path is checked to stay inside the staging folder, a second write to
one path is refused, and an existing output folder is replaced only if a marker file shows
Trellis wrote it. Trellis never deletes anything it did not make in this very run: the
staging folder is removed only while it holds the marker with this run's own token, the old
output only while it holds the site marker; a vault or any other folder, whatever its name
(`trellis build .x.trellis-new -o x`), is never taken for one of ours. Folders left by a
killed build are named in a warning, never removed. A rebuild with the cache writes into the
last output itself instead (`trellis.emit.site_update`), unless `atomic_output` is set.
Beside the output folder there is also its build cache (`.OUT.trellis-cache`, or in the
`cache_dir` setting's folder; see `trellis.pipeline`): it names private things (links as
written, warnings), so it must never be inside the folder that gets deployed.

Files are copied through one checked descriptor (`CheckedPath.open`: no symlink followed,
regular file), so what was checked is what is copied; a file of the last output is linked
instead only when its bytes hash the same, never because its size and time match.

A file of the last output is taken over without hashing it again only while its stat is
the one recorded after the build that wrote it (`trellis.emit.output_files`).
"""

from __future__ import annotations

import errno
import glob
import os
import posixpath
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from trellis.diagnostics import Diagnostics, FatalError
from trellis.emit.output_files import (
    FileStat,
    LastOutputChecks,
    copy_checked,
    file_stat,
    hashes_to,
)
from trellis.emit.output_folder import (
    MARKER,
    OLD_SUFFIX,
    SITE_MARK,
    STAGING_SUFFIX,
    TEMPORARY_SUFFIX,
    _holds_marker,
    cache_path,
    site_finished,
)
from trellis.vault.files import CheckedPath, file_digest

__all__ = [
    "MARKER",
    "SITE_MARK",
    "TEMPORARY_SUFFIX",
    "OutputWriter",
    "cache_path",
    "hashes_to",
    "site_finished",
]


class OutputWriter(LastOutputChecks):
    def __init__(
        self, out: Path, vault: Path, diagnostics: Diagnostics, cache_file: Path | None = None
    ) -> None:
        self.out = out.absolute()
        self.cache_file = cache_file or cache_path(self.out)
        self.diagnostics = diagnostics
        self.vault = vault.resolve()
        # Set by `start`: this run's own folder, and the marker text only this run writes.
        self.staging = self.out.parent / f".{self.out.name}.unstarted{STAGING_SUFFIX}"
        self._started = False
        self._staging_mark = f"Trellis staging folder {secrets.token_hex(16)}\n"
        self.written: set[str] = set()
        self._folders: set[Path] = set()  # folders `_target` made (or found) this run
        # The folder of the last build, whose unchanged files may be linked instead of copied,
        # and how its files are checked (`LastOutputChecks`).
        self.previous: Path | None = None
        self.previous_stats: dict[str, FileStat] = {}
        self.vouched: dict[str, FileStat] = {}
        real_out = self.out.resolve()
        if real_out == self.vault or self.vault.is_relative_to(real_out):
            raise FatalError(
                f"output folder {out} would contain the vault {self.vault}; choose another"
            )
        if self.out.is_symlink():
            raise FatalError(f"output {out} is a symlink; name the folder it leads to instead")
        if self.cache_file.resolve().is_relative_to(real_out):
            raise FatalError(
                f"build cache {self.cache_file} would be inside the output folder {out}, "
                "which gets deployed; choose another cache_dir"
            )
        if self.out.exists() and not self.out.is_dir():
            raise FatalError(f"output {out} exists and is not a folder")
        if not self._replaceable():
            raise FatalError(
                f"output folder {out} is not empty and was not written by Trellis "
                f"(no {MARKER} file); empty it or choose another folder"
            )

    def _replaceable(self) -> bool:
        """May the output folder be replaced: missing, empty, or marked as a Trellis site?"""
        if not self.out.is_dir():
            return not self.out.exists()
        return _holds_marker(self.out) or not any(self.out.iterdir())

    @property
    def own_paths(self) -> list[Path]:
        """The folders and files this writer uses (never read as part of a vault)."""
        # (The cache's temporary has a dot name, which no vault scan reads.)
        paths = [self.out, self.cache_file]
        return [*paths, self.staging] if self._started else paths

    def start(self) -> None:
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self._warn_leftovers()
            self.staging = self._make_staging()
            self._started = True
            (self.staging / MARKER).write_text(self._staging_mark, encoding="utf-8")
        except OSError as error:
            raise FatalError(
                f"cannot write output folder {self.out}: {error.strerror or error}"
            ) from None

    def _make_staging(self) -> Path:
        """A new folder beside the output that no one else has (an exclusive `mkdir`)."""
        for _ in range(100):
            path = self._fresh_name(STAGING_SUFFIX)
            try:
                path.mkdir()
            except FileExistsError:
                continue
            return path
        raise FileExistsError(errno.EEXIST, "no free name for a staging folder")

    def _fresh_name(self, suffix: str) -> Path:
        return self.out.parent / f".{self.out.name}.{secrets.token_hex(6)}{suffix}"

    def _warn_leftovers(self) -> None:
        """Name (never remove) what killed builds left: only its owner knows it is garbage."""
        for suffix in (STAGING_SUFFIX, OLD_SUFFIX):
            pattern = f".{glob.escape(self.out.name)}.*{suffix}"
            for path in sorted(self.out.parent.glob(pattern)):
                if path.resolve() != self.vault and _holds_marker(path):
                    self.diagnostics.warn(
                        "",
                        f"{path} was left by an interrupted build; "
                        "delete it when no build is running",
                    )

    def _target(self, rel_path: str) -> Path | None:
        normal = posixpath.normpath("/" + rel_path.replace("\\", "/")).lstrip("/")
        if (
            not normal
            or normal.startswith("..")
            or normal != rel_path.replace("\\", "/").lstrip("/")
        ):
            self.diagnostics.warn("", f"refused to write outside the output folder: {rel_path!r}")
            return None
        if normal.split("/")[0] == MARKER:
            self.diagnostics.warn("", f"refused to write over Trellis's marker: {rel_path!r}")
            return None
        if normal in self.written:
            self.diagnostics.warn("", f"two outputs for one file: {normal} (second one dropped)")
            return None
        self.written.add(normal)
        path = self.staging / normal
        if path.parent not in self._folders:  # 27,000 graph files share one folder
            try:
                self._make_folder(path.parent)
            except OSError as error:
                self._skip(normal, error)
                return None
            self._folders.add(path.parent)
        return path

    def _make_folder(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)

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

    def copy_file(
        self, rel_path: str, source: CheckedPath | Path, digest: str = "", shown: str = ""
    ) -> bool:
        """Copy `source` (read through one checked descriptor); True if it was written.

        With `digest` (the hash of the bytes that were checked), the copy must have it, else
        it is dropped with a warning naming `shown`. A file of the last output (`previous`)
        whose bytes hash the same is hard-linked instead: big assets cost no copy.
        """
        path = self._target(rel_path)
        if path is None:
            return False
        return self._copy_into(path, rel_path, source, digest, shown, link=True)

    def _copy_into(
        self,
        path: Path,
        rel_path: str,
        source: CheckedPath | Path,
        digest: str,
        shown: str,
        link: bool = False,
    ) -> bool:
        if isinstance(source, Path):
            source = CheckedPath(source.parent, source)
        shown = shown or rel_path
        try:
            with source.open() as (handle, info):
                if link and self._link_previous(rel_path, path, handle, info, digest):
                    return True
                try:
                    copied = copy_checked(handle, info, path)
                except OSError as error:
                    path.unlink(missing_ok=True)
                    self._skip(rel_path, error)
                    return False
        except OSError as error:  # the source: gone, or no longer what was checked
            self.diagnostics.warn(shown, f"not copied: {error.strerror or error}")
            return False
        if digest and copied != digest:
            path.unlink()
            self.diagnostics.warn(
                shown, "changed while the site was built; not copied (build again)"
            )
            return False
        return True

    def _link_previous(
        self, rel_path: str, path: Path, handle: BinaryIO, info: os.stat_result, digest: str
    ) -> bool:
        """Hard-link the last output's `rel_path` to `path` if its bytes hash like the
        source's (`digest`, else the source read through `handle`, rewound after)."""
        if self.previous is None:
            return False
        try:
            old = CheckedPath(self.previous, self.previous / rel_path)
            with old.open() as (previous, previous_info):
                if previous_info.st_size != info.st_size:
                    return False
                if not digest:
                    digest = file_digest(handle)
                    handle.seek(0)
                if file_digest(previous) != digest:
                    return False
            os.link(old.path, path)
        except OSError:
            return False
        return True

    def reuse(self, rel_path: str, previous: Path, digest: str = "") -> bool:
        """Take over `previous/rel_path` (a file an earlier build wrote) unchanged.

        A hard link when the file system allows it (no bytes copied), else a copy. False when
        there is no such file, or (with `digest`) its bytes do not hash to it: the caller
        renders the page instead.
        """
        source = previous / rel_path
        if not source.is_file() or source.is_symlink():
            return False
        if digest and not (
            self.previous_holds(rel_path, digest)
            if previous == self.previous
            else hashes_to(source, previous, digest)
        ):
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

    def reuse_files(self, rel_paths: list[str], previous: Path, digests: list[str]) -> str:
        """`reuse` each of `rel_paths` (with its digest of `digests`): "" once all are taken
        over, else the first that could not be (the ones after it are not tried)."""
        for rel_path, digest in zip(rel_paths, digests, strict=True):
            if not self.reuse(rel_path, previous, digest):
                return rel_path
        return ""

    def stats_of(self, rel_paths: Iterable[str]) -> dict[str, FileStat]:
        """The `FileStat` of each of `rel_paths` in the output folder (after `commit`)."""
        stats = {}
        for rel_path in rel_paths:
            found = file_stat(self.out / rel_path)
            if found is not None:
                stats[rel_path] = found
        return stats

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

    def write_cache(self, dump: Callable[[BinaryIO], None]) -> None:
        """Replace the build cache beside the output folder (atomically; best effort): `dump`
        streams it into a new file (not one bytes object: ~200 MB at 50,000 notes), renamed over."""
        target = self.cache_file
        temporary: Path | None = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            # A new file of a name no one chose (O_EXCL): a link planted beside the output
            # folder (a vault holding its own output) is never written through.
            handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            temporary = Path(name)
            with os.fdopen(handle, "wb") as file:
                dump(file)
            os.replace(temporary, target)
            temporary = None
        except OSError as error:
            self.diagnostics.warn("", f"build cache not saved: {error.strerror or error}")
        finally:  # failed, or interrupted while dumping: no half-written file is left
            if temporary is not None:
                temporary.unlink(missing_ok=True)

    def commit(self) -> None:
        """Swap the staged site in place of the old one (checked again: still ours?)."""
        if not _holds_marker(self.staging, self._staging_mark):
            raise FatalError(f"staging folder {self.staging} was changed by someone else")
        (self.staging / MARKER).write_text(SITE_MARK, encoding="utf-8")
        old = None
        try:
            if self.out.exists() or self.out.is_symlink():
                if not self._replaceable():
                    raise FatalError(f"output folder {self.out} is no longer Trellis's; kept")
                old = self._fresh_name(OLD_SUFFIX)
                os.rename(self.out, old)
            os.rename(self.staging, self.out)
        except OSError as error:
            raise FatalError(
                f"cannot replace output folder {self.out}: {error.strerror or error}"
            ) from None
        self._started = False
        if old is not None:
            self._remove_old(old)

    def _remove_old(self, old: Path) -> None:
        """Remove the output this build replaced: a marked site, or an empty folder."""
        if old.is_symlink():
            old.unlink()
        elif _holds_marker(old):
            shutil.rmtree(old, ignore_errors=True)
        else:
            try:
                old.rmdir()
            except OSError:
                self.diagnostics.warn("", f"kept {old}: it was not a Trellis site")

    def abort(self) -> None:
        """Remove this run's staging folder, only while it holds this run's own marker."""
        if self._started and _holds_marker(self.staging, self._staging_mark):
            shutil.rmtree(self.staging, ignore_errors=True)
        self._started = False
