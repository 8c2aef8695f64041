"""The preview under load: many clients at once while notes are being saved.

    python benchmarks/serve_load.py                          # the working tree, 1,000 notes
    python benchmarks/serve_load.py --reference e52ee13 --json load.json

For each tree measured (with `--reference REV`: that revision first, extracted with
`git archive` into a temporary folder, then the working tree, in the same run) it copies the
generated vault of `benchmarks/run.py` (same generator and cache), starts the real
`python -m trellis serve` as a child process on a free port and waits for its first build.
Then two measurements, from this process, with asyncio (one thread opens hundreds of
connections without the client becoming the bottleneck):

- load: CLIENTS concurrent clients, each fetching page after page (up to 300 pages found by
  following links from the home page; one connection per request) for SECONDS seconds,
  while a note is saved every EDIT_INTERVAL seconds (each save rebuilds). Reported:
  requests/s answered, latency p50/p95/p99/max (connect to last byte; a request that timed
  out after 10 s counts as 10 s, so clients left waiting show), failures and timeouts.
- live reload: once the preview is idle again, STREAMS clients open the live-reload stream
  as open tabs do; counted are those that get their first state within a deadline, then,
  after one more save, those that get the new version (the reload), with its delay after
  the save (p50/p95: watcher, debounce, rebuild and the event).

The server's stderr is kept: tracebacks on it are counted and reported.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate_vault import Manifest
from benchmarks.run import cached_vault, machine

ROOT = Path(__file__).resolve().parent.parent
EVENTS_PATH = "/_trellis/events"
REQUEST_TIMEOUT = 10.0
START_TIMEOUT = 600.0


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class Server:
    """`python -m trellis serve` from `src`, on a free port; its output read by threads."""

    def __init__(self, src: Path, vault: Path, temp: Path) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": str(src),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "TMPDIR": str(temp),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "trellis", "serve", str(vault), "--port", "0"],
            cwd=src,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self.builds = 0
        self._cond = threading.Condition()
        self._threads = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self.out), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, self.err), daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        self.host, self.port = self._address()

    def _read(self, stream: Any, lines: list[str]) -> None:
        for line in stream:
            with self._cond:
                lines.append(line)
                if re.search(r"\] build #\d+", line) and " failed " not in line:
                    self.builds += 1
                self._cond.notify_all()

    def _address(self) -> tuple[str, int]:
        pattern = re.compile(r"at http://([\d.]+):(\d+)/")
        with self._cond:
            found = self._cond.wait_for(
                lambda: any(pattern.search(line) for line in self.out) or self.proc.poll(), 60
            )
            match = next((m for line in self.out if (m := pattern.search(line))), None)
        if not found or match is None:
            raise RuntimeError(f"the preview did not start: {self.out} {self.err}")
        return match[1], int(match[2])

    def wait_builds(self, count: int, timeout: float = START_TIMEOUT) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self.builds >= count, timeout):
                raise RuntimeError(f"no build #{count}: {self.out[-5:]} {self.err[-5:]}")

    def wait_quiet(self, window: float = 3.0, share: float = 0.05) -> None:
        """Wait until the preview (with its children, e.g. the search indexer) is idle.

        The window is longer than the second the preview waits before indexing again.
        """
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            before = _tree_cpu_seconds(self.proc.pid)
            time.sleep(window)
            if _tree_cpu_seconds(self.proc.pid) - before < share * window:
                return

    @property
    def tracebacks(self) -> int:
        with self._cond:
            return sum("Traceback" in line for line in self.err)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for thread in self._threads:
            thread.join(10)


def _tree_cpu_seconds(root: int) -> float:
    """CPU seconds used so far by process `root` and every living descendant."""
    children: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
            times[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        total += times.get(pid, 0.0)
    return total


async def fetch(host: str, port: int, path: str) -> tuple[int, bytes]:
    """One GET on its own connection, read to the end: (status, body)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode()
        )
        data = await reader.read()
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, body


