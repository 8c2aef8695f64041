"""Nothing of a private note reaches the browser through search, the graph or previews.

A reader's session is replayed on the shared garden: every published page is opened, its
graph drawn, its links hovered, and searches typed for words that private notes contain.
Every byte the browser receives (Pagefind's chunks decompressed) is searched for the
private notes' markers, and the screen is checked after each step.
"""

from __future__ import annotations

import gzip
from typing import Any

import pytest
from garden_vault import PRIVATE_MARKERS

pytestmark = pytest.mark.browser


def _text(body: bytes) -> str:
    """Response bytes as text; Pagefind's index and fragments are gzip inside."""
    if body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    return body.decode("utf-8", errors="replace")


def test_a_reading_session_never_receives_a_private_note(page, garden, serve_site):
    base = serve_site(garden.out)
    received: list[tuple[str, str]] = []

    def keep(response: Any) -> None:
        try:
            received.append((response.url, _text(response.body())))
        except Exception:  # redirects and aborted requests have no body
            received.append((response.url, ""))

    page.on("response", keep)
    urls = sorted(n.url for n in garden.result.site.notes)
    assert len(urls) == 9
    shown: list[str] = []
    for url in urls:
        page.goto(base + url.lstrip("/"))
        if page.query_selector(".graph-view"):
            page.wait_for_selector(".graph-view[data-graph-state=ready]")
            page.click(".graph-depth [data-depth='2']")
            page.wait_for_selector(".graph-view[data-graph-state=ready]")
        links = page.locator(".note-body a.internal-link")
        for index in range(links.count()):
            page.mouse.move(5, 880)
            page.wait_for_selector(".link-preview", state="hidden")
            links.nth(index).hover()
            page.wait_for_selector(".link-preview:not([hidden])")
            shown.append(page.inner_text(".link-preview"))
        shown.append(page.inner_text("body"))
    page.goto(base + "alpha/")
    for word in ("PRIVATEMARKER", "draftmarker", "Secret", "zephyrquill", "betaopening"):
        page.keyboard.press("Control+k")
        page.fill(".search-input", word)
        page.wait_for_function(
            "(w) => document.querySelector('.search-status').textContent.includes(w)"
            " || document.querySelector('.search-results li')",
            arg=word,
        )
        page.wait_for_timeout(300)
        # The results only: the status line repeats the words typed.
        shown.append(page.eval_on_selector(".search-results", "list => list.textContent"))
        page.keyboard.press("Escape")

    # Note pages fetch their neighbourhood only (issue 18); the whole graph, shown on the
    # graph view, is read here too.
    whole = base + "_trellis/graph.json"
    received.append((whole, page.request.get(whole).text()))
    fetched = [url for url, _ in received]
    assert any("/_trellis/graph/" in url and url.endswith(".json") for url in fetched)
    assert any(url.endswith(".pf_fragment") for url in fetched)
    assert any(url.endswith(".pf_index") for url in fetched)
    assert len(shown) > 15
    for marker in PRIVATE_MARKERS:
        for url, body in received:
            assert marker.lower() not in url.lower(), url
            assert marker.lower() not in body.lower(), (marker, url)
        for text in shown:
            assert marker.lower() not in text.lower(), (marker, text)
