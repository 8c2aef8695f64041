"""The site's tag index as the last build made it, kept for a build whose plan finds no
note's tags changed (`trellis.build.reach`).

Why: the tag index is a function of the published notes' order and each note's tags. After
a one-note edit that leaves its tags alone both are the last build's (the plan keeps the
other notes' tags from their seats), yet making the index again walked every tag of every
note (~35,000 at 10,000 notes). The last build's index is kept as each entry's key, name and
the places (in `PublicSite.notes`) of its notes, packed as unsigned 32-bit integers; the
notes at those places are today's, in the same order, since the plan takes over only when
the set of published notes is the last build's.

What a kept table can do when the cache file was forged: list published notes under a tag,
and give a tag page a name. A place outside today's notes, or a table of the wrong shape,
is refused (the index is made again). It cannot name a private note (a place is one of the
published notes, none other is in reach) nor decide what is published; what it says of a
published note's tags is what a forged seat can say already (`NoteSeat`'s tags are taken
while the note's stamp is the same).
"""

from __future__ import annotations

from array import array
from typing import Any

from trellis.emit.tags import TagIndex
from trellis.model.tags import TagEntry
from trellis.public.site import PublishedNote

# (key, name, places of the notes tagged so or below, places of the notes tagged exactly so:
# None when they are the same notes, as for every tag no other nests under)
KeptTag = tuple[str, str, bytes, bytes | None]
TagTable = tuple[KeptTag, ...]
_PLACE = "I"  # unsigned, 4 bytes on every platform CPython runs on
_PLACE_SIZE = array(_PLACE).itemsize


def tag_table(index: TagIndex, notes: list[PublishedNote]) -> TagTable:
    """`index` as places in `notes` (each entry in the index's order)."""
    place = dict(zip(map(id, notes), range(len(notes)), strict=True))
    get = place.__getitem__
    return tuple(
        (
            key,
            entry.name,
            array(_PLACE, map(get, map(id, entry.all))).tobytes(),
            None
            if entry.direct == entry.all
            else array(_PLACE, map(get, map(id, entry.direct))).tobytes(),
        )
        for key, entry in index.items()
    )


def kept_index(table: TagTable, notes: list[PublishedNote]) -> TagIndex | None:
    """The index `table` describes over `notes`; None when a place lies outside them."""
    index: TagIndex = {}
    get = notes.__getitem__
    count = len(notes)
    for key, name, every, direct in table:
        places = array(_PLACE, every)
        if len(places) and max(places) >= count:
            return None
        listed = list(map(get, places))
        if direct is None:
            index[key] = TagEntry(name, listed.copy(), listed)
            continue
        places = array(_PLACE, direct)
        if len(places) and max(places) >= count:
            return None
        index[key] = TagEntry(name, list(map(get, places)), listed)
    return index


def table_well_formed(table: Any) -> bool:
    """Is `table` (from a cache file) a `TagTable`?"""
    return type(table) is tuple and all(
        type(kept) is tuple
        and len(kept) == 4
        and type(kept[0]) is str
        and type(kept[1]) is str
        and type(kept[2]) is bytes
        and len(kept[2]) % _PLACE_SIZE == 0
        and (kept[3] is None or (type(kept[3]) is bytes and len(kept[3]) % _PLACE_SIZE == 0))
        for kept in table
    )
