"""Write `/tags/` and one page per tag (and per parent of a nested tag).

The preview keeps the tag index between saves and updates it by delta (`update_tag_index`):
made again over the whole vault, it cost a save of one note's tags seconds at 10,000 notes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

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
    index: TagIndex, pages: PageRenderer, writer: OutputWriter, changes: TagChanges | None = None
) -> int:
    """Every tag page and the index; with `changes` (the preview's fast path), only the
    pages it names. The number of tag pages the site has, either way."""
    for key, entry in index.items():
        if changes is not None and key not in changes.remake:
            continue
        page = pages.tag_page(entry)
        writer.write_text(page.output_path, page.html)
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
    site: PublicSite,
    old_tags: dict[int, list[str]],
    edited: list[PublishedNote],
    new_cards: list[PublishedNote],
) -> TagChanges:
    """Bring `index` (made before `edited` changed; `old_tags`: id -> tags then) up to date,
    as `site_tag_index` would make it; say which pages change. `new_cards`: the edited
    notes whose card on list pages changed (every tag page listing them changes)."""
    affected = tag_keys(tag for note in edited for tag in (*old_tags[id(note)], *note.tags))
    before = {key: index[key] for key in affected if key in index}
    # An entry is made from the notes reaching its key, in site order: those that did
    # before the edits (the others did not change) and the edited ones.
    reaching = {id(note): note for note in edited}
    for entry in before.values():
        reaching.update((id(note), note) for note in entry.all)
    order = {id(note): position for position, note in enumerate(site.notes)}
    candidates = sorted(reaching.values(), key=lambda note: order[id(note)])
    made = build_tag_index(((note, note.tags) for note in candidates), tag_key)
    changes = TagChanges()
    shown = tag_keys(tag for note in new_cards for tag in note.tags)
    for key in affected:
        old, new = before.get(key), made.get(key)
        if new is None:
            index.pop(key, None)
        else:
            index[key] = new
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


def _listing(entry: TagEntry[PublishedNote] | None) -> tuple[str, list[int]] | None:
    return None if entry is None else (entry.name, [id(note) for note in entry.all])


def _counted(entry: TagEntry[PublishedNote] | None) -> tuple[str, int] | None:
    """What `/tags/` shows of a tag (its count of visible notes; hidden is a display key,
    which the fast path does not narrow)."""
    if entry is None:
        return None
    return entry.name, sum(1 for note in entry.all if not note.display.hidden)
