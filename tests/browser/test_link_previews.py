"""Link previews in a real browser: hover or keyboard focus on an internal link shows the
start of the target note next to the link; leaving or Escape closes it; touch screens and
pages with `dg-link-preview: false` get none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from garden_vault import PRIVATE_MARKERS
from helpers import build_vault, published

pytestmark = pytest.mark.browser

POPOVER = ".link-preview:not([hidden])"


def note_link(page: Any, text: str) -> Any:
    return page.locator(".note-body a.internal-link", has_text=text).first


def test_hover_shows_the_start_of_the_target_near_the_link(page, garden, serve_site):
    base = serve_site(garden.out)
    page.goto(base + "alpha/")
    link = note_link(page, "Beta")
    link.hover()
    page.wait_for_selector(POPOVER)
    assert page.inner_text(".link-preview-title") == "Beta"
    body = page.inner_text(".link-preview-body")
    assert "betaopening words about moss" in body
    assert page.get_attribute(".link-preview", "role") == "tooltip"
    assert link.get_attribute("aria-describedby") == "trellis-link-preview"
    box, near = page.locator(".link-preview").bounding_box(), link.bounding_box()
    assert (
        abs(box["y"] - (near["y"] + near["height"])) < 20
        or abs((box["y"] + box["height"]) - near["y"]) < 20
    )
    assert abs(box["x"] - near["x"]) < 40
    # No ids are copied in (the page keeps unique ids), no scripts run from the copy.
    assert (
        page.eval_on_selector(".link-preview", "p => p.querySelectorAll('[id], script').length")
        == 0
    )


def test_leaving_the_link_or_escape_closes_it(page, garden, serve_site):
    base = serve_site(garden.out)
    page.goto(base + "alpha/")
    note_link(page, "Beta").hover()
    page.wait_for_selector(POPOVER)
    page.mouse.move(5, 880)
    page.wait_for_selector(".link-preview", state="hidden")
    note_link(page, "Beta").hover()
    page.wait_for_selector(POPOVER)
    page.keyboard.press("Escape")
    page.wait_for_selector(".link-preview", state="hidden")


def test_the_pointer_can_move_into_the_preview(page, garden, serve_site):
    base = serve_site(garden.out)
    page.goto(base + "alpha/")
    note_link(page, "Beta").hover()
    page.wait_for_selector(POPOVER)
    box = page.locator(".link-preview").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 10, steps=5)
    page.wait_for_timeout(500)
    assert page.is_visible(".link-preview")


def test_a_heading_link_previews_that_section(page, garden, serve_site):
    base = serve_site(garden.out)
    page.goto(base + "alpha/")
    note_link(page, "the second part of Beta").hover()
    page.wait_for_selector(POPOVER)
    body = page.inner_text(".link-preview-body")
    assert body.startswith("Second part")
    assert "fernwhistle" in body and "betaopening" not in body


def test_keyboard_focus_shows_a_preview(page, garden, serve_site):
    base = serve_site(garden.out)
    page.goto(base)  # the home note: "Start at [[Alpha]]."
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.note-body a.internal-link')"):
            break
    else:
        raise AssertionError("Tab never reached the link in the note")
    page.wait_for_selector(POPOVER)
    assert page.inner_text(".link-preview-title") == "Alpha"
    assert "zephyrquill" in page.inner_text(".link-preview-body")
    page.keyboard.press("Escape")
    page.wait_for_selector(".link-preview", state="hidden")


def test_touch_screens_get_no_preview(browser, garden, serve_site):
    base = serve_site(garden.out)
    context = browser.new_context(
        has_touch=True, is_mobile=True, viewport={"width": 400, "height": 800}
    )
    try:
        tab = context.new_page()
        tab.goto(base + "alpha/")
        assert tab.evaluate("matchMedia('(hover: hover)').matches") is False
        link = note_link(tab, "Beta")
        link.dispatch_event("mouseover")  # what a tap fires before the click
        link.focus()
        tab.wait_for_timeout(800)
        assert tab.query_selector(".link-preview") is None
    finally:
        context.close()


def test_no_preview_where_the_note_switches_it_off(page, tmp_path: Path, serve_site):
    site = build_vault(
        tmp_path,
        {
            "Quiet.md": published("See [[Loud]].\n", dg_link_preview="false"),
            "Loud.md": published("Loud text, see [[Quiet]].\n"),
        },
    )
    base = serve_site(site.out)
    page.goto(base + "quiet/")
    assert page.evaluate("[...document.scripts].some(s => s.src.endsWith('preview.js'))") is False
    note_link(page, "Loud").hover()
    page.wait_for_timeout(800)
    assert page.query_selector(".link-preview") is None
    page.goto(base + "loud/")
    note_link(page, "Quiet").hover()
    page.wait_for_selector(POPOVER)
    assert "See Loud" in page.inner_text(".link-preview-body")


def test_previews_show_nothing_private(page, garden, serve_site):
    base = serve_site(garden.out)
    page.goto(base + "alpha/")
    seen = []
    links = page.locator(".note-body a.internal-link, .backlinks a.internal-link")
    for index in range(links.count()):
        page.mouse.move(5, 880)
        page.wait_for_selector(".link-preview", state="hidden")  # also true before the first
        links.nth(index).hover()
        page.wait_for_selector(POPOVER)
        seen.append(page.inner_text(".link-preview"))
    assert len(seen) >= 4
    text = "\n".join(seen)
    for marker in PRIVATE_MARKERS:
        assert marker.lower() not in text.lower()
    # The link to the private note is plain text, so there is nothing to hover.
    assert page.locator(".note-body .is-unresolved", has_text="a note I keep").count() == 1
