"""Time Trellis on generated vaults of N notes, with Hugo on the same Markdown as the reference.

Why subprocesses: each build runs in a fresh interpreter, so its peak memory and CPU time are
its own (`os.wait4` gives the child's rusage; a sampler adds up the RSS of the child and any
workers it starts), and nothing cached by an earlier build helps a later one.

For each N: generate the vault (cached by N, seed and generator source), build it with
Trellis, build it again with nothing changed, then build the same Markdown with Hugo.
`--profile` adds a pyinstrument-profiled build of the smallest N and lists the hot spots.

Usage: python benchmarks/run.py [--notes 1000 10000] [--with-50k] [--jobs N] [--json out.json]
"""

from __future__ import annotations

import argparse
import compileall
import ctypes
import functools
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:
    from benchmarks.generate_vault import MANIFEST_NAME, Manifest, generate_vault
    from benchmarks.scenarios import FLOOR_TAG, copy_fresh, edit_one_note, settle
except ImportError:  # run as a script: benchmarks/ itself is on sys.path
    from generate_vault import MANIFEST_NAME, Manifest, generate_vault
    from scenarios import FLOOR_TAG, copy_fresh, edit_one_note, settle

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HUGO_SITE = HERE / "hugo"
CHILD_TAG = "TRELLIS-BENCH-RESULT "
MIB = 1024 * 1024
# Issue 17's memory goal (its time goals are ratios, in `goals`).
GOAL_PEAK_MIB = 1.5 * 1024


# -- measuring one process -------------------------------------------------------------------


@dataclass
class ProcessRun:
    """What one finished child cost: wall and CPU seconds, peak memory, and what it printed."""

    wall_s: float
    cpu_s: float
    peak_mib: float  # the larger of the two below
    peak_single_mib: float  # rusage: the largest single process (the child or one worker)
    peak_tree_mib: float  # sampled: the child and all its descendants at the same moment
    returncode: int
    stdout: str
    stderr: str
    started_at: float
    ended_at: float


class _TreeSampler(threading.Thread):
    """Polls the summed RSS of a process and its descendants: workers run at the same time,
    so their peaks add up, which the rusage maximum (one process at a time) cannot show."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kib = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_kib = max(self.peak_kib, _tree_rss_kib(self.pid))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def process_tree(root: int) -> dict[int, tuple[int, str]]:
    """pid -> (RSS in KiB, command name) of `root` and all its descendants."""
    parents: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        head, tail = stat.rsplit(")", 1)
        names[int(entry)] = head.split("(", 1)[1]
        parents.setdefault(int(tail.split()[1]), []).append(int(entry))
    found: dict[int, tuple[int, str]] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        todo += parents.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    found[pid] = (int(line.split()[1]), names.get(pid, "?"))
                    break
        except OSError:
            continue
    return found


def _tree_rss_kib(root: int) -> int:
    return sum(rss for rss, _ in own_spaces(root, process_tree(root)).values())


def own_spaces(root: int, tree: dict[int, tuple[int, str]]) -> dict[int, tuple[int, str]]:
    """`tree` without the children sharing `root`'s address space: `subprocess` starts
    Pagefind with `vfork`, and until it execs the child *is* the build's memory (its RSS
    reads the build's whole size: it was once summed as a second build of 1,310 MiB at
    50,000 notes). A forked worker has an address space of its own and is counted."""
    return {pid: entry for pid, entry in tree.items() if pid == root or not same_space(root, pid)}


_KCMP = {"x86_64": 312, "aarch64": 272}.get(platform.machine())


def same_space(one: int, other: int) -> bool:
    """Do the two processes share one address space? `kcmp(KCMP_VM)` where known, else
    the same sizes (a `vfork` child's are its parent's to the page)."""
    if _KCMP is not None:
        same = ctypes.CDLL(None, use_errno=True).syscall(_KCMP, one, other, 1, 0, 0)
        if same >= 0:
            return same == 0

    def sizes(pid: int) -> list[str]:
        try:
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        except OSError:
            return [str(pid)]
        return [line for line in lines if line.startswith(("VmSize", "VmRSS", "VmData"))]

    return sizes(one) == sizes(other)


def run_measured(
    command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> ProcessRun:
    """Run `command` to the end; rusage from `wait4` is this child's (and its reaped workers')."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started_at = time.time()
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err)
        sampler = _TreeSampler(process.pid) if Path("/proc").is_dir() else None
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        ended_at = time.time()
        process.returncode = os.waitstatus_to_exitcode(status)
        if sampler:
            sampler.stop()
        out.seek(0)
        err.seek(0)
        tree_kib = sampler.peak_kib if sampler else 0
        return ProcessRun(
            wall_s=wall,
            cpu_s=usage.ru_utime + usage.ru_stime,
            peak_mib=max(usage.ru_maxrss, tree_kib) / 1024,
            peak_single_mib=usage.ru_maxrss / 1024,
            peak_tree_mib=tree_kib / 1024,
            returncode=process.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            started_at=started_at,
            ended_at=ended_at,
        )


