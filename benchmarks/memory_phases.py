"""Which process holds how much memory in which phase of a build, for issue 17's four modes.

Why beside `run.py`: that one reports a build's peak of the whole process tree; this one
says where the peak is (the build's own process, each worker, Pagefind) and in which phase
(`PhaseClock`'s names), which is what a fix needs. Each mode runs in a fresh interpreter;
a sampler reads the RSS of every process of its tree every 50 ms, and every 200 ms their
PSS (proportional set size: a page shared by a forked worker and the build counts once,
where the sum of RSS counts it in each process; the memory the machine really gives).
Both sums are reported, the whole build's and each phase's peak.

A child that shares the build's address space (`subprocess` starts Pagefind with `vfork`:
until it execs, the child *is* the build's memory, and both its RSS and its PSS read the
build's whole size) is left out of both sums: it was once sampled as a second build of
1,310 MiB at 50,000 notes. A forked worker has an address space of its own and is counted
(its RSS includes every page it still shares with the build: hence the PSS sum).

Modes: `cold` (no cache), `jobs1` (cold, `jobs: 1`), `edit` (built, one note edited,
built again with the cache: the second build is measured), `serve` (the first build of
`trellis serve`'s builder, in this process as the preview builds).

`--memory-target MIB` sets `memory_target_mib` for the builds: a small one (100) makes a
4,000-note build pack every token, as the default does at 50,000 notes (the token budget
is 0 there), so what scales with the notes can be measured at a size that needs no lock.

Usage: python benchmarks/memory_phases.py [--notes 10000] [--modes cold edit] [--json out]
       [--memory-target MIB]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

try:
    from benchmarks.run import cached_vault, own_spaces, process_tree
    from benchmarks.scenarios import edit_one_note
except ImportError:  # run as a script
    from run import cached_vault, own_spaces, process_tree
    from scenarios import edit_one_note

MODES = ("cold", "jobs1", "edit", "serve")
PHASE_TAG = "TRELLIS-PHASE "


class _Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        # (time, pid -> (RSS KiB, name), pid -> PSS KiB or None where not read that time)
        self.samples: list[tuple[float, dict[int, tuple[int, str]], dict[int, int] | None]] = []
        self._halt = threading.Event()

    def run(self) -> None:
        count = 0
        while not self._halt.is_set():
            tree = own_spaces(self.pid, process_tree(self.pid))
            pss = {pid: _pss_kib(pid) for pid in tree} if count % 4 == 0 else None
            self.samples.append((time.time(), tree, pss))
            count += 1
            self._halt.wait(0.05)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def _pss_kib(pid: int) -> int:
    """The proportional set size of `pid` in KiB (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def child(mode: str, vault: Path, out: Path, target: int = 0) -> int:
    """In the measured interpreter: one build, printing each phase's start and end times."""
    import trellis.pipeline as pipeline
    from trellis.build.options import BuildOptions
    from trellis.build.result import PhaseClock

    class TimedClock(PhaseClock):
        def __call__(self, name: str):  # type: ignore[no-untyped-def]
            emitter = sys._getframe(1).f_locals.get("emitter")
            if emitter is not None:  # the emitters run under their phase's name
                name = f"{name}: {emitter.name}"
            print(f"{PHASE_TAG}{time.time()} start {name}", flush=True)
            return _ended(super().__call__(name), name)

    pipeline.PhaseClock = TimedClock  # type: ignore[misc]
    overrides: dict[str, Any] = {"jobs": 1} if mode == "jobs1" else {}
    if target:
        overrides["memory_target_mib"] = target
    if mode == "serve":
        builder = pipeline.SiteBuilder(vault, None, overrides, BuildOptions.for_preview())
        builder.build(out=out)
    else:
        pipeline.build(vault, out, overrides)
    return 0


class _ended:
    def __init__(self, inner: Any, name: str) -> None:
        self.inner, self.name = inner, name

    def __enter__(self) -> None:
        self.inner.__enter__()

    def __exit__(self, *exc: Any) -> Any:
        print(f"{PHASE_TAG}{time.time()} end {self.name}", flush=True)
        return self.inner.__exit__(*exc)


def measure(mode: str, vault: Path, work: Path, target: int = 0) -> dict[str, Any]:
    """Run one mode; the tree's peak, and per phase the peak with each process's share."""
    aside = [str(target)] if target else []
    out = work / mode / "site"
    if mode == "edit":
        run_vault = work / mode / "vault"
        shutil.copytree(vault, run_vault, copy_function=shutil.copyfile)
        subprocess.run(
            [sys.executable, __file__, "_child", "cold", str(run_vault), str(out), *aside],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        edit_one_note(run_vault, 1)
    else:
        run_vault = vault
    command = [sys.executable, __file__, "_child", mode, str(run_vault), str(out), *aside]
    with tempfile.TemporaryFile() as output:
        started = time.time()
        process = subprocess.Popen(command, stdout=output)
        sampler = _Sampler(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        sampler.stop()
        ended = time.time()
        output.seek(0)
        lines = output.read().decode().splitlines()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:  # negative: killed by that signal (a 50,000-note build ran an hour, then this)
        raise RuntimeError(
            f"{mode}: the build failed (exit code {code}, after {time.time() - started:.0f} s)"
        )
    events = [line[len(PHASE_TAG) :].split(" ", 2) for line in lines if line.startswith(PHASE_TAG)]
    spans: list[tuple[str, float, float]] = []
    opened: dict[str, float] = {}
    for at, what, name in events:
        if what == "start":
            opened[name] = float(at)
        else:
            spans.append((name, opened.pop(name), float(at)))
    spans = [span for span in spans if span[2] - span[1] >= 0.1]
    spans.sort(key=lambda span: span[1])
    root = process.pid

    def role(pid: int, name: str) -> str:
        if pid == root:
            return "build"
        return "pagefind" if "pagefind" in name else "worker"

    def parts_of(values: dict[int, int], tree: dict[int, tuple[int, str]]) -> dict[str, float]:
        parts: dict[str, float] = {}
        for pid, value in sorted(values.items()):
            label = role(pid, tree[pid][1] if pid in tree else "?")
            if label == "worker":
                label = f"worker {sum(1 for k in parts if k.startswith('worker'))}"
            parts[label] = round(parts.get(label, 0) + value / 1024, 1)
        return parts

    def peak_in(start: float, end: float) -> dict[str, Any]:
        """The largest sum of RSS in the window (with each process's), and of PSS."""
        best: dict[str, Any] = {"tree_mib": 0.0}
        best_pss: dict[str, Any] = {"tree_mib": 0.0}
        for at, tree, pss in sampler.samples:
            if not start <= at <= end:
                continue
            total = sum(rss for rss, _ in tree.values()) / 1024
            if total > best["tree_mib"]:
                rss = {pid: value for pid, (value, _) in tree.items()}
                best = {"tree_mib": round(total, 1), "at_s": round(at - started, 2)}
                best.update(parts_of(rss, tree))
            if pss is not None and sum(pss.values()) / 1024 > best_pss["tree_mib"]:
                best_pss = {"tree_mib": round(sum(pss.values()) / 1024, 1)}
                best_pss["at_s"] = round(at - started, 2)
                best_pss.update(parts_of(pss, tree))
        return {**best, "pss": best_pss}

    peak = peak_in(started, ended)
    return {
        "mode": mode,
        "wall_s": round(ended - started, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_single_mib": round(usage.ru_maxrss / 1024, 1),
        "peak_pss_tree_mib": peak["pss"]["tree_mib"],
        "peak": peak,
        "phases": [
            {"phase": name, "s": round(end - start, 2), **peak_in(start, end)}
            for name, start, end in spans
        ],
    }


def format_mode(row: dict[str, Any]) -> str:
    def shares(peak: dict[str, Any]) -> str:
        skip = ("phase", "s", "tree_mib", "at_s", "pss")
        return ", ".join(f"{k} {v:.0f}" for k, v in peak.items() if k not in skip)

    peak = row["peak"]
    pss = peak.get("pss", {"tree_mib": row["peak_pss_tree_mib"]})
    lines = [
        f"{row['mode']}: wall {row['wall_s']} s, CPU {row['cpu_s']} s, peak tree (RSS sum) "
        f"{peak['tree_mib']:.0f} MiB at {peak.get('at_s', 0)} s ({shares(peak)}); "
        f"peak PSS sum {pss['tree_mib']:.0f} MiB at {pss.get('at_s', 0)} s ({shares(pss)}); "
        f"largest single process {row['peak_single_mib']:.0f} MiB"
    ]
    for phase in row["phases"]:
        pss = phase.get("pss", {"tree_mib": 0.0})
        read = f"{pss['tree_mib']:>6.0f} ({shares(pss)})" if pss["tree_mib"] else "  (none read)"
        lines.append(
            f"  {phase['phase']:<16} {phase['s']:>7.2f} s  RSS sum {phase['tree_mib']:>6.0f} MiB "
            f"({shares(phase)})  PSS sum {read}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_child"]:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        return child(argv[1], Path(argv[2]), Path(argv[3]), int(argv[4]) if argv[4:] else 0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "trellis-bench")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--memory-target", type=int, default=0, metavar="MIB")
    args = parser.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    vault, _, _ = cached_vault(args.cache, args.notes, args.seed)
    work = Path(tempfile.mkdtemp(prefix="memory-phases-", dir=args.cache))
    rows = []
    try:
        print(f"load before {os.getloadavg()}", flush=True)
        for mode in args.modes:
            rows.append(measure(mode, vault, work, args.memory_target))
            print(format_mode(rows[-1]), flush=True)
        print(f"load after {os.getloadavg()}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
