"""Fixtures for the preview: a real server on a free port over a vault written by the test."""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers import published, write_vault

from trellis.serve import Preview
from trellis.serve.livereload import EVENTS_PATH
from trellis.serve.report import TerminalReport

WAIT = 30.0  # seconds to wait for something to happen (never an assertion on speed)

CLIP = bytes(range(256)) * 16

BASIC_VAULT: dict[str, str | bytes] = {
    "Alpha.md": published("Alpha text links [[Beta]] and plays ![[clip.mp3]]."),
    "Beta.md": published("Beta text.", title="Beta Title"),
    "Gamma.md": published("Gamma text links [[Beta]]."),
    "জীবন.md": published("Bangla note."),
    "Private.md": "---\ndg-publish: false\n---\nPRIVATE-SECRET text.\n",
    "clip.mp3": CLIP,
}


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Live:
    """A started preview plus the means to talk to it the way a browser and an editor would."""

    def __init__(self, preview: Preview, vault: Path, out: io.StringIO, err: io.StringIO) -> None:
        self.preview = preview
        self.vault = vault
        self.out = out
        self.err = err
        host, port = preview.url.removeprefix("http://").rstrip("/").rsplit(":", 1)
        self.host = host
        self.port = int(port)

    def request(
        self, path: str, method: str = "GET", headers: dict[str, str] | None = None
    ) -> Response:
        """One raw request: `path` is sent exactly as given, redirects are not followed."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=WAIT)
        try:
            conn.request(method, path, headers=headers or {})
            reply = conn.getresponse()
            body = reply.read()
            return Response(reply.status, {k.lower(): v for k, v in reply.getheaders()}, body)
        finally:
            conn.close()

    def get(self, path: str, **headers: str) -> Response:
        return self.request(path, headers=headers)

    def write(self, rel: str, text: str | bytes) -> None:
        write_vault(self.vault, {rel: text})

    def wait_for(self, check: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.02)
        raise AssertionError(
            f"timed out waiting for {what}\n{self.out.getvalue()}\n{self.err.getvalue()}"
        )

    def wait_page(self, path: str, text: str, present: bool = True, status: int = 200) -> Response:
        found: list[Response] = []

        def check() -> bool:
            reply = self.get(path)
            found[:] = [reply]
            return reply.status == status and (text in reply.text) == present

        self.wait_for(check, f"{path} {'with' if present else 'without'} {text!r} ({status})")
        return found[0]

    def wait_builds(self, count: int) -> None:
        self.wait_for(lambda: self.preview.builds >= count, f"{count} builds")
        assert self.preview.wait_idle(WAIT)

    def settle(self) -> None:
        """Let the watcher deliver late events, then wait until no rebuild is due or running."""
        time.sleep(0.4)
        assert self.preview.wait_idle(WAIT)


class EventStream:
    """A reader of the live-reload stream, as an EventSource in a tab would hold it."""

    def __init__(self, live: Live) -> None:
        # A plain socket, so that `close` can wake the reading thread with a shutdown.
        self.sock = socket.create_connection((live.host, live.port), timeout=WAIT)
        self.sock.sendall(f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: {live.host}\r\n\r\n".encode())
        self.file = self.sock.makefile("rb")
        status = self.file.readline().decode()
        assert status.split()[1] == "200", status
        headers = []
        while (line := self.file.readline().decode().strip()) != "":
            headers.append(line.lower())
        assert "content-type: text/event-stream; charset=utf-8" in headers, headers
        self.states: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        event, data = "", ""
        try:
            for raw in self.file:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data += line[5:].strip()
                elif not line and data:
                    if event == "state":
                        with self._cond:
                            self.states.append(json.loads(data))
                            self._cond.notify_all()
                    event, data = "", ""
        except (OSError, ValueError):
            pass

    def wait(self, check: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        with self._cond:
            found = self._cond.wait_for(lambda: any(check(s) for s in self.states), WAIT)
            assert found, f"no event with {what}; got {self.states}"
            return next(s for s in self.states if check(s))

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the reading thread
        self._thread.join(WAIT)
        self.file.close()
        self.sock.close()


@pytest.fixture
def garden(tmp_path: Path) -> Iterator[Callable[..., Live]]:
    """Start a preview over a vault of `files` on a free port; stop it after the test."""
    started: list[Preview] = []

    def start(files: dict[str, str | bytes] | None = None, **options: Any) -> Live:
        vault = write_vault(tmp_path / "vault", BASIC_VAULT if files is None else files)
        out, err = io.StringIO(), io.StringIO()
        options.setdefault("port", 0)
        # The theme folders are shared with everyone editing this tree: only tests about
        # watching the theme watch one (their own).
        options.setdefault("theme_templates", None)
        options.setdefault("theme_static", None)
        preview = Preview(vault, report=TerminalReport(out, err), **options)
        started.append(preview)
        preview.start()
        live = Live(preview, vault, out, err)
        live.wait_builds(1)
        return live

    yield start
    for preview in started:
        preview.stop()
        assert preview.workdir is None or not preview.workdir.exists()
    lingering = [
        t.name
        for t in threading.enumerate()
        if t.name.startswith("trellis-serve")
        or type(t).__module__.startswith("watchdog")
        or "process_request" in t.name
    ]
    assert not lingering, f"threads left running: {lingering}"


@pytest.fixture
def events() -> Iterator[Callable[[Live], EventStream]]:
    streams: list[EventStream] = []

    def open_stream(live: Live) -> EventStream:
        stream = EventStream(live)
        streams.append(stream)
        return stream

    yield open_stream
    for stream in streams:
        stream.close()
