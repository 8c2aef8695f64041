"""Pagefind's service mode (`pagefind --service`): one index fed in steps, written when asked.

Why beside the command line (`pagefind_cli`): a run of the command line reads its pages and
writes its bundle in one go, so it can start only once every page is final. The service
keeps an index open between requests: the pages a build will not change can be given to it
early, the few it changed later (`trellis.emit.search_early`). Its `AddDir` is the command
line's own walk and parse (same order, same bytes: `tests/test_search_early.py`), and
`AddFile` for a URL already in the index replaces that page where it stands.

The protocol (what the `pagefind` Python package speaks): each message, both ways, is the
base64 of a JSON object followed by a comma; replies come in the order of the requests and
carry their `message_id`. That package's client is asynchronous and polls for replies every
0.1 s; this one is a few blocking calls, polled as `pagefind_cli.run_pagefind` polls.
"""

from __future__ import annotations

import base64
import json
import os
import select
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trellis.emit.pagefind_cli import EXCLUDED, ROOT_SELECTOR, STOP_POLL_SECONDS, STOPPED

# The command line's options that decide what is indexed, as the service takes them.
CONFIG = {"root_selector": ROOT_SELECTOR, "exclude_selectors": list(EXCLUDED)}


class ServiceError(Exception):
    """The service failed, stopped (`STOPPED`) or answered something unexpected."""


class PagefindService:
    """One `pagefind --service` process holding one index, started in `cwd` (an empty
    folder of the build's, as for the command line) with its error output in `log`."""

    def __init__(self, binary: Path, cwd: Path, log: Path) -> None:
        with log.open("wb") as errors:  # the child keeps its own descriptor
            self._process = subprocess.Popen(
                [str(binary), "--service"],
                cwd=cwd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
            )
        self._log = log
        self._next = 0
        self._buffer = bytearray()
        # Its first index is number 0, which every later request names (checked by `reply`).
        self.send({"type": "NewIndex", "config": CONFIG})

    def send(self, payload: dict[str, Any]) -> int:
        """Send one request; its message id (its reply is read by `reply`)."""
        self._next += 1
        message = {"message_id": self._next, "payload": payload}
        stdin = self._process.stdin
        assert stdin is not None
        try:
            stdin.write(base64.b64encode(json.dumps(message).encode("utf-8")) + b",")
            stdin.flush()
        except OSError as error:
            raise ServiceError(self._said(f"cannot write to it: {error}")) from None
        return self._next

    def add_dir(self, site_dir: Path, glob: str) -> int:
        """Walk `site_dir` for the pages `glob` names, as the command line does."""
        return self.send({"type": "AddDir", "index_id": 0, "path": str(site_dir), "glob": glob})

    def add_file(self, url: str, html: str) -> int:
        """Index the page `html` at `url` (replacing the page indexed there, if any)."""
        page = {"file_path": None, "url": url, "file_contents": html}
        return self.send({"type": "AddFile", "index_id": 0, **page})

    def files(self, stop: Callable[[], bool], deadline: float) -> list[tuple[str, bytes]]:
        """Build the index; its bundle's files (path inside the bundle, bytes).

        Not `WriteFiles`: the service answers that before its last writes reach the files
        (its writes are asynchronous and never flushed; the command line's end at its
        exit), and it exits without waiting for them when its input closes."""
        sent = self.send({"type": "GetFiles", "index_id": 0})
        listed = self.reply(sent, stop, deadline).get("files")
        if not isinstance(listed, list):
            raise ServiceError("Pagefind's service listed no files")
        try:
            return [(str(file["path"]), base64.b64decode(file["content"])) for file in listed]
        except (KeyError, TypeError, ValueError) as error:
            raise ServiceError(f"Pagefind's service sent an unreadable file ({error})") from None

    def reply(self, message_id: int, stop: Callable[[], bool], deadline: float) -> dict[str, Any]:
        """The payload answering request `message_id` (earlier replies are skipped)."""
        while True:
            payload = self._next_reply(stop, deadline)
            if payload.get("type") == "Error":
                raise ServiceError(self._said(str(payload.get("message", "an error"))))
            if payload.get("type") == "NewIndex" and payload.get("index_id") != 0:
                raise ServiceError("Pagefind's service made an index other than its first")
            if payload.get("_id") == message_id:
                return payload

    def close(self) -> None:
        """End the service (killed if it does not end at once) and wait for it."""
        process = self._process
        if process.poll() is None:
            process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()

    def _next_reply(self, stop: Callable[[], bool], deadline: float) -> dict[str, Any]:
        stdout = self._process.stdout
        assert stdout is not None
        searched = 0  # (the buffer before it holds no comma)
        while (end := self._buffer.find(b",", searched)) < 0:
            searched = len(self._buffer)
            if stop():
                raise ServiceError(STOPPED)
            if time.monotonic() > deadline:
                raise ServiceError("Pagefind's service did not answer in time")
            ready, _, _ = select.select([stdout], [], [], STOP_POLL_SECONDS)
            if ready:
                chunk = os.read(stdout.fileno(), 1 << 16)
                if not chunk:
                    raise ServiceError(self._said("it ended"))
                self._buffer += chunk
        message = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        try:
            decoded = json.loads(base64.b64decode(message))
            payload = dict(decoded["payload"])
        except (ValueError, TypeError, KeyError) as error:
            raise ServiceError(
                f"Pagefind's service answered something unreadable ({error})"
            ) from None
        payload["_id"] = decoded.get("message_id")
        return payload

    def _said(self, what: str) -> str:
        """`what`, with the first line of the service's error output, if any."""
        try:
            lines = self._log.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            lines = []
        said = next((line.strip() for line in lines if line.strip()), "")
        return f"Pagefind's service failed: {what}" + (f" ({said})" if said else "")
