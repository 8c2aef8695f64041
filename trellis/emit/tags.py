"""Write `/tags/` and one page per tag (and per parent of a nested tag).

The preview keeps the tag index between saves and updates it by delta (`update_tag_index`):
made again over the whole vault, it cost a save of one note's tags seconds at 10,000 notes.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field

from trellis.emit.keyed_lists import KeyedLists
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
    lists: KeyedLists | None = None,
) -> int:
    """Every tag page and the index; with `changes` (the preview's fast path), only the
    pages it names; with keyed `lists` (a whole build), unchanged ones are taken over.
    The number of tag pages the site has, either way."""
    lists = lists or KeyedLists(pages, writer)
    for key, entry in index.items():
        if changes is not None and key not in changes.remake:
            continue
        lists.write(pages.tag_plan(entry))
    if changes is None or changes.index:
        page = pages.tags_index_page(index)
        writer.write_text(page.output_path, page.html)
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
    order: dict[int, int],
    old_tags: dict[int, list[str]],
    edited: list[PublishedNote],
    new_cards: list[PublishedNote],
) -> TagChanges:
    """Bring `index` (made before `edited` changed; `old_tags`: id -> tags then) up to date,
    as `site_tag_index` would make it; say which pages change. `order`: id -> place in the
    site's notes. `new_cards`: the edited notes whose card on list pages changed (every tag
    page listing them changes).

    An entry lists the notes reaching its key in site order, and is named by the first
    spelling met. Only the notes whose tags changed move: each is taken out of the entries
    it left and put, at its place (a bisection), into those it entered; the rest of the
    vault is not read, not even the other notes of the entries (a common tag lists
    thousands). Notes' `dg-hide` does not change here (a display key: the index is made
    again), so a count moves by the visible notes that came or went.
    """
    changes = TagChanges()
    moved = sorted(
        (note for note in edited if note.tags != old_tags[id(note)]), key=lambda n: order[id(n)]
    )
    before = {id(note): _index_of(old_tags[id(note)], note) for note in moved}
    after = {id(note): _index_of(note.tags, note) for note in moved}
    affected = {key for note in moved for key in (*before[id(note)], *after[id(note)])}
    added = False
    for key in sorted(affected):
        old = index.get(key)
        old_name = old.name if old is not None else None
        entry = old if old is not None else TagEntry(key)
        entered = left = counted = 0
        for note in moved:
            was, now = before[id(note)].get(key), after[id(note)].get(key)
            _move(entry.all, note, order, was is not None, now is not None)
            _move(entry.direct, note, order, bool(was and was.direct), bool(now and now.direct))
            entered += was is None and now is not None
            left += was is not None and now is None
            if not note.display.hidden:
                counted += (now is not None) - (was is not None)
        if not entry.all:
            index.pop(key, None)
            changes.files.add(output_file(tag_path(entry.name)))
            changes.index = True
            continue
        first = entry.all[0]
        entry.name = (after.get(id(first)) or _index_of(first.tags, first))[key].name
        if old is None:
            index[key] = entry
            added = changes.index = True
        elif old_name != entry.name:
            changes.files.add(output_file(tag_path(old_name)))
        if entered or left or old_name != entry.name:
            changes.remake.add(key)
        if counted or old_name != entry.name:
            changes.index = True
    for key in tag_keys(tag for note in new_cards for tag in note.tags):
        if key in index:  # the card shows on the page of each of its tags
            changes.remake.add(key)
    changes.files.update(output_file(tag_path(index[key].name)) for key in changes.remake)
    if changes.index:
        changes.files.add(TAGS_INDEX_FILE)
    if added:
        index_sorted = dict(sorted(index.items()))
        index.clear()
        index.update(index_sorted)
    return changes


def _move(
    notes: list[PublishedNote], note: PublishedNote, order: dict[int, int], was: bool, now: bool
) -> None:
    """Take `note` out of `notes` (in site order) or put it in, as its membership moved."""
    if was == now:
        return
    place = bisect_left(notes, order[id(note)], key=lambda n: order[id(n)])
    if now:
        notes.insert(place, note)
    else:
        assert notes[place] is note, "the tag index lost its order"
        del notes[place]


def _index_of(tags: list[str], note: PublishedNote) -> TagIndex:
    """The tag index of `note` alone with `tags`: the keys it reaches, by its spelling."""
    return build_tag_index([(note, tags)], tag_key)
