"""The local graphs' neighbourhoods, cut from the global graph data and written as JSON text.

The format and the caps are described in `trellis.emit.graph`. Why a module of its own and
why it writes text: one file per note made this emitter about 12% of a cold build's CPU.
Here the graph is turned into index arrays once (`GraphIndex`: neighbours and outgoing edges
by kind as runs of one `array('i')` each, one global rank order), each node's JSON row is
encoded once and reused by every file it appears in, the edges among a neighbourhood's nodes
come from set intersections, and the second step is counted with `Counter` over bounded
prefixes instead of a Python-level merge. Why arrays: on a cold build every process that
renders pages makes its share of the files, each holding the index while the pages' model
is alive; a dict per edge and sets per node cost ~230 MiB a process at 50,000 notes.
The text is byte for byte what `json.dumps(..., ensure_ascii=False, separators=(",", ":"))`
wrote of the same data before (the golden site test checks the files).
"""

from __future__ import annotations

import json
from array import array
from collections import Counter
from collections.abc import Container, Iterable, Iterator
from typing import Any


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class Adjacency:
    """Each node's run of positions, packed in one `array('i')` with where each node's run
    starts: 4 bytes a position, where a set per node took tens (at 50,000 notes the sets,
    with the graph data's dict per edge, were ~230 MiB in each process making files)."""

    def __init__(self, runs: Iterable[Iterable[int]]) -> None:
        self.starts = array("i", [0])
        self.flat = array("i")
        for run in runs:
            self.flat.extend(run)
            self.starts.append(len(self.flat))
        self._view = memoryview(self.flat)

    def __getitem__(self, node: int) -> memoryview:
        """`node`'s run (a view: nothing copied)."""
        return self._view[self.starts[node] : self.starts[node + 1]]

    def first(self, node: int, count: int) -> memoryview:
        """The first `count` places of `node`'s run (all of them if fewer)."""
        start, end = self.starts[node], self.starts[node + 1]
        return self._view[start : min(end, start + count)]

    def size(self, node: int) -> int:
        return self.starts[node + 1] - self.starts[node]


# A node as the index takes it: (id, title, url with the base path).
Node = tuple[str, str, str]


class GraphIndex:
    """The global graph as positions: nodes sorted by id (`ids`), each node's JSON row at
    each depth (`rows`), its outgoing links and embeds as positions (`links`, `embeds`),
    its neighbours as places in one order of all nodes, most-linked first (`ranked`,
    `order`, `rank`). Arrays of ints and strings only: no dict, set or list per node
    outlives the constructor.

    `nodes` sorted by id; `edges`: (source, target, is an embed) as positions in `nodes`,
    without self-links, repeats allowed (each kind of each pair counts once)."""

    def __init__(self, nodes: list[Node], base: str, edges: Iterable[tuple[int, int, bool]]):
        count = len(nodes)
        self.ids: list[str] = [node_id for node_id, _, _ in nodes]
        self.base = base
        links: list[list[int]] = [[] for _ in range(count)]
        embeds: list[list[int]] = [[] for _ in range(count)]
        into: list[list[int]] = [[] for _ in range(count)]
        for source, target, embed in edges:
            (embeds if embed else links)[source].append(target)
            into[target].append(source)
        near = Adjacency(
            sorted({*links[i], *embeds[i], *into[i]}) for i in range(count)
        )  # every node linking or linked, either way
        del into
        self.links = Adjacency(sorted(set(run)) for run in links)
        del links
        self.embeds = Adjacency(sorted(set(run)) for run in embeds)
        del embeds
        degrees = [near.size(i) for i in range(count)]
        # Most-linked first, then by id (a stable sort keeps positions' order among ties):
        # each node's neighbours are kept as their places in this order (`ranked`), so the
        # most-linked come first without a key.
        self.order = array("i", sorted(range(count), key=degrees.__getitem__, reverse=True))
        self.rank = array("i", bytes(4 * count))
        for place, i in enumerate(self.order):
            self.rank[i] = place
        rank = self.rank
        self.ranked = Adjacency(sorted([rank[n] for n in near[i]]) for i in range(count))
        del near
        # A node's row is `[id, title, degree, depth]` (+ its url when it is not the base
        # path + id), made once for each depth and joined by every file it appears in.
        self.rows: list[list[str]] = [[], [], []]
        for (node_id, title, url), degree in zip(nodes, degrees, strict=True):
            head = f"[{_text(node_id)},{_text(title)},{degree},"
            tail = "]" if url == base + node_id[1:] else f",{_text(url)}]"
            for level, row in enumerate(self.rows):
                row.append(f"{head}{level}{tail}")

    @classmethod
    def of_data(cls, data: dict[str, Any]) -> GraphIndex:
        """The index of the global graph data (`trellis.emit.graph.graph_data`)."""
        nodes = sorted(data["nodes"], key=lambda node: node["id"])  # positions follow ids
        at = {node["id"]: i for i, node in enumerate(nodes)}
        edges = (
            (at[edge["source"]], at[edge["target"]], edge["type"] == "embed")
            for edge in data["edges"]
        )
        rows = [(node["id"], node["title"], node["url"]) for node in nodes]
        return cls(rows, data["base"], edges)