async def page_paths(host: str, port: int, limit: int = 300) -> list[str]:
    """Up to `limit` page paths of the site, found by following its links from the home page."""
    found, queue = {"/"}, ["/"]
    while queue and len(found) < limit:
        status, body = await asyncio.wait_for(fetch(host, port, queue.pop(0)), REQUEST_TIMEOUT)
        if status != 200:
            continue
        for href in re.findall(rb'href="(/[^"#?]*/)"', body):
            path = href.decode()
            if path not in found and len(found) < limit:
                found.add(path)
                queue.append(path)
    return sorted(found)


class Editor:
    """Saves a published note every `interval` seconds (a paragraph appended to its body)."""

    def __init__(self, notes: list[Path], interval: float, seed: int) -> None:
        self.notes = notes
        self.interval = interval
        self.random = random.Random(seed)
        self.saves = 0

    def save(self) -> None:
        note = self.random.choice(self.notes)
        with note.open("a", encoding="utf-8") as file:
            file.write(f"\n\nA paragraph saved under load, number {self.saves}.\n")
        self.saves += 1

    async def run(self, until: float) -> None:
        while time.monotonic() < until:
            self.save()
            await asyncio.sleep(self.interval)


async def load(
    server: Server, editor: Editor, clients: int, seconds: float, seed: int
) -> dict[str, Any]:
    paths = await page_paths(server.host, server.port)
    latencies: list[float] = []
    waits: list[float] = []  # answered and timed out
    failures = timeouts = 0
    builds_before = server.builds
    started = time.monotonic()
    until = started + seconds

    async def client(number: int) -> None:
        nonlocal failures, timeouts
        pick = random.Random(seed * 1000 + number)
        while time.monotonic() < until:
            begun = time.monotonic()
            try:
                status, _ = await asyncio.wait_for(
                    fetch(server.host, server.port, pick.choice(paths)), REQUEST_TIMEOUT
                )
            except TimeoutError:
                timeouts += 1
                waits.append(REQUEST_TIMEOUT)
                continue
            except OSError:
                failures += 1
                await asyncio.sleep(0.05)
                continue
            if status == 200:
                latencies.append(time.monotonic() - begun)
                waits.append(latencies[-1])
            else:
                failures += 1

    await asyncio.gather(editor.run(until), *(client(n) for n in range(clients)))
    elapsed = time.monotonic() - started
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests_ok": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(waits, 0.50) * 1000, 1),
        "p95_ms": round(percentile(waits, 0.95) * 1000, 1),
        "p99_ms": round(percentile(waits, 0.99) * 1000, 1),
        "max_ms": round(max(waits, default=0) * 1000, 1),
        "failures": failures,
        "timeouts": timeouts,
        "saves": editor.saves,
        "rebuilds": server.builds - builds_before,
    }