def folder_size(path: Path) -> tuple[int, int]:
    """(bytes, files) of everything under `path`."""
    total = files = 0
    for folder, _, names in os.walk(path):
        for name in names:
            total += os.lstat(os.path.join(folder, name)).st_size
            files += 1
    return total, files


# -- the Trellis child -----------------------------------------------------------------------


def child_build(vault: Path, out: Path, jobs: int | None, profile: Path | None) -> int:
    """Runs inside the measured subprocess: build once, print the result as one JSON line."""
    entered = time.time()
    import trellis
    from trellis.pipeline import build

    imported = time.time()
    overrides = {"jobs": jobs} if jobs else {}
    profiler = None
    if profile is not None:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
    result = build(vault, out, overrides)
    finished = time.time()
    report: dict[str, Any] = {
        "entered_at": entered,
        "module": trellis.__file__,
        "import_s": imported - entered,
        "build_s": result.seconds,
        "finished_at": finished,
        "phases": result.phases,
        "notes_published": result.notes_published,
        "pages_written": result.pages_written,
        "attachments_copied": result.attachments_copied,
        "warnings": len(result.diagnostics),
        # Newer pipelines say how much they reused; absent fields are left out.
        "pages_rendered": getattr(result, "pages_rendered", None),
        "unchanged": getattr(result, "unchanged", None),
        "warning_kinds": dict(
            Counter(d.message.split("'")[0].strip() for d in result.diagnostics.items)
        ),
    }
    if profiler is not None and profile is not None:
        profiler.stop()
        session = profiler.last_session
        assert session is not None
        profile.write_text(profiler.output_text(unicode=True, color=False), encoding="utf-8")
        report["profile"] = summarise_profile(session.root_frame(), session.duration)
    print(CHILD_TAG + json.dumps(report), flush=True)
    return 0


def summarise_profile(root: Any, duration: float, top: int = 10) -> dict[str, Any]:
    """Top functions by self time, modules by self time, Trellis functions by total time."""
    self_time: Counter[str] = Counter()
    module_time: Counter[str] = Counter()
    total_time: Counter[str] = Counter()

    def visit(frame: Any, open_keys: frozenset[str], caller: str) -> None:
        if frame.is_synthetic:
            return
        key = f"{frame.function} ({frame.file_path_short}:{frame.line_no})"
        own = frame.time - sum(c.time for c in frame.children if not c.is_synthetic)
        self_time[key] += own
        # Built-ins (re, str methods) and generated code count for the module calling them.
        module = _module_of(frame.file_path or "") or caller
        module_time[module] += own
        if key not in open_keys and "trellis" in (frame.file_path or "").split(os.sep):
            total_time[key] += frame.time
        for child in frame.children:
            visit(child, open_keys | {key}, module)

    if root is not None:
        visit(root, frozenset(), "<top>")

    def rows(counter: Counter[str]) -> list[dict[str, Any]]:
        return [
            {"name": name, "seconds": round(seconds, 3), "share": round(seconds / duration, 3)}
            for name, seconds in counter.most_common(top)
        ]

    return {
        "duration_s": round(duration, 3),
        "functions_self": rows(self_time),
        "modules_self": rows(module_time),
        "trellis_total": rows(total_time),
    }


def _module_of(path: str) -> str:
    """`trellis/markdown/plugins/callouts.py`, a package (`markdown_it`), `stdlib:re`, or ""
    for built-ins and generated code, which the caller's module stands for."""
    parts = Path(path).parts
    if not path or path.startswith("<"):
        return ""
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    if "trellis" in parts:
        return "/".join(parts[len(parts) - parts[::-1].index("trellis") - 1 :])
    if "templates" in parts:
        return "Jinja templates"
    folder = Path(path).parent.name
    return f"stdlib:{folder if not folder.startswith('python3') else Path(path).stem}"


