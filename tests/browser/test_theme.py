"""The theme in a real browser, on the sample vault: light and dark, phone and laptop.

Screenshots of every page kind, a note's local graph and the search dialog are taken in
both schemes; set TRELLIS_SCREENSHOTS to a folder to keep them (docs/screenshots was made so).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from trellis.pipeline import build

ROOT = Path(__file__).resolve().parents[2]
PAGES = {
    "home": "",
    "callouts": "guides/callouts/",
    "embeds": "guides/embeds/",
    "links": "guides/writing-notes/",
    "episode": "sources/podcasts/the-slow-garden-episode-12/",
    "tag": "tags/garden/",
    "folder": "guides/",
    "graph": "graph/",
    "japanese": "languages/日本の庭/",
}
LOCAL_GRAPH = "guides/embeds/"  # the sample note with the most links

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "public"
    build(ROOT / "site_src", out, use_cache=False)
    return out


@pytest.fixture
def site_url(sample: Path, serve_site: Any) -> str:
    return serve_site(sample)


def shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TRELLIS_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def background(page: Any, selector: str) -> str:
    return page.eval_on_selector(selector, "e => getComputedStyle(e).backgroundColor")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_of_the_sample_pages(
    browser: Any, site_url: str, tmp_path: Path, scheme, width
):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme, device_scale_factor=1
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    folder = shots_dir(tmp_path)
    for name, path in PAGES.items():
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
        if name == "graph":
            page.wait_for_selector(".graph-view[data-graph-state=ready]")
        target = folder / f"{name}-{width}-{scheme}.png"
        page.screenshot(path=str(target))  # the first screen: what a reader sees first
        assert target.stat().st_size > 10_000
        # Nothing may stick out sideways on a phone.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} is {overflow}px wider than the screen at {width}px"
    # A note with its local graph (beside it at 1280, under it on a phone), in view.
    page.goto(site_url + LOCAL_GRAPH)
    page.locator(".graph-panel").scroll_into_view_if_needed()
    page.wait_for_selector(".graph-view[data-graph-state=ready]")
    assert page.evaluate("document.querySelector('.graph-view').graphLabels.length") > 1
    target = folder / f"local-graph-{width}-{scheme}.png"
    page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000
    # The search dialog, open on a query.
    page.goto(site_url)
    page.keyboard.press("Control+k")
    page.fill(".search-input", "compost")
    page.wait_for_selector(".search-results li")
    page.wait_for_timeout(300)
    page.screenshot(path=str(folder / f"search-{width}-{scheme}.png"))
    body = background(page, "body")
    assert body == ("rgb(30, 30, 30)" if scheme == "dark" else "rgb(255, 255, 255)")
    context.close()
    assert not errors


def test_callouts_have_their_colours_and_fold_without_script(browser: Any, site_url: str):
    for javascript in (True, False):
        context = browser.new_context(java_script_enabled=javascript)
        page = context.new_page()
        page.goto(site_url + PAGES["callouts"])
        note = background(page, '.callout[data-callout="note"]')
        warning = background(page, '.callout[data-callout="warning"]')
        assert note != warning and "rgba" in note
        folded = page.locator('details.callout[data-callout="faq"]').first
        assert folded.get_attribute("open") is None
        assert not folded.locator(".callout-content").is_visible()
        folded.locator("summary").click()
        assert folded.locator(".callout-content").is_visible()
        # The embed inside a folded callout stays inside it.
        embed_box = page.locator('details.callout[data-callout="warning"] .markdown-embed')
        assert embed_box.count() == 1 and not embed_box.is_visible()
        context.close()


def test_dark_mode_toggle_and_memory(page: Any, site_url: str):
    page.goto(site_url)
    light = background(page, "body")
    page.click(".theme-toggle")
    dark = background(page, "body")
    assert light != dark and dark == "rgb(30, 30, 30)"
    page.goto(site_url + PAGES["links"])
    assert background(page, "body") == dark  # the choice is remembered across pages
    page.click(".theme-toggle")
    assert background(page, "body") == light


def test_explorer_folds_and_marks_the_current_page(page: Any, site_url: str):
    page.goto(site_url + PAGES["links"])
    current = page.locator('.explorer a[aria-current="page"]')
    current.wait_for()
    assert current.inner_text() == "Writing Notes"
    garden = page.locator(".explorer details", has=page.locator("summary", has_text="Garden")).first
    assert garden.get_attribute("open") is None
    garden.locator("summary").first.click()
    assert garden.get_attribute("open") is not None
    assert page.locator('.explorer a:has-text("Compost")').is_visible()


def test_table_links_and_unresolved_links(page: Any, site_url: str):
    page.goto(site_url + PAGES["links"])
    cells = page.locator("table td a.internal-link")
    assert cells.count() == 4
    assert cells.nth(0).inner_text() == "tomatoes"
    unresolved = page.locator("span.internal-link.is-unresolved", has_text="Moon Garden")
    assert unresolved.count() == 1


def test_phone_sidebar_opens_from_the_menu_button(browser: Any, site_url: str):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(site_url + PAGES["links"])
    explorer = page.locator("nav.explorer")
    assert not explorer.is_visible()
    page.click(".sidebar-toggle")
    assert explorer.is_visible()
    assert page.get_attribute(".sidebar-toggle", "aria-expanded") == "true"
    context.close()


def test_an_obsidian_snippet_restyles_the_dark_theme(browser: Any, serve_site: Any, tmp_path: Path):
    """A snippet written for Obsidian (`body.theme-dark` + its variables) applies as is."""
    from helpers import build_vault, published

    site = build_vault(
        tmp_path,
        {
            "Home.md": published("Hello\n", dg_home="true"),
            ".trellis/snippets/night.css": "body.theme-dark { --background-primary: #102030; }\n",
        },
    )
    base = serve_site(site.out)
    for scheme, expected in (("dark", "rgb(16, 32, 48)"), ("light", "rgb(255, 255, 255)")):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(base)
        assert background(page, "body") == expected
        page.click(".theme-toggle")  # the toggle moves the body class along
        flipped = "theme-light" if scheme == "dark" else "theme-dark"
        assert flipped in page.eval_on_selector("body", "e => e.className")
        context.close()


def test_phone_header_is_one_tidy_row_and_the_explorer_opens_below_it(browser: Any, site_url: str):
    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    page.goto(site_url + "guides/callouts/")
    page.wait_for_load_state("networkidle")
    boxes = page.evaluate(
        """() => ['.sidebar-toggle', '.site-title', '.search-open', '.theme-toggle'].map(s => {
            const r = document.querySelector(s).getBoundingClientRect();
            return {top: r.top, bottom: r.bottom, height: r.height};
        })"""
    )
    buttons = [boxes[0], boxes[2], boxes[3]]
    assert {round(b["height"]) for b in buttons} == {round(buttons[0]["height"])}
    assert {round(b["top"]) for b in buttons} == {round(buttons[0]["top"])}
    title = page.eval_on_selector(".site-title", "e => e.getClientRects().length")
    assert title == 1 and boxes[1]["height"] < 40  # one line, not wrapped
    page.click(".sidebar-toggle")
    header = page.eval_on_selector(".site-header", "e => e.getBoundingClientRect().bottom")
    explorer = page.eval_on_selector("#explorer", "e => e.getBoundingClientRect()")
    first = page.eval_on_selector("#explorer a", "e => e.getBoundingClientRect().top")
    assert first >= header and explorer["top"] >= header - 1
    assert explorer["bottom"] == 640  # covers the page below the header
    context.close()


BOXES = """(selectors) => selectors.map(s => {
    const e = document.querySelector(s);
    if (!e) return null;
    const r = e.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, height: r.height, left: r.left, right: r.right};
})"""


@pytest.mark.parametrize("width", [390, 1280])
def test_the_title_sits_right_under_the_header(browser: Any, site_url: str, width: int):
    """No dead band above a page's title: on a page with breadcrumbs, and on the home page
    (none), the first thing under the header starts within 24 px of it, and the title
    follows the breadcrumbs within 20 px."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    for path in ("", PAGES["callouts"], PAGES["tag"], PAGES["folder"]):
        page.goto(site_url + path)
        header, crumbs, title = page.evaluate(BOXES, [".site-header", ".breadcrumbs", "main h1"])
        first = crumbs or title
        assert 0 <= first["top"] - header["bottom"] <= 24, (path, width, header, first)
        if crumbs:
            assert 0 <= title["top"] - crumbs["bottom"] <= 20, (path, width, crumbs, title)
    context.close()


