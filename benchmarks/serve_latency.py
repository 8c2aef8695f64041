"""Save-to-served latency of `trellis serve`: how long after saving a note its new page is served.

    python benchmarks/serve_latency.py                     # 1,000 and 10,000 notes, 20 edits each
    python benchmarks/serve_latency.py --notes 1000 --edits 30 --reference --json out.json
    python benchmarks/serve_latency.py --notes 10000 --cases tags   # frontmatter edits only

For each size it takes the generated vault of `benchmarks/run.py` (same generator, same
cache folder), copies it to a temporary folder, starts the real preview in-process on a
free port (watchdog, debounce, HTTP server, live-reload stream: nothing mocked), waits for
the first build, then EDITS times: appends a paragraph holding a new token to the body of a
published note, waits for the live-reload event as an open tab would, and fetches the page
over HTTP until it holds the token. `--cases tags` adds a tag to the frontmatter instead
(the note keeps its URL, title and aliases), and waits for the page to show it. Each figure
is one whole save -> watch -> debounce -> rebuild -> event -> fetch; "the rest" is that less
the rebuild (the watcher's wait, the event and the fetch). Each edit waits for the preview
to be idle first (polling the page in a tight loop instead would steal the builder's CPU and
inflate the figures). The client holds one live-reload stream and opens one connection per
fetch; it runs in the preview's process, so its threads share the GIL with the preview's.

`--reference` measures, in the same run, the same edits with the fast path switched off
(every save is a full incremental build into a new folder, as before the fast path), on
fewer edits at sizes over 2,000 notes since each takes seconds there.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import http.client
import json
import math
import os
import random
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import cached_vault, machine
from trellis.serve import Preview
from trellis.serve.livereload import EVENTS_PATH
from trellis.serve.report import TerminalReport

TIMEOUT_SECONDS = 900.0


class Versions:
    """Follows the live-reload stream and remembers the latest site version announced."""

    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port), timeout=TIMEOUT_SECONDS)
        self.sock.sendall(f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        self.latest = -1
        self.error: str | None = None
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        with contextlib.suppress(OSError), self.sock.makefile("rb") as lines:
            for raw in lines:
                if raw.startswith(b"data:"):
                    state = json.loads(raw[5:])
                    with self.cond:
                        self.latest = state["version"]
                        self.error = state["error"] and state["error"]["message"]
                        self.cond.notify_all()

    def wait_beyond(self, version: int) -> int:
        """The next version after `version`; raises if a build fails meanwhile."""
        with self.cond:
            self.cond.wait_for(lambda: self.latest > version or self.error, TIMEOUT_SECONDS)
            if self.error:
                raise RuntimeError(f"a build failed: {self.error}")
            return self.latest

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.thread.join()
        self.sock.close()


def fetch(host: str, port: int, path: str) -> str:
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT_SECONDS)
    try:
        conn.request("GET", path)
        return conn.getresponse().read().decode("utf-8", errors="replace")
    finally:
        conn.close()


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def edited_notes(preview: Preview, count: int, seed: int) -> list[tuple[Path, str]]:
    """(file, page path) of `count` published, non-episode notes, chosen with `seed`."""
    builder = preview._builder
    site = builder._site._last.site if builder and builder._site._last else None  # type: ignore[attr-defined]
    assert site is not None, "the first build has a site"
    notes = sorted(
        (n for n in site.notes if n.episode is None and not n.is_home), key=lambda n: n.rel_path
    )
    chosen = random.Random(seed).sample(notes, min(count, len(notes)))
    return [(n.source.abs_path, site.href(n.url)) for n in chosen]


def add_tag(text: str, tag: str) -> str:
    """`text` (a generated note) with `tag` added to its frontmatter tags: JSON or YAML."""
    lines = text.split("\n")
    end = lines.index("---", 1)
    if lines[1].startswith("{"):
        meta = json.loads(lines[1])
        meta["tags"] = [*meta.get("tags", []), tag]
        lines[1] = json.dumps(meta, ensure_ascii=False, separators=(",", ":"))
    elif "tags:" in lines[1:end]:
        lines.insert(lines.index("tags:", 1) + 1, f"  - {json.dumps(tag)}")
    else:
        lines[end:end] = ["tags:", f"  - {json.dumps(tag)}"]
    return "\n".join(lines)


def edited_text(text: str, number: int, case: str) -> tuple[str, str]:
    """The note's new text and the token its page then shows: a paragraph appended to the
    body (`body`), or a tag added to the frontmatter (`tags`: shown among the note's tags)."""
    if case == "tags":
        token = f"benchtag{number}x"
        return add_tag(text, token), token
    token = f"EDIT-{number}-TOKEN"
    return f"{text}\n\nAn edited paragraph: {token}.\n", token


def measure(vault: Path, edits: int, fast: bool, seed: int, case: str = "body") -> dict[str, Any]:
    """Start a preview of `vault`, make `edits` edits of kind `case`, return the figures."""
    log_lines: list[str] = []
    log = _Log(log_lines)
    report = TerminalReport(log, log)  # type: ignore[arg-type]
    started = time.perf_counter()
    preview = Preview(vault, port=0, report=report)
    preview.start()
    latencies: list[float] = []
    rebuilds: list[float] = []
    # Each save's time outside the update: the watcher's wait, the event, the fetch.
    outside: list[float] = []
    fast_builds = 0
    try:
        if not preview.wait_idle(TIMEOUT_SECONDS) or preview.failures:
            raise RuntimeError("the first build failed:\n" + "".join(log_lines))
        first = time.perf_counter() - started
        if not fast:
            site = preview._builder._site  # type: ignore[union-attr]
            site.options = dataclasses.replace(site.options, keep_live=False)
            preview._builder._site._live = None  # type: ignore[union-attr]
        host, port = preview.url.removeprefix("http://").rstrip("/").rsplit(":", 1)
        versions = Versions(host, int(port))
        try:
            for number, (path, page) in enumerate(edited_notes(preview, edits, seed)):
                assert preview.wait_idle(TIMEOUT_SECONDS)
                time.sleep(0.3)  # let stray events of the last round pass
                builds, served = preview.builds, preview.state.current_root
                seen = versions.wait_beyond(-1)
                text, token = edited_text(path.read_text(encoding="utf-8"), number, case)
                saved = time.perf_counter()
                path.write_text(text, encoding="utf-8")
                while True:
                    seen = versions.wait_beyond(seen)
                    if token in fetch(host, int(port), page):
                        break
                    if time.perf_counter() - saved > TIMEOUT_SECONDS:
                        raise RuntimeError(f"timed out waiting for {page}")
                latencies.append(time.perf_counter() - saved)
                assert preview.wait_idle(TIMEOUT_SECONDS)
                outcome = preview.last_outcome
                if preview.builds == builds + 1 and outcome is not None:
                    rebuilds.append(outcome.seconds)
                    outside.append(latencies[-1] - outcome.seconds)
                    fast_builds += preview.state.current_root == served  # updated in place
        finally:
            versions.close()
    finally:
        preview.stop()
    return {
        "case": case,
        "fast_path": fast,
        "first_build_s": round(first, 2),
        "edits": len(latencies),
        "edits_on_fast_path": fast_builds,
        "latency_ms": _summary(latencies),
        "rebuild_ms": _summary(rebuilds),
        "outside_rebuild_ms": _summary(outside),
    }


class _Log:
    """A stream for the preview's terminal report, kept for when something fails."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def write(self, text: str) -> int:
        self.lines.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "median": round(statistics.median(values) * 1000, 1),
        "p95": round(percentile(values, 0.95) * 1000, 1),
        "min": round(min(values) * 1000, 1),
        "max": round(max(values) * 1000, 1),
    }


def _line(size: int, figures: dict[str, Any]) -> str:
    kind = "fast path" if figures["fast_path"] else "reference (full incremental builds)"
    kind = f"{figures.get('case', 'body')} edits, {kind}"
    latency, rebuild = figures["latency_ms"], figures["rebuild_ms"]
    return (
        f"{size:>6} notes, {kind}: save -> served median {latency['median']:.0f} ms, "
        f"p95 {latency['p95']:.0f} ms (min {latency['min']:.0f}, max {latency['max']:.0f}; "
        f"{figures['edits']} edits, {figures['edits_on_fast_path']} on the fast path); "
        f"rebuild alone median {rebuild.get('median', 0):.0f} ms, the rest "
        f"{figures.get('outside_rebuild_ms', {}).get('median', 0):.0f} ms; "
        f"first build {figures['first_build_s']:.1f} s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reference", action="store_true", help="also without the fast path")
    parser.add_argument(
        "--cases",
        nargs="+",
        choices=["body", "tags"],
        default=["body", "tags"],
        help="body: a paragraph appended; tags: a frontmatter tag added (URL and title kept)",
    )
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "trellis-bench")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    print(machine_line := json.dumps(machine(), ensure_ascii=False))
    results: dict[str, Any] = {"machine": json.loads(machine_line), "sizes": {}}
    args.cache.mkdir(parents=True, exist_ok=True)
    for size in args.notes:
        source, _, _ = cached_vault(args.cache, size, args.seed)
        runs = [True, False] if args.reference else [True]
        for case in args.cases:
            for fast in runs:
                edits = args.edits if fast or size <= 2000 else max(3, args.edits // 5)
                with tempfile.TemporaryDirectory(prefix="trellis-serve-bench-") as temp:
                    vault = Path(temp) / "vault"
                    shutil.copytree(source, vault)
                    figures = measure(vault, edits, fast, args.seed, case)
                results["sizes"].setdefault(str(size), []).append(figures)
                print(_line(size, figures), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