# -- one benchmark size ----------------------------------------------------------------------


def _generator_key() -> str:
    source = (HERE / "generate_vault.py").read_bytes()
    return hashlib.sha256(source).hexdigest()[:10]


def cached_vault(cache: Path, notes: int, seed: int) -> tuple[Path, Manifest, float | None]:
    """The vault for (notes, seed), generated unless the cache has it; with generation time."""
    vault = cache / f"vault-n{notes}-s{seed}-{_generator_key()}"
    if (vault / MANIFEST_NAME).is_file():
        return vault, Manifest.read(vault), None
    if vault.exists():
        shutil.rmtree(vault)
    start = time.perf_counter()
    manifest = generate_vault(vault, notes, seed)
    generated = time.perf_counter() - start
    settle()  # (the unchanged rebuild then reads no note, as with a vault cached earlier)
    return vault, manifest, generated


def hugo_site(cache: Path, vault: Path, manifest: Manifest) -> Path:
    """A Hugo site over a copy of the vault's notes, private ones marked `draft: true`.

    JSON frontmatter between `---` fences is also valid YAML, and Hugo 0.111 reads it as
    YAML, so no conversion is needed. Marking private notes as drafts makes Hugo read every
    note but render only the published ones, as Trellis does. Attachments are left out.
    """
    layout = hashlib.sha256()
    for path in sorted(HUGO_SITE.rglob("*")):
        if path.is_file():
            layout.update(path.relative_to(HUGO_SITE).as_posix().encode() + path.read_bytes())
    site = cache / f"hugo-{vault.name}-{layout.hexdigest()[:8]}"
    if (site / ".ready").is_file():
        return site
    if site.exists():
        shutil.rmtree(site)
    shutil.copytree(HUGO_SITE, site)
    private = set(manifest.private_paths)
    for note in sorted(vault.rglob("*.md")):
        rel = note.relative_to(vault).as_posix()
        if any(part.startswith(".") for part in rel.split("/")):
            continue
        text = note.read_text(encoding="utf-8")
        if rel in private:
            text = _mark_draft(text)
        target = site / "content" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (site / ".ready").write_text("ok\n")
    return site


def _mark_draft(text: str) -> str:
    if text.startswith("---\n{"):
        return "---\n{" + '"draft":true,' + text[len("---\n{") :]
    if text.startswith("---\n"):
        return "---\ndraft: true\n" + text[len("---\n") :]
    return "---\ndraft: true\n---\n" + text


def installed_like(env: dict[str, str]) -> dict[str, str]:
    """The environment of a measured Trellis run, with its bytecode compiled once.

    An installed Trellis starts from its `.pyc` files; with PYTHONDONTWRITEBYTECODE set (some
    shells and CI images set it) every run would compile ~170 modules again (~0.15 CPU s), a
    cost no user pays. So the package is compiled before the first run and children may
    write bytecode.
    """
    _compile_trellis()
    return {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}


@functools.cache
def _compile_trellis() -> None:
    compileall.compile_dir(str(ROOT / "trellis"), quiet=1)


def run_child(command: list[str], tag: str, what: str) -> tuple[ProcessRun, dict[str, Any]]:
    """Run a measured child process and read the JSON line it prints after `tag`."""
    # The Trellis beside this file is measured, even when another one is installed (a copy
    # of one commit can be benchmarked while the working tree changes).
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    run = run_measured(command, cwd=ROOT, env=installed_like({**os.environ, "PYTHONPATH": path}))
    line = next((x for x in run.stdout.splitlines() if x.startswith(tag)), None)
    if run.returncode != 0 or line is None:
        raise RuntimeError(f"{what} failed ({run.returncode}):\n{run.stderr[-3000:]}")
    return run, json.loads(line[len(tag) :])


def floor_run(vault: Path) -> dict[str, Any]:
    """The parse+render floor (`benchmarks/scenarios.py`) over `vault`'s published notes."""
    command = [sys.executable, str(HERE / "scenarios.py"), str(vault)]
    _, found = run_child(command, FLOOR_TAG, "floor run")
    return {"cpu_s": round(found["cpu_s"], 3), "notes": found["notes"]}


