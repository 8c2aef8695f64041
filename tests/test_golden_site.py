"""Golden site: the build's output, file by file, stays byte-identical across refactors.

Why: issue 16 moves the one-process build, the worker processes and the preview's fast path
onto one engine; the existing tests check behaviour, this one checks that not one byte of
the output moved. The hashes in tests/golden/site.json were recorded from main before the
engine change (41df98f); re-record only with a reason stated in the commit:

    python tests/test_golden_site.py --record

or, when only the graph files are meant to change, `--record-graph`: it refuses unless every
other file is byte-identical, and takes over the graph files' hashes only.

Inputs are pinned: `site_src` is copied and every file's mtime set to one instant (dates
without frontmatter come from mtimes), and the 300-note vault is generated with a fixed seed.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from trellis.pipeline import build

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "site.json"
# 2026-01-01 12:00 UTC: a fixed modification time for every input file.
PINNED_MTIME = 1_767_268_800
NOTES = 300


def _pin_mtimes(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, (PINNED_MTIME, PINNED_MTIME))


def make_inputs(root: Path) -> dict[str, Path]:
    """The two vaults: a pinned copy of site_src and the generated 300-note vault."""
    sample = root / "site_src"
    shutil.copytree(ROOT / "site_src", sample)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    generated = root / "generated"
    importlib.import_module("benchmarks.generate_vault").generate_vault(generated, NOTES, seed=0)
    for vault in (sample, generated):
        _pin_mtimes(vault)
    return {"site_src": sample, "generated": generated}


def hashes(out: Path) -> dict[str, str]:
    """Every output file (the cache lives beside the output, not in it) -> its sha256."""
    return {
        path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out.rglob("*"))
        if path.is_file()
    }


def build_all(root: Path, jobs: int) -> dict[str, dict[str, str]]:
    inputs = make_inputs(root / "in")
    result = {}
    for name, vault in inputs.items():
        out = root / f"out-{name}"
        # Workers even for these small vaults (`workers_from`), when there are two jobs.
        built = build(vault, out, {"jobs": jobs, "workers_from": 1}, use_cache=False)
        if jobs > 1 and name == "generated":
            # The sample holds queries, so it renders in one process whatever the jobs; the
            # generated vault must really fork, or this mode would test nothing new.
            assert built.worker_processes == jobs, built.worker_processes
        result[name] = hashes(out)
    return result


def _compare(got: dict[str, dict[str, str]]) -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    for name, files in golden.items():
        missing = sorted(set(files) - set(got[name]))
        extra = sorted(set(got[name]) - set(files))
        changed = sorted(p for p in files if p in got[name] and got[name][p] != files[p])
        assert not (missing or extra or changed), (
            f"{name}: missing {missing[:10]}, extra {extra[:10]}, changed {changed[:10]} "
            f"({len(missing)}/{len(extra)}/{len(changed)})"
        )


@pytest.mark.parametrize("mode", ["one-process", "workers"])
def test_the_site_is_byte_identical_to_the_golden_hashes(tmp_path: Path, mode: str) -> None:
    if mode == "workers" and not hasattr(os, "fork"):
        pytest.skip("workers need fork")
    _compare(build_all(tmp_path, 1 if mode == "one-process" else 2))


def graph_file(path: str) -> bool:
    """The graph views' files: their data, their script and the style sheet that holds
    their styles (with the search dialog's and the link previews')."""
    return path.startswith("_trellis/graph") or path in ("static/graph.js", "static/garden.css")


def record_graph_files(got: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """The golden hashes with only the graph files' taken from `got`; refused (SystemExit)
    unless every other file is byte-identical and no file is missing or extra."""
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    for name, files in golden.items():
        if set(files) != set(got[name]):
            sys.exit(
                f"{name}: the set of files changed: {sorted(set(files) ^ set(got[name]))[:10]}"
            )
        other = sorted(p for p in files if not graph_file(p) and got[name][p] != files[p])
        if other:
            sys.exit(f"{name}: not only graph files changed: {other[:10]} ({len(other)})")
        golden[name] = {p: got[name][p] if graph_file(p) else h for p, h in files.items()}
    return golden


if __name__ == "__main__":
    import tempfile

    if sys.argv[1:] not in (["--record"], ["--record-graph"]):
        sys.exit("usage: python tests/test_golden_site.py --record | --record-graph")
    with tempfile.TemporaryDirectory() as scratch:
        GOLDEN.parent.mkdir(exist_ok=True)
        got = build_all(Path(scratch), 1)
        if sys.argv[1] == "--record-graph":
            got = record_graph_files(got)
        GOLDEN.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"recorded {GOLDEN}")
