"""`trellis serve`: build, serve on localhost, rebuild on every change, reload open tabs.

`run_serve` is the command; `Preview` (in `preview.py`) is the same thing without the
terminal loop, for tests and tools.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterable
from pathlib import Path
from types import FrameType
from typing import Any

from trellis.serve.preview import Preview
from trellis.serve.report import TerminalReport

__all__ = ["Preview", "run_serve"]


def run_serve(
    vault: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    overrides: dict[str, Any] | None = None,
    verbose: bool = False,
    quiet: bool = False,
    allow_hosts: Iterable[str] = (),
) -> int:
    """Serve until Ctrl-C (or SIGTERM); then end every thread, remove the temporary site."""
    report = TerminalReport(verbose=verbose, quiet=quiet)
    preview = Preview(vault, host, port, overrides, report, allow_hosts=allow_hosts)
    on_main = threading.current_thread() is threading.main_thread()
    on_term = signal.signal(signal.SIGTERM, _interrupt) if on_main else None
    try:
        preview.start()  # a FatalError here (no vault, no free port) has cleaned up already
        forever = threading.Event()
        try:
            while not forever.wait(1.0):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            _stop(preview, on_main)
    finally:
        if on_term is not None:
            signal.signal(signal.SIGTERM, on_term)
    report.stopped()
    return 0


def _stop(preview: Preview, on_main: bool) -> None:
    """Stop the preview; a second, impatient Ctrl-C must not leave threads or files behind."""
    if not on_main:
        preview.stop()
        return
    handlers = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        preview.stop()
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM (from a process manager or `timeout`) stops the preview as Ctrl-C does."""
    raise KeyboardInterrupt