def trellis_run(
    vault: Path, out: Path, jobs: int | None, profile: Path | None = None
) -> dict[str, Any]:
    """One Trellis build in a fresh interpreter, with its own report merged in."""
    command = [sys.executable, str(HERE / "run.py"), "_build", str(vault), str(out)]
    if jobs:
        command += ["--jobs", str(jobs)]
    if profile is not None:
        command += ["--profile", str(profile)]
    run, child = run_child(command, CHILD_TAG, "Trellis build")
    size, files = folder_size(out)
    phases = {name: round(seconds, 3) for name, seconds in child["phases"].items()}
    beside = [p for p in out.parent.iterdir() if p.is_file() and p.name.startswith(f".{out.name}.")]
    return {
        "wall_s": round(run.wall_s, 3),
        "cpu_s": round(run.cpu_s, 3),
        "peak_mib": round(run.peak_mib, 1),
        "peak_single_mib": round(run.peak_single_mib, 1),
        "peak_tree_mib": round(run.peak_tree_mib, 1),
        "startup_s": round(child["entered_at"] - run.started_at + child["import_s"], 3),
        "build_s": round(child["build_s"], 3),
        "exit_s": round(run.ended_at - child["finished_at"], 3),
        "phases": phases,
        # Time inside build() that no phase covers (swapping the output in, deleting the old).
        "outside_phases_s": round(child["build_s"] - sum(child["phases"].values()), 3),
        "notes_published": child["notes_published"],
        "pages_written": child["pages_written"],
        "attachments_copied": child["attachments_copied"],
        "warnings": child["warnings"],
        "warning_kinds": child["warning_kinds"],
        "output_mb": round(size / 1e6, 1),
        "output_files": files,
        # Files Trellis keeps beside the output folder (its build cache), in MB.
        "beside_output_mb": round(sum(p.stat().st_size for p in beside) / 1e6, 1),
        "pages_rendered": child.get("pages_rendered"),
        "unchanged": child.get("unchanged"),
        "module": child["module"],
        **({"profile": child["profile"]} if "profile" in child else {}),
    }


