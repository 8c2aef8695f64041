"""Write `/tags/` and one page per tag (and per parent of a nested tag)."""

from __future__ import annotations

from trellis.emit.writer import OutputWriter
from trellis.model.tags import build_tag_index
from trellis.public.site import PublicSite
from trellis.public.urls import output_file, tag_key, tag_path
from trellis.render.pages import PageRenderer


def emit_tag_pages(
    site: PublicSite, pages: PageRenderer, writer: OutputWriter, only: set[str] | None = None
) -> int:
    """Every tag page and the index; with `only` (tag keys, `tag_scope`), only those tags'
    pages and the index (the preview's fast path: a save changed those tags). The number of
    tag pages the site has, either way."""
    index = build_tag_index(((note, note.tags) for note in site.notes), tag_key)
    for key, entry in index.items():
        if only is not None and key not in only:
            continue
        page = pages.tag_page(entry)
        writer.write_text(page.output_path, page.html)
    page = pages.tags_index_page(index)
    writer.write_text(page.output_path, page.html)
    return len(index) + 1


def _prefixes(tags: set[str]) -> set[str]:
    found: set[str] = set()
    for tag in tags:
        parts = [p for p in tag.split("/") if p]
        found.update("/".join(parts[:depth]) for depth in range(1, len(parts) + 1))
    return found


def tag_scope(tags: set[str]) -> set[str]:
    """The keys of `tags` and of their parents: the tag pages a change of `tags` can reach."""
    return {tag_key(tag) for tag in _prefixes(tags)}


def tag_files(tags: set[str]) -> set[str]:
    """The files of the pages of `tags` (and their parents), and the index."""
    return {output_file(tag_path(tag)) for tag in _prefixes(tags)} | {"tags/index.html"}
