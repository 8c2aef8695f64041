"""A canvas as HTML: positioned nodes over an SVG layer of edges, with Obsidian's classes.

Classes follow Obsidian's canvas DOM (`canvas-node`, `canvas-node-group`,
`canvas-node-container`, `canvas-node-content`, `canvas-node-label`, `canvas-group-label`,
`canvas-edges`, `canvas-path-label`, `mod-canvas-color-1`...), so canvas CSS snippets keep
working. Coordinates are shifted so the board starts at (0, 0) with a margin; the SVG and
the nodes share that space, so `static/canvas.js` pans and zooms the whole board with one
CSS transform, and without script the board is simply a scrollable box.

Everything the file holds is escaped here; only the build's callbacks return HTML: the
Markdown of text nodes, and embeds of files, which are None (a placeholder naming nothing)
for a file that is not published.
"""

from __future__ import annotations

from html import escape
from typing import Protocol
from urllib.parse import urlsplit

from trellis.canvas.model import PRESET_COLORS, Canvas, Edge, Node

MARGIN = 40
SAFE_SCHEMES = ("http", "https", "mailto")


class CanvasHooks(Protocol):
    def markdown(self, text: str) -> str:
        """A text node's Markdown as HTML (links reach published notes only)."""

    def embed(self, file: str, subpath: str) -> tuple[str, str] | None:
        """(label, HTML) embedding a published note or attachment; None if it is not one."""

    def file_url(self, file: str) -> str | None:
        """The URL of a published attachment (group backgrounds), or None."""


def _color(color: str | None) -> tuple[str, str]:
    """(extra class, style) for a node or edge colour: presets by class, hex by variable."""
    if color in PRESET_COLORS:
        return f" mod-canvas-color-{color}", ""
    if color:  # a checked hex code (model.py)
        return " mod-canvas-color-custom", f"--canvas-color:{color};"
    return "", ""


def _px(value: float) -> str:
    return f"{round(value, 2):g}px"


def _box(node: Node, dx: float, dy: float) -> str:
    return (
        f"left:{_px(node.x - dx)};top:{_px(node.y - dy)};"
        f"width:{_px(node.width)};height:{_px(node.height)};"
    )


def _placeholder(message: str) -> str:
    return (
        '<div class="internal-embed markdown-embed is-unresolved">'
        f'<p class="embed-placeholder">{escape(message)}</p></div>'
    )


def _node_html(node: Node, hooks: CanvasHooks, dx: float, dy: float) -> str:
    extra, style = _color(node.color)
    attrs = f'data-node-id="{escape(node.id)}" style="{_box(node, dx, dy)}{style}"'
    if node.type == "group":
        background = ""
        if node.background:
            url = hooks.file_url(node.background)
            if url:
                background = (
                    f'<div class="canvas-group-background mod-{node.background_style}" '
                    f"style=\"background-image:url('{escape(url)}')\"></div>"
                )
        label = f'<div class="canvas-group-label">{escape(node.label)}</div>' if node.label else ""
        return (
            f'<div class="canvas-node canvas-node-group{extra}" {attrs}>{background}{label}</div>'
        )
    label = ""
    if node.type == "text":
        content = f'<div class="markdown-rendered">{hooks.markdown(node.text)}</div>'
    elif node.type == "file":
        embedded = hooks.embed(node.file, node.subpath)
        if embedded is None:
            content = _placeholder("This file is not published.")
        else:
            label = f'<div class="canvas-node-label">{escape(embedded[0])}</div>'
            content = embedded[1]
    else:
        url = node.url.strip()
        shown = escape(url)
        if urlsplit(url).scheme.lower() in SAFE_SCHEMES:
            content = (
                f'<a class="external-link canvas-link" href="{escape(url)}" rel="noopener" '
                f'target="_blank">{shown}</a>'
            )
        else:
            content = f'<span class="canvas-link">{shown}</span>'
    return (
        f'<div class="canvas-node canvas-node-{node.type}{extra}" {attrs}>{label}'
        f'<div class="canvas-node-container"><div class="canvas-node-content">{content}'
        "</div></div></div>"
    )


def _anchor(node: Node, side: str, dx: float, dy: float) -> tuple[float, float]:
    x, y, w, h = node.x - dx, node.y - dy, node.width, node.height
    return {
        "top": (x + w / 2, y),
        "bottom": (x + w / 2, y + h),
        "left": (x, y + h / 2),
        "right": (x + w, y + h / 2),
    }[side]