def hugo_run(site: Path, out: Path) -> dict[str, Any]:
    command = ["hugo", "--source", str(site), "--destination", str(out), "--quiet"]
    run = run_measured([*command, "--noBuildLock", "--cacheDir", str(site / ".hugo-cache")])
    if run.returncode != 0:
        raise RuntimeError(f"Hugo failed ({run.returncode}):\n{run.stderr[-3000:]}")
    size, files = folder_size(out)
    return {
        "wall_s": round(run.wall_s, 3),
        "cpu_s": round(run.cpu_s, 3),
        "peak_mib": round(run.peak_mib, 1),
        "output_mb": round(size / 1e6, 1),
        "output_files": files,
    }


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median wall time (the runs' walls are kept beside it)."""
    ordered = sorted(runs, key=lambda r: r["wall_s"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    if len(runs) > 1:
        chosen["walls_s"] = [r["wall_s"] for r in runs]
    return chosen


def bench_size(
    notes: int, seed: int, cache: Path, jobs: int | None, repeat: int, with_hugo: bool
) -> dict[str, Any]:
    vault, manifest, generated_in = cached_vault(cache, notes, seed)
    work = Path(tempfile.mkdtemp(prefix=f"bench-n{notes}-", dir=cache))
    try:
        full, again = [], []
        for round_number in range(repeat):
            # A fresh folder per round: Trellis keeps a cache beside its output folder, and a
            # full build must not find one.
            out = work / f"round-{round_number}" / "site"
            full.append(trellis_run(vault, out, jobs))
            again.append(trellis_run(vault, out, jobs))
        trellis = _median_run(full)
        trellis["notes_per_s"] = round(notes / trellis["wall_s"], 1)
        rebuild = _median_run(again)
        row: dict[str, Any] = {
            "notes": notes,
            "vault": {
                "markdown_mb": round(manifest.markdown_bytes / 1e6, 1),
                "public": manifest.public,
                "private": manifest.private,
                "episodes": manifest.episodes,
                "generated_s": None if generated_in is None else round(generated_in, 2),
                "path": str(vault),
            },
            "trellis": trellis,
            "trellis_rebuild": {
                key: rebuild[key]
                for key in (
                    "wall_s",
                    "cpu_s",
                    "peak_mib",
                    "peak_single_mib",
                    "peak_tree_mib",
                    "build_s",
                    "outside_phases_s",
                    "phases",
                    "pages_rendered",
                    "unchanged",
                    "beside_output_mb",
                    "walls_s",
                )
                if key in rebuild
            },
            "hugo": None,
            "trellis_over_hugo": None,
        }
        row.update(edit_scenarios(vault, work, jobs))
        row["floor"] = floor_run(vault)
        row["cpu_over_floor"] = round(trellis["cpu_s"] / row["floor"]["cpu_s"], 2)
        if with_hugo:
            site = hugo_site(cache, vault, manifest)
            hugo_out = work / "hugo"
            runs = []
            for _ in range(repeat):
                if hugo_out.exists():
                    shutil.rmtree(hugo_out)
                runs.append(hugo_run(site, hugo_out))
            row["hugo"] = _median_run(runs)
            row["trellis_over_hugo"] = round(trellis["wall_s"] / row["hugo"]["wall_s"], 2)
            for name in ("one_note_edited", "ci_one_note_edited"):
                row[name]["over_hugo"] = round(row[name]["wall_s"] / row["hugo"]["wall_s"], 2)
        return row
    finally:
        shutil.rmtree(work, ignore_errors=True)


def edit_scenarios(vault: Path, work: Path, jobs: int | None) -> dict[str, Any]:
    """One note edited and rebuilt with the cache; then the same after vault, output and
    cache were copied to a new folder with new file times (the CI case)."""
    keep = ("wall_s", "cpu_s", "peak_mib", "pages_rendered", "phases")
    first = work / "edit-a"
    copy_fresh(vault, first / "vault")
    settle()
    trellis_run(first / "vault", first / "site", jobs)
    edit_one_note(first / "vault", 1)
    edited = trellis_run(first / "vault", first / "site", jobs)
    moved = work / "edit-b"
    copy_fresh(first, moved)
    edit_one_note(moved / "vault", 2)
    ci = trellis_run(moved / "vault", moved / "site", jobs)
    return {
        "one_note_edited": {k: edited[k] for k in keep if k in edited},
        "ci_one_note_edited": {k: ci[k] for k in keep if k in ci},
    }


def profile_size(notes: int, seed: int, cache: Path, jobs: int | None) -> dict[str, Any]:
    """A separate pyinstrument-profiled build (slower than the timed ones); full text kept."""
    vault, _, _ = cached_vault(cache, notes, seed)
    work = Path(tempfile.mkdtemp(prefix=f"profile-n{notes}-", dir=cache))
    text = cache / f"profile-n{notes}-s{seed}.txt"
    try:
        report = trellis_run(vault, work / "site", jobs, profile=text)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"notes": notes, "text_report": str(text), **report["profile"]}


# -- the whole run ---------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
    except (OSError, StopIteration):
        mem_kib = 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kib / MIB, 1),
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "hugo": _version(["hugo", "version"]),
        # A copy made with `git archive` has no history: it can say its commit in this variable.
        "trellis_commit": os.environ.get("TRELLIS_BENCH_COMMIT")
        or _version(["git", "-C", str(ROOT), "describe", "--always", "--dirty"]),
        "trellis_path": str(ROOT),
    }


def _version(command: list[str]) -> str | None:
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return run.stdout.strip().splitlines()[0] if run.returncode == 0 and run.stdout else None


