"""The preview's HTTP server over a real socket: URLs, types, ranges, traversal, injection."""

from __future__ import annotations

import re
import socket
import threading

import pytest
from conftest import CLIP
from helpers import published

from trellis.serve import Preview
from trellis.serve.hosts import HostCheck, host_name
from trellis.serve.livereload import SCRIPT_ID
from trellis.serve.report import TerminalReport
from trellis.serve.request import BadPath, content_type, parse_range, request_parts


def clip_url(live) -> str:
    match = re.search(r'src="([^"]+clip\.mp3)"', live.get("/alpha/").text)
    assert match, "the audio embed is missing"
    return match[1]


def test_pretty_urls_redirect_and_404(garden):
    live = garden()
    page = live.get("/alpha/")
    assert page.status == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "Alpha text" in page.text
    assert live.get("/alpha/index.html").status == 200

    moved = live.get("/alpha?x=1")
    assert moved.status == 302
    assert moved.headers["location"] == "/alpha/?x=1"

    missing = live.get("/no/such/page/")
    assert missing.status == 404
    assert "Page not found" in missing.text
    assert live.get("/alpha/nothing.css").status == 404
    # The writer's marker and other dot files are not part of the site.
    assert live.get("/.trellis-site").status == 404


def test_head_sends_headers_only(garden):
    live = garden()
    full = live.get("/alpha/")
    head = live.request("/alpha/", method="HEAD")
    assert head.status == 200
    assert head.body == b""
    assert head.headers["content-length"] == str(len(full.body))


def test_percent_encoded_unicode_paths(garden):
    live = garden()
    encoded = "/%E0%A6%9C%E0%A7%80%E0%A6%AC%E0%A6%A8/"
    page = live.get(encoded)
    assert page.status == 200
    assert "Bangla note" in page.text
    moved = live.get(encoded.rstrip("/"))
    assert moved.status == 302
    assert moved.headers["location"] == encoded


def test_content_types():
    assert content_type("a.html") == "text/html; charset=utf-8"
    assert content_type("a.css").startswith("text/css")
    assert content_type("a.js").startswith("text/javascript")
    assert content_type("a.json") == "application/json"
    assert content_type("a.xml") == "application/xml"
    assert content_type("a.svg") == "image/svg+xml"
    assert content_type("a.mp3") == "audio/mpeg"
    assert content_type("A.M4A") == "audio/mp4"
    assert content_type("a.webm") == "video/webm"
    assert content_type("a.woff2") == "font/woff2"
    assert content_type("a.png") == "image/png"
    assert content_type("a.unknown-kind") == "application/octet-stream"


def test_served_types_over_http(garden):
    live = garden()
    assert live.get(clip_url(live)).headers["content-type"] == "audio/mpeg"
    css = re.search(r'href="(/static/[^"]+\.css)"', live.get("/alpha/").text)
    assert css
    assert live.get(css[1]).headers["content-type"] == "text/css; charset=utf-8"


def test_range_requests(garden):
    live = garden()
    url = clip_url(live)
    size = len(CLIP)

    whole = live.get(url)
    assert whole.status == 200
    assert whole.body == CLIP
    assert whole.headers["accept-ranges"] == "bytes"

    part = live.get(url, Range="bytes=10-19")
    assert part.status == 206
    assert part.headers["content-range"] == f"bytes 10-19/{size}"
    assert part.headers["content-length"] == "10"
    assert part.body == CLIP[10:20]

    tail = live.get(url, Range="bytes=-5")
    assert (tail.status, tail.body) == (206, CLIP[-5:])
    assert tail.headers["content-range"] == f"bytes {size - 5}-{size - 1}/{size}"

    rest = live.get(url, Range="bytes=4000-")
    assert (rest.status, rest.body) == (206, CLIP[4000:])

    past_end = live.get(url, Range="bytes=100-999999")
    assert (past_end.status, past_end.body) == (206, CLIP[100:])

    for unsatisfiable in (f"bytes={size}-", f"bytes={size + 10}-{size + 20}", "bytes=-0"):
        refused = live.get(url, Range=unsatisfiable)
        assert refused.status == 416, unsatisfiable
        assert refused.headers["content-range"] == f"bytes */{size}"
        assert refused.body == b""

    # Malformed or multiple ranges: the whole file, as RFC 9110 allows.
    for ignored in ("bytes=5-2", "items=0-1", "bytes=0-1,5-6", "bytes=x-y"):
        assert live.get(url, Range=ignored).status == 200, ignored

    head = live.request(url, method="HEAD", headers={"Range": "bytes=0-99"})
    assert (head.status, head.body) == (206, b"")
    assert head.headers["content-length"] == "100"


def test_parse_range():
    assert parse_range(None, 100) is None
    assert parse_range("bytes=0-0", 100) == (0, 0)
    assert parse_range("bytes=90-", 100) == (90, 99)
    assert parse_range("bytes=-200", 100) == (0, 99)
    assert parse_range("bytes=100-", 100) is False
    assert parse_range("bytes=-1", 0) is False
    assert parse_range("bytes=-", 100) is None
    assert parse_range("bytes=١-٢", 100) is None  # only ASCII digits


