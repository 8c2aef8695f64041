"""Save-to-served latency of `trellis serve`: how long after saving a note its new page is served.

    python benchmarks/serve_latency.py [NOTES] [EDITS] [--incremental]
                                         (defaults: 200 notes, 20 edits, full rebuilds)

Generates a vault of NOTES linked notes in a temporary folder, starts the real preview
in-process on a free port, then EDITS times: saves one note with a new token, waits for the
live-reload event as an open tab would, and fetches the page over HTTP until it holds the
token. Prints the median and p95 of those latencies, the rebuild times the preview measured
itself, and the machine. Each edit waits for the preview to be idle first, so every figure
is one whole watch -> debounce -> rebuild -> swap -> event -> fetch. (Polling the page in a
tight loop instead would steal the builder's CPU and inflate the figures.)
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import math
import os
import platform
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trellis.serve import Preview
from trellis.serve.livereload import EVENTS_PATH
from trellis.serve.report import TerminalReport

TIMEOUT_SECONDS = 600.0


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


def note_text(number: int, count: int, extra: str = "") -> str:
    links = " ".join(f"[[Note {(number * 7 + k) % count}]]" for k in range(1, 4))
    paragraphs = "\n\n".join(
        f"Paragraph {p} of note {number}: some *emphasis*, `code` and a link to {links}."
        for p in range(5)
    )
    return (
        f"---\ndg-publish: true\ntags: [bench, group{number % 10}]\n---\n"
        f"# Note {number}\n\n{paragraphs}\n\n- a list item\n- another one\n\n{extra}\n"
    )


def generate(vault: Path, count: int) -> None:
    vault.mkdir(parents=True)
    for number in range(count):
        folder = vault / f"Folder {number % 10}"
        folder.mkdir(exist_ok=True)
        (folder / f"Note {number}.md").write_text(note_text(number, count), encoding="utf-8")


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


def main() -> int:
    incremental = "--incremental" in sys.argv
    numbers = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    count = int(numbers[0]) if numbers else 200
    edits = int(numbers[1]) if len(numbers) > 1 else 20
    print(
        f"machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs ({platform.machine()})"
    )
    with tempfile.TemporaryDirectory(prefix="trellis-bench-") as temp:
        vault = Path(temp) / "vault"
        generate(vault, count)
        log = io.StringIO()
        started = time.perf_counter()
        preview = Preview(vault, port=0, report=TerminalReport(log, log), incremental=incremental)
        preview.start()
        try:
            if not preview.wait_idle(TIMEOUT_SECONDS) or preview.failures:
                print(log.getvalue())
                return 1
            first = time.perf_counter() - started
            host, port = preview.url.removeprefix("http://").rstrip("/").rsplit(":", 1)
            versions = Versions(host, int(port))
            latencies: list[float] = []
            rebuilds: list[float] = []
            for edit in range(edits):
                number = (edit * 37) % count
                path = vault / f"Folder {number % 10}" / f"Note {number}.md"
                url = f"/folder-{number % 10}/note-{number}/"
                token = f"EDIT-{edit}-TOKEN"
                assert preview.wait_idle(TIMEOUT_SECONDS)
                time.sleep(0.2)  # let stray events of the last round pass
                builds = preview.builds
                seen = versions.wait_beyond(-1)
                saved = time.perf_counter()
                path.write_text(note_text(number, count, token), encoding="utf-8")
                while True:
                    seen = versions.wait_beyond(seen)
                    if token in fetch(host, int(port), url):
                        break
                    if time.perf_counter() - saved > TIMEOUT_SECONDS:
                        print(f"timed out waiting for {url}\n{log.getvalue()}")
                        return 1
                latencies.append(time.perf_counter() - saved)
                assert preview.wait_idle(TIMEOUT_SECONDS)
                if preview.builds == builds + 1 and preview.last_outcome is not None:
                    rebuilds.append(preview.last_outcome.seconds)
            versions.close()
        except RuntimeError as error:
            print(f"{error}\n{log.getvalue()}")
            return 1
        finally:
            preview.stop()

    kind = "incremental" if incremental else "full"
    print(f"vault: {count} notes, {kind} rebuilds; first build served after {first:.2f} s")
    print(
        f"save -> new page served, {len(latencies)} edits: "
        f"median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
        f"min {min(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    if rebuilds:
        print(
            f"rebuild alone ({kind}): median {statistics.median(rebuilds) * 1000:.0f} ms, "
            f"p95 {percentile(rebuilds, 0.95) * 1000:.0f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
