"""What a build reports: progress while it runs (`Progress`), and its result (`BuildResult`)."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from trellis.config import Settings
from trellis.diagnostics import Diagnostics
from trellis.public.graph import LinkGraph
from trellis.public.site import PublicSite


class Progress:
    """Told about phases and steps; the command line shows them, tests ignore them."""

    def phase(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self) -> None:
        pass


@dataclass
class BuildResult:
    settings: Settings
    diagnostics: Diagnostics
    notes_published: int = 0
    pages_written: int = 0
    pages_rendered: int = 0  # pages whose HTML was made this time (the rest were reused)
    worker_processes: int = 0  # processes forked to parse and render (0: this process)
    attachments_copied: int = 0
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    site: PublicSite | None = None
    graph: LinkGraph | None = None
    unchanged: bool = False  # nothing changed since the last build: its output was kept
    # Search shards indexed by Pagefind this time, and taken over from the last output.
    search_shards_indexed: int = 0
    search_shards_reused: int = 0
    # Why the build cache (or part of it) was not used: a damaged, foreign or stale file.
    cache_problem: str = ""


class PhaseClock:
    """Adds the time spent in each named phase to a build's `phases`."""

    def __init__(self, phases: dict[str, float]) -> None:
        self.phases = phases

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.phases[name] = self.phases.get(name, 0.0) + time.perf_counter() - start


@contextmanager
def fewer_collections() -> Iterator[None]:
    """A build makes millions of small objects that live until it ends (tokens): with the
    default thresholds the cycle collector rescans them over and over. Measured on 1,000
    notes: parsing 15% faster. The thresholds are put back afterwards (serve runs long)."""
    previous = gc.get_threshold()
    frozen = gc.get_freeze_count()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        if not frozen:  # what `uncollected` froze (a caller's own freeze is left alone)
            gc.unfreeze()


@contextmanager
def uncollected() -> Iterator[None]:
    """Run the block with the cycle collector off, then freeze (`gc.freeze`) what it made.

    For the scan: the notes, the public site and the cache's records it makes live until
    the build ends and hold no garbage cycles, yet a collection of the young generations
    walked them all, again as the build went on (~0.3 of 1.9 CPU s of a one-note rebuild's
    scan at 10,000 notes, ~1.6 s at 50,000). Frozen, they are never walked;
    `fewer_collections` unfreezes them when the build ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