def goals(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each goal of issue 17 that this run can judge, with the figure it was judged on."""
    found: list[dict[str, Any]] = []

    def goal(text: str, figure: str, met: bool) -> None:
        found.append({"goal": text, "figure": figure, "met": met})

    for row in rows:
        n, hugo = row["notes"], row["hugo"]
        label = f"{n:,} notes"
        if hugo and n >= 10000:
            for key, what in (
                ("one_note_edited", "one note edited"),
                ("ci_one_note_edited", "one note edited in a fresh copy (CI)"),
            ):
                ratio = row[key]["wall_s"] / hugo["wall_s"]
                limit = 0.5 if n == 10000 else 1.0
                goal(
                    f"{label}: {what}, rebuilt with the cache, under {limit}x Hugo's full build",
                    f"{row[key]['wall_s']:.1f} s = {ratio:.2f}x Hugo ({hugo['wall_s']:.1f} s)",
                    ratio < limit,
                )
        if hugo and n == 10000:
            ratio = row["trellis"]["wall_s"] / hugo["wall_s"]
            goal(
                f"{label}: cold build at most 4x Hugo's wall time",
                f"{row['trellis']['wall_s']:.1f} s = {ratio:.2f}x",
                ratio <= 4,
            )
        if row.get("floor") and n >= 10000:
            goal(
                f"{label}: cold build CPU at most 1.5x the parse+render floor",
                f"{row['trellis']['cpu_s']:.1f} CPU s vs floor {row['floor']['cpu_s']:.1f} "
                f"= {row['cpu_over_floor']:.2f}x",
                row["cpu_over_floor"] <= 1.5,
            )
        modes = ("trellis", "trellis_rebuild", "one_note_edited", "ci_one_note_edited")
        peak = max(row[m]["peak_mib"] for m in modes if row.get(m))
        goal(
            f"{label}: peak memory of all processes < 1.5 GiB in every mode",
            f"{peak:.0f} MiB",
            peak < GOAL_PEAK_MIB,
        )
    return found


def format_report(report: dict[str, Any]) -> str:
    """The human-readable tables printed at the end of a run."""
    m = report["machine"]
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, Python {m['python']}, "
        f"{m['os']}",
        f"Date: {report['date']}   Trellis: {m['trellis_commit']}   Hugo: {m['hugo'] or 'absent'}",
        f"Command: {report['command']}",
        f"Load average (1, 5, 15 min) before: {report.get('load_before')}, "
        f"after: {report.get('load_after')}",
        "",
    ]
    header = (
        f"{'notes':>7} {'MB md':>6} | {'Trellis s':>9} {'notes/s':>8} {'CPU s':>7} "
        f"{'peak MiB':>8} {'out MB':>7} {'files':>7} | {'rebuild s':>9} | "
        f"{'Hugo s':>7} {'Hugo MiB':>8} | {'T/Hugo':>6}"
    )
    lines += [header, "-" * len(header)]
    for row in report["runs"]:
        t, r, h = row["trellis"], row["trellis_rebuild"], row["hugo"]
        hugo = f"{h['wall_s']:>7.2f} {h['peak_mib']:>8.0f}" if h else f"{'-':>7} {'-':>8}"
        ratio = f"{row['trellis_over_hugo']:>6.2f}" if row["trellis_over_hugo"] else f"{'-':>6}"
        lines.append(
            f"{row['notes']:>7} {row['vault']['markdown_mb']:>6.1f} | {t['wall_s']:>9.2f} "
            f"{t['notes_per_s']:>8.0f} {t['cpu_s']:>7.2f} {t['peak_mib']:>8.0f} "
            f"{t['output_mb']:>7.1f} {t['output_files']:>7} | {r['wall_s']:>9.2f} | "
            f"{hugo} | {ratio}"
        )
    lines.append("")
    for row in report["runs"]:
        t = row["trellis"]
        phases = "  ".join(f"{name} {seconds:.2f}" for name, seconds in t["phases"].items())
        lines.append(
            f"{row['notes']:>7} notes, phases (s): startup {t['startup_s']:.2f}  {phases}  "
            f"outside phases {t['outside_phases_s']:.2f}  exit {t['exit_s']:.2f}   "
            f"[{t['notes_published']} published, {t['pages_written']} pages, "
            f"{t['warnings']} warnings; peak MiB: one process {t['peak_single_mib']:.0f}, "
            f"process tree {t['peak_tree_mib']:.0f}]"
        )
    for row in report["runs"]:
        r = row["trellis_rebuild"]
        phases = "  ".join(f"{name} {seconds:.2f}" for name, seconds in r["phases"].items())
        lines.append(
            f"{row['notes']:>7} notes, rebuild with nothing changed: {r['wall_s']:.2f} s, "
            f"CPU {r['cpu_s']:.2f} s (build() {r['build_s']:.2f} s: {phases}  outside phases "
            f"{r['outside_phases_s']:.2f}; pages rendered again: {r.get('pages_rendered')}; "
            f"cache beside the output: {r.get('beside_output_mb')} MB)"
        )
    lines += ["", *ratio_table(report["runs"])]
    if report.get("goals"):
        lines += ["", "Goals (issue 17):"]
        for goal in report["goals"]:
            mark = "met" if goal["met"] else "NOT met"
            lines.append(f"  [{mark:>7}] {goal['goal']}: {goal['figure']}")
    profile = report.get("profile")
    if profile:
        lines += ["", f"Hot spots, {profile['notes']} notes ({profile['duration_s']:.1f} s):"]
        for title, key in (
            ("functions by self time", "functions_self"),
            ("modules by self time", "modules_self"),
            ("Trellis functions by total time", "trellis_total"),
        ):
            lines.append(f"  {title}:")
            for item in profile[key]:
                lines.append(f"    {item['seconds']:7.2f} s {item['share']:6.1%}  {item['name']}")
        lines.append(f"  full pyinstrument report: {profile['text_report']}")
    return "\n".join(lines)


def ratio_table(rows: list[dict[str, Any]]) -> list[str]:
    """The builds issue 17 compares, each as seconds and as a ratio to Hugo's full build."""

    def cell(seconds: float, hugo: dict[str, Any] | None) -> str:
        ratio = f"{seconds / hugo['wall_s']:.2f}x" if hugo else "-"
        return f"{seconds:>8.2f} {ratio:>7}"

    header = (
        f"{'notes':>7} | {'cold s':>8} {'/Hugo':>7} | {'1 edit s':>8} {'/Hugo':>7} | "
        f"{'CI edit':>8} {'/Hugo':>7} | {'CPU s':>7} {'floor':>7} {'/floor':>6} | {'peak':>6}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        hugo, floor = row["hugo"], row.get("floor")
        modes = ("trellis", "trellis_rebuild", "one_note_edited", "ci_one_note_edited")
        peak = max(row[m]["peak_mib"] for m in modes if row.get(m))
        lines.append(
            f"{row['notes']:>7} | {cell(row['trellis']['wall_s'], hugo)} | "
            f"{cell(row['one_note_edited']['wall_s'], hugo)} | "
            f"{cell(row['ci_one_note_edited']['wall_s'], hugo)} | "
            f"{row['trellis']['cpu_s']:>7.1f} {floor['cpu_s'] if floor else 0:>7.1f} "
            f"{row.get('cpu_over_floor') or 0:>6.2f} | {peak:>6.0f}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_build"]:
        child = argparse.ArgumentParser(prog="run.py _build")
        child.add_argument("vault", type=Path)
        child.add_argument("out", type=Path)
        child.add_argument("--jobs", type=int)
        child.add_argument("--profile", type=Path)
        args = child.parse_args(argv[1:])
        code = child_build(args.vault, args.out, args.jobs, args.profile)
        # Leave as `trellis build` does (`trellis.cli.main`): without freeing the site's
        # objects one by one, which the command line never makes its user wait for.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

    parser = argparse.ArgumentParser(description="Time Trellis against Hugo on generated vaults.")
    parser.add_argument("--notes", type=int, nargs="+", default=[1000, 10000], metavar="N")
    parser.add_argument("--with-50k", action="store_true", help="also run 50,000 notes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, help="passed to Trellis as the `jobs` setting")
    parser.add_argument("--repeat", type=int, default=1, help="runs per build; median reported")
    parser.add_argument("--no-hugo", action="store_true", help="skip the Hugo reference")
    parser.add_argument("--profile", action="store_true", help="profile the smallest N")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "trellis-bench",
        help="where generated vaults and Hugo sites are kept (default: $TMPDIR/trellis-bench)",
    )
    parser.add_argument("--json", type=Path, help="also write the report as JSON here")
    args = parser.parse_args(argv)
    sizes = sorted(set(args.notes + ([50000] if args.with_50k else [])))
    with_hugo = not args.no_hugo and shutil.which("hugo") is not None
    if not args.no_hugo and not with_hugo:
        print("run.py: hugo not found; the Hugo reference is skipped", file=sys.stderr)
    args.cache.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python benchmarks/run.py " + " ".join(argv),
        "machine": machine(),
        "seed": args.seed,
        "jobs": args.jobs,
        "repeat": args.repeat,
        "runs": [],
        # Other work on the machine slows every build: the load average says how busy it was.
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }
    for notes in sizes:
        print(f"... {notes} notes", file=sys.stderr, flush=True)
        report["runs"].append(
            bench_size(notes, args.seed, args.cache, args.jobs, max(1, args.repeat), with_hugo)
        )
    report["load_after"] = [round(x, 2) for x in os.getloadavg()]
    report["goals"] = goals(report["runs"])
    if args.profile:
        print(f"... profiling {sizes[0]} notes", file=sys.stderr, flush=True)
        report["profile"] = profile_size(sizes[0], args.seed, args.cache, args.jobs)
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