def test_a_long_site_title_stays_on_one_row_on_a_phone(
    browser: Any, serve_site: Any, tmp_path: Path
):
    """At 360 px a long site title is cut with an ellipsis, not wrapped: the menu, search
    and theme buttons stay one row of equal squares inside the header and the screen."""
    from helpers import build_vault, published

    title = "The Very Long Name of Somebody's Carefully Tended Digital Garden"
    site = build_vault(tmp_path, {"Home.md": published("Hello\n", dg_home="true")}, title=title)
    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    page.goto(serve_site(site.out))
    page.wait_for_selector(".search-open:not([hidden])")
    header, menu, name, search, theme = page.evaluate(
        BOXES, [".site-header", ".sidebar-toggle", ".site-title", ".search-open", ".theme-toggle"]
    )
    assert page.eval_on_selector(".site-title", "e => e.getClientRects().length") == 1
    assert name["height"] < 40 and name["right"] <= search["left"]
    buttons = (menu, search, theme)
    assert len({round(b["height"]) for b in buttons}) == 1
    assert len({round(b["top"]) for b in buttons}) == 1
    assert max(b["right"] for b in buttons) <= 360
    assert all(header["top"] <= b["top"] and b["bottom"] <= header["bottom"] for b in buttons)
    context.close()


def test_the_tag_index_flows_in_rows_not_one_long_column(
    browser: Any, serve_site: Any, tmp_path: Path
):
    """Sixty tags (each on two notes) share rows at 1280 and at 390 px; a tag with nested
    tags takes a row of its own with its children below it."""
    from helpers import build_vault, published

    names = [f"topic{n:02d}" for n in range(60)]
    files = {
        f"Note {n}.md": published("Text.\n", tags="[" + ", ".join([*names, "plant/herb"]) + "]")
        for n in range(2)
    }
    site = build_vault(tmp_path, files)
    base = serve_site(site.out)
    for width, most_rows in ((1280, 15), (390, 30)):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        page.goto(base + "tags/")
        tops = page.eval_on_selector_all(
            ".tag-tree > ul > li", "items => items.map(li => li.getBoundingClientRect().top)"
        )
        assert len(tops) == 61
        assert len({round(top) for top in tops}) <= most_rows, (width, sorted(set(tops)))
        parent, child = page.evaluate(
            BOXES, ['.tag-tree a[href$="/tags/plant/"]', '.tag-tree a[href$="/tags/plant/herb/"]']
        )
        assert child["top"] > parent["bottom"] - 1 and child["left"] > parent["left"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()
