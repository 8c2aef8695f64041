"""Fenced code: Pygments highlighting, plain escaped fallback, Mermaid fences for the browser."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pygments
import pytest
from helpers import build_vault, published, render_note

from trellis.markdown.plugins.code import pygments_css

ROOT = Path(__file__).resolve().parents[2]


def _fence(language: str, code: str, fence: str = "```") -> str:
    return f"{fence}{language}\n{code}\n{fence}\n"


@pytest.mark.parametrize(
    ("language", "code", "token_class"),
    [
        ("python", "def f(x):\n    return x  # done", "k"),
        ("py", "import os", "kn"),
        ("Python", "class A: pass", "k"),
        ("js", "const a = 1;", "kd"),
        ("javascript", "let s = 'x';", "s1"),
        ("ts", "let n: number = 1;", "kd"),
        ("rust", 'fn main() { println!("hi"); }', "k"),
        ("bash", "echo $HOME", "nv"),
        ("sh", "if true; then echo; fi", "k"),
        ("json", '{"a": 1}', "nt"),
        ("yaml", "key: value", "nt"),
        ("sql", "SELECT * FROM t;", "k"),
        ("css", "a { color: red; }", "nt"),
        ("html", "<p class='x'>hi</p>", "nt"),
    ],
)
def test_known_language_is_highlighted(
    tmp_path: Path, language: str, code: str, token_class: str
) -> None:
    body = render_note(tmp_path, _fence(language, code))
    pre = body.css_first("pre")
    assert pre.attributes["class"] == "highlight"
    inner = pre.css_first("code")
    assert inner.attributes["class"] == f"language-{language}"
    assert inner.css(f"span.{token_class}"), inner.html
    # Highlighting changes the markup, never the text.
    assert inner.text().rstrip("\n") == code


@pytest.mark.parametrize("language", ["dataview", "plantuml", "no-such-language", "ad-note"])
def test_unknown_language_stays_plain(tmp_path: Path, language: str) -> None:
    code = 'TABLE file.name FROM "x" <b>bold</b> & more'
    body = render_note(tmp_path, _fence(language, code))
    pre = body.css_first("pre")
    assert "class" not in pre.attributes
    inner = pre.css_first("code")
    assert inner.attributes["class"] == f"language-{language}"
    assert inner.css("span") == [] and inner.css("b") == []
    assert inner.text() == code + "\n"


def test_no_language_stays_plain(tmp_path: Path) -> None:
    body = render_note(tmp_path, _fence("", "plain <i>text</i>"))
    inner = body.css_first("pre > code")
    assert "class" not in inner.attributes
    assert inner.css("i") == []
    assert inner.text() == "plain <i>text</i>\n"


@pytest.mark.parametrize("language", ["", "python", "unknownlang"])
def test_code_cannot_inject_html(tmp_path: Path, language: str) -> None:
    code = "<script>alert(1)</script>\n<img src=x onerror=alert(1)>"
    body = render_note(tmp_path, _fence(language, code))
    assert body.css("script") == [] and body.css("img") == []
    assert body.css_first("pre code").text().rstrip("\n") == code


@pytest.mark.parametrize(
    ("literal", "forbidden"),
    [
        ("[[Other]]", "a"),
        ("![[Other]]", ".internal-embed"),
        ("#tag", "a"),
        ("%%hidden comment%%", None),
        ("==highlight==", "mark"),
        ("$x^2$", ".math"),
        ("- [ ] not a task", "input"),
        ("> [!note] not a callout", ".callout"),
        ("[^1]", "sup"),
        ("**bold**", "strong"),
    ],
)
@pytest.mark.parametrize("language", ["", "python", "md"])
def test_obsidian_syntax_inside_code_is_untouched(
    tmp_path: Path, literal: str, forbidden: str | None, language: str
) -> None:
    body = render_note(tmp_path, _fence(language, literal), {"Other.md": published("Hi")})
    inner = body.css_first("pre code")
    assert inner.text() == literal + "\n"
    if forbidden:
        assert body.css(forbidden) == []


@pytest.mark.parametrize("literal", ["[[Other]]", "#tag", "%%c%%", "$x$", "==h=="])
def test_obsidian_syntax_inside_inline_code_is_untouched(tmp_path: Path, literal: str) -> None:
    body = render_note(tmp_path, f"Write `{literal}` like this.\n", {"Other.md": published("Hi")})
    assert body.css_first("code").text() == literal
    assert body.css("a") == [] and body.css(".math") == [] and body.css("mark") == []


def test_info_string_attributes_are_ignored(tmp_path: Path) -> None:
    body = render_note(tmp_path, _fence('python title="x.py" {1,3}', "x = 1"))
    assert body.css_first("pre.highlight code").attributes["class"] == "language-python"


def test_tilde_fence_and_blank_lines_kept(tmp_path: Path) -> None:
    body = render_note(tmp_path, _fence("python", "\n\nx = 1\n\n", fence="~~~"))
    assert body.css_first("pre.highlight code").text() == "\n\nx = 1\n\n\n"


def test_indented_code_block_stays_plain(tmp_path: Path) -> None:
    body = render_note(tmp_path, "Text\n\n    def f(): pass\n")
    pre = body.css_first("pre")
    assert "class" not in pre.attributes
    assert pre.css_first("code").text() == "def f(): pass\n"


def test_fence_in_list_and_blockquote(tmp_path: Path) -> None:
    body = render_note(
        tmp_path, "- item\n  ```python\n  x = 1\n  ```\n\n> ```js\n> let a;\n> ```\n"
    )
    assert body.css_first("li pre.highlight code.language-python").text() == "x = 1\n"
    assert body.css_first("blockquote pre.highlight code.language-js").text() == "let a;\n"


MERMAID = 'graph TD\n  A[Start] --> B{Is it <ok>?}\n  B -->|Yes| C["a & b"]'


def test_mermaid_fence(tmp_path: Path) -> None:
    body = render_note(tmp_path, _fence("mermaid", MERMAID))
    pre = body.css_first("pre")
    assert pre.attributes["class"] == "mermaid"
    assert pre.css("code") == [] and pre.css("span") == []
    assert pre.text() == MERMAID + "\n"
    assert "&lt;ok&gt;" in pre.html and "&amp;" in pre.html


def test_only_pages_with_mermaid_load_it(tmp_path: Path) -> None:
    site = build_vault(
        tmp_path,
        {
            "Diagram.md": published(_fence("mermaid", MERMAID)),
            "Code.md": published(_fence("python", "x = 1")),
        },
    )
    head = site.page("/diagram/").head
    assert head.css_first('script[src="/static/vendor/mermaid/mermaid.min.js"]') is not None
    assert head.css_first('script[src="/static/features.js"]') is not None
    assert "katex" not in head.html
    head = site.page("/code/").head
    assert "mermaid" not in head.html and "features.js" not in head.html
    for shipped in ("mermaid/mermaid.min.js", "mermaid/LICENSE", "README.md"):
        assert (site.out / "static/vendor" / shipped).is_file()
    assert (site.out / "static/features.js").is_file()


def test_pygments_css_is_made_from_the_installed_pygments_on_every_build(tmp_path: Path) -> None:
    code = "class Bed:\n    def water(self, litres: int) -> None:\n        pass  # done"
    site = build_vault(tmp_path, {"Code.md": published(_fence("python", code))})
    css = (site.out / "static/pygments.css").read_text(encoding="utf-8")
    assert css == pygments_css()
    assert f"Pygments {pygments.__version__}:" in css
    used = {span.attributes["class"] for span in site.body("/code/").css("pre.highlight span")}
    assert {"k", "nc", "c1"} <= used
    for token_class in ("k", "nc", "c1"):  # keyword, class name, comment: styled in both
        assert f"\n.highlight .{token_class} {{" in css, token_class
        assert f'\n:root[data-theme="dark"] .highlight .{token_class} {{' in css, token_class
        assert f':root:not([data-theme="light"]) .highlight .{token_class} {{' in css, token_class
    assert "@media (prefers-color-scheme: dark) {" in css
    assert "\npre {" not in css  # Pygments' global `pre` rule would fight the theme
    assert not (ROOT / "static/pygments.css").exists(), "generated, never committed"


def test_a_vault_override_of_pygments_css_wins(tmp_path: Path) -> None:
    mine = "/* my code colours */\n.highlight .k { color: teal }\n"
    site = build_vault(
        tmp_path,
        {"Code.md": published(_fence("python", "x = 1")), ".trellis/static/pygments.css": mine},
    )
    assert (site.out / "static/pygments.css").read_text(encoding="utf-8") == mine


@contextmanager
def _browser_page(site_root: Path, color_scheme: str) -> Iterator[tuple[Any, str]]:
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
                page = browser.new_page(color_scheme=color_scheme)
                yield page, f"http://127.0.0.1:{server.server_address[1]}"
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
def test_mermaid_draws_in_the_page_theme(tmp_path: Path) -> None:
    broken = "graph TD\n  A --> (((("
    site = build_vault(
        tmp_path,
        {"D.md": published(_fence("mermaid", MERMAID) + "\n" + _fence("mermaid", broken))},
    )
    with _browser_page(site.out, "dark") as (page, base):
        page.goto(base + "/d/")
        page.wait_for_selector("pre.mermaid svg", timeout=20_000)
        page.wait_for_selector("pre.mermaid-error", timeout=20_000)
        dark_fill = page.evaluate(
            "getComputedStyle(document.querySelector('pre.mermaid svg .node rect')).fill"
        )
        error_text = page.evaluate("document.querySelector('pre.mermaid-error').textContent")
        # The theme toggle redraws the diagram with the light palette.
        page.click(".theme-toggle")
        page.wait_for_function(
            "() => { const r = document.querySelector('pre.mermaid svg .node rect');"
            f" return r && getComputedStyle(r).fill !== {dark_fill!r}; }}",
            timeout=20_000,
        )
        light_fill = page.evaluate(
            "getComputedStyle(document.querySelector('pre.mermaid svg .node rect')).fill"
        )
    assert dark_fill != light_fill
    assert error_text == broken + "\n"
