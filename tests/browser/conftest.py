"""Browser-test fixtures: a built site served over real HTTP, and Debian's headless Chromium.

`serve_site(root, prefix)` serves a folder with the stdlib's `ThreadingHTTPServer` on a free
loopback port, optionally under a path prefix (to try a site built for a sub-path base URL).
`browser` launches `/usr/bin/chromium` through Playwright once per test module (other
modules start their own Playwright; two sync sessions cannot overlap), and fails rather than
skips when Chromium or Playwright is missing: a browser test that quietly does not run
would prove nothing. `page` is a fresh page that records JavaScript errors and fails the
test if there were any.

`garden` builds one small vault (module scope) shared by the search, graph, preview and
privacy tests; its private notes carry markers that must never reach the browser.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from garden_vault import GARDEN
from helpers import CHROMIUM, CHROMIUM_ARGS, BuiltSite, build_vault

TIMEOUT_MS = 20_000


class _Handler(http.server.SimpleHTTPRequestHandler):
    prefix = "/"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__outside_the_prefix__")
        return super().translate_path("/" + path[len(self.prefix) :])


@pytest.fixture
def serve_site() -> Iterator[Callable[..., str]]:
    """A function serving `root` under `prefix`; returns the base URL (ending in `/`)."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def serve(root: Path, prefix: str = "/") -> str:
        handler = type("Handler", (_Handler,), {"prefix": prefix})
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(handler, directory=str(root))
        )
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}{prefix}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (browser tests need it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page (desktop size, mouse); any uncaught script error fails the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.script_errors = errors
    yield tab
    context.close()
    assert not errors, f"script errors in the page: {errors}"


@pytest.fixture(scope="module")
def garden(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    site = build_vault(tmp_path_factory.mktemp("garden"), GARDEN)
    assert (site.out / "_trellis" / "pagefind" / "pagefind.js").is_file(), site.warnings
    return site
