"""`SiteState`: what the preview serves right now, shared by the server and the rebuild loop.

One condition guards it all. Requests hold its lock only while they pick the site folder and
open a file, and a finished build swaps the folder under the same lock, so a request never
sees a half-built or half-deleted site and never waits for a whole build. Live-reload
clients wait on the condition for the next version or error.

`problems` maps the page path of a note that a build dropped from the site because of an
error in its source (a YAML typo) to that error, so its open tab can show it (see
`Preview`); it changes with the folder, under the same lock.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Snapshot:
    """What a browser tab needs to know to decide between nothing, a style swap and a reload."""

    # Bumped by every successful build.
    version: int
    # The last version that needs a page reload (a CSS-only build does not).
    reload_version: int
    # The last build's error (its page keeps showing the previous site), or None.
    error: str | None
    # Differs between runs of `serve`, so tabs left open across a restart reload.
    session: str


@dataclass(frozen=True)
class Served:
    """The folder requests read from, taken together with the matching snapshot."""

    root: Path | None
    base_path: str
    snapshot: Snapshot
    # Site path ("/a/b/") of a page dropped for an error in its note -> the error to show.
    problems: Mapping[str, Mapping[str, object]]


class SiteState:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._root: Path | None = None
        self._base_path = "/"
        self._problems: Mapping[str, Mapping[str, object]] = {}
        self._version = 0
        self._reload_version = 0
        self._error: str | None = None
        self._session = secrets.token_hex(6)
        self._closed = False

    @property
    def current_root(self) -> Path | None:
        """The folder being served (None before the first good build)."""
        with self._cond:
            return self._root

    def snapshot(self) -> Snapshot:
        with self._cond:
            return self._snapshot()

    def _snapshot(self) -> Snapshot:
        return Snapshot(self._version, self._reload_version, self._error, self._session)

    @contextmanager
    def serving(self) -> Iterator[Served]:
        """Hold the site still while a request picks and opens its file."""
        with self._cond:
            yield Served(self._root, self._base_path, self._snapshot(), self._problems)

    def publish(
        self,
        root: Path,
        base_path: str,
        css_only: bool,
        problems: Mapping[str, Mapping[str, object]] | None = None,
    ) -> Path | None:
        """Serve `root` from now on; returns the folder it replaces (for the caller to remove).

        `problems`: the pages dropped for an error in their note (None: unchanged).
        """
        with self._cond:
            old, self._root, self._base_path = self._root, root, base_path
            if problems is not None:
                self._problems = dict(problems)
            self._version += 1
            if not css_only or self._reload_version == 0:
                self._reload_version = self._version
            self._error = None
            self._cond.notify_all()
        return old

    def fail(self, error: str) -> None:
        """Report a failed build; the previous site stays served."""
        with self._cond:
            self._error = error
            self._cond.notify_all()

    def wait_change(self, seen: Snapshot | None, timeout: float) -> Snapshot | None:
        """The snapshot once it differs from `seen` (or after `timeout`); None once closed."""
        with self._cond:
            self._cond.wait_for(lambda: self._closed or self._snapshot() != seen, timeout)
            return None if self._closed else self._snapshot()

    def close(self) -> None:
        """Wake every waiting live-reload client so its connection ends."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
