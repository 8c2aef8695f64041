"""The Pagefind runs of a search index's new shards, several at once, in the background.

Why: a cold build at 10,000 notes indexes eighteen shards of 500 pages; one after another
they took 33 s of wall time while the build's own process waited and one Pagefind kept
about 1.25 of the machine's cores busy. Each run is a separate process reading its own
folder of pages (`trellis.emit.search`), so runs do not share anything and their output
does not depend on which finished first: the bundle is put together in shard order after
all of them (`search_shards.assemble_index`).

How many at once: the `jobs` setting (the cores by default), as for the processes that
parse and render; with `jobs: 1` the runs stay one after another, so the peak memory is one
run's (about 130 MiB per 500-page shard, see `trellis.emit.search_shards`). The runs are
driven by threads that each start one Pagefind, wait for it and take the next shard: the
waiting is in `subprocess`, outside the GIL, so the build's own thread keeps working (the
graph files and feeds are made meanwhile: `trellis.pipeline`).

One failure ends them all: the first problem (a failed Pagefind, pages that cannot be
gathered) makes every other running Pagefind stop at its next poll (killed, as
`pagefind_cli.run_pagefind` always does) and no new one start; `cancel` does the same for a
build that failed elsewhere or was interrupted, and returns only once no thread and no
Pagefind process is left.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from trellis.emit.pagefind_cli import STOPPED

# (number, pages, should_stop) -> (problem, [(path in the bundle, file)]).
IndexOne = Callable[[int, list[str], Callable[[], bool]], tuple[str, list[tuple[str, Path]]]]


class ShardRuns:
    """Index `shards` ((number, pages), in shard order) with `index_one`, at most
    `parallel` at a time; `stop` (the preview's) is polled while they run."""

    def __init__(
        self,
        index_one: IndexOne,
        shards: list[tuple[int, list[str]]],
        parallel: int,
        stop: Callable[[], bool] | None = None,
    ) -> None:
        self._index_one = index_one
        self._waiting = list(reversed(shards))  # popped from the end: shard order
        self._lanes = max(0, min(parallel, len(shards)))
        self._stop = stop
        self._lock = threading.Lock()
        self._halted = False  # a problem, a stop or `cancel`: no new run, running ones stop
        self._problems: dict[int, str] = {}
        self._error: BaseException | None = None
        self._made: dict[int, list[tuple[str, Path]]] = {}
        self._threads: list[threading.Thread] = []

    def start(self) -> ShardRuns:
        """Start the runs in the background; `wait` or `cancel` collects them."""
        self._spawn(self._lanes)
        return self

    def run(self) -> tuple[str, dict[int, list[tuple[str, Path]]]]:
        """Run them all and wait (one lane in the calling thread, the others beside it)."""
        self._spawn(self._lanes - 1)
        try:
            self._lane()
        finally:
            self._join()
        return self._outcome()

    def wait(self) -> tuple[str, dict[int, list[tuple[str, Path]]]]:
        """Wait for the runs `start` began: ("", files made by shard number), or the
        problem that ended them (the lowest-numbered shard's, `STOPPED` if only stopped)."""
        self._join()
        return self._outcome()

    def cancel(self) -> None:
        """Stop every run (killing its Pagefind) and wait until none is left."""
        with self._lock:
            self._halted = True
        self._join()

    def _spawn(self, count: int) -> None:
        for _ in range(count):
            name = f"pagefind-{len(self._threads) + 1}"
            thread = threading.Thread(target=self._lane, name=name, daemon=True)
            self._threads.append(thread)
            thread.start()

    def _join(self) -> None:
        try:
            for thread in self._threads:
                thread.join()
        except BaseException:  # interrupted while waiting: stop the runs, then go on up
            with self._lock:
                self._halted = True
            for thread in self._threads:
                thread.join()
            raise

    def _outcome(self) -> tuple[str, dict[int, list[tuple[str, Path]]]]:
        if self._error is not None:
            raise self._error
        failures = {n: p for n, p in self._problems.items() if p != STOPPED}
        if failures:
            return failures[min(failures)], {}
        if self._problems:
            return STOPPED, {}
        return "", self._made

    def _should_stop(self) -> bool:
        if self._halted:
            return True
        if self._stop is not None and self._stop():
            self._halted = True
            return True
        return False

    def _lane(self) -> None:
        """Take the next shard and index it, until none is left or the runs are halted."""
        while True:
            with self._lock:
                if self._halted or not self._waiting:
                    return
                number, pages = self._waiting.pop()
            try:
                problem, made = self._index_one(number, pages, self._should_stop)
            except BaseException as error:  # a bug, or an interrupt: ends every run
                with self._lock:
                    self._halted = True
                    self._error = self._error or error
                return
            with self._lock:
                if problem:
                    self._problems[number] = problem
                    self._halted = True
                else:
                    self._made[number] = made
