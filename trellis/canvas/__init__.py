"""JSON Canvas 1.0 (jsoncanvas.org) boards published as pages.

`parse_canvas(text)` reads a `.canvas` file into a `Canvas` (nodes, edges, problems found),
`render_canvas(canvas, hooks)` writes its page body: text nodes as Markdown, file nodes as
embeds (a private or missing file becomes a placeholder that names nothing), link nodes,
groups with labels and backgrounds, edges with their ends, labels and colours, in an SVG
layer. Without JavaScript the board is a scrollable box at its natural size;
`static/canvas.js` adds pan, zoom and "fit".

Publishing is opt-in per file, like notes (`canvas_published`): a canvas is published when
its own metadata says so, `"metadata": {"frontmatter": {"dg-publish": true}}` (the place
Obsidian's Advanced Canvas plugin keeps a canvas's properties, so the flag can be set from
Obsidian), or when its vault path matches a pattern of the `publish_canvases` setting
(`["Boards/*.canvas"]`). Nothing else publishes a canvas, not even a published note that
embeds it: that embed shows a placeholder, as an embed of a private note does.
"""

from trellis.canvas.model import Canvas, Edge, Node, canvas_published, parse_canvas
from trellis.canvas.render import CanvasHooks, render_canvas

__all__ = [
    "Canvas",
    "CanvasHooks",
    "Edge",
    "Node",
    "canvas_published",
    "parse_canvas",
    "render_canvas",
]
