"""The preview's HTTP server: the built site, pretty URLs, ranges, and the live-reload stream.

Stdlib `http.server.ThreadingHTTPServer`: a preview serves one person's browser on
localhost, needs no dependency, and one thread per connection lets long-lived
Server-Sent Events streams sit beside ordinary requests (MkDocs' livereload does the same).

Every request path is decoded once and checked: encoded slashes and backslashes, `..`
segments, NUL bytes and undecodable bytes are refused with 400, and the file finally opened
must lie inside the site folder. Dot files (such as the writer's marker) are not served.
HTML responses get the live-reload script; files on disk never do.
"""

from __future__ import annotations

import contextlib
import errno
import json
import mimetypes
import os
import re
import socket
import sys
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, unquote, urlsplit

from trellis.diagnostics import FatalError
from trellis.serve.livereload import EVENTS_PATH, inject, state_message
from trellis.serve.state import Served, SiteState, Snapshot

# Types the platform's mimetypes table may lack or get wrong; text types carry a charset.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".pdf": "application/pdf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",
}
KEEPALIVE_SECONDS = 15.0
PORT_TRIES = 20
_CHUNK = 64 * 1024
_RANGE = re.compile(r"bytes=(\d*)-(\d*)", re.ASCII)


class BadPath(ValueError):
    """A request path that could only be an attempt to leave the site folder."""


def content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


def request_parts(raw_path: str) -> list[str]:
    """The decoded, non-empty segments of a URL path; raises `BadPath` for escape attempts."""
    if "\\" in raw_path or re.search(r"%(2f|5c|00)", raw_path, re.IGNORECASE):
        raise BadPath(raw_path)
    try:
        decoded = unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        raise BadPath(raw_path) from None
    parts = [part for part in decoded.split("/") if part]
    if "\x00" in decoded or any(part in (".", "..") for part in parts):
        raise BadPath(raw_path)
    return parts


def parse_range(header: str | None, size: int) -> tuple[int, int] | bool | None:
    """(first, last) byte of a single `Range`; None to send everything; False if unsatisfiable.

    Several ranges or a malformed header are answered with the whole file, as RFC 9110 allows.
    """
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if not match or not (match[1] or match[2]):
        return None
    if not match[1]:
        suffix = int(match[2])
        if suffix == 0 or size == 0:
            return False
        return max(0, size - suffix), size - 1
    first = int(match[1])
    if match[2] and int(match[2]) < first:
        return None
    if first >= size:
        return False
    last = int(match[2]) if match[2] else size - 1
    return first, min(last, size - 1)


class PreviewServer(ThreadingHTTPServer):
    """Serves `state`'s current site, one daemon thread per connection.

    Connections and their threads are tracked so that `server_close` can end them all and
    wait for them: browsers keep idle sockets open (pre-connects, event streams), and their
    threads would otherwise outlive the preview or hold a stop until the socket timeout.
    """

    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: SiteState) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.state = state
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
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # a tab closed or a media element stopped reading: nothing to report
        super().handle_error(request, client_address)  # type: ignore[arg-type]


def bind_server(host: str, port: int, state: SiteState) -> PreviewServer:
    """A server on `port`, or on the next free one when it is busy (port 0: any free port)."""
    tries = 1 if port == 0 else PORT_TRIES
    for candidate in range(port, min(port + tries, 65536)):
        try:
            return PreviewServer((host, candidate), state)
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise FatalError(f"cannot serve on {host}:{candidate}: {error.strerror}") from None
    raise FatalError(f"ports {port} to {port + tries - 1} are all busy; choose another with --port")


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
        target = urlsplit(self.path)
        if target.path == EVENTS_PATH:
            self._events(send_body)
            return
        try:
            parts = request_parts(target.path)
        except BadPath:
            self._send(_Reply(HTTPStatus.BAD_REQUEST, _TEXT, b"Bad request path.\n"), send_body)
            return
        # Pick and open under the lock; send after it, so a slow client never holds a build.
        with self.server.state.serving() as served:
            reply = _prepare(served, parts, target.path.endswith("/"), target.query)
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


def _prepare(served: Served, parts: list[str], slash: bool, query: str) -> _Reply:
    """The reply for a request's path segments against the site being served."""
    if served.root is None:
        return _not_built(served.snapshot)
    base = [p for p in served.base_path.split("/") if p]
    if parts[: len(base)] != base:
        if not parts:
            return _Reply(HTTPStatus.FOUND, location=served.base_path)
        return _not_found(served.root, served.snapshot)
    found = _locate(served.root, parts[len(base) :], slash or not parts)
    if isinstance(found, str):
        location = quote(served.base_path + found, safe="/") + (f"?{query}" if query else "")
        # 302, not 301: browsers keep a 301 forever, and the preview's site keeps changing.
        return _Reply(HTTPStatus.FOUND, location=location)
    if found is None:
        return _not_found(served.root, served.snapshot)
    kind = content_type(found.name)
    if kind.startswith("text/html"):
        return _Reply(HTTPStatus.OK, kind, inject(found.read_bytes(), served.snapshot))
    return _Reply(HTTPStatus.OK, kind, stream=found.open("rb"))


def _not_found(root: Path, snapshot: Snapshot) -> _Reply:
    page = root / "404.html"
    html = page.read_bytes() if page.is_file() else b"<!doctype html><h1>Not found</h1>"
    return _Reply(HTTPStatus.NOT_FOUND, _HTML, inject(html, snapshot))


def _not_built(snapshot: Snapshot) -> _Reply:
    """No good build yet: a page that waits for one (and shows the error, if any)."""
    text = "The first build failed." if snapshot.error else "Building the site…"
    html = (
        '<!doctype html><html><head><meta charset="utf-8"><title>Trellis preview</title>'
        f"</head><body><p>{text}</p></body></html>"
    ).encode()
    return _Reply(HTTPStatus.SERVICE_UNAVAILABLE, _HTML, inject(html, snapshot))


def _locate(root: Path, parts: list[str], folder: bool) -> Path | str | None:
    """The file for a site path, a site-relative path to redirect to, or None (not found)."""
    if any(part.startswith(".") for part in parts):
        return None
    candidate = root.joinpath(*parts)
    if not candidate.resolve().is_relative_to(root.resolve()):
        return None
    if folder:
        index = candidate / "index.html"
        return index if index.is_file() else None
    if candidate.is_file():
        return candidate
    if (candidate / "index.html").is_file():
        return "/".join(parts) + "/"
    return None
