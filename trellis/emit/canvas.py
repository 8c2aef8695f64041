"""Published JSON Canvas boards, one page each (`trellis.canvas.publish` says which).

File nodes naming unpublished notes or files become placeholders that name nothing
(`trellis.render.queries.QueryHooks.embed`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trellis.emit.writer import OutputWriter
from trellis.public.urls import output_file
from trellis.render.pages import PageRenderer

if TYPE_CHECKING:  # (query results exist only where the engine was loaded)
    from trellis.render.queries import QueryResults


def emit_canvases(results: QueryResults | None, pages: PageRenderer, writer: OutputWriter) -> int:
    """Write the published canvases' pages (none without query results); how many."""
    if results is None:
        return 0
    from trellis.canvas import render_canvas

    hooks = results.canvas_hooks()
    for page in results.canvases:
        with results.notes.standalone():
            body = render_canvas(page.canvas, hooks, "canvas")
        context = pages.base_context("canvas", page.title, page.url, body=body, features=["canvas"])
        writer.write_text(output_file(page.url), pages.render_template("canvas.html", context))
    return len(results.canvases)
