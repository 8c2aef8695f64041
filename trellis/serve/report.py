"""What the preview says on the terminal: the URL, each rebuild, new warnings, errors.

Plain lines, not a live display: they stay readable in scrollback and in logs. Summaries
go to stdout, warnings and errors to stderr, as `trellis build` does.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TextIO

from trellis.serve.builder import RebuildOutcome

SHOWN_WARNINGS = 20


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
        self._known: set[str] = set()

    def _say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.out, flush=True)

    def _warn(self, text: str) -> None:
        print(text, file=self.err, flush=True)

    def port_busy(self, wanted: int, used: int) -> None:
        self._warn(f"Port {wanted} is busy; using port {used} instead.")

    def serving(self, vault: Path, url: str) -> None:
        self._say(f"Serving {vault} at {url}  (Ctrl-C to stop)")

    def built(self, number: int, outcome: RebuildOutcome, names: list[str]) -> None:
        """A good build: its count, time and warnings, with the warnings new since the last."""
        result = outcome.result
        assert result is not None
        warnings = [str(item) for item in result.diagnostics.items]
        new = [w for w in warnings if w not in self._known]
        self._known = set(warnings)
        plural = "" if len(warnings) == 1 else "s"
        fresh = f" ({len(new)} new)" if new and number > 1 else ""
        self._say(
            f"[{_now()}] build #{number}{_because(names)}: {result.pages_written} pages "
            f"in {outcome.seconds:.2f} s, {len(warnings)} warning{plural}{fresh}"
        )
        shown = new if self.verbose else new[:SHOWN_WARNINGS]
        if self.quiet:
            return
        for line in shown:
            self._warn(f"  {line}")
        if len(shown) < len(new):
            self._warn(f"  ... and {len(new) - len(shown)} more (-v shows all)")

    def failed(self, number: int, outcome: RebuildOutcome, names: list[str], served: bool) -> None:
        self._warn(
            f"[{_now()}] build #{number}{_because(names)} failed in {outcome.seconds:.2f} s: "
            f"{outcome.error}"
        )
        if outcome.details and self.verbose:
            self._warn(outcome.details.rstrip())
        if served:
            self._warn("  still serving the last good build; the next good save replaces it")

    def stopped(self) -> None:
        self._say("Stopped the preview and removed its temporary files.")


def _because(names: list[str]) -> str:
    if not names:
        return ""
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f" after changes to {shown}"


def _now() -> str:
    return time.strftime("%H:%M:%S")
