"""Write `/tags/` and one page per tag (and per parent of a nested tag)."""

from __future__ import annotations

from trellis.emit.writer import OutputWriter
from trellis.model.tags import build_tag_index
from trellis.public.site import PublicSite
from trellis.public.urls import tag_key
from trellis.render.pages import PageRenderer


def emit_tag_pages(site: PublicSite, pages: PageRenderer, writer: OutputWriter) -> int:
    index = build_tag_index(((note, note.tags) for note in site.notes), tag_key)
    for entry in index.values():
        page = pages.tag_page(entry)
        writer.write_text(page.output_path, page.html)
    page = pages.tags_index_page(index)
    writer.write_text(page.output_path, page.html)
    return len(index) + 1
