"""Write the folder pages (`/<folder>/`) and the explorer's file-tree fragment."""

from __future__ import annotations

from trellis.emit.writer import OutputWriter
from trellis.render.pages import PageRenderer


def emit_folder_pages(pages: PageRenderer, writer: OutputWriter) -> int:
    written = pages.folder_pages()
    written.append(pages.explorer_fragment())
    for page in written:
        writer.write_text(page.output_path, page.html)
    return len(written)
