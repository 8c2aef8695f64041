"""`NoteRecord`s made from the public site: the one way published notes become a view.

`records_from_site(site, md)` takes `PublicSite.notes` (the published notes, and nothing
else: private notes were dropped in `trellis.public`) and turns each into a `NoteRecord`,
parsing the notes whose tokens are not at hand. The build will call `note_record` from its
parse stage, where tokens exist; tests and tools call `records_from_site`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from trellis.markdown.parser import parse_note
from trellis.public.site import PublicSite, PublishedNote
from trellis.query.facts import page_facts
from trellis.query.view import NoteRecord, PageFacts

_FRONTMATTER_LINK = re.compile(r"\[\[([^\[\]\n]+?)\]\]")


def frontmatter_links(value: Any, depth: int = 0) -> list[str]:
    """Wikilink targets written in frontmatter values (Obsidian counts them as links)."""
    if depth > 64:
        return []
    if isinstance(value, str):
        return [m.group(1).split("|", 1)[0].rstrip("\\") for m in _FRONTMATTER_LINK.finditer(value)]
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [t for item in value for t in frontmatter_links(item, depth + 1)]
    return []


def note_record(note: PublishedNote, facts: PageFacts) -> NoteRecord:
    content = note.content
    links = [ref.target for ref in content.links] if content else []
    links += frontmatter_links(dict(note.meta))
    created, updated = note.source.dates
    try:
        size = note.source.abs_path.stat().st_size
    except OSError:
        size = len(note.source.body.encode())
    return NoteRecord(
        path=note.rel_path,
        frontmatter=dict(note.meta),
        tags=tuple(note.tags),
        links=tuple(links),
        facts=facts,
        ctime=created,
        mtime=updated,
        size=size,
        aliases=note.aliases,
    )


def records_from_site(site: PublicSite, md: Any) -> list[NoteRecord]:
    """One record per published note, parsing each with the build's Markdown instance."""
    records = []
    notes: Iterable[PublishedNote] = site.notes
    for note in notes:
        if note.content is None or not note.content.has_tokens:
            note.content = parse_note(md, note.source.body, note.source.body_line - 1, note)
        facts = page_facts(note.content.tokens, note.content.env)
        records.append(note_record(note, facts))
    return records
