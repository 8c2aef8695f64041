"""Screenshots of the shared real gardens, built as a newcomer would (`trellis build FOLDER`).

    python docs/gardens/shoot.py [CORPORA_DIR]

Builds each garden of CORPORA_DIR/gardens (default: ../shared/corpora, or TRELLIS_CORPORA),
serves it on a loopback port and takes, with Debian's Chromium through Playwright, its home
page and one dense note at 1280 px (light) and the home page at 390 px (dark); its graph
page and the dense note's local graph (scrolled into view) at 1280 and 390 in both schemes,
into this folder. Look at them after a change to what gardens render.
"""

from __future__ import annotations

import functools
import http.server
import os
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# Per garden: a dense note (callouts, transclusions, Dataview tables, maths).
DENSE = {
    "topobon": "musings/belief-religion-and-the-illusion-of-knowledge/",
    "tud1": "A/A/",
    "matematikk": "fagsider/1-p/",
}
SHOTS = [("home", "", 1280, "light"), ("home", "", 390, "dark"), ("note", None, 1280, "light")]
SHOTS += [
    (label, path, width, scheme)
    for label, path in (("graph", "graph/"), ("local-graph", None))
    for width in (1280, 390)
    for scheme in ("light", "dark")
]
READY = ".graph-view[data-graph-state=ready]"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    from tests.helpers import CHROMIUM, CHROMIUM_ARGS
    from trellis.pipeline import build

    default = os.environ.get("TRELLIS_CORPORA", str(ROOT.parent / "shared" / "corpora"))
    corpora = Path(sys.argv[1] if len(sys.argv) > 1 else default) / "gardens"
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, dense in DENSE.items():
            out = Path(tmp) / name
            build(corpora / name, out, use_cache=False)
            server, base = serve(out)
            for label, path, width, scheme in SHOTS:
                context = browser.new_context(
                    viewport={"width": width, "height": 900}, color_scheme=scheme
                )
                page = context.new_page()
                page.goto(base + (dense if path is None else path))
                page.wait_for_load_state("networkidle")
                if label == "local-graph":
                    page.locator(".graph-panel").scroll_into_view_if_needed()
                if "graph" in label:
                    page.wait_for_selector(READY)
                page.screenshot(path=str(HERE / f"{name}-{label}-{width}-{scheme}.png"))
                context.close()
            server.shutdown()
        browser.close()


if __name__ == "__main__":
    main()
