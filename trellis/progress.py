"""Progress on a terminal with rich; silent in pipes, CI and with `-q`."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from trellis.pipeline import Progress


class _RichProgress(Progress):
    def __init__(self, bar) -> None:  # type: ignore[no-untyped-def]
        self._bar = bar
        self._task = None

    def phase(self, name: str, total: int | None = None) -> None:
        if self._task is not None:
            self._bar.update(self._task, completed=self._bar.tasks[self._task].total or 1)
        self._task = self._bar.add_task(name, total=total or 1)

    def advance(self) -> None:
        if self._task is not None:
            self._bar.advance(self._task)


@contextmanager
def terminal_progress(enabled: bool = True) -> Iterator[Progress]:
    if not enabled or not sys.stderr.isatty() or os.environ.get("CI"):
        yield Progress()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    with Bar(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        yield _RichProgress(bar)
