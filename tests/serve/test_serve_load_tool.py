"""`benchmarks/serve_load.py` reports what it promises, on a small vault (no speed asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["--notes", "40", "--clients", "4", "--seconds", "2", "--streams", "8"]


def test_serve_load_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    files = ["--cache", str(tmp_path / "cache"), "--json", str(out)]
    run = subprocess.run(
        [sys.executable, "benchmarks/serve_load.py", *SMALL, *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(out.read_text())["runs"]["working tree"]
    load, live = result["load"], result["live_reload"]
    assert load["requests_ok"] > 0
    assert load["failures"] == 0
    assert load["saves"] >= 2
    assert load["rebuilds"] >= 1
    assert 0 < load["p50_ms"] <= load["p95_ms"] <= load["p99_ms"] <= load["max_ms"]
    assert live["rebuilt"]
    assert live["got_first_state"] == live["got_the_reload"] == 8
    assert result["tracebacks_on_terminal"] == 0
    assert "working tree: 4 clients" in run.stdout
