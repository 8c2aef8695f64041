"""Pagefind's shards indexed several at once (`trellis.emit.search_runs`), seen from outside.

Pagefind is replaced by small shell scripts (the build takes whatever `pagefind_binary`
returns) that log each run's start and end, or play a failing or never-ending Pagefind; the
real one does the indexing where the output is compared. What is checked: with `jobs: 2`
two runs are alive at once and never more, with `jobs: 1` one; the site (every file,
search bundle included) is byte-identical either way; one shard's failure stops the others
(killed, none left running), names the shard and leaves the rest of the site built; a build
interrupted while Pagefind runs leaves no process and no file behind.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from pathlib import Path

import pytest
from test_edits import generate_vault, psutil_children

import trellis.build.emitters as emitters
import trellis.emit.search as search
from trellis.build.options import BuildOptions
from trellis.build.result import BuildResult
from trellis.emit import pagefind_cli
from trellis.emit.search import BUNDLE_DIR
from trellis.pipeline import SiteBuilder

# 150 generated notes (135 searchable pages) in shards of at most 50: three shards.
NOTES, SHARD_PAGES, SHARDS = 150, 50, 3
# How long a fake Pagefind waits for the others it expects (in 0.05 s steps): a bound only.
WAIT_STEPS = 200


@pytest.fixture(autouse=True)
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", SHARD_PAGES)


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("parallel") / "vault"
    generate_vault(folder, NOTES, seed=5)
    return folder


def fake_pagefind(folder: Path, body: str) -> Path:
    """An executable shell script in `folder` standing in for Pagefind; `body` may use
    `$LOG` (one line per run started: its pid and the bundle folder it writes, one per
    shard: `.../bundle-N`)."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "pagefind"
    script.write_text(f'#!/bin/sh\nLOG=\'{folder / "runs.log"}\'\necho "$$ $2" >> "$LOG"\n{body}')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def wait_for_runs(count: int) -> str:
    """Shell: wait until `count` runs have started (bounded): alive together, if the build
    runs them so; run one after another, each waits alone and the log shows it."""
    return (
        f'n=0; while [ "$(wc -l < "$LOG")" -lt {count} ] && [ $n -lt {WAIT_STEPS} ]; '
        "do sleep 0.05; n=$((n+1)); done\n"
    )


def logged_runs(script: Path) -> list[tuple[int, str]]:
    lines = (script.parent / "runs.log").read_text(encoding="utf-8").splitlines()
    return [(int(pid), site) for pid, site in (line.split(" ", 1) for line in lines)]


def most_alive_at_once(events: list[str]) -> int:
    alive = most = 0
    for event in events:
        alive += 1 if event == "start" else -1
        most = max(most, alive)
    return most


def build(vault: Path, out: Path, jobs: int) -> BuildResult:
    builder = SiteBuilder(vault, out, {"jobs": jobs}, BuildOptions(keep_cache=False))
    return builder.build()


def output_hashes(out: Path) -> dict[str, str]:
    return {
        path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out.rglob("*"))
        if path.is_file()
    }


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def leftovers(root: Path, *expected: str) -> list[str]:
    """What lies in `root` besides `expected`, and any dot-folder inside the site's `_trellis`."""
    extra = sorted(p.name for p in root.iterdir() if p.name not in expected)
    trellis_dir = root / "out" / "_trellis"
    if trellis_dir.is_dir():
        extra += [p.name for p in trellis_dir.iterdir() if p.name.startswith(".")]
    return extra


@pytest.mark.parametrize("jobs", [1, 2])
def test_jobs_runs_at_once_and_the_site_is_the_same(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    real = pagefind_cli.pagefind_binary()
    assert real is not None
    script = fake_pagefind(
        tmp_path / "bin",
        'echo start >> "$LOG.events"\n'
        + wait_for_runs(jobs)
        + f'\'{real}\' "$@"\nstatus=$?\necho end >> "$LOG.events"\nexit $status\n',
    )
    monkeypatch.setattr(search, "pagefind_binary", lambda extended=False: script)
    result = build(vault, tmp_path / "out", jobs)
    assert not [w for w in result.diagnostics.items if "search" in w.message]
    assert result.search_shards_indexed == SHARDS
    runs = logged_runs(script)
    assert len(runs) == SHARDS and len({bundle for _, bundle in runs}) == SHARDS  # own folders
    events = (script.parent / "runs.log.events").read_text(encoding="utf-8").split()
    assert most_alive_at_once(events) == jobs

    # The same site as Pagefind run one shard after another, byte for byte.
    monkeypatch.setattr(search, "pagefind_binary", lambda extended=False: real)
    one_at_a_time = build(vault, tmp_path / "sequential", 1)
    assert one_at_a_time.search_shards_indexed == SHARDS
    assert output_hashes(tmp_path / "out") == output_hashes(tmp_path / "sequential")
    assert leftovers(tmp_path, "bin", "out", "sequential") == []


def test_a_shard_that_fails_stops_the_others_and_is_named(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Shard 2 fails once shard 1 runs; shard 1 never ends by itself (a build that did not
    # kill it would wait for the timeout, then name shard 1); shard 3 must never start.
    monkeypatch.setattr(pagefind_cli, "TIMEOUT_SECONDS", 60)
    script = fake_pagefind(
        tmp_path / "bin",
        'case "$2" in *-2)\n'
        + wait_for_runs(2)
        + "echo 'Working...'; echo 'Error: out of cheese' >&2; exit 3;;\nesac\n"
        "exec sleep 300\n",
    )
    monkeypatch.setattr(search, "pagefind_binary", lambda extended=False: script)
    result = build(vault, tmp_path / "out", 2)
    warnings = [w.message for w in result.diagnostics.items if "search index" in w.message]
    assert warnings == [
        "search index not built: Pagefind failed (3): Error: out of cheese (shard 2)"
    ]
    runs = logged_runs(script)
    assert sorted(site.rsplit("-", 1)[1] for _, site in runs) == ["1", "2"]
    assert all(gone(pid) for pid, _ in runs)
    assert not [p for p in psutil_children() if "sleep" in p]
    out = tmp_path / "out"
    assert (out / "index.html").is_file() and (out / "_trellis" / "graph.json").is_file()
    assert not (out / BUNDLE_DIR).exists()
    assert leftovers(tmp_path, "bin", "out") == []


def test_a_build_interrupted_while_pagefind_runs_leaves_nothing_running(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pagefind starts once the note pages are written and runs while the feeds are made:
    # Ctrl-C there must kill both runs and remove the staging folder with their work.
    script = fake_pagefind(tmp_path / "bin", "exec sleep 300\n")
    monkeypatch.setattr(search, "pagefind_binary", lambda extended=False: script)
    log = script.parent / "runs.log"

    def interrupted(*args: object) -> int:
        for _ in range(WAIT_STEPS):
            if log.is_file() and len(log.read_text(encoding="utf-8").splitlines()) >= 2:
                break
            time.sleep(0.05)
        raise KeyboardInterrupt

    monkeypatch.setattr(emitters, "emit_feeds", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(vault, tmp_path / "out", 2)
    runs = logged_runs(script)
    assert len(runs) == 2
    assert all(gone(pid) for pid, _ in runs)
    assert not [p for p in psutil_children() if "sleep" in p]
    assert leftovers(tmp_path, "bin") == []
