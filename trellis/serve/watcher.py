"""Watch the vault, the theme and the settings with watchdog; hand out settled sets of changes.

Three small parts: `ChangeFilter` decides which paths matter, `ChangeQueue` coalesces
events until they settle, `Watcher` connects watchdog to both. The watcher only records
paths; the rebuild loop decides what to do with them (as in MkDocs' livereload).

Editors save in bursts (a few writes, a temp file renamed over the note, a swap file), so
the queue waits for `quiet` seconds without a new event before handing the set out, or at
most `max_wait` seconds after the first one so a file written non-stop cannot starve the
preview. Events arriving while a rebuild runs gather into the next set: one more rebuild,
never a pile-up.

Only content events count: created, deleted, moved and modified files, and deleted or moved
folders. Reading a file during a build changes its access time, which inotify reports as an
attribute change; counting those would rebuild forever, so attribute, open and close events
are not asked for. A new empty folder changes nothing either (files moved in with a folder
are reported one by one).
"""

from __future__ import annotations

import os
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import (
    DirDeletedEvent,
    DirMovedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from trellis.config import OVERRIDES_DIR
from trellis.diagnostics import FatalError

# Files editors write next to the one being saved (vim, emacs, JetBrains' safe write).
_TEMP_SUFFIXES = (".swp", ".swx", ".swo", "~", "___jb_tmp___", "___jb_old___")
_TEMP_PREFIXES = (".#",)
_TEMP_NAMES = frozenset({"4913"})  # vim probes whether it may write a folder with this name

_WATCHED_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]


def is_editor_temp(name: str) -> bool:
    return name in _TEMP_NAMES or name.startswith(_TEMP_PREFIXES) or name.endswith(_TEMP_SUFFIXES)


class ChangeFilter:
    """Which changed paths can change the site."""

    def __init__(self, vault: Path, theme_dirs: Iterable[Path], ignored: Iterable[Path]) -> None:
        self.vault = vault
        self.theme_dirs = list(theme_dirs)
        self.ignored = list(ignored)

    def wanted(self, path: Path) -> bool:
        if is_editor_temp(path.name) or any(path.is_relative_to(p) for p in self.ignored):
            return False
        if path.is_relative_to(self.vault):
            parts = path.relative_to(self.vault).parts
            if parts[:1] == (OVERRIDES_DIR,):
                parts = parts[1:]
            return not any(part.startswith(".") for part in parts)
        for folder in self.theme_dirs:
            if path.is_relative_to(folder):
                return not any(p.startswith(".") for p in path.relative_to(folder).parts)
        return False


class ChangeQueue:
    """Changed paths gathered until they settle; one consumer takes them a set at a time.

    `quiet` is 50 ms by default: an editor's burst for one save (write, or temp file and
    rename) takes a few milliseconds, and every millisecond waited here is one more between
    a save and the page it shows (the goal is 200 ms in all).
    """

    def __init__(
        self,
        quiet: float = 0.05,
        max_wait: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.quiet = quiet
        self.max_wait = max_wait
        self._clock = clock
        self._cond = threading.Condition()
        self._paths: set[Path] = set()
        self._first = 0.0
        self._last = 0.0
        # True while the consumer works on a set (it starts busy: the first build).
        self._busy = True
        self._closed = False

    def add(self, paths: Iterable[Path]) -> None:
        with self._cond:
            now = self._clock()
            if not self._paths:
                self._first = now
            self._paths.update(paths)
            self._last = now
            self._cond.notify_all()

    def take(self) -> frozenset[Path] | None:
        """Block until some changes have settled and return them; None once closed."""
        with self._cond:
            self._busy = False
            self._cond.notify_all()
            while not self._closed:
                if not self._paths:
                    self._cond.wait()
                    continue
                now = self._clock()
                due = min(self._last + self.quiet, self._first + self.max_wait)
                if now >= due:
                    taken = frozenset(self._paths)
                    self._paths.clear()
                    self._busy = True
                    return taken
                self._cond.wait(due - now)
            return None

    def wait_pending(self, timeout: float) -> bool:
        """Wait up to `timeout` for a change (without taking it); False if none came.

        The consumer counts as idle meanwhile: it does background work (the search index)
        that it drops as soon as `pending` says a change is waiting.
        """
        with self._cond:
            self._busy = False
            self._cond.notify_all()
            return self._cond.wait_for(lambda: self._closed or bool(self._paths), timeout)

    def pending(self) -> bool:
        """True when a change waits (or the queue is closed): background work should stop."""
        with self._cond:
            return self._closed or bool(self._paths)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is pending and the consumer waits for more; False on timeout."""
        with self._cond:
            return self._cond.wait_for(
                lambda: self._closed or (not self._paths and not self._busy), timeout
            )

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class _Handler(FileSystemEventHandler):
    def __init__(self, changes: ChangeFilter, queue: ChangeQueue) -> None:
        self.changes = changes
        self.queue = queue

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = [os.fsdecode(p) for p in (event.src_path, event.dest_path) if p]
        wanted = [Path(p) for p in paths if self.changes.wanted(Path(p))]
        if wanted:
            self.queue.add(wanted)


class Watcher:
    """A watchdog observer over every root, feeding one `ChangeQueue`."""

    def __init__(self, roots: Iterable[Path], changes: ChangeFilter, queue: ChangeQueue) -> None:
        self.observer = Observer()
        handler = _Handler(changes, queue)
        for root in roots:
            if root.is_dir():
                self.observer.schedule(
                    handler, str(root), recursive=True, event_filter=_WATCHED_EVENTS
                )

    def start(self) -> None:
        # watchdog 7 warns when `mkdir -p a/b` is quick enough for it to add the watch of `b`
        # twice (walking `a`, then b's own creation event); the second only replaces the first
        # with the same callback, so the warning would just alarm the person previewing.
        warnings.filterwarnings(
            "ignore", r"Callback with id .* already exists for watch", RuntimeWarning
        )
        try:
            self.observer.start()
        except OSError as error:
            raise FatalError(
                f"cannot watch the vault for changes: {error.strerror or error} (on Linux, "
                "raise fs.inotify.max_user_watches or max_user_instances)"
            ) from None

    def stop(self) -> None:
        if self.observer.is_alive():
            self.observer.stop()
            self.observer.join()
