"""`$inline$` and `$$display$$` math: Obsidian's delimiting rules, source kept, KaTeX loaded."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from helpers import build_vault, published, render_note
from selectolax.lexbor import LexborNode


def _math(body: LexborNode) -> list[tuple[str, str, str]]:
    """(tag, kind, LaTeX source) of every math element, in order."""
    found = []
    for node in body.css(".math"):
        kinds = [c for c in node.attributes["class"].split() if c.startswith("math-")]
        found.append((node.tag, kinds[0], node.text()))
    return found


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Euler: $e^{2i\\pi} = 1$.", [("span", "math-inline", "e^{2i\\pi} = 1")]),
        ("$x$", [("span", "math-inline", "x")]),
        ("The $n$th element", [("span", "math-inline", "n")]),
        ("$a$ and $b$", [("span", "math-inline", "a"), ("span", "math-inline", "b")]),
        ("$a < b$ & $c > d$", [("span", "math-inline", "a < b"), ("span", "math-inline", "c > d")]),
        ("$x = \\$5$", [("span", "math-inline", "x = \\$5")]),
        ("$a_1 * b_2 * c$", [("span", "math-inline", "a_1 * b_2 * c")]),
        ("see $$\\int f$$ here", [("span", "math-block", "\\int f")]),
        ("$$a$$ $$b$$", [("span", "math-block", "a"), ("span", "math-block", "b")]),
        ("2$x$3", [("span", "math-inline", "x")]),
    ],
)
def test_inline_math(tmp_path: Path, source: str, expected: list) -> None:
    body = render_note(tmp_path, source + "\n")
    assert _math(body) == expected
    # Markdown is not applied inside math.
    assert body.css("em") == []


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("It costs $5 and $10.", "It costs $5 and $10."),
        ("From $20,000 to $30,000.", "From $20,000 to $30,000."),
        ("Only $5 today", "Only $5 today"),
        ("$ x$", "$ x$"),
        ("$x $", "$x $"),
        ("$ x $", "$ x $"),
        ("\\$x\\$", "$x$"),
        ("$$", "$$"),
        ("`$x$`", "$x$"),
    ],
)
def test_not_math(tmp_path: Path, source: str, text: str) -> None:
    body = render_note(tmp_path, source + "\n")
    assert body.css(".math") == []
    assert body.text().strip() == text


@pytest.mark.parametrize(
    ("source", "latex"),
    [
        (
            "$$\n\\begin{vmatrix}a & b\\\\\nc & d\n\\end{vmatrix}=ad-bc\n$$\n",
            "\\begin{vmatrix}a & b\\\\\nc & d\n\\end{vmatrix}=ad-bc",
        ),
        ("$$x^2$$\n", "x^2"),
        ("$$ x^2 $$\n", "x^2"),
        ("$$\nx\n\ny\n$$\n", "x\n\ny"),
        ("$$\n\\text{<b>bold</b>} & 1\n$$\n", "\\text{<b>bold</b>} & 1"),
    ],
)
def test_display_block(tmp_path: Path, source: str, latex: str) -> None:
    body = render_note(tmp_path, source)
    assert _math(body) == [("div", "math-block", latex)]
    assert body.css("b") == []
    assert body.css("p") == []


def test_block_right_under_a_paragraph(tmp_path: Path) -> None:
    body = render_note(tmp_path, "We use the rule\n$$\n(u/v)' = u'\n$$\nand go on.\n")
    assert [p.text() for p in body.css("p")] == ["We use the rule", "and go on."]
    assert _math(body) == [("div", "math-block", "(u/v)' = u'")]
    # The block is not inside a paragraph.
    assert body.css("p .math") == []


@pytest.mark.parametrize(
    ("source", "container"),
    [
        ("- item\n  $$\n  x^2\n  $$\n", "li"),
        ("1. $$x^2$$\n", "li"),
        ("> $$\n> x^2\n> $$\n", "blockquote"),
        ("> [!note] Title\n> $$\n> x^2\n> $$\n", "blockquote, .callout"),
        ("- a list item with $x^2$ inline\n", "li"),
        ("| a | b |\n| - | - |\n| $x^2$ | 1 |\n", "td"),
    ],
)
def test_math_in_containers(tmp_path: Path, source: str, container: str) -> None:
    body = render_note(tmp_path, source)
    holder = body.css_first(container)
    assert holder is not None, body.html
    node = holder.css_first(".math")
    assert node is not None and node.text() == "x^2"


def test_source_cannot_inject_html(tmp_path: Path) -> None:
    body = render_note(
        tmp_path, "$<script>alert(1)</script>$ and $$<img src=x onerror=alert(1)>$$\n"
    )
    assert body.css("script") == [] and body.css("img") == []
    assert [m[2] for m in _math(body)] == [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
    ]


def test_only_pages_with_math_load_katex(tmp_path: Path) -> None:
    site = build_vault(
        tmp_path,
        {
            "With.md": published("Area $\\pi r^2$.\n"),
            "Block.md": published("$$\nx\n$$\n"),
            "Without.md": published("Costs $5 and $10.\n"),
            "Embeds.md": published("![[With]]\n"),
        },
    )
    for url in ("/with/", "/block/"):
        head = site.page(url).head
        assert head.css_first('link[href="/static/vendor/katex/katex.min.css"]') is not None
        assert head.css_first('script[src="/static/vendor/katex/katex.min.js"]') is not None
        assert head.css_first('script[src="/static/features.js"]') is not None
    head = site.page("/without/").head
    assert "katex" not in head.html and "features.js" not in head.html
    # KaTeX, its licence and its fonts are shipped.
    for shipped in ("katex.min.js", "katex.min.css", "LICENSE", "fonts/KaTeX_Main-Regular.woff2"):
        assert (site.out / "static/vendor/katex" / shipped).is_file()


def test_page_embedding_math_loads_katex(tmp_path: Path) -> None:
    site = build_vault(
        tmp_path,
        {"With.md": published("Area $\\pi r^2$.\n"), "Embeds.md": published("![[With]]\n")},
    )
    assert site.body("/embeds/").css_first(".math") is not None
    assert "katex.min.js" in site.page("/embeds/").head.html


@contextmanager
def _browser_page(site_root: Path) -> Iterator[tuple[Any, str]]:
    """A headless Chromium page and the base URL of `site_root` served on the loopback."""
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(site_root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            try:
                yield browser.new_page(), f"http://127.0.0.1:{server.server_address[1]}"
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
def test_katex_typesets_and_failures_show_source(tmp_path: Path) -> None:
    site = build_vault(
        tmp_path,
        {"M.md": published("Good $x^2$ and bad $\\cancelto{1}{x}$.\n\n$$\n\\frac{a}{b}\n$$\n")},
    )
    with _browser_page(site.out) as (page, base):
        page.goto(base + "/m/")
        page.wait_for_selector(".math.is-loaded", timeout=15_000)
        result = page.evaluate(
            """() => [...document.querySelectorAll('.math')].map(e => ({
                loaded: e.classList.contains('is-loaded'),
                error: e.classList.contains('math-error'),
                text: e.textContent,
                annotation: (e.querySelector('annotation') || {}).textContent || null,
            }))"""
        )
    good, bad, block = result
    assert good["loaded"] and good["annotation"] == "x^2"
    assert bad["error"] and not bad["loaded"] and bad["text"] == "\\cancelto{1}{x}"
    assert block["loaded"] and block["annotation"] == "\\frac{a}{b}"
