"""Kept link records made into a note's lists only when something reads them.

Why: replaying every note's kept record on every build (~88,000 links read, ~60,000 edges
made at 10,000 notes) scaled a one-note rebuild with the whole site, though it reads the
lists of a few notes: the edited note's, those it links to, their backlinks, the pages that
embed it. `KeptLinks` backs the graph's three maps (`NoteLists`): a kept note's outgoing
edges and hrefs are made from its record when first read, and a note's backlinks by finding
the records that name it (a C-level search of one flat list of every kept link's target)
and reading those notes' edges. After `FULL_AFTER` such searches every backlink list is
made at once, as a build reading most pages (a template changed) would otherwise search
once per page.

Nothing here decides what a record may name: `link_site` checked every kept record before
(each link's target a published note, an attachment found again, or nowhere) and took the
note's lists from the record only then. A record's hrefs are not checked: they are read
into page keys (`trellis.emit.pages.BodyKeys`) and the preview's check of moved anchors
only, as a page's links are resolved again when it is rendered; a forged href changes a
key, never a page.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, chain, compress, repeat
from operator import itemgetter

from trellis.public.graph import Edge, LinkGraph, NoteLists
from trellis.public.site import PublishedNote

# A kept record's (href, vault path) pairs; see `trellis.build.link_cache.LinkRecord`.
Pairs = tuple[tuple[str, str], ...]
ATTACHMENT = ""  # never a note's vault path
NOWHERE = "\0"  # nor this: a link leading nowhere
FULL_AFTER = 64  # backlink searches before every backlink list is made at once

_HREF, _PATH = itemgetter(0), itemgetter(1)
_TARGET, _EMBED, _LINE, _CONTEXT = itemgetter(0), itemgetter(1), itemgetter(2), itemgetter(4)
_NOTE, _PAIRS = itemgetter(0), itemgetter(1)


def attachment_key(written: str, note: PublishedNote) -> tuple[str, str]:
    """Where `link_site` files the href an attachment link of `note` found (`written`: its
    target as written): the path it names and the note's folder, what the lookup reads."""
    return written.partition("#")[0].strip(), note.rel_path.rpartition("/")[0]


def owners(flat: list[str], starts: list[int], value: str) -> list[int]:
    """The numbers of the records (`starts`: where each begins in `flat`) holding `value`,
    each once, found by `list.index` (a C-level scan) from one record to the next."""
    found: list[int] = []
    at = 0
    try:
        while True:
            at = flat.index(value, at)
            number = bisect_right(starts, at) - 1
            found.append(number)
            at = starts[number + 1] if number + 1 < len(starts) else len(flat)
    except ValueError:
        return found


