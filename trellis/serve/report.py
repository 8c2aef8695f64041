"""What the preview says on the terminal: the URL, each rebuild, what changed in the warnings.

Plain lines, not a live display: they stay readable in scrollback and in logs. Summaries
go to stdout, warnings and errors to stderr, as `trellis build` does.

After the first build, a rebuild prints only the warnings that are new, and counts those
that went away: an author fixing one broken link in a vault with a hundred does not want
the hundred again on every save. A warning is the same one when its file, kind and message
are (not its line: typing above it moves it). Everything printed that comes from the
vault (file names, messages, errors) goes through `printable`: no escape byte reaches the
terminal.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import TextIO

from trellis.diagnostics import Diagnostic, hidden_summary, pick_shown, printable
from trellis.serve.builder import RebuildOutcome

SHOWN_WARNINGS = 20


def _identity(item: Diagnostic) -> tuple[str, str, str]:
    return item.path, item.code, item.message


def _same(warnings: list[Diagnostic], last: list[Diagnostic]) -> bool:
    """The very same warnings in the same order (mostly the same objects: cheap to tell)."""
    return len(warnings) == len(last) and all(
        a is b or a == b for a, b in zip(warnings, last, strict=True)
    )


class TerminalReport:
    def __init__(
        self,
        out: TextIO | None = None,
        err: TextIO | None = None,
        verbose: bool = False,
        quiet: bool = False,
    ) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.verbose = verbose
        self.quiet = quiet
        self._known: Counter[tuple[str, str, str]] = Counter()
        self._last: list[Diagnostic] = []  # the last build's warnings, as `_known` counts them

    def _say(self, text: str) -> None:
        if not self.quiet:
            print(printable(text), file=self.out, flush=True)

    def _warn(self, text: str) -> None:
        print(printable(text), file=self.err, flush=True)

    def port_busy(self, wanted: int, used: int) -> None:
        self._warn(f"Port {wanted} is busy; using port {used} instead.")

    def serving(self, vault: Path, url: str) -> None:
        self._say(f"Serving {vault} at {url}  (Ctrl-C to stop)")

    def built(self, number: int, outcome: RebuildOutcome, names: list[str]) -> None:
        """A good build: its count, time and warnings, and what changed in them since the last."""
        result = outcome.result
        assert result is not None
        warnings = list(result.diagnostics.items)
        new: list[Diagnostic] = []
        resolved = 0
        # Most saves change no warning, and the build keeps the objects of those it did not
        # make again: then no counting (this runs while the page is being fetched, and a
        # vault of 10,000 notes has thousands of warnings).
        if not _same(warnings, self._last):
            current = Counter(map(_identity, warnings))
            unseen = current - self._known
            resolved = sum((self._known - current).values())
            for item in warnings:
                if unseen[_identity(item)] > 0:
                    unseen[_identity(item)] -= 1
                    new.append(item)
            self._known = current
        self._last = warnings
        plural = "" if len(warnings) == 1 else "s"
        changes = [f"{len(new)} new"] if new and number > 1 else []
        changes += [f"{resolved} resolved"] if resolved else []
        changed = f" ({', '.join(changes)})" if changes else ""
        self._say(
            f"[{_now()}] build #{number}{_because(names)}: {result.pages_written} pages "
            f"in {outcome.seconds:.2f} s, {len(warnings)} warning{plural}{changed}"
        )
        if self.quiet:
            return
        shown = new if self.verbose else pick_shown(new, SHOWN_WARNINGS)
        for item in shown:
            self._warn(f"  {item}")
        if len(shown) < len(new):
            self._warn(f"  {hidden_summary(new, shown)}")

    def failed(self, number: int, outcome: RebuildOutcome, names: list[str], served: bool) -> None:
        self._warn(
            f"[{_now()}] build #{number}{_because(names)} failed in {outcome.seconds:.2f} s: "
            f"{outcome.error}"
        )
        if outcome.details and self.verbose:
            self._lines(outcome.details)
        if served:
            self._warn("  still serving the last good build; the next good save replaces it")

    def request_failed(self, line: str) -> None:
        """A request the server could not answer (a bug): one line, the preview goes on."""
        self._warn(f"[{_now()}] {line}")

    def internal_error(self, error: BaseException) -> None:
        """A bug outside a build: one line (and the traceback with -v); the preview goes on."""
        self._warn(f"[{_now()}] internal error: {type(error).__name__}: {error}")
        if self.verbose:
            self._lines("".join(traceback.format_exception(error)))

    def _lines(self, text: str) -> None:
        for line in text.rstrip().splitlines():
            self._warn(line)

    def stopped(self) -> None:
        self._say("Stopped the preview and removed its temporary files.")


def _because(names: list[str]) -> str:
    if not names:
        return ""
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f" after changes to {shown}"


def _now() -> str:
    return time.strftime("%H:%M:%S")
