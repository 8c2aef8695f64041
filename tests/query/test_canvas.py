"""JSON Canvas 1.0: reading boards (the spec's sample and hostile files), writing their page
body with Obsidian's canvas classes, placeholders for unpublished files, opt-in publishing,
and pan and zoom in a real browser (with a static board when script is off)."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import ClassVar

import pytest
from canvas_cases import SPEC_SAMPLE, board
from selectolax.lexbor import LexborHTMLParser

from trellis.canvas import canvas_published, parse_canvas, render_canvas

STATIC = Path(__file__).resolve().parents[2] / "static"


class Hooks:
    published: ClassVar[dict[str, str]] = {
        "Books/Dune.md": "Dune",
        "readme.md": "readme",
        "spec/1.0.md": "1.0",
    }

    def markdown(self, text: str) -> str:
        return f"<p>{escape(text)}</p>"

    def embed(self, file: str, subpath: str) -> tuple[str, str] | None:
        title = self.published.get(file)
        if title is None:
            return None
        return title, f'<div class="markdown-embed" data-sub="{escape(subpath)}">{title}</div>'

    def file_url(self, file: str) -> str | None:
        return "/attachments/1/bg.png" if file == "bg.png" else None


def html_of(text: str) -> LexborHTMLParser:
    return LexborHTMLParser(render_canvas(parse_canvas(text), Hooks()))


def test_the_spec_sample_reads_whole() -> None:
    canvas = parse_canvas(SPEC_SAMPLE)
    assert canvas.problems == []
    assert [n.type for n in canvas.nodes] == ["group", "file", "file", "text", "file"]
    assert canvas.nodes[1].color == "6"
    edge = canvas.edges[0]
    assert (edge.from_side, edge.to_side, edge.from_end, edge.to_end) == (
        "right",
        "left",
        "none",
        "arrow",
    )
    assert canvas.bounds() == (-300, -460, 760, 360)


def test_nodes_keep_their_order_position_and_size() -> None:
    page = html_of(SPEC_SAMPLE)
    nodes = page.css(".canvas > .canvas-node")
    assert [n.attributes["data-node-id"] for n in nodes] == [
        "754a8ef995f366bc",
        "8132d4d894c80022",
        "7efdbbe0c4742315",
        "59e896bc8da20699",
        "0ba565e7f30e0652",
    ]
    # Shifted so the board starts at the margin (40px): the group was at (-300, -460).
    assert nodes[0].attributes["style"].startswith("left:40px;top:40px;width:610px;height:200px")
    board_el = page.css_first(".canvas")
    assert board_el.attributes["style"] == "width:1140px;height:900px"


def test_every_node_type_and_edge_is_written() -> None:
    page = html_of(board())
    group = page.css_first(".canvas-node.canvas-node-group.mod-canvas-color-4")
    assert group.css_first(".canvas-group-label").text() == "Reading"
    assert (
        "url('/attachments/1/bg.png')"
        in group.css_first(".canvas-group-background.mod-ratio").attributes["style"]
    )
    text = page.css_first(".canvas-node-text")
    assert "mod-canvas-color-custom" in text.attributes["class"]
    assert "--canvas-color:#ff8800" in text.attributes["style"]
    assert text.css_first(".canvas-node-content .markdown-rendered p") is not None
    file_node = page.css_first('.canvas-node-file[data-node-id="f"]')
    assert file_node.css_first(".canvas-node-label").text() == "Dune"
    assert file_node.css_first(".markdown-embed").attributes["data-sub"] == "#Themes"
    link = page.css_first(".canvas-node-link a.external-link")
    assert (
        link.attributes["href"] == "https://jsoncanvas.org/"
        and link.attributes["rel"] == "noopener"
    )
    edges = page.css("svg.canvas-edges g.canvas-edge")
    assert [e.attributes["data-edge-id"] for e in edges] == ["e1", "e2", "e3"]
    assert "mod-canvas-color-1" in edges[0].attributes["class"]
    first = edges[0].css_first("path")
    assert (
        first.attributes["marker-end"] == "url(#canvas-arrow)"
        and "marker-start" not in first.attributes
    )
    second = edges[1].css_first("path")
    assert (
        second.attributes["marker-start"] == "url(#canvas-arrow-start)"
        and "marker-end" not in second.attributes
    )
    labels = page.css(".canvas-path-label")
    assert [label.text() for label in labels] == ["then", "SECRET EDGE? no: fine"]


def test_edge_ends_sit_on_the_named_sides() -> None:
    page = html_of(board())
    path = page.css_first('g[data-edge-id="e2"] path').attributes["d"]
    # t is at (40, 40) size 300x120, shifted by the margin: bottom middle is (230, 200);
    # l is at (40, 300): top middle is (230, 340).
    assert path.startswith("M230,200 ") and path.endswith(" 230,340")


def test_unpublished_files_are_placeholders_that_name_nothing() -> None:
    html = render_canvas(parse_canvas(board()), Hooks())
    node = LexborHTMLParser(html).css_first('.canvas-node-file[data-node-id="p"]')
    assert node.css_first(".canvas-node-label") is None
    assert node.css_first(".embed-placeholder").text() == "This file is not published."
    assert "Secret" not in node.html and "Private" not in html


def test_unsafe_urls_and_markup_are_neutralised() -> None:
    text = json.dumps(
        {
            "nodes": [
                {
                    "id": "a",
                    "type": "link",
                    "x": 0,
                    "y": 0,
                    "width": 10,
                    "height": 10,
                    "url": "javascript:alert(1)",
                },
                {
                    "id": 'b"><script>',
                    "type": "group",
                    "x": 0,
                    "y": 0,
                    "width": 10,
                    "height": 10,
                    "label": "<img src=x onerror=alert(1)>",
                    "color": "red;background:url(x)",
                },
            ],
            "edges": [{"id": "e<", "fromNode": "a", "toNode": 'b"><script>', "label": "<b>x</b>"}],
        }
    )
    html = render_canvas(parse_canvas(text), Hooks())
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert 'href="javascript' not in html
    assert "red;background" not in html


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        (
            '{"nodes": [{"id": "a", "type": "circle", "x": 0, "y": 0, "width": 1, "height": 1}]}',
            "unknown type",
        ),
        (
            '{"nodes": [{"id": "a", "type": "text", "x": "0", "y": 0, "width": 1, "height": 1}]}',
            "no valid x",
        ),
        (
            '{"nodes": [{"id": "a", "type": "text", "x": 1e400, "y": 0, "width": 1, "height": 1}]}',
            "no valid x",
        ),
        ('{"nodes": [], "edges": [{"id": "e", "fromNode": "a", "toNode": "b"}]}', "does not exist"),
        (
            '{"nodes": [{"id": "a", "type": "text", "x": 0, "y": 0, "width": 1, "height": 1},'
            '{"id": "a", "type": "text", "x": 0, "y": 0, "width": 1, "height": 1}]}',
            "used twice",
        ),
        ('{"nodes": [{"type": "text", "x": 0, "y": 0, "width": 1, "height": 1}]}', "no id"),
        ("[" * 100000 + "]" * 100000, "not valid JSON"),
    ],
)
def test_bad_files_are_reported_and_the_rest_is_kept(text: str, problem: str) -> None:
    canvas = parse_canvas(text)
    assert any(problem in p for p in canvas.problems), canvas.problems
    render_canvas(canvas, Hooks())  # never raises


def test_an_empty_board_renders() -> None:
    assert LexborHTMLParser(render_canvas(parse_canvas("{}"), Hooks())).css_first(
        ".canvas-viewport"
    )


def test_publishing_is_opt_in() -> None:
    plain = parse_canvas(board())
    assert not canvas_published(plain, "Boards/Plan.canvas")
    flagged = parse_canvas(
        board(metadata={"version": "1.0-1.0", "frontmatter": {"dg-publish": True}})
    )
    assert canvas_published(flagged, "Boards/Plan.canvas")
    off = parse_canvas(board(metadata={"frontmatter": {"dg-publish": "yes"}}))
    assert not canvas_published(off, "Boards/Plan.canvas")
    assert canvas_published(plain, "Boards/Plan.canvas", ("Boards/*.canvas",))
    assert not canvas_published(plain, "Private/Plan.canvas", ("Boards/*.canvas",))
    assert canvas_published(
        parse_canvas(board(metadata={"frontmatter": {"publish": True}})), "P.canvas", flag="publish"
    )


def test_two_boards_on_one_page_keep_their_markers_apart() -> None:
    canvas = parse_canvas(board())
    first, second = render_canvas(canvas, Hooks(), "a"), render_canvas(canvas, Hooks(), "b")
    assert 'id="a-arrow"' in first and 'id="b-arrow"' in second and "url(#b-arrow)" in second


@pytest.mark.browser
def test_pan_and_zoom_in_a_browser(tmp_path: Path, browser) -> None:
    body = render_canvas(parse_canvas(board()), Hooks())
    page_html = (
        "<!doctype html><html><head><style>"
        + (STATIC / "canvas.css").read_text()
        + "</style></head><body>"
        + body
        + "<script>"
        + (STATIC / "canvas.js").read_text()
        + "</script></body></html>"
    )
    page = browser.new_page(viewport={"width": 800, "height": 700})
    try:
        page.set_content(page_html)
        assert page.is_visible(".canvas-controls")
        fitted = page.evaluate("document.querySelector('.canvas-wrapper').trellisCanvas.state.s")
        assert 0 < fitted <= 1
        page.click('[data-canvas-zoom="in"]')
        zoomed = page.evaluate("document.querySelector('.canvas-wrapper').trellisCanvas.state.s")
        assert zoomed == pytest.approx(fitted * 1.2)
        assert "scale(" in page.get_attribute(".canvas", "style")
        before = page.evaluate(
            "({...document.querySelector('.canvas-wrapper').trellisCanvas.state})"
        )
        box = page.locator(".canvas-viewport").bounding_box()
        # Drag from an empty spot of the board (the viewport's corner).
        page.mouse.move(box["x"] + 5, box["y"] + box["height"] - 5)
        page.mouse.down()
        page.mouse.move(box["x"] + 105, box["y"] + box["height"] - 55)
        page.mouse.up()
        after = page.evaluate(
            "({...document.querySelector('.canvas-wrapper').trellisCanvas.state})"
        )
        assert after["x"] == pytest.approx(before["x"] + 100) and after["y"] == pytest.approx(
            before["y"] - 50
        )
        page.focus(".canvas-viewport")
        page.keyboard.press("0")
        assert page.evaluate(
            "document.querySelector('.canvas-wrapper').trellisCanvas.state.s"
        ) == pytest.approx(fitted)
    finally:
        page.close()


@pytest.mark.browser
def test_without_script_the_board_scrolls_at_natural_size(browser) -> None:
    body = render_canvas(parse_canvas(board()), Hooks())
    context = browser.new_context(java_script_enabled=False, viewport={"width": 500, "height": 600})
    page = context.new_page()
    try:
        page.set_content("<style>" + (STATIC / "canvas.css").read_text() + "</style>" + body)
        assert not page.is_visible(".canvas-controls")
        sizes = page.evaluate(
            "(() => { const v = document.querySelector('.canvas-viewport');"
            " return [v.scrollWidth, v.clientWidth]; })()"
        )
        assert sizes[0] > sizes[1]  # wider than the screen: the reader scrolls
        text = page.locator(".canvas-node-text").bounding_box()
        assert text["width"] == pytest.approx(300)
    finally:
        context.close()
