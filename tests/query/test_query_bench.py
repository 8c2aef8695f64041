"""benchmarks/queries.py measures what it says (its figures are in benchmarks/RESULTS.md)."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
bench = importlib.import_module("benchmarks.queries")


def test_the_query_benchmark_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    argv = ["--notes", "60", "--queries", "12", "--edits", "2", "--cache", str(tmp_path)]
    assert bench.main([*argv, "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["build_without_queries_s"] > 0 and report["build_with_queries_s"] > 0
    assert report["queries_phase_s"] > 0
    assert report["query_warnings"] == 0  # every generated query is valid
    preview = report["preview"]
    assert len(preview["save_s"]) == 2 and preview["fast_path"] == 2
    assert all(rendered >= 1 for rendered in preview["pages_rerendered"])
