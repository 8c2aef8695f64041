"""Headless Chromium on the live preview: pages update themselves, CSS swaps without a reload."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from helpers import CHROMIUM, CHROMIUM_ARGS, published

pytestmark = pytest.mark.browser


TIMEOUT_MS = 30_000
LONG_BODY = "\n\n".join(f"Paragraph {n} of a long note." for n in range(200))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium is required for browser tests and was not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


def test_the_page_updates_itself_and_keeps_its_scroll(garden, page):
    files = {"Long.md": published(LONG_BODY), "Other.md": published("Other.")}
    live = garden(files)
    page.goto(live.preview.url + "long/")
    page.evaluate("window.scrollTo(0, 1500)")
    assert page.evaluate("window.scrollY") == 1500

    live.write("Long.md", published(LONG_BODY + "\n\nADDED BY THE EDITOR."))
    page.wait_for_function(
        "document.body.innerText.includes('ADDED BY THE EDITOR')", timeout=TIMEOUT_MS
    )
    page.wait_for_function("Math.abs(window.scrollY - 1500) < 2", timeout=TIMEOUT_MS)


def test_a_css_change_applies_without_a_reload(garden, page):
    files = {
        "Alpha.md": published("Alpha text."),
        ".trellis/static/trellis.css": "body { background-color: rgb(1, 2, 3); }\n",
    }
    live = garden(files)
    page.goto(live.preview.url + "alpha/")
    background = "getComputedStyle(document.body).backgroundColor"
    assert page.evaluate(background) == "rgb(1, 2, 3)"
    page.evaluate("window.__marker = 1")

    live.write(".trellis/static/trellis.css", "body { background-color: rgb(4, 5, 6); }\n")
    page.wait_for_function(f"{background} === 'rgb(4, 5, 6)'", timeout=TIMEOUT_MS)
    assert page.evaluate("window.__marker") == 1


def test_a_broken_template_shows_an_overlay_until_fixed(garden, page):
    live = garden({"Alpha.md": published("Alpha text.")})
    page.goto(live.preview.url + "alpha/")
    page.evaluate("window.__marker = 1")

    live.write(".trellis/templates/note.html", "{% block content %}{{ page.title \n")
    overlay = page.locator("#trellis-error")
    overlay.wait_for(state="visible", timeout=TIMEOUT_MS)
    assert "note.html:1" in overlay.inner_text()
    assert "template error" in overlay.inner_text()
    assert page.evaluate("window.__marker") == 1  # the page was not reloaded

    live.write(
        ".trellis/templates/note.html",
        '{% extends "base.html" %}{% block content %}<p>REPAIRED</p>{% endblock %}\n',
    )
    page.wait_for_function("document.body.innerText.includes('REPAIRED')", timeout=TIMEOUT_MS)
    assert page.locator("#trellis-error").count() == 0


def test_a_yaml_typo_shows_its_error_on_the_notes_tab_until_fixed(garden, page):
    live = garden({"Alpha.md": published("Alpha text."), "Beta.md": published("Beta text.")})
    page.goto(live.preview.url + "alpha/")

    live.write("Alpha.md", "---\ndg-publish: true\ntitle: [unclosed\n---\nAlpha text.\n")
    overlay = page.locator("#trellis-error")
    overlay.wait_for(state="visible", timeout=TIMEOUT_MS)
    assert "left out of the site" in overlay.inner_text()
    assert page.locator(".trellis-error-where").inner_text() == "Alpha.md:3"
    assert "invalid frontmatter" in page.locator(".trellis-error-message").inner_text()
    assert "Alpha text" not in page.locator("body").inner_text().replace(overlay.inner_text(), "")

    # Another save elsewhere reloads the tab: the error stays until the note is fixed.
    with page.expect_event("load", timeout=TIMEOUT_MS):
        live.write("Beta.md", published("Beta text, edited."))
    overlay.wait_for(state="visible", timeout=TIMEOUT_MS)
    assert page.locator(".trellis-error-where").inner_text() == "Alpha.md:3"

    live.write("Alpha.md", published("Alpha REPAIRED."))
    page.wait_for_function("document.body.innerText.includes('REPAIRED')", timeout=TIMEOUT_MS)
    assert page.locator("#trellis-error").count() == 0
