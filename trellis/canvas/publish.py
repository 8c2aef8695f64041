"""Which canvases of the vault are published, and where their pages live.

A canvas is published when its own `metadata.frontmatter` holds the publish flag (set from
Obsidian with the Advanced Canvas plugin) or when its vault path matches a pattern of the
`publish_canvases` setting (simpler for canvases without properties). Its page lives at its
path's URL without the extension (`Boards/Plan.canvas` -> `/boards/plan/`); a note that
owns that URL wins, with a warning.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass

from trellis.canvas.model import Canvas, canvas_published, parse_canvas
from trellis.diagnostics import Diagnostics
from trellis.public.site import PublicSite
from trellis.public.urls import path_slug
from trellis.vault.records import Attachment


@dataclass
class CanvasPage:
    rel_path: str  # in the vault
    url: str  # site path, `/boards/plan/`
    title: str
    canvas: Canvas


def published_canvases(
    site: PublicSite, files: Iterable[Attachment], diagnostics: Diagnostics
) -> list[CanvasPage]:
    """The vault's published canvases, read and parsed, in path order."""
    settings = site.settings
    found = []
    for file in sorted(files, key=lambda f: f.rel_path):
        if file.suffix != ".canvas":
            continue
        try:
            text = file.file.read().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            diagnostics.warn(file.rel_path, f"canvas not read: {error}")
            continue
        canvas = parse_canvas(text)
        if not canvas_published(
            canvas, file.rel_path, settings.publish_canvases, settings.publish_flag
        ):
            continue
        for problem in canvas.problems[:5]:
            diagnostics.warn(file.rel_path, str(problem))
        url = path_slug(file.rel_path[: -len(".canvas")])
        if url in site.by_url or url == "/":
            diagnostics.warn(file.rel_path, f"canvas not published: a note has its URL {url}")
            continue
        title = posixpath.basename(file.rel_path)[: -len(".canvas")]
        found.append(CanvasPage(file.rel_path, url, title, canvas))
    return found
