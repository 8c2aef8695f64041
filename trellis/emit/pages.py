"""Write one HTML page per published note, the home page and the 404 page."""

from __future__ import annotations

from collections.abc import Callable

from trellis.emit.writer import OutputWriter
from trellis.public.site import PublicSite
from trellis.render.notes import NoteRenderer
from trellis.render.pages import PageRenderer


def emit_note_pages(
    site: PublicSite,
    notes: NoteRenderer,
    pages: PageRenderer,
    writer: OutputWriter,
    advance: Callable[[], None] = lambda: None,
) -> int:
    count = 0
    for note in site.notes:
        page = pages.note_page(note, notes.render_body(note))
        writer.write_text(page.output_path, page.html)
        count += 1
        advance()
    if site.home is None:
        page = pages.home_list_page()
        writer.write_text(page.output_path, page.html)
        count += 1
    page = pages.not_found_page()
    writer.write_text(page.output_path, page.html)
    return count + 1
