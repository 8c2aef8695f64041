"""Rebuilders: `rebuild(changed) -> RebuildOutcome`, the one call the preview loop makes.

`FullRebuilder` (the default) runs a whole one-shot `trellis.pipeline.build` for any change;
`changed` is only passed along. `IncrementalRebuilder` keeps one `SiteBuilder` alive, which
reuses the parses and pages that did not change (hard links from the site being served).
Either can be swapped for the other, or for a smarter one, without touching the loop, the
server or the watcher.

Each build goes into a fresh folder of the preview's own temporary folder (never the vault);
the loop then points the server at it and hands the old one back to `retire`. That way
requests wait only for a pointer swap, not for a whole build.

A build never raises out of `rebuild` (except `Cancelled` when the preview stops): a fatal
error or a bug becomes `outcome.error`, one line with a file and line where we can find one.
"""

from __future__ import annotations

import gc
import shutil
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trellis.build.options import BuildOptions
from trellis.diagnostics import FatalError, printable
from trellis.pipeline import BuildResult, Progress, SiteBuilder, build


class Cancelled(BaseException):
    """The preview is stopping: abandon the build (the writer removes its staging folder)."""


@dataclass(frozen=True)
class RebuildOutcome:
    changed: frozenset[Path]
    # The folder holding the new site, or None when the build failed.
    root: Path | None
    result: BuildResult | None
    error: str | None
    # The traceback of an unexpected exception (for the terminal), else "".
    details: str
    seconds: float


class _CancellableProgress(Progress):
    """The pipeline reports each phase and page; that is where a stop request interrupts it."""

    def __init__(self, cancel: threading.Event) -> None:
        self.cancel = cancel

    def phase(self, name: str, total: int | None = None) -> None:
        if self.cancel.is_set():
            raise Cancelled

    def advance(self) -> None:
        if self.cancel.is_set():
            raise Cancelled


class FullRebuilder:
    """A whole one-shot build per change: simple, and always right."""

    def __init__(self, vault: Path, overrides: dict[str, Any], workdir: Path) -> None:
        self.vault = vault
        self.overrides = overrides
        self.workdir = workdir
        self._count = 0
        self._cancel = threading.Event()

    def rebuild(self, changed: frozenset[Path]) -> RebuildOutcome:
        """Build the site into a new folder (all of it here, whatever `changed` holds)."""
        self._count += 1
        # Its own folder per build: whatever the writer keeps beside the site goes with it.
        out = self.workdir / f"build-{self._count}" / "site"
        started = time.perf_counter()
        progress = _CancellableProgress(self._cancel)
        try:
            result = self._build(out, progress)
        except FatalError as error:
            return RebuildOutcome(
                changed, None, None, _fatal_line(error), "", time.perf_counter() - started
            )
        except Exception as error:
            return RebuildOutcome(
                changed,
                None,
                None,
                _bug_line(error),
                traceback.format_exc(),
                time.perf_counter() - started,
            )
        return RebuildOutcome(changed, out, result, None, "", time.perf_counter() - started)

    def _build(self, out: Path, progress: Progress) -> BuildResult:
        try:
            return self._run(out, progress)
        except BaseException:
            shutil.rmtree(out.parent, ignore_errors=True)
            raise

    def _run(self, out: Path, progress: Progress) -> BuildResult:
        # No cache file: nothing is left to reuse it in a fresh folder.
        return build(self.vault, out, self.overrides, progress, use_cache=False)

    def cancel(self) -> None:
        """Make the running build (if any) and every later one stop at its next step."""
        self._cancel.set()

    def retire(self, root: Path) -> None:
        """Remove a site the server no longer reads, with its build folder."""
        folder = root.parent
        if folder.parent == self.workdir:
            shutil.rmtree(folder, ignore_errors=True)


def _fatal_line(error: FatalError) -> str:
    """The fatal message, with the template file and line when the message lacks them."""
    message = str(error)
    if message.startswith("template error:") and error.__context__ is not None:
        frame = _template_frame(error.__context__)
        if frame:
            return f"{frame}: {message}"
    return message


def _template_frame(error: BaseException) -> str:
    """`file:line` of the innermost template frame (Jinja rewrites tracebacks to show them)."""
    found = ""
    for frame in traceback.extract_tb(error.__traceback__):
        if not frame.filename.endswith(".py"):
            found = f"{frame.filename}:{frame.lineno}"
    return found


def _bug_line(error: Exception) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno}: " if frames else ""
    return f"{where}{type(error).__name__}: {error}"


class IncrementalRebuilder(FullRebuilder):
    """One `SiteBuilder` kept alive: only changed notes are parsed, changed pages rendered.

    A save that changed only notes' bodies updates the site being served in place
    (`SiteBuilder.apply_edits`): a few pages, in milliseconds. Anything else is a build into
    a new folder; its last output is the folder being served, so `retire` (which removes
    older ones only) never takes away what the next build links from; a failed build leaves
    it as is.
    """

    def __init__(self, vault: Path, overrides: dict[str, Any], workdir: Path) -> None:
        super().__init__(vault, overrides, workdir)
        # Every build names its own new folder (`_run`): the builder has no default one.
        self._site = SiteBuilder(vault, None, overrides, BuildOptions.for_preview())
        self._served: Path | None = None

    def rebuild(self, changed: frozenset[Path]) -> RebuildOutcome:
        started = time.perf_counter()
        if changed and self._served is not None:
            try:
                result = self._site.apply_edits(changed)
            except Exception as error:  # the fast path is an optimisation: a full build decides
                _report_fast_path_bug(error)
                result = None
            if result is not None:
                seconds = time.perf_counter() - started
                return RebuildOutcome(changed, self._served, result, None, "", seconds)
        outcome = super().rebuild(changed)
        if outcome.root is not None:
            self._served = outcome.root
            _settle_memory()
        return outcome

    @property
    def search_stale(self) -> bool:
        return self._site.search_stale

    def refresh_search(self, stop: Callable[[], bool]) -> bool:
        return self._site.refresh_search(stop)

    def _run(self, out: Path, progress: Progress) -> BuildResult:
        return self._site.build(progress, out=out)


def _settle_memory() -> None:
    """Free the model the last build replaced, then freeze the new one.

    A model holds millions of objects in reference cycles (a note and its parse point at each
    other), so freeing the old one needs a full collection; and every later full collection
    would scan the new one again: 1.5 s at 10,000 notes, hitting a save at random. Frozen,
    the kept model is never scanned; the next full build unfreezes it to free it in turn.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _report_fast_path_bug(error: Exception) -> None:
    """A bug in the quick rebuild, told on the terminal escaped like every other line (an
    exception's text can hold a vault file name) before the full rebuild takes over."""
    lines = traceback.format_exception(error)
    print("  quick rebuild failed, rebuilding everything:", file=sys.stderr)
    for line in "".join(lines).splitlines():
        print("  " + printable(line), file=sys.stderr)
