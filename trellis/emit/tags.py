"""Write `/tags/` and one page per tag (and per parent of a nested tag).

The preview keeps the tag index between saves and updates it by delta (`update_tag_index`):
made again over the whole vault, it cost a save of one note's tags seconds at 10,000 notes.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable
from dataclasses import dataclass, field

from trellis.emit.list_pages import ListPages
from trellis.emit.writer import OutputWriter
from trellis.model.tags import TagEntry, build_tag_index
from trellis.public.site import PublicSite, PublishedNote
from trellis.public.urls import output_file, tag_key, tag_path
from trellis.render.pages import PageRenderer

TagIndex = dict[str, TagEntry[PublishedNote]]
TAGS_INDEX_FILE = "tags/index.html"


@dataclass
class TagChanges:
    """What an edit changed of the tag pages: the keys whose page is made again, the files
    of those and of the pages gone, and whether `/tags/` (names, counts) changed."""

    remake: set[str] = field(default_factory=set)
    files: set[str] = field(default_factory=set)
    index: bool = False


def site_tag_index(site: PublicSite) -> TagIndex:
    return build_tag_index(((note, note.tags) for note in site.notes), tag_key)


def emit_tag_pages(
    index: TagIndex,
    pages: PageRenderer,
    writer: OutputWriter,
    changes: TagChanges | None = None,
    lists: ListPages | None = None,
) -> int:
    """Every tag page and the index; with `changes` (the preview's fast path), only the
    pages it names; with keyed `lists` (a whole build), unchanged ones are taken over.
    The number of tag pages the site has, either way."""
    lists = lists or ListPages(pages, writer)
    for key, entry in index.items():
        if changes is not None and key not in changes.remake:
            continue
        lists.write(pages.tag_page(entry))
    if changes is None or changes.index:
        lists.write(pages.tags_index_page(index))
    return len(index) + 1


def tag_keys(tags: Iterable[str]) -> set[str]:
    """The keys of `tags` and of their parents: the tag pages that list a note with `tags`."""
    found: set[str] = set()
    for tag in tags:
        parts = [p for p in tag.split("/") if p]
        found.update(tag_key("/".join(parts[:depth])) for depth in range(1, len(parts) + 1))
    return found


def update_tag_index(
    index: TagIndex,
    site: PublicSite,
    old_tags: dict[int, list[str]],
    edited: list[PublishedNote],
    new_cards: list[PublishedNote],
) -> TagChanges:
    """Bring `index` (made before `edited` changed; `old_tags`: id -> tags then) up to date,
    as `site_tag_index` would make it; say which pages change. `new_cards`: the edited
    notes whose card on list pages changed (every tag page listing them changes).

    An entry lists the notes reaching its key in site order, and is named by the first
    spelling met: the edited notes are taken out of the entries they were in and put back,
    at their place, into those they reach now; the rest of the vault is not read.
    """
    order = {id(note): position for position, note in enumerate(site.notes)}
    edited = sorted(edited, key=lambda note: order[id(note)])
    gone = {id(note) for note in edited}
    reach = {id(note): _index_of(note) for note in edited}
    affected = tag_keys(tag for note in edited for tag in (*old_tags[id(note)], *note.tags))
    shown = tag_keys(tag for note in new_cards for tag in note.tags)
    changes = TagChanges()
    for key in affected:
        old = index.get(key)
        every = [note for note in old.all if id(note) not in gone] if old else []
        direct = [note for note in old.direct if id(note) not in gone] if old else []
        for note in edited:
            entry = reach[id(note)].get(key)
            if entry is not None:
                insort(every, note, key=lambda n: order[id(n)])
                if entry.direct:
                    insort(direct, note, key=lambda n: order[id(n)])
        new = None
        if every:
            first = every[0]
            name = (reach.get(id(first)) or _index_of(first))[key].name
            new = index[key] = TagEntry(name, direct, every)
        else:
            index.pop(key, None)
        if old is not None and (new is None or old.name != new.name):
            changes.files.add(output_file(tag_path(old.name)))
        if new is not None and (key in shown or _listing(old) != _listing(new)):
            changes.remake.add(key)
            changes.files.add(output_file(tag_path(new.name)))
        if _counted(old) != _counted(new):
            changes.index = True
    if changes.index:
        changes.files.add(TAGS_INDEX_FILE)
        index_sorted = dict(sorted(index.items()))
        index.clear()
        index.update(index_sorted)
    return changes


def _index_of(note: PublishedNote) -> TagIndex:
    """The tag index of `note` alone: the keys it reaches, by the spelling it has."""
    return build_tag_index([(note, note.tags)], tag_key)


def _listing(entry: TagEntry[PublishedNote] | None) -> tuple[str, list[int]] | None:
    return None if entry is None else (entry.name, [id(note) for note in entry.all])


def _counted(entry: TagEntry[PublishedNote] | None) -> tuple[str, int] | None:
    """What `/tags/` shows of a tag (its count of visible notes; hidden is a display key,
    which the fast path does not narrow)."""
    if entry is None:
        return None
    return entry.name, sum(1 for note in entry.all if not note.display.hidden)