class Stream:
    """One open tab's live-reload stream: the versions it was told about, and when."""

    def __init__(self) -> None:
        self.got_bytes = False
        self.versions: list[tuple[float, int]] = []
        self.task: asyncio.Task[None] | None = None

    async def follow(self, host: str, port: int) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError, ValueError):
            reader, writer = await asyncio.open_connection(host, port)
            try:
                writer.write(f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
                while line := await reader.readline():
                    self.got_bytes = True
                    if line.startswith(b"data:"):
                        state = json.loads(line[5:])
                        self.versions.append((time.monotonic(), state["version"]))
            finally:
                writer.close()


async def live_reload(server: Server, editor: Editor, streams: int, wait: float) -> dict[str, Any]:
    tabs = [Stream() for _ in range(streams)]
    for tab in tabs:
        tab.task = asyncio.create_task(tab.follow(server.host, server.port))
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and not all(tab.versions for tab in tabs):
        await asyncio.sleep(0.05)
    connected = [tab for tab in tabs if tab.versions]
    latest = max((v for tab in connected for _, v in tab.versions), default=0)
    builds = server.builds
    saved = time.monotonic()
    editor.save()
    deadline = saved + wait
    while time.monotonic() < deadline and not all(
        any(v > latest for _, v in tab.versions) for tab in tabs
    ):
        await asyncio.sleep(0.05)
    delays = [
        next(at for at, v in tab.versions if v > latest) - saved
        for tab in tabs
        if any(v > latest for _, v in tab.versions)
    ]
    rebuilt = server.builds > builds
    for tab in tabs:
        assert tab.task is not None
        tab.task.cancel()
    await asyncio.gather(*(tab.task for tab in tabs if tab.task), return_exceptions=True)
    return {
        "streams": streams,
        "got_a_byte": sum(tab.got_bytes for tab in tabs),
        "got_first_state": len(connected),
        "got_the_reload": len(delays),
        "rebuilt": rebuilt,
        "reload_p50_ms": round(percentile(delays, 0.50) * 1000, 1),
        "reload_p95_ms": round(percentile(delays, 0.95) * 1000, 1),
    }


def published_notes(vault: Path) -> list[Path]:
    private = set(Manifest.read(vault).private_paths)
    return sorted(
        path
        for path in vault.rglob("*.md")
        if path.relative_to(vault).as_posix() not in private
        and not any(part.startswith(".") for part in path.relative_to(vault).parts)
    )


def measure(src: Path, source_vault: Path, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="trellis-load-") as temp:
        vault = Path(temp) / "vault"
        shutil.copytree(source_vault, vault)
        work = Path(temp) / "tmp"
        work.mkdir()
        load_before = os.getloadavg()[0]
        server = Server(src, vault, work)
        try:
            server.wait_builds(1)
            editor = Editor(published_notes(vault), args.edit_interval, args.seed)
            figures = asyncio.run(load(server, editor, args.clients, args.seconds, args.seed))
            server.wait_quiet()  # the last save's rebuild, and the search index after it
            streams = asyncio.run(live_reload(server, editor, args.streams, args.stream_wait))
        finally:
            server.stop()
        return {
            "load": figures,
            "live_reload": streams,
            "tracebacks_on_terminal": server.tracebacks,
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        }


def extract(rev: str, into: Path) -> Path:
    """The tree of git revision `rev` of this repository, written under `into`."""
    tree = into / f"trellis-{rev}"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", rev],
        check=True,
        capture_output=True,
    ).stdout
    archive_path = into / "tree.tar"
    archive_path.write_bytes(archive)
    with tarfile.open(archive_path) as tar:
        tar.extractall(tree, filter="data")
    return tree


def _line(name: str, result: dict[str, Any]) -> str:
    load, live = result["load"], result["live_reload"]
    return (
        f"{name}: {load['clients']} clients, {load['requests_per_s']:.0f} requests/s, "
        f"p50 {load['p50_ms']:.0f} ms, p95 {load['p95_ms']:.0f} ms, p99 {load['p99_ms']:.0f} ms, "
        f"max {load['max_ms']:.0f} ms, "
        f"{load['failures']} failures, {load['timeouts']} timeouts "
        f"({load['saves']} saves, {load['rebuilds']} rebuilds); live reload: "
        f"{live['got_a_byte']}/{live['streams']} got a byte, "
        f"{live['got_first_state']} their first state, {live['got_the_reload']} the reload "
        f"(p50 {live['reload_p50_ms']:.0f} ms, p95 {live['reload_p95_ms']:.0f} ms); "
        f"{result['tracebacks_on_terminal']} tracebacks; load average "
        f"{result['load_average'][0]} -> {result['load_average'][1]}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--edit-interval", type=float, default=0.5)
    parser.add_argument("--streams", type=int, default=300)
    parser.add_argument("--stream-wait", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reference", metavar="REV", help="also measure this git revision")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "trellis-bench")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    print(json.dumps(machine(), ensure_ascii=False))
    args.cache.mkdir(parents=True, exist_ok=True)
    vault, _, _ = cached_vault(args.cache, args.notes, args.seed)
    results: dict[str, Any] = {"machine": machine(), "notes": args.notes, "runs": {}}
    with tempfile.TemporaryDirectory(prefix="trellis-load-src-") as temp:
        trees = [(args.reference, extract(args.reference, Path(temp)))] if args.reference else []
        trees.append(("working tree", ROOT))
        for name, src in trees:
            result = measure(src, vault, args)
            results["runs"][name] = result
            print(_line(name, result), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
