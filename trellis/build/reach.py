"""What an edit can reach: the pages a build must key again, from what changed since the last.

Why: a one-note rebuild at 10,000 notes made the key of all 9,000 note pages (1.4 s: their
backlinks, bodies and inputs) and of every tag and folder page (26,000 card keys, 1.3 s)
only to find all but a few unchanged. A page's key is a digest of what it reads
(`trellis.emit.pages`, `trellis.emit.keyed_lists`); here the plan names the pages whose
reads may differ, and every other page takes the key the last build recorded.

What a note page reads besides the site-wide inputs (settings, templates, the home note's
title, the table of names links resolve against, the file tree's shape, the site globals:
`global_key`, and if that differs every page is keyed again) is its own note (bytes, file
time or git dates: `stamp`), where its links went, the notes it embeds (their titles and
bodies, embeds of embeds too), the notes linking to it (their title, URL, folder, icon and
the link's context), its cover image and its episode reading. So the notes whose own reads
changed (`changed`: a different stamp, links resolved afresh, an episode read afresh) reach:

- their own pages, and those of notes with a cover (looked up again on every build: an
  attachment's verdict is not in the names table);
- the pages embedding them, up to the depth a body key follows embeds;
- the pages of the notes they linked to last time or link to now (backlinks);
- the tag pages of the tags they had or have, and the folder pages they were or are listed
  in (a card shows only its own note);
- the file tree, when what it shows of them (`tree_entry`) changed: its key is a digest of
  every note's tree entry (`Reach.explorer_key`).

Every page is keyed when the plan cannot tell: the vault may hold queries (a query's results
may read any note), an attachment a page showed changed its bytes, notes were parsed in
worker processes, or there is no last output or record.

A note whose stamp is unchanged keeps its `NoteSeat` (link targets, tags, folder, card
key, tree entry, graph entry) from the last build: a function of its bytes and the site-wide inputs.
Only published notes have seats: a note turned private leaves the table of names (so every
page is keyed again) and its seat is not kept.

The tag index and the file tree's key are functions of the seats (each note's tags, each
note's tree entry, in the notes' order): they are the last build's while no changed note's
tags, or tree entry, differ from its seat (`trellis.build.reach_kept`: a one-note rebuild
walked every note's tags and tree entry for them, ~45 ms at 10,000 notes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain, compress
from operator import attrgetter, eq, itemgetter, not_
from typing import Any

from trellis.build.cache_checks import lengths, only
from trellis.build.reach_kept import TagTable, kept_index, table_well_formed, tag_table
from trellis.emit.pages import EMBED_KEY_DEPTH, PageKeys, digest
from trellis.emit.tags import TagIndex, tag_keys
from trellis.model.tags import build_tag_index
from trellis.public.graph import LinkGraph
from trellis.public.site import PublicSite, PublishedNote
from trellis.public.urls import output_file, path_slug, tag_key, tag_path
from trellis.render.pages import PageRenderer

# (stamp, link targets' vault paths, tags, the folder listing it or "", card key, tree entry,
# graph entry)
NoteSeat = tuple[str, tuple[str, ...], tuple[str, ...], str, str, str, str]
# The seat's parts the graph files read (with the names table): where its links go, its
# tags, its title and URL (in the tree entry), and its graph entry (`graph_entry`).
GRAPH_PARTS = (1, 2, 5, 6)
# What a build keeps for the next: the site-wide inputs' digest, each note's seat, the file
# tree's key and the tag index (`trellis.build.reach_kept`).
ReachRecord = tuple[str, dict[str, NoteSeat], str, TagTable]
COVER_KEYS = ("image", "cover", "banner")  # `PageRenderer.cover_url`'s
_COVER_KEYS = frozenset(COVER_KEYS)
_REL_PATH = attrgetter("source.rel_path")
_META = attrgetter("source.meta")
_STAMP, _TAGS, _TREE = itemgetter(0), itemgetter(2), itemgetter(5)


@dataclass
class Reach:
    """The pages a build keys again (`pages`: output paths; None: every page), and the
    record for the next build."""

    pages: frozenset[str] | None
    record: ReachRecord
    tag_index: TagIndex = field(default_factory=dict)
    # The file tree's key (what it shows of every note, `tree_entry`, and the site-wide
    # inputs): it is written again only when that changed.
    explorer_key: str = ""
    # True when the graph files' data is the last build's: the site-wide inputs are, and no
    # changed note's seat differs in what the graph reads (`GRAPH_PARTS`).
    graph_same: bool = False


def stamp(note: PublishedNote) -> str:
    """The note's own inputs besides its path: its bytes and what dates it."""
    source = note.source
    history = source.history
    dated = "" if history is None else f"{history.first!r} {history.last!r} {history.blob}"
    return f"{source.content_hash} {source.mtime!r} {source.git_blob} {dated}"


