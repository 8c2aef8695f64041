"""`python -m trellis serve` run as a user runs it, and raw HTTP requests to it, for the attacks.

The security tests of the preview talk to the real command (its terminal output is what
they check) over plain sockets, so that a request is sent byte for byte as an attacker
would send it and a connection closed without an answer shows as such.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WAIT = 60.0  # seconds to wait for something to happen (never an assertion on speed)


@dataclass
class Reply:
    """An HTTP answer as read off the socket (status 0: closed without one)."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def send_raw(host: str, port: int, request: bytes, limit: float = WAIT) -> Reply:
    """Send `request` as is and read the answer until the preview closes the connection.

    An answer that never ends (an event stream given to a client it should have refused)
    is read for `limit` seconds.
    """
    deadline = time.monotonic() + limit
    with socket.create_connection((host, port), timeout=WAIT) as sock:
        sock.sendall(request)
        data = b""
        try:
            while (left := deadline - time.monotonic()) > 0:
                sock.settimeout(left)
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/"):
        return Reply(0, {}, data)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Reply(int(lines[0].split()[1]), headers, body)


def cli(*args: str, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess[bytes]:
    """`python -m trellis ARGS` with its output kept as bytes (escape bytes must show)."""
    return subprocess.run(
        [sys.executable, "-m", "trellis", *args],
        cwd=cwd,
        capture_output=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


class ServeProcess:
    """`trellis serve VAULT --port 0 ARGS` in a child process; its stdout and stderr kept."""

    def __init__(self, vault: Path, temp: Path, *args: str) -> None:
        temp.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "TMPDIR": str(temp),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "trellis", "serve", str(vault), "--port", "0", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.out = bytearray()
        self.err = bytearray()
        self._cond = threading.Condition()
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self.out), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, self.err), daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        match = self.wait_out(rb"at http://(\[[^\]]+\]|[^:/ ]+):(\d+)/")
        self.host = match[1].decode().strip("[]")
        self.port = int(match[2])

    def _read(self, stream: object, into: bytearray) -> None:
        for line in stream:  # type: ignore[attr-defined]
            with self._cond:
                into.extend(line)
                self._cond.notify_all()

    def wait_out(self, pattern: bytes, after: int = 0) -> re.Match[bytes]:
        """The first match of `pattern` in stdout from byte `after` on (waits for it)."""
        regex = re.compile(pattern)
        with self._cond:
            self._cond.wait_for(
                lambda: regex.search(self.out, after) or self.proc.poll() is not None, WAIT
            )
            match = regex.search(self.out, after)
        assert match, (
            f"no {pattern!r} on stdout:\n{self.out.decode(errors='replace')}\n{self.errors}"
        )
        return match

    def wait_build(self, number: int) -> bytes:
        """The stdout line of good build `number`, once printed (then served)."""
        return self.wait_out(rb"\] build #%d[^\n]*: \d+ pages[^\n]*\n" % number)[0]

    def save(self, path: Path, text: str) -> bytes:
        """Save `text` as an editor does (a hidden temporary file renamed over `path`, so the
        watcher never sees it half written); return the line of the build that follows."""
        mark = len(self.out)
        temporary = path.with_name(f".{path.name}.saving")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
        return self.wait_out(rb"\] build #\d+[^\n]*: \d+ pages[^\n]*\n", after=mark)[0]

    def request(
        self, path: str, host: str | None = None, extra: str = "", limit: float = WAIT
    ) -> Reply:
        """GET `path` with `Host: host` (default: the address served) and `extra` header lines."""
        host_line = f"Host: {host}\r\n" if host is not None else f"Host: {self.authority}\r\n"
        raw = f"GET {path} HTTP/1.1\r\n{host_line}{extra}Connection: close\r\n\r\n"
        return send_raw(self.host, self.port, raw.encode("latin-1"), limit)

    @property
    def authority(self) -> str:
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return f"{shown}:{self.port}"

    @property
    def errors(self) -> str:
        with self._cond:
            return self.err.decode(errors="replace")

    def quiet_stderr_since(self, mark: int, settle: float = 0.5) -> bytes:
        """What stderr got after byte `mark`, once it has been still for `settle` seconds."""
        time.sleep(settle)
        with self._cond:
            return bytes(self.err[mark:])

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(WAIT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for reader in self._readers:
            reader.join(WAIT)
        return self.proc.returncode
