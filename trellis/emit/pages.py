"""Write one HTML page per published note, the home page and the 404 page.

A note page is rendered only when its key changed since the last build; otherwise the file
the last build wrote is taken over as it is (`OutputWriter.reuse`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trellis.config import Settings
from trellis.emit.writer import OutputWriter
from trellis.public.graph import LinkGraph
from trellis.public.site import PublicSite, PublishedNote
from trellis.render.notes import NoteRenderer
from trellis.render.pages import PageRenderer


@dataclass
class PageKeys:
    """Keys of the pages the last build wrote, and of the ones this build writes."""

    previous: dict[str, str] = field(default_factory=dict)
    previous_out: Path | None = None
    theme: str = ""
    current: dict[str, str] = field(default_factory=dict)


@dataclass
class NotePagesWritten:
    pages: int = 0
    rendered: int = 0


def digest(*parts: Any) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


class BodyKeys:
    """The key of a note's rendered body: its bytes, where its links went, what it embeds."""

    def __init__(self, graph: LinkGraph, settings: Settings) -> None:
        self.graph = graph
        self.settings = repr((settings.trust_html, settings.base_url))
        self._keys: dict[int, str] = {}

    def of(self, note: PublishedNote, depth: int = 0) -> str:
        known = self._keys.get(id(note))
        if known is not None:
            return known
        embedded = []
        if depth < 6:
            for edge in self.graph.outgoing.get(note, []):
                if edge.embed and edge.target is not note:
                    embedded.append((edge.target.title, self.of(edge.target, depth + 1)))
        key = digest(
            note.source.content_hash, self.settings, self.graph.resolved.get(note, []), embedded
        )
        if depth == 0:
            self._keys[id(note)] = key
        return key


def emit_note_pages(
    site: PublicSite,
    notes: NoteRenderer,
    pages: PageRenderer,
    graph: LinkGraph,
    writer: OutputWriter,
    keys: PageKeys,
    advance: Callable[[], None] = lambda: None,
) -> NotePagesWritten:
    """Every note page (re-rendered only when its key changed), the home list and the 404."""
    written = NotePagesWritten()
    bodies = BodyKeys(graph, site.settings)
    for note in site.notes:
        context = pages.note_context(note)
        key = digest(keys.theme, bodies.of(note), context)
        output = note.output_path
        keys.current[output] = key
        reused = (
            keys.previous_out is not None
            and keys.previous.get(output) == key
            and writer.reuse(output, keys.previous_out)
        )
        if not reused:
            page = pages.render_note(note, context, notes.render_body(note))
            writer.write_text(page.output_path, page.html)
            written.rendered += 1
        written.pages += 1
        advance()
    extra = [pages.not_found_page(), pages.graph_page()]
    if site.home is None:
        extra.append(pages.home_list_page())
    for page in extra:
        writer.write_text(page.output_path, page.html)
        written.pages += 1
    return written