def _facing(a: Node, b: Node) -> str:
    """The side of `a` that faces `b` (an edge without sides leaves from there)."""
    ddx = (b.x + b.width / 2) - (a.x + a.width / 2)
    ddy = (b.y + b.height / 2) - (a.y + a.height / 2)
    if abs(ddx) >= abs(ddy):
        return "right" if ddx >= 0 else "left"
    return "bottom" if ddy >= 0 else "top"


_NORMAL = {"top": (0, -1), "bottom": (0, 1), "left": (-1, 0), "right": (1, 0)}


def _edge_html(edge: Edge, canvas: Canvas, dx: float, dy: float, uid: str) -> tuple[str, str]:
    """(SVG group, HTML label) of one edge."""
    a, b = canvas.node(edge.from_node), canvas.node(edge.to_node)
    assert a is not None and b is not None
    side_a = edge.from_side or _facing(a, b)
    side_b = edge.to_side or _facing(b, a)
    (x1, y1), (x2, y2) = _anchor(a, side_a, dx, dy), _anchor(b, side_b, dx, dy)
    reach = max(40.0, (abs(x2 - x1) + abs(y2 - y1)) / 3)
    c1 = (x1 + _NORMAL[side_a][0] * reach, y1 + _NORMAL[side_a][1] * reach)
    c2 = (x2 + _NORMAL[side_b][0] * reach, y2 + _NORMAL[side_b][1] * reach)
    path = f"M{x1:g},{y1:g} C{c1[0]:g},{c1[1]:g} {c2[0]:g},{c2[1]:g} {x2:g},{y2:g}"
    extra, style = _color(edge.color)
    ends = ""
    if edge.from_end == "arrow":
        ends += f' marker-start="url(#{uid}-arrow-start)"'
    if edge.to_end == "arrow":
        ends += f' marker-end="url(#{uid}-arrow)"'
    svg = (
        f'<g class="canvas-edge{extra}" data-edge-id="{escape(edge.id)}"'
        f"{f' style={chr(34)}{style}{chr(34)}' if style else ''}>"
        f'<path class="canvas-display-path" d="{path}" fill="none"{ends}/></g>'
    )
    label = ""
    if edge.label:
        # The middle of the cubic curve (t = 0.5).
        mx = (x1 + 3 * c1[0] + 3 * c2[0] + x2) / 8
        my = (y1 + 3 * c1[1] + 3 * c2[1] + y2) / 8
        label = (
            f'<div class="canvas-path-label{extra}" style="left:{_px(mx)};top:{_px(my)};{style}">'
            f"{escape(edge.label)}</div>"
        )
    return svg, label


def render_canvas(canvas: Canvas, hooks: CanvasHooks, uid: str = "canvas") -> str:
    """The page body of a canvas (`uid` keeps marker ids apart when a page holds several)."""
    uid = "".join(ch for ch in uid if ch.isalnum() or ch in "-_") or "canvas"
    left, top, right, bottom = canvas.bounds()
    dx, dy = left - MARGIN, top - MARGIN
    width, height = right - left + 2 * MARGIN, bottom - top + 2 * MARGIN
    edges = [_edge_html(edge, canvas, dx, dy, uid) for edge in canvas.edges]
    markers = (
        f'<defs><marker id="{uid}-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" class="canvas-arrow"/></marker>'
        f'<marker id="{uid}-arrow-start" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" class="canvas-arrow"/></marker></defs>'
    )
    svg = (
        f'<svg class="canvas-edges" width="{width:g}" height="{height:g}" '
        f'viewBox="0 0 {width:g} {height:g}" aria-hidden="true">{markers}'
        f"{''.join(e[0] for e in edges)}</svg>"
    )
    nodes = "".join(_node_html(node, hooks, dx, dy) for node in canvas.nodes)
    labels = "".join(e[1] for e in edges)
    controls = (
        '<div class="canvas-controls" hidden>'
        '<button type="button" data-canvas-zoom="in" aria-label="Zoom in">+</button>'
        '<button type="button" data-canvas-zoom="out" aria-label="Zoom out">−</button>'
        '<button type="button" data-canvas-zoom="fit" aria-label="Fit to view">Fit</button>'
        "</div>"
    )
    return (
        f'<div class="canvas-wrapper" data-canvas="{uid}">{controls}'
        '<div class="canvas-viewport" tabindex="0" role="region" aria-label="Canvas">'
        f'<div class="canvas" style="width:{_px(width)};height:{_px(height)}">'
        f"{svg}{nodes}{labels}</div></div></div>"
    )
