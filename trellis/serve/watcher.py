"""Watch the vault, the theme and the settings with watchdog; hand out settled sets of changes.

Three small parts: `ChangeFilter` decides which paths matter, `ChangeQueue` coalesces
events until they settle, `Watcher` connects watchdog to both. The watcher only records
paths; the rebuild loop decides what to do with them (as in MkDocs' livereload).

Editors save in bursts (a few writes, a temp file renamed over the note, a swap file), so
the queue waits for `quiet` seconds without a new event before handing the set out, or at
most `max_wait` seconds after the first one so a file written non-stop cannot starve the
preview. Events arriving while a rebuild runs gather into the next set: one more rebuild,
never a pile-up.

A save also says when it is over, and then waiting the whole quiet time only delays the
page: a file written in place is closed (inotify's close-after-write), an atomic save ends
with the rename over the note, a deletion is final. So once every pending path is over
(`ChangeQueue.closed`), the set goes out after `settle` seconds (10 ms) instead. Measured
with watchdog (in place, temp file and rename, vim's backup rename, JetBrains' safe write):
every burst is over within 3 ms, and its last wanted event is that close or rename. Only
a file Trellis reads as a source (`SETTLING_SUFFIXES`) counts as over when closed: a temp
file of another name (`Note.md.tmp`) may still be renamed over the note, so it keeps the
set waiting until that rename (which ends it) or the quiet time. And only the first save
after a calm gets the shortcut: saves arriving within `quiet` of the last set handed out
are a burst (a script, a sync), and wait for quiet as before.

Only content events count: created, deleted, moved and modified files, and deleted or moved
folders. Reading a file during a build changes its access time, which inotify reports as an
attribute change; counting those would rebuild forever, so attribute, open and
close-after-read events are not asked for; a close after writing only ends a change already
pending (`touch` alone changes nothing). A new empty folder changes nothing either (files
moved in with a folder are reported one by one).
"""

from __future__ import annotations

import math
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import (
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
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

# Files whose close after writing ends their save (see the module docstring).
SETTLING_SUFFIXES = frozenset(
    {".md", ".canvas", ".base", ".css", ".js", ".html", ".toml", ".json", ".yaml", ".yml"}
)

_WATCHED_EVENTS: list[type[FileSystemEvent]] = [
    FileClosedEvent,
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
    a save and the page it shows (the goal is 200 ms in all). `settle` (10 ms) replaces it
    once every pending path's save is over (see the module docstring).
    """

    def __init__(
        self,
        quiet: float = 0.05,
        max_wait: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        settle: float = 0.01,
    ) -> None:
        self.quiet = quiet
        self.max_wait = max_wait
        self.settle = min(settle, quiet)
        self._clock = clock
        self._cond = threading.Condition()
        self._paths: set[Path] = set()
        # Pending paths still being written (no close or rename seen since their last write).
        self._open: set[Path] = set()
        self._first = 0.0
        self._last = 0.0
        self._taken_at = -math.inf
        # True while the consumer works on a set (it starts busy: the first build).
        self._busy = True
        self._closed = False

    def add(self, paths: Iterable[Path], over: bool = False) -> None:
        """Record changed paths; `over`: their change is final (deleted, renamed into place),
        else they are being written until `closed` says otherwise."""
        with self._cond:
            now = self._clock()
            if not self._paths:
                self._first = now
            paths = set(paths)
            self._paths.update(paths)
            if over:
                self._open.difference_update(paths)
            else:
                self._open.update(paths)
            self._last = now
            self._cond.notify_all()

    def closed(self, path: Path) -> None:
        """A pending path's writer closed it: its save is over (nothing if not pending)."""
        with self._cond:
            if path in self._open:
                self._open.discard(path)
                self._last = self._clock()
                self._cond.notify_all()

    def _due(self) -> float:
        calm = self._first - self._taken_at >= self.quiet
        wait = self.settle if calm and not self._open else self.quiet
        return min(self._last + wait, self._first + self.max_wait)

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
                due = self._due()
                if now >= due:
                    taken = frozenset(self._paths)
                    self._paths.clear()
                    self._open.clear()
                    self._taken_at = now
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
        source = Path(os.fsdecode(event.src_path))
        if isinstance(event, FileClosedEvent):
            if source.suffix.lower() in SETTLING_SUFFIXES:
                self.queue.closed(source)
            return
        wanted = self.changes.wanted
        if isinstance(event, FileMovedEvent | DirMovedEvent):
            # Both ends are final: the source is gone, the destination is in place.
            target = Path(os.fsdecode(event.dest_path))
            moved = [p for p in (source, target) if wanted(p)]
            if moved:
                self.queue.add(moved, over=True)
        elif wanted(source):
            final = isinstance(event, FileDeletedEvent | DirDeletedEvent)
            self.queue.add([source], over=final)


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
