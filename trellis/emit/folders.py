"""Write the folder pages (`/<folder>/`) and the explorer's file-tree fragment."""

from __future__ import annotations

from trellis.emit.keyed_lists import KeyedLists
from trellis.emit.writer import OutputWriter
from trellis.public.urls import output_file, path_slug
from trellis.render.pages import PageRenderer

EXPLORER_FILE = "_trellis/explorer.html"


def emit_folder_pages(
    pages: PageRenderer,
    writer: OutputWriter,
    only: set[str] | None = None,
    lists: KeyedLists | None = None,
) -> int:
    """Every folder page and the file tree; with `only` (folder paths: the preview's fast
    path, for edits that keep the file tree), only those folders' pages; with keyed `lists`
    (a whole build), unchanged ones are taken over. The number of folder pages and tree
    the site has, either way."""
    lists = lists or KeyedLists(pages, writer)
    folders = pages.listed_folders()
    for folder in folders:
        if only is None or folder.path in only:
            lists.write(pages.folder_plan(folder))
    if only is None:
        _explorer(pages, writer, lists)
    return len(folders) + 1


def _explorer(pages: PageRenderer, writer: OutputWriter, lists: KeyedLists) -> None:
    """The file tree, taken over when the key the build's plan gave it is the last one."""
    keys = lists.keys
    key = keys.given.get(EXPLORER_FILE) if keys is not None else None
    if keys is not None and key is not None and keys.take_over(EXPLORER_FILE, key, writer):
        return
    page = pages.explorer_fragment()
    data = page.html.encode("utf-8")
    writer.write_bytes(page.output_path, data)
    if keys is not None and key is not None:
        keys.written(page.output_path, data)


def folder_files(folders: set[str]) -> set[str]:
    """The files of the pages of `folders` (paths from `PageRenderer.folders_listing`)."""
    return {output_file(path_slug(folder)) for folder in folders}
