"""The preview's HTTP server: the built site, pretty URLs, ranges, and the live-reload stream.

Stdlib `http.server.ThreadingHTTPServer`: a preview serves one person's browser on
localhost, needs no dependency, and one thread per connection lets long-lived
Server-Sent Events streams sit beside ordinary requests (MkDocs' livereload does the same).
A waiting stream costs a sleeping thread: measured, 300 open streams add about 7 MB and
1,500 about 40 MB, and every one gets its reload. What left clients without a byte was the
listen backlog (5, the stdlib's default): a burst of connections overflowed it and the
kernel dropped them. It is 1,024 here (the kernel caps it at `net.core.somaxconn`).

Only requests whose `Host` names this machine are answered (`hosts.py`: DNS rebinding).
Every request path is checked once (`request.py`: 400 or 414 for what no file can be), and
the file finally opened must lie inside the site folder. Dot files (such as the writer's
marker) are not served. No request, however malformed, prints a traceback: a failure is
one line on the terminal.
HTML responses get the live-reload script; files on disk never do.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import socket
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, urlsplit

from trellis.diagnostics import FatalError, printable
from trellis.serve.hosts import HostCheck
from trellis.serve.livereload import EVENTS_PATH, inject, state_message
from trellis.serve.request import BadPath, content_type, parse_range, request_parts
from trellis.serve.state import Served, SiteState, Snapshot

KEEPALIVE_SECONDS = 15.0
PORT_TRIES = 20
# Pending connections the kernel queues before `accept` (see the module docstring).
LISTEN_BACKLOG = 1024
_CHUNK = 64 * 1024


class PreviewServer(ThreadingHTTPServer):
    """Serves `state`'s current site, one daemon thread per connection.

    Connections and their threads are tracked so that `server_close` can end them all and
    wait for them: browsers keep idle sockets open (pre-connects, event streams), and their
    threads would otherwise outlive the preview or hold a stop until the socket timeout.
    """

    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(
        self,
        address: tuple[str, int],
        state: SiteState,
        hosts: HostCheck | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        """`hosts`: the Host headers answered (default: those of `address`); `warn`: one line."""
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.state = state
        self.hosts = hosts or HostCheck(address[0])
        self.warn = warn or _print_error
        self._open: dict[Any, threading.Thread] = {}
        self._open_lock = threading.Lock()
        super().__init__(address, PreviewHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name="trellis-serve-request",
            daemon=True,
        )
        with self._open_lock:
            self._open[request] = thread
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.pop(request, None)
        super().shutdown_request(request)

    def server_close(self) -> None:
        """Stop listening, end every open connection and wait for its thread."""
        super().server_close()
        with self._open_lock:
            open_now = list(self._open.items())
        for connection, _ in open_now:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for _, thread in open_now:
            thread.join()

    def handle_error(self, request: object, client_address: object) -> None:
        """One line for the terminal, never a traceback: the preview goes on serving."""
        error = sys.exc_info()[1]
        if error is None or isinstance(error, ConnectionError | TimeoutError):
            return  # a tab closed or a media element stopped reading: nothing to report
        frames = traceback.extract_tb(error.__traceback__)
        where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
        self.warn(f"a request failed{where}: {type(error).__name__}: {error}")


def _print_error(line: str) -> None:
    print(printable(f"trellis: {line}"), file=sys.stderr, flush=True)


def bind_server(
    host: str,
    port: int,
    state: SiteState,
    hosts: HostCheck | None = None,
    warn: Callable[[str], None] | None = None,
) -> PreviewServer:
    """A server on `port`, or on the next free one when it is busy (port 0: any free port)."""
    tries = 1 if port == 0 else PORT_TRIES
    for candidate in range(port, min(port + tries, 65536)):
        try:
            return PreviewServer((host, candidate), state, hosts, warn)
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise FatalError(f"cannot serve on {host}:{candidate}: {error.strerror}") from None
    last = min(port + tries, 65536) - 1
    raise FatalError(f"ports {port} to {last} are all busy; choose another with --port")


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "TrellisPreview"
    # One request per connection keeps threads short-lived; only event streams stay open.
    protocol_version = "HTTP/1.0"
    timeout = 60

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal shows builds, not every request

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        hosts = self.headers.get_all("Host") or []
        if len(hosts) > 1 or not self.server.hosts.allows(hosts[0] if hosts else None):
            self._send(_Reply(HTTPStatus.FORBIDDEN, _TEXT, _FOREIGN_HOST), send_body)
            return
        target = urlsplit(self.path)
        if target.path == EVENTS_PATH:
            self._events(send_body)
            return
        try:
            parts = request_parts(target.path)
        except BadPath as bad:
            self._send(_Reply(bad.status, _TEXT, bad.text), send_body)
            return
        # Pick and open under the lock; send after it, so a slow client never holds a build.
        with self.server.state.serving() as served:
            try:
                reply = _prepare(served, parts, target.path.endswith("/"), target.query)
            except OSError:  # a file the filesystem would not give (gone, unreadable)
                reply = _Reply(HTTPStatus.NOT_FOUND, _TEXT, b"Not found.\n")
        if reply.stream is None:
            self._send(reply, send_body)
            return
        with reply.stream:
            self._file(reply.stream, reply.kind, send_body)

    def _send(self, reply: _Reply, send_body: bool) -> None:
        self.send_response(reply.status)
        if reply.location:
            self.send_header("Location", reply.location)
        else:
            self.send_header("Content-Type", reply.kind)
            self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(reply.data)))
        # Always fetch again: the site changes under the preview.
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body and reply.data:
            self.wfile.write(reply.data)

    def _file(self, stream: BinaryIO, kind: str, send_body: bool) -> None:
        size = os.fstat(stream.fileno()).st_size
        wanted = parse_range(self.headers.get("Range"), size)
        if wanted is False:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            return
        first, last = wanted if isinstance(wanted, tuple) else (0, size - 1)
        if isinstance(wanted, tuple):
            self.send_response(HTTPStatus.PARTIAL_CONTENT)
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        else:
            self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(max(0, last - first + 1)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not send_body:
            return
        stream.seek(first)
        remaining = last - first + 1
        while remaining > 0:
            chunk = stream.read(min(_CHUNK, remaining))
            if not chunk:
                break
            self.wfile.write(chunk)
            remaining -= len(chunk)

    def _events(self, send_body: bool) -> None:
        """Server-Sent Events: the state now, then every change, until the client or we go."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        if not send_body:
            return
        state = self.server.state
        seen: Snapshot | None = None
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                snapshot = state.wait_change(seen, KEEPALIVE_SECONDS)
                if snapshot is None:
                    return
                if snapshot == seen:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    data = json.dumps(state_message(snapshot), ensure_ascii=False)
                    self.wfile.write(f"event: state\ndata: {data}\n\n".encode())
                    seen = snapshot
        except (ConnectionError, TimeoutError):
            return


