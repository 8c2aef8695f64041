"""Parsing one note, the one way every executor does it: here, in a worker, in place.

Why apart: the one-process build, the worker processes and the preview's fast path each
parsed notes with their own few lines; a change to what a parse keeps (its warnings, its
tokens' loader) had to be made three times.
"""

from __future__ import annotations

from trellis.build.cache import ParsedEntry
from trellis.diagnostics import Diagnostic, Diagnostics
from trellis.public.site import PublishedNote
from trellis.render.notes import NoteRenderer


def parse_note(notes: NoteRenderer, note: PublishedNote) -> list[Diagnostic]:
    """Parse `note` (its content is set); the warnings of parsing it."""
    local = Diagnostics()
    notes.parse(note, local)
    return local.items


def reuse_parse(
    notes: NoteRenderer, note: PublishedNote, entry: ParsedEntry, tokens_here: bool
) -> None:
    """Give `note` its kept parse; tokens it lacks are made again when a page needs them.

    `tokens_here`: kept tokens may be used in this process (not when workers render).
    """
    note.content = entry.content
    if tokens_here and note.content.has_tokens:
        note.content.env["note"] = note
    else:
        note.content.loader = notes.token_loader(note)
