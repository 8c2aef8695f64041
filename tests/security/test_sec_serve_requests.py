"""Hostile requests to `trellis serve`: paths no file can have, absurd ranges, bad ports.

Each is sent byte for byte to the real command; the answer must be a proper HTTP status
(414, 400, 416), the connection closed cleanly, nothing printed on the terminal, and the
preview still serving afterwards. Before, each of these closed the connection without an
answer and printed a traceback; `--port -1` printed a traceback, `--port 70000` said that
every port was busy.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import published, write_vault
from security.sec_serve_cli import ServeProcess, cli

BODY = "ALPHA-PAGE-TEXT"
ASSET = "/static/trellis.css"


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    root = tmp_path_factory.mktemp("serve-requests")
    vault = write_vault(root / "vault", {"Alpha.md": published(f"{BODY}.")})
    process = ServeProcess(vault, root / "tmp")
    process.wait_build(1)
    yield process
    assert process.stop() == 0, process.errors


def _still_serving(serve: ServeProcess) -> None:
    page = serve.request("/alpha/")
    assert page.status == 200
    assert BODY in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/" + "a/" * 3000,  # 6,000 bytes in short segments: over PATH_MAX (4,096)
        "/" + "a" * 5000,  # one segment of 5,000
        "/" + "%E0%A6%9C" * 1400 + "/",  # 1,400 Bangla letters: 4,200 bytes once decoded
    ],
    ids=["many-segments", "one-long-segment", "encoded-multibyte"],
)
def test_a_path_longer_than_any_file_path_is_414(serve: ServeProcess, path: str) -> None:
    mark = len(serve.err)
    reply = serve.request(path)
    assert reply.status == 414
    assert reply.headers["content-type"] == "text/plain; charset=utf-8"
    assert reply.body == b"Request path too long.\n"
    assert serve.quiet_stderr_since(mark) == b""
    _still_serving(serve)


@pytest.mark.parametrize(
    "path",
    [
        "/" + "a" * 300 + "/",
        "/alpha/" + "b" * 256,
        "/" + "%E0%A6%9C" * 90 + "/",  # 90 letters, 270 bytes: over NAME_MAX (255 bytes)
    ],
    ids=["300-characters", "256-characters-file", "270-bytes-in-90-letters"],
)
def test_a_segment_longer_than_any_file_name_is_400(serve: ServeProcess, path: str) -> None:
    mark = len(serve.err)
    reply = serve.request(path)
    assert reply.status == 400
    assert reply.body == b"Bad request path.\n"
    assert BODY not in reply.text
    assert serve.quiet_stderr_since(mark) == b""
    _still_serving(serve)


def test_a_segment_of_255_bytes_is_only_not_found(serve: ServeProcess) -> None:
    """The limit is the file system's: a name it could hold is looked up as usual."""
    reply = serve.request("/" + "a" * 255 + "/")
    assert reply.status == 404
    assert "Page not found" in reply.text


def test_a_range_with_5000_digits_is_416(serve: ServeProcess) -> None:
    whole = serve.request(ASSET)
    assert whole.status == 200
    size = len(whole.body)
    assert size > 0
    mark = len(serve.err)
    reply = serve.request(ASSET, extra=f"Range: bytes={'9' * 5000}-\r\n")
    assert reply.status == 416
    assert reply.headers["content-range"] == f"bytes */{size}"
    assert reply.body == b""
    assert serve.quiet_stderr_since(mark) == b""
    _still_serving(serve)


@pytest.mark.parametrize(
    "header",
    [f"bytes=0-{'9' * 5000}", f"bytes=-{'9' * 5000}", f"bytes={'0' * 5000}-"],
    ids=["last-5000-digits", "suffix-5000-digits", "first-5000-zeros"],
)
def test_huge_range_ends_mean_the_whole_file(serve: ServeProcess, header: str) -> None:
    whole = serve.request(ASSET).body
    mark = len(serve.err)
    reply = serve.request(ASSET, extra=f"Range: {header}\r\n")
    assert reply.status == 206
    assert reply.headers["content-range"] == f"bytes 0-{len(whole) - 1}/{len(whole)}"
    assert reply.body == whole
    assert serve.quiet_stderr_since(mark) == b""


@pytest.mark.parametrize("port", ["-1", "70000", "65536", "http"])
def test_a_port_out_of_range_is_refused_by_the_arguments(tmp_path: Path, port: str) -> None:
    vault = write_vault(tmp_path / "vault", {"Alpha.md": published("Alpha.")})
    run = cli("serve", str(vault), "--port", port, timeout=60)
    assert run.returncode == 2
    assert run.stdout == b""
    err = run.stderr.decode()
    assert "argument --port" in err
    assert "is not a port number" in err
    assert "Traceback" not in err
    assert "busy" not in err
