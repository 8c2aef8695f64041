"""`build()`: the whole path from a vault folder to a written site, in two phases.

Gather first (settings, every note's frontmatter, the public site, every published note
parsed once), then render and write through the one `OutputWriter`. Stages only read from
earlier ones; the `PublicSite` is the only view of the vault that rendering gets.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError

from trellis.config import Settings, load_settings
from trellis.diagnostics import Diagnostics, FatalError
from trellis.emit.assets import emit_static
from trellis.emit.attachments import emit_attachments
from trellis.emit.episodes import emit_episodes
from trellis.emit.feeds import emit_feeds
from trellis.emit.folders import emit_folder_pages
from trellis.emit.graph import emit_graph
from trellis.emit.pages import emit_note_pages
from trellis.emit.search import emit_search
from trellis.emit.tags import emit_tag_pages
from trellis.emit.writer import OutputWriter
from trellis.episodes import attach_episodes
from trellis.public.graph import LinkGraph, build_link_graph
from trellis.public.site import PublicSite, build_public_site
from trellis.render.notes import NoteRenderer
from trellis.render.pages import PageRenderer
from trellis.render.templates import create_environment, static_dirs
from trellis.vault.scan import read_vault


class Progress:
    """Told about phases and steps; the command line shows them, tests ignore them."""

    def phase(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self) -> None:
        pass


@dataclass
class BuildResult:
    settings: Settings
    diagnostics: Diagnostics
    notes_published: int = 0
    pages_written: int = 0
    attachments_copied: int = 0
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    site: PublicSite | None = None
    graph: LinkGraph | None = None


def build(
    vault: Path,
    out: Path,
    overrides: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build `vault` into `out`; raises `FatalError` only when nothing can be written."""
    started = time.perf_counter()
    progress = progress or Progress()
    diagnostics = Diagnostics()
    if not vault.is_dir():
        raise FatalError(f"no such vault folder: {vault}")
    settings = load_settings(vault, overrides or {}, diagnostics)
    result = BuildResult(settings=settings, diagnostics=diagnostics)
    clock = _PhaseClock(result.phases)

    writer = OutputWriter(out, vault, diagnostics)
    progress.phase("Reading the vault")
    with clock("scan"):
        source = read_vault(vault, diagnostics, exclude=writer.own_paths)
        site = build_public_site(source, settings, diagnostics)
    result.site = site
    result.notes_published = len(site.notes)

    progress.phase("Parsing notes", len(site.notes))
    with clock("parse"):
        notes = NoteRenderer(site, diagnostics)
        notes.parse_all()
        attach_episodes(site, diagnostics)
    with clock("link"):
        graph = build_link_graph(site, diagnostics)
    result.graph = graph
    templates = _checked(lambda: create_environment(vault))
    pages = PageRenderer(site, templates, graph)

    writer.start()
    try:
        progress.phase("Writing pages", len(site.notes))
        with clock("render+write"):
            result.pages_written = _checked(
                lambda: emit_note_pages(site, notes, pages, writer, progress.advance)
            )
            result.pages_written += _checked(lambda: emit_tag_pages(site, pages, writer))
            result.pages_written += _checked(lambda: emit_folder_pages(pages, writer))
            result.pages_written += _checked(lambda: emit_episodes(site, pages, writer))
        with clock("graph+feeds"):
            emit_graph(site, graph, writer)
            emit_feeds(site, pages, writer)
        with clock("assets"):
            emit_static(static_dirs(vault), writer)
            result.attachments_copied = emit_attachments(site, writer, diagnostics)
        with clock("search"):
            emit_search(site, writer, diagnostics)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    result.seconds = time.perf_counter() - started
    return result


def _checked(action: Callable[[], Any]) -> Any:
    """Run `action`, turning a broken template into one clear fatal line."""
    try:
        return action()
    except TemplateSyntaxError as error:
        raise FatalError(
            f"{error.filename or error.name}:{error.lineno}: template error: {error.message}"
        ) from None
    except TemplateError as error:
        raise FatalError(f"template error: {error}") from None


class _PhaseClock:
    def __init__(self, phases: dict[str, float]) -> None:
        self.phases = phases

    def __call__(self, name: str) -> _PhaseClock:
        self._name = name
        return self

    def __enter__(self) -> None:
        self._start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.phases[self._name] = (
            self.phases.get(self._name, 0.0) + time.perf_counter() - self._start
        )
