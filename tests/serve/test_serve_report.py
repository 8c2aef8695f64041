"""The preview's terminal report after each rebuild: only warnings that are new are shown."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

from trellis.diagnostics import Diagnostic
from trellis.serve.builder import RebuildOutcome
from trellis.serve.report import TerminalReport


def outcome(warnings: list[Diagnostic]) -> RebuildOutcome:
    result = SimpleNamespace(diagnostics=SimpleNamespace(items=warnings), pages_written=3)
    return RebuildOutcome(frozenset(), Path("/site"), result, None, "", 0.01)  # type: ignore[arg-type]


def test_only_new_warnings_are_printed_and_resolved_ones_counted():
    out, err = io.StringIO(), io.StringIO()
    report = TerminalReport(out, err)
    broken = Diagnostic("A.md", 3, "link to [[Nowhere]] leads nowhere")
    other = Diagnostic("B.md", 1, "image missing.png not found")
    report.built(1, outcome([broken]), [])
    assert "1 warning" in out.getvalue() and "Nowhere" in err.getvalue()

    err.seek(0)
    err.truncate()
    report.built(2, outcome([broken]), ["A.md"])  # the same warning object
    report.built(3, outcome([Diagnostic("A.md", 3, broken.message)]), ["A.md"])  # made again
    report.built(4, outcome([Diagnostic("A.md", 9, broken.message)]), ["A.md"])  # moved line
    assert err.getvalue() == ""
    assert "new" not in out.getvalue() and "resolved" not in out.getvalue()

    report.built(5, outcome([broken, other]), ["B.md"])
    assert "(1 new)" in out.getvalue().splitlines()[-1]
    assert "missing.png" in err.getvalue() and err.getvalue().count("Nowhere") == 0
    report.built(6, outcome([other]), ["A.md"])
    assert "(1 resolved)" in out.getvalue().splitlines()[-1]
