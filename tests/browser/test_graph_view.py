"""The local graph beside a note and the global graph page, drawn in a real browser.

Checks what a reader sees: the right notes are drawn (depth 1, then 2), the canvas has
pixels, the current note is painted in the theme's accent colour and follows the light/dark
switch, and clicking a node opens its note.
"""

from __future__ import annotations

from typing import Any

import pytest
from garden_vault import PRIVATE_MARKERS

pytestmark = pytest.mark.browser

READY = ".graph-view[data-graph-state=ready]"


def node_titles(page: Any) -> list[str]:
    return sorted(
        page.evaluate(
            "document.querySelector('.graph-view').graph.graphData().nodes.map(n => n.title)"
        )
    )


def screen_point(page: Any, title: str) -> dict[str, float]:
    """Where the node titled `title` is on the page (CSS pixels)."""
    return page.evaluate(
        """(title) => {
            const view = document.querySelector('.graph-view');
            const node = view.graph.graphData().nodes.find(n => n.title === title);
            const at = view.graph.graph2ScreenCoords(node.x, node.y);
            const box = view.querySelector('canvas').getBoundingClientRect();
            return {x: box.left + at.x, y: box.top + at.y};
        }""",
        title,
    )


def click_node(page: Any, title: str) -> None:
    """Point at the node like a reader would (until the graph says it is hovered), click it.

    force-graph finds the node under the pointer on a hidden canvas that it repaints at most
    every 800 ms, so right after the layout settles a click may land before it knows.
    """
    point = screen_point(page, title)
    for attempt in range(40):
        page.mouse.move(point["x"] + attempt % 2, point["y"])
        if page.evaluate("document.querySelector('.graph-view').title") == title:
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError(f"the pointer never found the node {title!r}")
    page.mouse.click(point["x"], point["y"])


def pixel(page: Any, point: dict[str, float]) -> list[int]:
    """The canvas pixel under a page point, as [r, g, b, a]."""
    return page.evaluate(
        """(p) => {
            const canvas = document.querySelector('.graph-view canvas');
            const box = canvas.getBoundingClientRect();
            const ratio = canvas.width / box.width;
            const ctx = canvas.getContext('2d');
            const x = Math.round((p.x - box.left) * ratio), y = Math.round((p.y - box.top) * ratio);
            return Array.from(ctx.getImageData(x, y, 1, 1).data);
        }""",
        point,
    )


def css_colour(page: Any, variable: str) -> list[int]:
    hex_value = page.evaluate(
        f"getComputedStyle(document.documentElement).getPropertyValue('{variable}').trim()"
    )
    assert hex_value.startswith("#") and len(hex_value) == 7, hex_value
    return [int(hex_value[i : i + 2], 16) for i in (1, 3, 5)]


def close(a: list[int], b: list[int]) -> bool:
    return all(abs(x - y) <= 3 for x, y in zip(a[:3], b[:3], strict=True))


def test_local_graph_draws_the_note_and_its_neighbours(page, garden, serve_site):
    base = serve_site(garden.out)
    page.goto(base + "alpha/")
    page.wait_for_selector(READY)
    assert page.is_visible(".graph-panel")
    # Home links here, Alpha links Beta and embeds Gamma; Hidden and NoGraph are left out.
    assert node_titles(page) == ["Alpha", "Beta", "Gamma", "Home"]
    painted = page.evaluate(
        """() => {
            const canvas = document.querySelector('.graph-view canvas');
            const ctx = canvas.getContext('2d');
            const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
            let n = 0;
            for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
            return n;
        }"""
    )
    assert painted > 500  # four discs, labels and lines
    listed = page.eval_on_selector_all(".graph-list a", "as => as.map(a => a.textContent)")
    assert sorted(listed) == ["Beta", "Gamma", "Home"]


def test_depth_two_adds_the_links_of_links(page, garden, serve_site):
    base = serve_site(garden.out)
    page.goto(base + "alpha/")
    page.wait_for_selector(READY)
    page.click(".graph-depth [data-depth='2']")
    page.wait_for_selector(READY)
    assert node_titles(page) == ["Alpha", "Beta", "Delta", "Gamma", "Home"]
    assert page.get_attribute(".graph-depth [data-depth='2']", "aria-pressed") == "true"
    # The choice is remembered on the next page.
    page.goto(base + "gamma/")
    page.wait_for_selector(READY)
    assert "Home" in node_titles(page)  # Gamma - Alpha - Home is two steps


def test_current_note_is_painted_in_the_theme_accent_and_follows_the_theme(
    page, garden, serve_site
):
    base = serve_site(garden.out)
    page.emulate_media(color_scheme="light")
    page.goto(base + "alpha/")
    page.wait_for_selector(READY)
    point = screen_point(page, "Alpha")
    light = css_colour(page, "--interactive-accent")
    assert close(pixel(page, point), light), (pixel(page, point), light)
    other = pixel(page, screen_point(page, "Beta"))
    assert close(other, css_colour(page, "--text-muted")), other
    page.click(".theme-toggle")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    dark = css_colour(page, "--interactive-accent")
    assert dark != light
    page.wait_for_function(
        """([x, y, want]) => {
            const canvas = document.querySelector('.graph-view canvas');
            const box = canvas.getBoundingClientRect();
            const r = canvas.width / box.width;
            const d = canvas.getContext('2d').getImageData(
                Math.round((x - box.left) * r), Math.round((y - box.top) * r), 1, 1).data;
            return want.every((v, i) => Math.abs(v - d[i]) <= 3);
        }""",
        arg=[point["x"], point["y"], dark],
    )


def test_clicking_a_node_opens_its_note(page, garden, serve_site):
    base = serve_site(garden.out)
    page.goto(base + "alpha/")
    page.wait_for_selector(READY)
    with page.expect_navigation():
        click_node(page, "Gamma")
    assert page.evaluate("location.pathname") == "/gamma/"


def test_no_local_graph_for_a_note_left_out_of_it(page, garden, serve_site):
    base = serve_site(garden.out)
    page.goto(base + "nograph/")
    assert page.query_selector(".graph-view") is None
    page.goto(base + "lonely/")
    page.wait_for_selector(READY)
    assert node_titles(page) == ["Lonely"]


def test_global_graph_page_draws_every_note_in_the_graph(page, garden, serve_site):
    assert (garden.out / "graph" / "index.html").is_file()  # written by the build
    base = serve_site(garden.out)
    page.goto(base + "graph/")
    page.wait_for_selector(READY)
    assert node_titles(page) == ["Alpha", "Beta", "Delta", "Gamma", "Home", "Lonely", "NoSearch"]
    text = page.content()
    for marker in PRIVATE_MARKERS:
        assert marker not in text
    with page.expect_navigation():
        click_node(page, "Lonely")
    assert page.evaluate("location.pathname") == "/lonely/"