def global_key(site: PublicSite, pages: PageRenderer, keys: PageKeys, names: str) -> str:
    """The digest of what every page may read besides the notes (see the module docstring):
    of content and settings only, as the file tree's key is made of it."""
    home = site.home
    tree = [(folder.path, tuple(folder.folders)) for folder in pages.tree.walk()]
    listed = [folder.path for folder in pages.listed_folders()]
    globals_ = sorted(pages.globals["site"].items())
    return digest(
        keys.layout,
        keys.theme,
        names,
        (home.rel_path, home.title) if home is not None else None,
        tree,
        listed,
        globals_,
        EMBED_KEY_DEPTH,
    )


def tree_entry(note: PublishedNote) -> str:
    """What the file tree and a backlink show of the note, and where the tree puts it."""
    display = note.display
    shown = (note.title, note.url, note.tree_folder, display.note_icon, display.pinned)
    return repr((shown, display.hidden, display.hide_in_file_tree, note.is_home))


def graph_entry(note: PublishedNote, graph: LinkGraph) -> str:
    """What the graph files read of the note besides its tags, title, URL and link targets:
    whether it is hidden from the graph, and which of its links are embeds."""
    embeds = "".join("e" if edge.embed else "l" for edge in graph.outgoing.get(note, ()))
    return f"{int(note.display.hide_in_graph)}{embeds}"


def seat_of(note: PublishedNote, graph: LinkGraph, pages: PageRenderer, folder: str) -> NoteSeat:
    """`note`'s seat; `folder`: the folder whose page lists it ("" none)."""
    return (
        stamp(note),
        tuple(edge.target.rel_path for edge in graph.outgoing.get(note, ())),
        tuple(note.tags),
        folder,
        pages.cards.key(note),
        tree_entry(note),
        graph_entry(note, graph),
    )


def listing_folders(pages: PageRenderer) -> dict[int, str]:
    """id(note) -> the folder whose page lists it (`PageRenderer.folders_listing`)."""
    return {id(note): f.path for f in pages.listed_folders() for note in f.items}


def has_cover(note: PublishedNote) -> bool:
    meta = note.meta
    if meta.keys().isdisjoint(COVER_KEYS):  # (most notes: one C-level test)
        return False
    return any(isinstance(meta.get(key), str) for key in COVER_KEYS)


def plan_reach(
    site: PublicSite,
    graph: LinkGraph,
    pages: PageRenderer,
    keys: PageKeys,
    previous: ReachRecord | None,
    site_wide: str,
    afresh: set[str] | None,
) -> Reach:
    """The pages this build keys again, from `previous` (the last build's record) and
    `site_wide` (`global_key`). `afresh`: vault paths of notes whose links or episode were
    worked out afresh (None: unknown, as when workers parse, or an attachment a page
    showed changed its bytes: every page is keyed)."""
    notes = site.notes
    paths = list(map(_REL_PATH, notes))
    kept = previous if previous is not None and previous[0] == site_wide else None
    if (
        kept is None
        or afresh is None
        or keys.previous_out is None
        or keys.layout != keys.previous_layout
        or kept[1].keys() != set(paths)  # (names differ)
    ):
        return _whole(site, graph, pages, paths, site_wide)
    found = list(map(kept[1].__getitem__, paths))  # (the seats, in the notes' order)
    stamps = map(stamp, notes)
    places = set(compress(range(len(notes)), map(not_, map(eq, map(_STAMP, found), stamps))))
    if afresh:
        places.update(i for i, path in enumerate(paths) if path in afresh)
    changed = [notes[i] for i in sorted(places)]
    seats = dict(zip(paths, found, strict=True))
    cards = pages.cards
    for place, (note, seat) in enumerate(zip(notes, found, strict=True)):
        if place not in places:
            note.know_tags(seat[2])  # (the graph, feeds and episode pages ask for them too)
            cards.know(note, seat[4])
    by_path = dict(zip(paths, notes, strict=True))
    reached: set[str] = set()
    tags: set[str] = set()
    folders: set[str] = set()
    graph_same = tags_same = tree_same = True
    for note in changed:
        old = kept[1][note.rel_path]
        folder = next(iter(pages.folders_listing([note])), "")
        new = seats[note.rel_path] = seat_of(note, graph, pages, folder)
        graph_same = graph_same and all(old[part] == new[part] for part in GRAPH_PARTS)
        tags_same = tags_same and old[2] == new[2]
        tree_same = tree_same and old[5] == new[5]
        reached.add(note.output_path)
        for seat in (old, new):
            for path in seat[1]:
                target = by_path.get(path)
                if target is not None:
                    reached.add(target.output_path)
            tags.update(seat[2])
            folders.add(seat[3])
    reached.update(note.output_path for note in _embedding(graph, changed))
    reached.update(note.output_path for note in _covered(notes))
    index, table = kept_index(kept[3], notes) if tags_same else None, kept[3]
    if index is None:  # (a note's tags changed, or the kept table was refused)
        index = _tag_index(notes, seats, paths)
        table = tag_table(index, notes)
    explorer = kept[2] if tree_same else _explorer_key(site_wide, seats, paths)
    wanted = tag_keys(tags)
    reached.update(
        output_file(tag_path(entry.name)) for key, entry in index.items() if key in wanted
    )
    reached.update(output_file(path_slug(folder)) for folder in folders if folder)
    record = (site_wide, seats, explorer, table)
    return Reach(frozenset(reached), record, index, explorer, graph_same)


