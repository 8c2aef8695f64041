"""DNS rebinding against `trellis serve`: a request naming a foreign host is refused.

A page on `evil.example` that rebinds its name to 127.0.0.1 makes the browser send
`Host: evil.example` to the preview; before, the preview answered with the page (and the
live-reload stream), so the attacker's script could read the author's drafts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import published, write_vault
from security.sec_serve_cli import ServeProcess, send_raw

SECRET = "DRAFT-TEXT-THE-ATTACKER-WANTS"
FILES: dict[str, str | bytes] = {"Alpha.md": published(f"{SECRET}.")}
REFUSED = (
    b"This Trellis preview answers only to localhost and this machine's addresses, so that "
    b"other web pages cannot read it (DNS rebinding). To open it under another name, start "
    b"it with --allow-host NAME.\n"
)
FOREIGN = [
    "evil.example",
    "evil.example:{port}",
    "127.0.0.1.evil.example",
    "localhost.evil.example:{port}",
    "localhost:{port}@evil.example",
    "10.0.0.7:{port}",  # an address of another machine: the preview is bound to loopback
]


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    root = tmp_path_factory.mktemp("serve-hosts")
    vault = write_vault(root / "vault", FILES)
    process = ServeProcess(vault, root / "tmp")
    process.wait_build(1)
    yield process
    assert process.stop() == 0, process.errors


def _refused(reply_status: int, body: bytes) -> None:
    assert reply_status == 403
    assert body == REFUSED
    assert SECRET.encode() not in body


@pytest.mark.parametrize("host", FOREIGN)
@pytest.mark.parametrize("path", ["/alpha/", "/", "/_trellis/events", "/static/trellis.css"])
def test_a_foreign_host_is_refused(serve: ServeProcess, host: str, path: str) -> None:
    # (Answered, the event stream would never end: read it for 3 s, enough to see it.)
    reply = serve.request(path, host=host.format(port=serve.port), limit=3.0)
    _refused(reply.status, reply.body)


def test_two_host_headers_are_refused(serve: ServeProcess) -> None:
    reply = serve.request("/alpha/", extra="Host: evil.example\r\n")
    _refused(reply.status, reply.body)


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:{port}",
        "127.0.0.1",
        "127.0.0.2:{port}",
        "localhost:{port}",
        "LOCALHOST.:{port}",
        "garden.localhost:{port}",
        "[::1]:{port}",
    ],
)
def test_this_machine_and_allowed_names_are_served(serve: ServeProcess, host: str) -> None:
    reply = serve.request("/alpha/", host=host.format(port=serve.port))
    assert reply.status == 200
    assert SECRET in reply.text


def test_no_host_header_is_served(serve: ServeProcess) -> None:
    """An HTTP/1.0 tool may send none; a browser, the rebinding attacker's tool, always does."""
    reply = send_raw(serve.host, serve.port, b"GET /alpha/ HTTP/1.0\r\n\r\n")
    assert reply.status == 200
    assert SECRET in reply.text


def test_allow_host_adds_a_name_and_only_that_one(tmp_path: Path) -> None:
    process = ServeProcess(
        write_vault(tmp_path / "vault", FILES), tmp_path / "tmp", "--allow-host", "garden.test"
    )
    try:
        process.wait_build(1)
        reply = process.request("/alpha/", host=f"garden.test:{process.port}")
        assert reply.status == 200
        assert SECRET in reply.text
        for name in ("evil.example", "sub.garden.test", "garden.test.evil.example"):
            reply = process.request("/alpha/", host=name)
            _refused(reply.status, reply.body)
    finally:
        assert process.stop() == 0, process.errors


def test_bound_to_every_interface_addresses_pass_names_do_not(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = tmp_path_factory.mktemp("serve-any")
    vault = write_vault(root / "vault", FILES)
    process = ServeProcess(vault, root / "tmp", "--host", "0.0.0.0")
    try:
        process.wait_build(1)
        process.host = "127.0.0.1"
        for address in ("192.168.1.20:{port}", "10.0.0.7", "[fe80::1]:{port}", "localhost"):
            reply = process.request("/alpha/", host=address.format(port=process.port))
            assert reply.status == 200, address
            assert SECRET in reply.text
        for name in ("evil.example", "evil.example:{port}"):
            reply = process.request("/alpha/", host=name.format(port=process.port))
            _refused(reply.status, reply.body)
    finally:
        assert process.stop() == 0, process.errors