TRAVERSALS = [
    "/../secret.txt",
    "/../../secret.txt",
    "/static/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/%2e%2e/secret.txt",
    "/static/%2e%2e/%2e%2e/secret.txt",
    "/..%2fsecret.txt",
    "/static%2f..%2f..%2fsecret.txt",
    "/%2fetc%2fpasswd",
    "/..%5csecret.txt",
    "/static\\..\\..\\secret.txt",
    "/..\\secret.txt",
    "//etc/passwd",
    "/etc/passwd",
    "/%00/etc/passwd",
    "/%ff%fe/",
    "http://127.0.0.1/../secret.txt",
    "/./../secret.txt",
    "/alpha/../../secret.txt",
    "/../../../secret.txt",
    "/%2e%2e/%2e%2e/%2e%2e/secret.txt",
    "/../../../../../../../../etc/passwd",
]


def test_no_path_traversal(garden):
    live = garden()
    root = live.preview.state.current_root
    assert root is not None
    # Files beside the site, beside its build folder and beside the vault: none may leak.
    for folder in (root.parent, root.parent.parent, live.vault.parent):
        (folder / "secret.txt").write_text("OUTSIDE-SECRET")
    for path in TRAVERSALS:
        reply = live.get(path)
        assert reply.status in (400, 404), (path, reply.status)
        assert b"OUTSIDE-SECRET" not in reply.body, path
        assert b"root:" not in reply.body, path
        assert b"PRIVATE-SECRET" not in reply.body, path


def test_request_parts_refuses_escapes():
    assert request_parts("/a/b/") == ["a", "b"]
    assert request_parts("/%E0%A6%9C/") == ["জ"]
    for bad in ("/../x", "/%2e%2e/x", "/a%2Fb", "/a%5cb", "/a\\b", "/%00", "/%ff"):
        with pytest.raises(BadPath):
            request_parts(bad)


def test_private_notes_are_not_served(garden):
    live = garden()
    assert live.get("/private/").status == 404
    for path in ("/", "/alpha/", "/beta/", "/404.html"):
        assert "PRIVATE-SECRET" not in live.get(path).text


def test_script_is_injected_only_into_served_html(garden):
    live = garden()
    for path in ("/", "/alpha/", "/no-such-page/"):
        assert f'<script id="{SCRIPT_ID}">' in live.get(path).text, path
    root = live.preview.state.current_root
    assert root is not None
    pages = list(root.rglob("*.html"))
    assert len(pages) >= 4
    for page in pages:
        assert SCRIPT_ID not in page.read_text(encoding="utf-8"), page
    # Not into other files either.
    assert SCRIPT_ID.encode() not in live.get(clip_url(live)).body


def test_busy_port_takes_the_next_free_one(garden, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        live = garden(port=port)
        assert live.port != port
        assert f"Port {port} is busy; using port {live.port} instead." in live.err.getvalue()
        assert live.get("/alpha/").status == 200


def test_serves_under_the_base_path(garden):
    files = {
        "trellis.toml": 'base_url = "https://example.org/garden/"\n',
        "Alpha.md": published("Alpha text."),
    }
    live = garden(files)
    moved = live.get("/")
    assert (moved.status, moved.headers["location"]) == (302, "/garden/")
    assert "Alpha text" in live.get("/garden/alpha/").text
    assert live.get("/alpha/").status == 404


def test_a_missing_vault_is_fatal(tmp_path):
    from trellis.diagnostics import FatalError

    preview = Preview(tmp_path / "nothing", port=0, report=TerminalReport())
    with pytest.raises(FatalError, match="no such vault"):
        preview.start()


def test_stop_does_not_wait_for_idle_connections(garden):
    live = garden()
    idle = socket.create_connection((live.host, live.port))  # like a browser's pre-connect
    idle.sendall(b"GET /alpha/ HT")  # a request line that never ends
    assert live.get("/alpha/").status == 200  # accepted after the idle one, so it is in
    stopper = threading.Thread(target=live.preview.stop)
    stopper.start()
    stopper.join(20)  # far below the handler's 60 s socket timeout
    assert not stopper.is_alive()
    idle.close()


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("127.0.0.1:8000", "127.0.0.1"),
        ("LocalHost.", "localhost"),
        ("[::1]:8000", "::1"),
        ("[::1]", "::1"),
        ("garden.test", "garden.test"),
        ("[::1]x", None),
        ("[evil.example]", None),
        ("a:b:c", None),
        ("localhost:80@evil.example", None),
        ("evil example", None),
        ("", None),
    ],
)
def test_host_names_are_read_strictly(header, name):
    assert host_name(header) == name


def test_host_check_by_binding():
    loopback = HostCheck("127.0.0.1")
    assert loopback.allows("localhost:1") and loopback.allows("127.8.9.10")
    assert loopback.allows("[::ffff:127.0.0.1]:1")
    assert not loopback.allows("192.168.1.2") and not loopback.allows("evil.example")
    every = HostCheck("0.0.0.0")
    assert every.allows("192.168.1.2:8000") and not every.allows("evil.example")
    named = HostCheck("garden.lan", ["tunnel.example"])
    assert named.allows("garden.lan:8000") and named.allows("tunnel.example")
    assert not named.allows("sub.tunnel.example")
    assert HostCheck("127.0.0.1", ["*"]).allows("anything.example")