class KeptLinks:
    """The lists of the notes whose kept record a build took (`kept`: in note order), made
    when read; those of the notes linked afresh are taken as made (`graph`)."""

    def __init__(
        self,
        notes: list[PublishedNote],
        by_path: dict[str, PublishedNote],
        kept: list[tuple[PublishedNote, Pairs]],
        attachments: dict[tuple[str, str], str | None],
    ) -> None:
        self.notes = notes
        self.by_path = by_path
        self.attachments = attachments  # hrefs found by `link_site`, by (path, folder)
        self._kept = {id(note): (note, pairs) for note, pairs in kept}
        # Every kept link's target vault path, record after record (`owners`).
        counts = list(map(len, map(_PAIRS, kept)))
        self._sources = list(map(_NOTE, kept))
        self._starts = list(accumulate(counts[:-1], initial=0)) if counts else []
        self._flat = list(map(_PATH, chain.from_iterable(map(_PAIRS, kept))))
        self._position: dict[int, int] | None = None
        self._searches = 0
        self.fresh: dict[PublishedNote, list[Edge]] = {}  # notes linked afresh -> backlinks
        self.outgoing: NoteLists[Edge] = NoteLists(self.notes, self._outgoing)
        self.resolved: NoteLists[tuple[str, str | None]] = NoteLists(self.notes, self._resolved)
        self.incoming: NoteLists[Edge] = NoteLists(self.notes, self._incoming)

    def strays(self) -> set[int]:
        """The numbers of the records naming a vault path that is no published note's (a
        forged record, or a digest that collided): their notes are linked afresh."""
        stray = set(self._flat) - self.by_path.keys() - {ATTACHMENT, NOWHERE}
        return {number for path in stray for number in owners(self._flat, self._starts, path)}

    def attached(self) -> dict[int, list[int]]:
        """Record number -> the places of its links to an attachment (looked up again)."""
        found: dict[int, list[int]] = {}
        flat, starts, at = self._flat, self._starts, 0
        try:
            while True:
                at = flat.index(ATTACHMENT, at)
                number = bisect_right(starts, at) - 1
                found.setdefault(number, []).append(at - starts[number])
                at += 1
        except ValueError:
            return found

    def drop(self, note: PublishedNote) -> None:
        """`note` is linked afresh: its record is not read."""
        self._kept.pop(id(note), None)

    def graph(self, graph: LinkGraph) -> LinkGraph:
        """`graph` (its private names, the afresh notes' lists) with these maps."""
        self.fresh = dict(graph.incoming)
        self.outgoing.made.update(graph.outgoing)
        self.resolved.made.update(graph.resolved)
        graph.outgoing, graph.resolved, graph.incoming = (
            self.outgoing,
            self.resolved,
            self.incoming,
        )
        return graph

    def _outgoing(self, note: PublishedNote) -> list[Edge] | None:
        return self._replay(note)[0]

    def _resolved(self, note: PublishedNote) -> list[tuple[str, str | None]] | None:
        return self._replay(note)[1]

    def _replay(
        self, note: PublishedNote
    ) -> tuple[list[Edge] | None, list[tuple[str, str | None]] | None]:
        """Make `note`'s edges and hrefs from its record (None, None: not a kept note).

        By C-level maps over the note's links, a Python step only for a link reaching no
        note (`link_site` checked the record: lengths, every path a note's, nowhere or an
        attachment it found again)."""
        kept = self._kept.get(id(note))
        if kept is None or kept[0] is not note:
            return None, None
        assert note.content is not None
        links, pairs = note.content.links, kept[1]
        targets = list(map(self.by_path.get, map(_PATH, pairs)))
        resolved = list(zip(map(_TARGET, links), map(_HREF, pairs), strict=True))
        if None in targets:  # (notes compare by identity)
            for at, target in enumerate(targets):
                if target is None:
                    written = links[at][0]
                    href = self.attachments.get(attachment_key(written, note))
                    attached = pairs[at][1] == ATTACHMENT and href is not None
                    resolved[at] = (written, href if attached else None)
        # Each edge made as a tuple, not through `Edge`'s constructor: (source, target,
        # embed, context, line), of the links that reach a note.
        rows = zip(
            repeat(note), targets, map(_EMBED, links), map(_CONTEXT, links), map(_LINE, links)
        )
        edges = list(map(tuple.__new__, repeat(Edge), compress(rows, targets)))
        self.outgoing.made[note] = edges
        self.resolved.made[note] = resolved
        return edges, resolved

    def _incoming(self, note: PublishedNote) -> list[Edge] | None:
        """`note`'s backlinks: the edges to it of the kept notes whose record names it and
        of the notes linked afresh, in note order (as a whole replay makes them)."""
        if self._position is None:
            self._position = {id(each): at for at, each in enumerate(self.notes)}
        position = self._position
        if id(note) not in position or self.by_path.get(note.rel_path) is not note:
            return None
        self._searches += 1
        if self._searches > FULL_AFTER:
            self._every_incoming()
            return self.incoming.made.get(note)
        sources = {id(self._sources[n]): self._sources[n] for n in self._owners(note)}
        for edge in self.fresh.get(note, ()):
            sources[id(edge.source)] = edge.source
        order = sorted(sources.values(), key=lambda source: position[id(source)])
        outgoing = self.outgoing
        return [edge for source in order for edge in outgoing[source] if edge.target is note]

    def _owners(self, note: PublishedNote) -> list[int]:
        return owners(self._flat, self._starts, note.rel_path)

    def _every_incoming(self) -> None:
        """Make every backlink list not made yet, from every note's edges."""
        lists: dict[PublishedNote, list[Edge]] = {note: [] for note in self.notes}
        outgoing = self.outgoing
        for note in self.notes:
            for edge in outgoing[note]:
                lists[edge.target].append(edge)
        made = self.incoming.made
        for note, edges in lists.items():
            made.setdefault(note, edges)


def cyclic(targets: dict[PublishedNote, list[PublishedNote]]) -> set[PublishedNote]:
    """The nodes of the graph `targets` (node -> the nodes it leads to) on a cycle: in a
    strongly connected part of two or more, or leading to themselves. Tarjan's algorithm,
    iterative (an embed chain may be deeper than Python's recursion)."""
    index: dict[PublishedNote, int] = {}
    low: dict[PublishedNote, int] = {}
    stack: list[PublishedNote] = []
    on_stack: set[PublishedNote] = set()
    found: set[PublishedNote] = set()
    for root in targets:
        if root in index:
            continue
        work = [(root, iter(targets.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, ahead = work[-1]
            step = next(ahead, None)
            if step is not None:
                if step is node:
                    found.add(node)
                elif step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(targets.get(step, ()))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                part = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    part.append(member)
                    if member is node:
                        break
                if len(part) > 1:
                    found.update(part)
    return found
