"""What Dataview queries cost a build, and a preview save that changes a field queries read.

Takes the generated vault (`generate_vault.py`, same size and seed as `run.py`) and makes a
copy with queries: every published note gets `rating:: N` and `status:: S` inline fields,
and `--queries` of them one query each, cycling through TABLE with WHERE/SORT/LIMIT, LIST,
GROUP BY with counts, TASK, an inline `= [[Note]].rating` and a ```base block. Then:

1. a clean build of the vault without queries, and of the copy with them (no cache), with
   the time of the `queries` phase (making the view and evaluating every query);
2. the preview (a live `SiteBuilder`, as `trellis serve` keeps it): after its first build,
   `--edits` saves that change the `rating::` of a published note, each timed from
   `apply_edits` (the fast path) to the page written in the served folder, with the pages
   re-rendered because their query results moved.

Usage: python benchmarks/queries.py [--notes 10000] [--queries 500] [--edits 3] [--json F]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate_vault import Manifest, generate_vault  # noqa: E402
from trellis.build.options import BuildOptions  # noqa: E402
from trellis.pipeline import SiteBuilder, build  # noqa: E402

STATUSES = ["read", "reading", "want"]


def query_block(index: int, names: list[str], folders: list[str]) -> str:
    """One of six query shapes, by `index`."""
    folder = folders[index % len(folders)]
    name = names[(index * 7919) % len(names)]
    shapes = [
        f'```dataview\nTABLE rating, status FROM "{folder}" WHERE rating >= 3\n'
        "SORT rating DESC, file.name LIMIT 20\n```",
        f'```dataview\nLIST FROM "{folder}" WHERE status = "reading" LIMIT 10\n```',
        "```dataview\nTABLE WITHOUT ID key, length(rows) AS n GROUP BY status\n```",
        f'```dataview\nTASK FROM "{folder}" WHERE !completed LIMIT 10\n```',
        f"Rating of {name}: `= [[{name}]].rating`",
        f"```base\nfilters: 'file.inFolder(\"{folder}\")'\nviews:\n  - type: table\n"
        "    order: [file.name, rating, status]\n    limit: 10\n```",
    ]
    return shapes[index % len(shapes)]


def add_queries(vault: Path, manifest: Manifest, count: int) -> list[Path]:
    """Fields in every published note, `count` queries in as many notes; the notes, in order."""
    private = set(manifest.private_paths)
    notes = sorted(
        p
        for p in vault.rglob("*.md")
        if p.relative_to(vault).as_posix() not in private and "Podcast" not in p.as_posix()
    )
    names = [p.stem for p in notes]
    folders = sorted({p.relative_to(vault).parts[0] for p in notes if len(p.parts) > 1})
    folders = [f for f in folders if (vault / f).is_dir()]
    step = max(1, len(notes) // max(1, count))
    for index, path in enumerate(notes):
        text = path.read_text(encoding="utf-8")
        fields = f"\n\nrating:: {index % 6}\nstatus:: {STATUSES[index % 3]}\n"
        query = ""
        if index % step == 0 and index // step < count:
            query = "\n" + query_block(index // step, names, folders) + "\n"
        path.write_text(text + fields + query, encoding="utf-8")
    return notes


def timed_build(vault: Path, out: Path) -> tuple[float, dict[str, float], int]:
    """Wall seconds, phases, and the warnings queries gave (Dataview, Bases)."""
    started = time.perf_counter()
    result = build(vault, out, use_cache=False)
    seconds = time.perf_counter() - started
    warned = [d for d in result.diagnostics.items if d.message.startswith(("Dataview", "Bases"))]
    return seconds, result.phases, len(warned)


def preview_saves(vault: Path, work: Path, notes: list[Path], edits: int) -> dict[str, Any]:
    builder = SiteBuilder(
        vault, work / "served", options=BuildOptions(keep_cache=False, keep_live=True)
    )
    started = time.perf_counter()
    builder.build()
    first = time.perf_counter() - started
    times, rendered, fast = [], [], 0
    for number in range(edits):
        path = notes[(number * 104729) % len(notes)]
        text = path.read_text(encoding="utf-8")
        marker = "\nrating:: "
        at = text.rindex(marker) + len(marker)
        old = text[at]
        text = text[:at] + str((int(old) + 3) % 6) + text[at + 1 :]
        path.write_text(text, encoding="utf-8")
        started = time.perf_counter()
        result = builder.apply_edits([path])
        if result is None:
            result = builder.build(out=work / f"served-{number}")
        else:
            fast += 1
        times.append(time.perf_counter() - started)
        rendered.append(result.pages_rendered)
    return {
        "first_build_s": round(first, 2),
        "save_s": [round(t, 3) for t in times],
        "save_median_s": round(statistics.median(times), 3) if times else None,
        "pages_rerendered": rendered,
        "fast_path": fast,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "trellis-bench")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--preview-only", action="store_true", help="skip the two clean builds")
    args = parser.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.cache) as temp:
        work = Path(temp)
        plain = work / "plain"
        manifest = generate_vault(plain, args.notes, args.seed)
        with_queries = work / "queries"
        shutil.copytree(plain, with_queries)
        notes = add_queries(with_queries, manifest, args.queries)
        report: dict[str, Any] = {
            "notes": args.notes,
            "queries": args.queries,
            "cpus": os.cpu_count(),
        }
        if not args.preview_only:
            seconds, _, _ = timed_build(plain, work / "out-plain")
            report["build_without_queries_s"] = round(seconds, 2)
            seconds, phases, warnings = timed_build(with_queries, work / "out-queries")
            report["build_with_queries_s"] = round(seconds, 2)
            report["queries_phase_s"] = round(phases.get("queries", 0.0), 2)
            report["phases_with_queries"] = {k: round(v, 2) for k, v in phases.items()}
            report["query_warnings"] = warnings
        report["preview"] = preview_saves(with_queries, work, notes, args.edits)
    text = json.dumps(report, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
