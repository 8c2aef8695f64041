"""What workers cost and may hold: when to fork them, and the memory their tokens may take.

Why apart from the executor: these are measured figures and the policy built on them (how
many workers pay off, which notes' tokens a worker keeps as they are and which it packs);
the protocol between the processes does not depend on them.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

from trellis.build import wire
from trellis.build.spill import Kept, Spill
from trellis.build.wire import Loader
from trellis.emit.search import SHARD_PAGES
from trellis.public.site import PublicSite

# The token memory budget (see the module, and `token_budget`). Measured with 2 workers on
# generated vaults (RSS of every process, added up, sampled every 50 ms): 10,000 notes (9,000
# published) hold 227 MiB at the fork; with no tokens kept, the parent then grows to 378 MiB
# and each worker to 420 MiB (1,225 MiB in all); a worker keeping every token of its share
# grows by 485 MiB more for 20.1 M characters of Markdown (2,362 in all). A worker's cost per
# note was 24,000 bytes from those figures, but a build with 80 MiB of tokens a worker then
# peaked at 1,605-1,619 MiB, not the 1,385 expected (2026-12-06): 12,000 bytes a note more,
# less the 6,000 or so the leaner parses workers send each other save (`for_pages`).
WORKER_BYTES_PER_NOTE = 30_000
PARENT_BYTES_PER_NOTE = 17_000
TOKEN_BYTES_PER_CHAR = 25
TOKEN_BYTES_PER_NOTE = 2_000
# Packed (`_pack`), tokens take about 1.2 bytes per character (in tenths).
PACKED_BYTES_PER_CHAR = 13
# Pagefind's memory per page of the shard it indexes (see `pagefind_bytes`).
PAGEFIND_BYTES_PER_PAGE = 256_000


def worker_count(jobs: int, work: int, workers_from: int) -> int:
    """How many processes should parse and render, this one included (it renders a share
    too: `trellis.build.forked`); 0 means this one alone, with no share protocol.

    `work` is the larger of the notes to parse and the pages to render (`trellis.build.plan`):
    a build that reuses every parse may still render every page. Below `workers_from` (the
    setting), one process: forking, pickling the parses and compiling the templates in every
    worker cost about 0.1 s of CPU. Measured on 2 cores (generated vaults, no search index;
    wall time with 1 and 2 processes): 50 notes 0.21 / 0.18 s, 100 notes 0.36 / 0.28 s, 200
    notes 0.64 / 0.47 s, 800 notes 2.58 / 1.65 s. Each worker gets at least half of that.

    Only from the main thread: `serve` builds in a thread of a process running others, and
    forking such a process can leave a child waiting on a lock another thread held.
    """
    if jobs < 2 or work < workers_from or not hasattr(os, "fork"):
        return 0
    if threading.current_thread() is not threading.main_thread():
        return 0
    count = min(jobs, work // max(1, workers_from // 2))
    return count if count >= 2 else 0


def token_budget(notes: int, count: int, target: int) -> int:
    """The bytes of tokens each of `count` processes rendering a share (this one and its
    workers) may keep: what is left of `target` (the `memory_target_mib` setting, in bytes)
    once this process as it is at the fork (each worker starts with a copy, and RSS counts
    it in each) and what each process takes later per published note (the other shares'
    parses, the link graph, page keys; this one holds every whole parse besides) are counted.

    The goal is a peak under 1.5 GiB for every stage (search, run by Pagefind after the
    workers exit, peaks at about 1 GiB at 10,000 notes): the default 1,400 MiB leaves room
    for vaults whose notes hold more links than the generated ones. Budgets (`jobs: 2`: this
    process and one worker, 143 MiB at the fork): 10,000 notes about 220 MiB each; 50,000
    notes none (every token packed).
    """
    rest = count * _resident_bytes()
    rest += notes * (count * WORKER_BYTES_PER_NOTE + PARENT_BYTES_PER_NOTE)
    return max(0, target - rest) // count


def token_budget_here(notes: int, target: int) -> int:
    """The bytes of tokens a build parsing and rendering in this process may keep (see
    `trellis.build.held`): what is left of `target` once this process as it is now, what
    it takes later per published note (parses, the link graph, page keys) and Pagefind are
    counted (one run: `trellis.build.held` takes the others off `target`). Pagefind runs
    beside this process at its largest: tokens let go of return
    their memory to Python's allocator, which seldom gives it back to the system (measured
    at 4,000 notes: 588 MiB while Pagefind ran, 560 with every token held)."""
    rest = _resident_bytes() + notes * WORKER_BYTES_PER_NOTE + pagefind_bytes(notes)
    return max(0, target - rest)


def pagefind_bytes(pages: int, runs: int = 1) -> int:
    """Pagefind's peak, indexing the largest of the search index's shards of `pages`, up to
    `runs` at once (`trellis.emit.search_runs`; `trellis.emit.search_shards`: 2,250 pages
    560 MiB, 1,800 pages 440 MiB)."""
    shards = max(1, -(-pages // SHARD_PAGES))
    return min(max(1, runs), shards) * -(-pages // shards) * PAGEFIND_BYTES_PER_PAGE


def _resident_bytes() -> int:
    """This process's resident memory now (its peak so far where /proc is missing)."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource  # not on Windows, where there are no workers either

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


