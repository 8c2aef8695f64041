"""`SiteUpdate`: a build written into the last output folder itself, not beside it.

Why: at 10,000 notes a one-note rebuild through a staging folder spent most of its time on
files that did not change: hard-linking ~9,000 pages and ~18,000 graph and search files into
the new folder (5.7 s), then removing the replaced folder's ~28,000 entries (3.2 s). Updating
in place costs nothing for a file that stays: it is checked (its recorded stat, else its
hash, as a take-over from the last output is) and kept where it is, same inode; a changed
file is written beside its target and renamed over it; at the end every file and folder of
the output that this build neither wrote nor kept is removed (pages of deleted or now
private notes, a user's stray files: the output folder is Trellis's, as with a swap).

What keeps it safe:
- The site marker says the site is being updated (with this run's token) from before the
  first change until the last removal; a build that finds that marker, or no finished one,
  trusts nothing of the folder and builds into a staging folder as usual
  (`site_finished`, `choose_writer`). So a failed or killed update never leaves the output
  looking finished. Only a folder the cache describes and that a finished build left is
  updated; anything in doubt gets the staging build.
- Before writing anything, the output is walked without following symlinks: every symlink
  (or other non-file) in it is removed, the link itself, never what it leads to, so no
  later write, `mkdir` or removal in the folder (this writer's, or Pagefind's shard folder)
  can go through one. Files are replaced by rename, which never follows a link either.
- A restored copy of the folder and its cache (new inodes and times: a CI job) is updated
  in place too; each file kept is then hashed against the cache's record, once, ahead of
  need by a helper process when the copy looks restored (`trellis.emit.output_hashes`).
- Who serves straight from the output folder sees pages change one at a time during a
  build, and an interrupted build leaves the site incomplete until the next one: the setting
  `atomic_output` keeps the staging folder and its swap for them.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import secrets
import shutil
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from trellis.diagnostics import Diagnostics, FatalError
from trellis.emit.inplace import InPlaceWriter
from trellis.emit.output_files import FileStat, bytes_digest, file_stat, read_plain
from trellis.emit.output_hashes import OutputHashes, is_fragment, looks_restored
from trellis.emit.writer import (
    MARKER,
    SITE_MARK,
    TEMPORARY_SUFFIX,
    OutputWriter,
    _holds_marker,
    site_finished,
)
from trellis.vault.files import CheckedPath, file_digest

UPDATING = "Trellis is updating this site ({token}); until it finishes, it is incomplete.\n"


def choose_writer(writer: OutputWriter, atomic: bool) -> OutputWriter:
    """`writer` (a staging build), or a `SiteUpdate` of the same folder when the last output
    is that very folder, finished, with the stats the cache recorded for its files."""
    if (
        atomic
        or writer.previous is None
        or writer.previous != writer.out
        or not writer.previous_stats
        or not site_finished(writer.out)
    ):
        return writer
    update = SiteUpdate(writer.out, writer.vault, writer.diagnostics, writer.cache_file)
    update.previous_stats = writer.previous_stats
    return update


class SiteUpdate(InPlaceWriter):
    """Writes one build into the finished site in `out`: kept files stay, the rest goes."""

    def __init__(
        self, out: Path, vault: Path, diagnostics: Diagnostics, cache_file: Path | None = None
    ) -> None:
        super().__init__(out, vault, diagnostics, cache_file)
        self.previous = self.out
        self._mark = UPDATING.format(token=secrets.token_hex(16))
        self._updating = False
        # One byte shared with forked workers (they write pages too): set at the first change
        # to the folder, so a build failing before any leaves it finished (`abort`).
        self._changed = mmap.mmap(-1, 1)
        # What the output held when the update started (relative paths), for the last sweep.
        self._found_files: list[str] = []
        self._found_folders: list[str] = []
        # Files kept because their stat is the recorded one: relative path -> that stat.
        self._kept: dict[str, FileStat] = {}
        self._root = f"{self.out}/"
        # A restored copy's files hashed ahead by a helper process (`output_hashes`).
        self._ahead: OutputHashes | None = None
        # Files `previous_changed` found as recorded, with that stat, until `reuse`
        # takes them (the search shards taken over: checked, then kept, ~9,000 files).
        self._as_recorded: dict[str, FileStat] = {}

    def start(self) -> None:
        """Mark the site as being updated, then clear it of symlinks (see above)."""
        try:
            self._warn_leftovers()
            self._set_marker(self._mark)
            self._updating = True
            self._survey()
            if looks_restored(self._root, self.previous_stats):
                with contextlib.suppress(OSError):  # (no helper: the build reads them all)
                    self._ahead = OutputHashes(self._root, self.previous_stats)
        except OSError as error:
            raise FatalError(
                f"cannot update output folder {self.out}: {error.strerror or error}"
            ) from None

    def _set_marker(self, text: str) -> None:
        temporary = self.out / f"{MARKER}{TEMPORARY_SUFFIX}"
        temporary.unlink(missing_ok=True)
        with temporary.open("x", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, self.out / MARKER)

    def _survey(self) -> None:
        """List the output's files and folders; remove every entry that is neither (a
        symlink, a socket...) without following it."""
        pending, root = [""], self._root  # (strings: a Path a folder was ~1/3 of the walk)
        while pending:
            folder = pending.pop()
            prefix = f"{folder}/" if folder else ""
            with os.scandir(root + folder) as entries:
                for entry in entries:
                    rel = prefix + entry.name
                    if entry.is_dir(follow_symlinks=False):
                        self._found_folders.append(rel)
                        pending.append(rel)
                    elif entry.is_file(follow_symlinks=False):
                        if rel != MARKER:
                            self._found_files.append(rel)
                    else:
                        self._changing()
                        os.unlink(entry.path)

    def _changing(self) -> None:
        if not self._changed[0]:
            self._changed[0] = 1

    def _replace(self, rel_path: str, fill: Callable[[Path], object]) -> bool:
        self._changing()
        return super()._replace(rel_path, fill)

    def _make_folder(self, folder: Path) -> None:
        """Make `folder`; a file of the last output standing where it goes is removed (a
        clean build has none there), one this build wrote is not."""
        if not folder.is_dir():
            self._changing()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            return
        except (FileExistsError, NotADirectoryError):
            pass
        current = self.out
        for part in folder.relative_to(self.out).parts:
            current = current / part
            if current.is_dir() and not current.is_symlink():
                continue
            if current.exists() or current.is_symlink():
                if current.relative_to(self.out).as_posix() in self.written:
                    raise FileExistsError(f"{current} is an output of this build")
                current.unlink()
            current.mkdir()

    def _target(self, rel_path: str) -> Path | None:
        """As `OutputWriter._target`; a folder of the last output where this file goes is
        removed (a clean build has a file there), unless it holds this build's outputs."""
        path = super()._target(rel_path)
        if path is not None and path.is_dir() and not path.is_symlink():
            self._changing()
            prefix = path.relative_to(self.out).as_posix() + "/"
            if not any(name.startswith(prefix) for name in self.written):
                shutil.rmtree(path, ignore_errors=True)
        return path

    def reuse(self, rel_path: str, previous: Path, digest: str = "") -> bool:
        """Keep the output's `rel_path` where it is (no link, no copy) when it is the file
        the last build recorded: its stat is the recorded one, else its bytes hash to
        `digest`. False when it is not: the caller writes it.

        One `lstat` of a plain name and a tuple compared: ~27,000 files are kept at 10,000
        notes. A name that is not plain (see `_plain`) or already counted goes through
        `OutputWriter._target`'s checks, which warn."""
        if previous is not self.out and previous != self.out and previous.absolute() != self.out:
            return False
        if not _plain(rel_path) or rel_path in self.written:
            return self._reuse_checked(rel_path, digest)
        # (A file found as recorded this build is not looked at again: nothing of the build
        # writes over a last output's file it keeps.)
        found = self._as_recorded.pop(rel_path, None) or _lstat(self._root + rel_path)
        if found is None:
            return False
        if found == self.previous_stats.get(rel_path) or found == self.vouched.get(rel_path):
            self._kept[rel_path] = found
        elif digest:  # not the file recorded (a restored copy): its bytes must be
            ahead = self._ahead.get(rel_path) if self._ahead is not None else None
            if ahead is None or ahead[0] != found:  # not hashed ahead as it is now
                read = read_plain(self._root + rel_path)
                ahead = (read[0], bytes_digest(read[1])) if read is not None else None
            if ahead is None or ahead[1] != digest:
                return False
            self._kept[rel_path] = self.vouched[rel_path] = ahead[0]
        # Counted as this build's; its folder is there (a later file in it makes sure).
        self.written.add(rel_path)
        return True

    def reuse_files(self, rel_paths: list[str], previous: Path, digests: list[str]) -> str:
        """As `OutputWriter.reuse_files`: each file found as recorded this build
        (`previous_changed`) is kept with a dict look-up, the others go through `reuse`
        (a search shard taken over: ~500 files, 18 shards at 10,000 notes)."""
        if previous is not self.out and previous != self.out:
            return super().reuse_files(rel_paths, previous, digests)
        checked, kept, written = self._as_recorded, self._kept, self.written
        for rel_path, digest in zip(rel_paths, digests, strict=True):
            found = checked.pop(rel_path, None)
            if found is not None and rel_path not in written:
                kept[rel_path] = found
                written.add(rel_path)
            elif not self.reuse(rel_path, previous, digest):
                return rel_path
        return ""

    def previous_changed(self, prefix: str, names: Iterable[str]) -> set[str]:
        """As `OutputWriter.previous_changed`; each file found as recorded is kept with
        that stat until `reuse` takes it: it is not looked at again this build."""
        recorded, checked, root = self.previous_stats, self._as_recorded, self._root
        changed = set()
        for name in names:
            rel_path = prefix + name
            was = recorded.get(rel_path)
            if was is not None and _plain(rel_path) and _lstat(root + rel_path) == was:
                checked[rel_path] = was
            else:
                changed.add(name)
        return changed

    def previous_look(self, rel_path: str) -> tuple[FileStat, str, str | None] | None:
        """As `OutputWriter.previous_look`, from the helper's reading when it read the file
        as it is now (`output_hashes`)."""
        ahead = self._ahead.get(rel_path) if self._ahead is not None else None
        if (
            ahead is not None
            and (ahead[2] is not None or not is_fragment(rel_path))
            and _lstat(self._root + rel_path) == ahead[0]
        ):
            return ahead
        return super().previous_look(rel_path)

    def previous_file(self, rel_path: str) -> tuple[FileStat, bytes] | None:
        """As `OutputWriter.previous_file`; a plain name is read straight (the survey left
        no symlink in the folder), with half the system calls."""
        if not _plain(rel_path):
            return super().previous_file(rel_path)
        return read_plain(self._root + rel_path)

    def _reuse_checked(self, rel_path: str, digest: str) -> bool:
        """`reuse` of a name `_target` must check (and warn about) first."""
        path = self.out / rel_path
        if file_stat(path) is None or (digest and not self.previous_holds(rel_path, digest)):
            return False
        self._folders.add(path.parent)
        OutputWriter._target(self, rel_path)
        return True

    def relinked(self, rel_paths: Iterable[str]) -> None:
        """`rel_paths` were hard-linked and unlinked again since `reuse` kept them (Pagefind
        reads pages through links): their change time moved, so `stats_of` takes it anew."""
        for rel_path in rel_paths:
            self._kept.pop(rel_path, None)

    def stats_of(self, rel_paths: Iterable[str]) -> dict[str, FileStat]:
        """As `OutputWriter.stats_of`; a file `reuse` kept as recorded has the stat it was
        kept with (nothing this build did touched it), so only files written are looked at."""
        kept = self._kept
        stats = {}
        for rel_path in rel_paths:
            found = kept.get(rel_path) or _lstat(self._root + rel_path)
            if found is not None:
                stats[rel_path] = found
        return stats

    def remove(self, rel_path: str) -> None:
        self._kept.pop(rel_path, None)
        super().remove(rel_path)

    def reuse_tree(self, rel_dir: str, previous: Path) -> bool:
        """Keep every file under `rel_dir` (see `reuse`); False if none."""
        prefix = rel_dir.rstrip("/") + "/"
        files = [name for name in self._found_files if name.startswith(prefix)]
        return all(self.reuse(name, previous) for name in files) and bool(files)

    def copy_file(
        self, rel_path: str, source: CheckedPath | Path, digest: str = "", shown: str = ""
    ) -> bool:
        """Keep the output's file when it holds the source's bytes, else copy it over."""
        path = self._target(rel_path)
        if path is None:
            return False
        if self._same_bytes(path, source, digest):
            return True
        self.written.discard(path.relative_to(self.out).as_posix())  # counted again below
        return super().copy_file(rel_path, source, digest, shown)

    def _same_bytes(self, kept: Path, source: CheckedPath | Path, digest: str) -> bool:
        """Does the output's file `kept` hold the bytes of `source` (hashing to `digest`)?
        As `OutputWriter._link_previous` checks a file of the last output before linking."""
        if isinstance(source, Path):
            source = CheckedPath(source.parent, source)
        try:
            with source.open() as (handle, info), CheckedPath(self.out, kept).open() as found:
                old, old_info = found
                if old_info.st_size != info.st_size:
                    return False
                return file_digest(old) == (digest or file_digest(handle))
        except OSError:
            return False  # the copy says why

    def commit(self) -> None:
        """Remove what this build neither wrote nor kept, then mark the site finished."""
        self._stop_ahead()
        if not self._updating or not _holds_marker(self.out, self._mark):
            raise FatalError(f"output folder {self.out} was changed by someone else")
        try:
            self._sweep()
            self._set_marker(SITE_MARK)
        except OSError as error:
            raise FatalError(
                f"cannot update output folder {self.out}: {error.strerror or error}"
            ) from None
        self._updating = False

    def _stop_ahead(self) -> None:
        if self._ahead is not None:
            self._ahead.close()
            self._ahead = None

    def _sweep(self) -> None:
        written = self.written
        holding = {MARKER}
        for name in written:
            cut = name.rfind("/")
            while cut > 0 and (folder := name[:cut]) not in holding:
                holding.add(folder)
                cut = name.rfind("/", 0, cut)
        for name in self._found_files:
            if name not in written and name not in holding:
                (self.out / name).unlink(missing_ok=True)
        for name in sorted(self._found_folders, key=lambda n: n.count("/"), reverse=True):
            if name not in holding and name not in written:
                folder = self.out / name
                try:
                    folder.rmdir()
                except FileNotFoundError:
                    pass
                except OSError:  # something appeared there during the build
                    shutil.rmtree(folder, ignore_errors=True)

    def abort(self) -> None:
        """Leave the marker saying the site is incomplete (the next build makes it anew),
        unless nothing in it changed yet: then it is the finished site it was."""
        self._stop_ahead()
        if self._updating and not self._changed[0] and _holds_marker(self.out, self._mark):
            with contextlib.suppress(OSError):
                self._set_marker(SITE_MARK)
        self._updating = False


def _plain(rel_path: str) -> bool:
    """Is `rel_path` a name `OutputWriter._target` takes as it is: relative, no empty,
    `.` or `..` part, no backslash, no dot-name (so not the marker) anywhere?"""
    return (
        bool(rel_path)
        and rel_path[0] not in "/."
        and "\\" not in rel_path
        and "//" not in rel_path
        and "/." not in rel_path
        and rel_path[-1] != "/"
    )


def _lstat(path: str) -> FileStat | None:
    """`file_stat` of a path given as a string (no `Path` made: called per kept file)."""
    try:
        info = os.lstat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
