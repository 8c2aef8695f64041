"""Whether a note may hold a query, told from its text before anything is parsed.

Apart from `trellis.render.queries` so that a build (its plan, its parse) can ask without
loading the query engine, bases and canvases: a vault with no query never needs them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trellis.public.site import PublicSite, PublishedNote
    from trellis.vault.records import Attachment

BOARD_EXTENSIONS = (".base", ".canvas")


def may_have_queries(site: PublicSite, boards: Iterable[Attachment]) -> bool:
    """Whether any published note might hold a query or embed a base or canvas (a cheap
    text test made before parsing: the build then renders its pages in one process)."""
    if any(a.suffix in BOARD_EXTENSIONS for a in boards):
        return True
    return any(map(holds_query_marks, site.notes))


QUERY_MARKS = ("```dataview", "```base", "~~~dataview", "~~~base", "`=")


def holds_query_marks(note: PublishedNote) -> bool:
    """Whether the note's text may hold a query or a base embed (a function of its bytes)."""
    body = note.source.body
    return any(mark in body for mark in QUERY_MARKS)
