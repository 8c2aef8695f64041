"""The plan of a build: which notes must be parsed, and by which executor.

Why one place: whether a note's kept parse is still good (its bytes hash the same) was
tested twice, once per way of parsing; and whether worker processes run was decided in
two places (the note count, and a flag that silently turned them off). The plan decides
both once, from the kept parses and the `BuildOptions`, and every executor runs it.
"""

from __future__ import annotations

from dataclasses import dataclass

from trellis.build.budget import worker_count
from trellis.build.cache import ParsedEntry
from trellis.build.options import BuildOptions
from trellis.config import Settings
from trellis.emit.pages import PageKeys
from trellis.public.site import PublicSite
from trellis.render.query_marks import BOARD_EXTENSIONS, holds_query_marks
from trellis.vault.records import Attachment, SourceNote

# Frontmatter keys that decide whether a note is published, its URL, its place in the file
# tree and the names links find it by: an edit to any of them changes other notes' pages.
IDENTITY_KEYS = ("title", "aliases", "alias", "dg-home", "dg-permalink", "permalink", "dg-path")


@dataclass(frozen=True)
class Plan:
    to_parse: frozenset[int]  # indexes (in `PublicSite.notes`) of notes whose parse is stale
    to_render: int  # note pages the build renders at least (`pages_to_render`)
    workers: int  # worker processes to parse and render in; 0: this process

    def reuses(self, index: int) -> bool:
        return index not in self.to_parse


def plan_build(
    site: PublicSite, parsed: dict[str, ParsedEntry], options: BuildOptions, keys: PageKeys
) -> Plan:
    """Parse what changed since the kept parses; in workers when they pay off and may run.

    Workers are sized by the work to do, the larger of the parses and the pages to render:
    a build with a restored cache and no last output (a CI job) parses nothing and renders
    every page, which is most of a cold build's time.
    """
    to_parse = frozenset(
        index
        for index, note in enumerate(site.notes)
        if (kept := parsed.get(note.rel_path)) is None
        or kept.content_hash != note.source.content_hash
    )
    to_render = pages_to_render(site, to_parse, keys)
    settings = site.settings
    work = max(len(to_parse), to_render)
    workers = worker_count(settings.jobs, work, settings.workers_from)
    return Plan(to_parse, to_render, workers if options.workers_allowed else 0)


def pages_to_render(site: PublicSite, to_parse: frozenset[int], keys: PageKeys) -> int:
    """The note pages a build renders whatever its link graph says: every one when there is
    no last output to take pages over from, or what every page reads (templates, settings)
    changed; else those of the notes to parse and those the last output lacks.

    A lower bound: the pages that link to or embed a changed note are rendered again too,
    which only the link graph (made once the workers run) can tell.
    """
    if keys.previous_out is None or keys.layout != keys.previous_layout:
        return len(site.notes)
    return sum(
        1
        for index, note in enumerate(site.notes)
        if index in to_parse or note.output_path not in keys.previous_digests
    )


def may_hold_queries(
    site: PublicSite, boards: list[Attachment], parsed: dict[str, ParsedEntry]
) -> bool:
    """`may_have_queries`, testing the text only of notes whose bytes changed since their
    kept parse (`ParsedEntry.quiet` says whether the kept one held a query mark)."""
    if any(attachment.suffix in BOARD_EXTENSIONS for attachment in boards):
        return True
    for note in site.notes:
        kept = parsed.get(note.rel_path)
        if kept is not None and kept.content_hash == note.source.content_hash:
            if not kept.quiet:
                return True
        elif holds_query_marks(note):
            return True
    return False


def keeps_identity(old: SourceNote, new: SourceNote, settings: Settings) -> bool:
    """True when a saved note is published, found and named as before: only its text, tags,
    dates or display keys may differ, which the fast path can follow (`trellis.edits`)."""
    keys = (*IDENTITY_KEYS, settings.publish_flag)
    return (
        old.frontmatter_ok
        and new.frontmatter_ok
        and all(old.meta.get(key) == new.meta.get(key) for key in keys)
    )
