"""What query, base and canvas output may link to and embed: the `PublicSite`'s answers only.

`QueryHooks` serves as the query engine's `RenderHooks`, the Bases `BaseHooks` and the
canvas `CanvasHooks`, seen from one note (or from none: a canvas page). Every href is that
of a published note or attachment; Markdown in results is rendered by the build's parser
and cleaned, so links inside strings reach published notes only too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trellis.markdown.sanitize import sanitize_html
from trellis.model.content import NoteContent
from trellis.public.site import PublicSite, PublishedNote

if TYPE_CHECKING:
    from trellis.render.notes import NoteRenderer


class QueryHooks:
    """What query, base and canvas output may link to, seen from one note (or none)."""

    def __init__(
        self, site: PublicSite, notes: NoteRenderer, note: PublishedNote | None, block: bool = False
    ) -> None:
        self.site, self.notes, self.note = site, notes, note
        self.block = block  # Markdown as blocks (canvas text nodes), else inline (cells)

    def href(self, path: str, subpath: str | None, kind: str) -> str | None:
        target = path
        if subpath:
            target += f"#^{subpath}" if kind == "block" else f"#{subpath}"
        resolved = self.site.resolve(target, None)
        return resolved.href if resolved is not None and resolved.note is not None else None

    def markdown(self, text: str) -> str:
        env: dict[str, Any] = {"content": NoteContent(), "note": self.note, "line_offset": 0}
        md = self.notes.md
        html = md.render(text, env) if self.block else md.renderInline(text, env)
        return html if self.site.settings.trust_html else sanitize_html(html)

    def file_url(self, target: str) -> str | None:
        attachment = self.site.find_attachment(target, self.note)
        return self.site.href(attachment.url) if attachment is not None else None

    # -- canvases -----------------------------------------------------------------------

    def embed(self, file: str, subpath: str) -> tuple[str, str] | None:
        target = file + (f"#{subpath.lstrip('#')}" if subpath else "")
        resolved = self.site.resolve(target, self.note)
        if resolved is None:
            return None
        if resolved.note is not None:
            html = self.notes.embed_note(target, {"note": self.note})
            if not self.site.settings.trust_html:
                html = sanitize_html(html)
            return resolved.note.title, html
        name = file.rsplit("/", 1)[-1]
        env = {"note": self.note}
        tokens = self.notes.md.parseInline(f"![[{target}]]", {"content": NoteContent(), **env})
        return name, self.notes.md.renderer.render(tokens, self.notes.md.options, env)