@dataclass
class _Reply:
    """A response decided under the site lock, sent after it: bytes, an open file or a redirect."""

    status: HTTPStatus
    kind: str = ""
    data: bytes = b""
    stream: BinaryIO | None = None
    location: str = ""


_TEXT = "text/plain; charset=utf-8"
_HTML = "text/html; charset=utf-8"
_FOREIGN_HOST = (
    b"This Trellis preview answers only to localhost and this machine's addresses, so that "
    b"other web pages cannot read it (DNS rebinding). To open it under another name, start "
    b"it with --allow-host NAME.\n"
)


def _prepare(served: Served, parts: list[str], slash: bool, query: str) -> _Reply:
    """The reply for a request's path segments against the site being served."""
    if served.root is None:
        return _not_built(served.snapshot)
    base = [p for p in served.base_path.split("/") if p]
    if parts[: len(base)] != base:
        if not parts:
            return _Reply(HTTPStatus.FOUND, location=served.base_path)
        return _not_found(served.root, served.snapshot)
    inner = parts[len(base) :]
    found = _locate(served.root, inner, slash or not parts)
    if isinstance(found, str):
        location = quote(served.base_path + found, safe="/") + (f"?{query}" if query else "")
        # 302, not 301: browsers keep a 301 forever, and the preview's site keeps changing.
        return _Reply(HTTPStatus.FOUND, location=location)
    if found is None:
        problem = served.problems.get("/" + "".join(f"{part}/" for part in inner))
        return _not_found(served.root, served.snapshot, problem)
    kind = content_type(found.name)
    if kind.startswith("text/html"):
        return _Reply(HTTPStatus.OK, kind, inject(found.read_bytes(), served.snapshot))
    return _Reply(HTTPStatus.OK, kind, stream=found.open("rb"))


def _not_found(
    root: Path, snapshot: Snapshot, problem: Mapping[str, object] | None = None
) -> _Reply:
    """The site's 404 page; for a note dropped by an error in its source, with that error."""
    page = root / "404.html"
    html = page.read_bytes() if page.is_file() else b"<!doctype html><h1>Not found</h1>"
    return _Reply(HTTPStatus.NOT_FOUND, _HTML, inject(html, snapshot, problem))


def _not_built(snapshot: Snapshot) -> _Reply:
    """No good build yet: a page that waits for one (and shows the error, if any)."""
    text = "The first build failed." if snapshot.error else "Building the site…"
    html = (
        '<!doctype html><html><head><meta charset="utf-8"><title>Trellis preview</title>'
        f"</head><body><p>{text}</p></body></html>"
    ).encode()
    return _Reply(HTTPStatus.SERVICE_UNAVAILABLE, _HTML, inject(html, snapshot))


@functools.lru_cache(maxsize=16)
def _real_root(root: Path) -> str:
    """The site folder with symlinks resolved (asked on every request; a folder never moves)."""
    return os.path.realpath(root)


def _locate(root: Path, parts: list[str], folder: bool) -> Path | str | None:
    """The file for a site path, a site-relative path to redirect to, or None (not found)."""
    if any(part.startswith(".") for part in parts):
        return None
    try:
        return _find(root, parts, folder)
    except OSError:  # a path the filesystem refuses (too long, through a file): no such page
        return None


def _find(root: Path, parts: list[str], folder: bool) -> Path | str | None:
    candidate = root.joinpath(*parts)
    real, inside = os.path.realpath(candidate), _real_root(root)
    if real != inside and not real.startswith(inside + os.sep):
        return None
    if folder:
        index = candidate / "index.html"
        return index if index.is_file() else None
    if candidate.is_file():
        return candidate
    if (candidate / "index.html").is_file():
        return "/".join(parts) + "/"
    return None