class TokenBudget:
    """Which notes' tokens a worker keeps, and how, within `limit` bytes.

    Kept as they are (`keep`, about `TOKEN_BYTES_PER_CHAR` bytes per character of Markdown),
    or packed (`packed`: pickled and compressed, about a twentieth of that; unpacked for
    each page that needs them, in a fifth of the time a parse takes). Notes unchanged since
    the last build come without tokens: parsed when a page needs them. Tokens made for a
    page and not kept are dropped (`release`) once that page is written.
    """

    def __init__(self, site: PublicSite, limit: int, spill: Spill | None = None) -> None:
        self.notes = site.notes
        self.limit = limit
        self.used = 0
        self.pending = 0  # room set aside to pack the notes of the share not parsed yet
        self.keep: set[int] = set()
        # Packed tokens, in a spill file where the build gave one (`trellis.build.spill`);
        # still counted in `used`, as if in memory (the budget stays what was measured).
        self.packed: dict[int, Kept] = {}
        self.spill = spill or Spill(None)
        # Each note's characters, counted once: its text may be moved to a file later
        # (`trellis.build.spill.spill_bodies`).
        self.sizes = [len(note.source.body) for note in site.notes]
        self._made: list[int] = []  # notes whose tokens were made for the page being written

    def _live_cost(self, index: int) -> int:
        return self.sizes[index] * TOKEN_BYTES_PER_CHAR + TOKEN_BYTES_PER_NOTE

    def _packed_cost(self, index: int) -> int:
        blob = self.packed.get(index)
        if blob is not None:
            return len(blob)
        return self.sizes[index] * PACKED_BYTES_PER_CHAR // 10

    def reserve(self, share: list[int]) -> None:
        """Set room aside to pack the tokens of every note of `share` (`place` uses it)."""
        self.pending = sum(self._packed_cost(index) for index in share)

    def place(self, index: int) -> None:
        """Note `index` of the share was parsed: keep its tokens as they are, or packed."""
        self.pending -= self._packed_cost(index)
        content = self.notes[index].content
        if content is None or not content.has_tokens:
            return
        cost = self._live_cost(index)
        if self.used + cost + self.pending <= self.limit:
            self.used += cost
            self.keep.add(index)
        else:
            self.pack(index)

    def pack(self, index: int) -> None:
        """Keep note `index`'s tokens packed only. Packed even past the budget: making them
        again from Markdown would take 4 to 10 times as long, to save a twentieth of their
        memory (the budget is spent by then only when the rest alone is over the target:
        many workers, or very large vaults)."""
        note = self.notes[index]
        assert note.content is not None
        blob = wire.pack_tokens(note.content)
        self.used += len(blob)
        kept = self.packed[index] = self.spill.keep(blob)
        self.drop(index, wire.unpacking_loader(note, kept))

    def choose(self, uses: dict[int, int]) -> None:
        """Keep as they are the tokens used most often (of those used as often, the ones
        made already); count the others packed, if they are or can be."""

        def held(index: int) -> bool:
            content = self.notes[index].content
            return content is not None and content.has_tokens

        def rank(index: int) -> tuple[int, bool, int]:
            return (-uses[index], not held(index), index)

        packable = set(self.packed) | {i for i in range(len(self.notes)) if held(i)}
        self.keep.clear()
        self.used = sum(self._packed_cost(index) for index in packable)
        for index in sorted(uses, key=rank):
            more = self._live_cost(index) - (self._packed_cost(index) if index in packable else 0)
            if self.used + more <= self.limit:
                self.used += more
                self.keep.add(index)
        # What `pack` adds for the notes packed next is counted already.
        self.used -= sum(self._packed_cost(i) for i in packable - self.keep - set(self.packed))

    def drop(self, index: int, loader: Loader) -> None:
        """Forget note `index`'s tokens; `loader` makes them again."""
        content = self.notes[index].content
        assert content is not None
        # In place: a build in this process keeps the same content in its parse cache.
        content.forget_tokens(loader)

    def watch(self, index: int, loader: Loader) -> Loader:
        """`loader`, noting the tokens it made unless they are kept."""

        def load() -> tuple[list[Any], dict[str, Any]]:
            made = loader()
            if index not in self.keep:
                self._made.append(index)
            return made

        return load

    def release(self) -> None:
        """Drop the tokens made for the page just written, but not those kept."""
        for index in self._made:
            content = self.notes[index].content
            if content is not None and content.has_tokens and content.loader is not None:
                self.drop(index, content.loader)
        self._made.clear()