def neighbourhood_texts(
    graph: GraphIndex,
    depth: int,
    caps: tuple[int, int, int],
    centers: Container[str] | None = None,
) -> Iterator[tuple[str, str]]:
    """(centre id, JSON text of its neighbourhood) for each node of `graph` (of `centers`
    only, when given), in id order.

    `caps`: (nodes per file, direct links kept, second-step candidates per free place); see
    `trellis.emit.graph.neighbourhoods` for what is kept. A file depends on the whole graph,
    never on which centres are asked for: the processes of a build each make a share.
    """
    node_cap, first_cap, candidates = caps
    order, ranked, links, embeds, rows = (
        graph.order,
        graph.ranked,
        graph.links,
        graph.embeds,
        graph.rows,
    )
    # Each `[source,target]` pair of positions in a file: made once, joined by every file
    # (the builtins below run in C, not per element in Python).
    most = max(node_cap, first_cap + 1)  # nodes a file can hold
    pairs = [[f"[{source},{target}]" for target in range(most)] for source in range(most)]
    embedding = {node for node in range(len(graph.ids)) if embeds.size(node)}
    opening = f',"depth":{depth},"base":{_text(graph.base)},"nodes":['
    ids = graph.ids
    chosen: Iterable[int] = range(len(ids))
    if centers is not None:
        chosen = [i for i, node_id in enumerate(ids) if node_id in centers]
    for center in chosen:
        distance = {center: 0}
        distance.update(dict.fromkeys(map(order.__getitem__, ranked.first(center, first_cap)), 1))
        if depth >= 2 and node_cap > len(distance):
            excluded = set(ranked[center])  # every direct link, kept or left out by the cap
            excluded.add(graph.rank[center])
            room = node_cap - len(distance)
            firsts = [node for node in distance if node != center]
            counts, chosen = _most_linked(ranked, firsts, excluded, candidates * room)
            best = sorted([(-counts[place], place) for place in chosen])[:room]
            distance.update(dict.fromkeys([order[place] for _, place in best], 2))
        kept = sorted(distance)  # by id, as the global file
        members = set(kept)
        index = dict(zip(kept, range(len(kept)), strict=True))
        link_rows = _edges(kept, links, members, index, pairs)
        embed_rows = _edges(sorted(members & embedding), embeds, members, index, pairs)
        yield (
            ids[center],
            "".join(
                (
                    '{"version":2,"center":',
                    _text(ids[center]),
                    opening,
                    ",".join([rows[distance[node]][node] for node in kept]),
                    '],"links":[',
                    ",".join(link_rows),
                    '],"embeds":[',
                    ",".join(embed_rows),
                    "]}",
                )
            ),
        )


def _edges(
    sources: list[int],
    targets_of: Adjacency,
    members: set[int],
    index: dict[int, int],
    pairs: list[list[str]],
) -> list[str]:
    """The `[source,target]` texts of the edges from `sources` (sorted) to `members`, as
    positions in the file (`index`), by source then target."""
    found: list[str] = []
    hits_of = map(members.intersection, map(targets_of.__getitem__, sources))
    for source, hits in zip(sources, hits_of, strict=True):
        if hits:
            row = pairs[index[source]]
            found.extend(map(row.__getitem__, map(index.__getitem__, sorted(hits))))
    return found


def _most_linked(
    ranked: Adjacency, nodes: list[int], excluded: set[int], wanted: int
) -> tuple[Counter[int], list[int]]:
    """The first `wanted` places (most-linked first) in the union of the `ranked` lists of
    `nodes` (each sorted, no repeats) that are not `excluded`, and how many lists hold each.

    Why prefixes: a hub's neighbours can link to most of the garden, and only the first
    places matter. Each list is cut after `wanted + len(excluded)` places, which changes
    nothing: a cut list keeps at least `wanted` places not excluded, all at or before its
    last place kept, so the places chosen lie at or before the earliest such last place,
    where every list is whole; so no earlier place is missing and every count is exact.
    """
    limit = wanted + len(excluded)
    counts: Counter[int] = Counter()
    for node in nodes:
        counts.update(ranked.first(node, limit))
    return counts, sorted(counts.keys() - excluded)[:wanted]