def _whole(
    site: PublicSite, graph: LinkGraph, pages: PageRenderer, paths: list[str], site_wide: str
) -> Reach:
    """The plan that keys every page: each note's seat, the tag index and the file tree's
    key made afresh."""
    listed = listing_folders(pages)
    notes = site.notes
    seats = {
        path: seat_of(note, graph, pages, listed.get(id(note), ""))
        for note, path in zip(notes, paths, strict=True)
    }
    index = _tag_index(notes, seats, paths)
    explorer = _explorer_key(site_wide, seats, paths)
    record = (site_wide, seats, explorer, tag_table(index, notes))
    return Reach(None, record, index, explorer)


def _tag_index(
    notes: list[PublishedNote], seats: dict[str, NoteSeat], paths: list[str]
) -> TagIndex:
    """The site's tag index (`site_tag_index`), from the tags the seats hold."""
    tags = map(_TAGS, map(seats.__getitem__, paths))
    return build_tag_index(zip(notes, tags, strict=True), tag_key)


def _explorer_key(site_wide: str, seats: dict[str, NoteSeat], paths: list[str]) -> str:
    return digest(site_wide, list(map(_TREE, map(seats.__getitem__, paths))))


def _covered(notes: list[PublishedNote]) -> list[PublishedNote]:
    """The notes with a cover image (`has_cover`): most have no key of `COVER_KEYS`, which
    one C-level test a note tells."""
    maybe = compress(notes, map(not_, map(_COVER_KEYS.isdisjoint, map(_META, notes))))
    return [note for note in maybe if has_cover(note)]


def _embedding(graph: LinkGraph, notes: Iterable[PublishedNote]) -> set[PublishedNote]:
    """The notes whose body key reads one of `notes`: embedding it, up to the key's depth."""
    found: set[PublishedNote] = set()
    frontier = list(notes)
    for _ in range(EMBED_KEY_DEPTH):
        frontier = [
            edge.source
            for note in frontier
            for edge in graph.incoming.get(note, ())
            if edge.embed and edge.source not in found
        ]
        found.update(frontier)
    return found


def well_formed(record: Any) -> bool:
    """Is `record` (from a cache file) a `ReachRecord`? (Checked by columns.)"""
    if not (
        type(record) is tuple
        and len(record) == 4
        and type(record[0]) is str
        and type(record[2]) is str
        and table_well_formed(record[3])
    ):
        return False
    seats = record[1]
    if type(seats) is not dict or not only(seats, str):
        return False
    values = list(seats.values())
    if not (only(values, tuple) and lengths(values, 7)):
        return False
    parts = [list(map(itemgetter(i), values)) for i in range(7)]
    return (
        all(only(parts[i], str) for i in (0, 3, 4, 5, 6))
        and all(only(parts[i], tuple) for i in (1, 2))
        and only(chain.from_iterable(chain(parts[1], parts[2])), str)
    )
