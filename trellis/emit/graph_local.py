"""The local graphs' neighbourhoods, cut from the global graph data and written as JSON text.

The format and the caps are described in `trellis.emit.graph`. Why a module of its own and
why it writes text: one file per note made this emitter about 12% of a cold build's CPU.
Here the graph is turned into index arrays once (neighbour sets, outgoing sets by kind,
one global rank order), each node's JSON row is encoded once and reused by every file it
appears in, the edges among a neighbourhood's nodes come from set intersections, and the
second step is counted with `Counter` over bounded prefixes instead of a Python-level merge.
The text is byte for byte what `json.dumps(..., ensure_ascii=False, separators=(",", ":"))`
wrote of the same data before (the golden site test checks the files).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Container, Iterable, Iterator
from typing import Any


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class GraphIndex:
    """The global graph data as positions: nodes sorted by id, neighbours and outgoing
    edges as sets of positions, and one order of all nodes, most-linked first."""

    def __init__(self, data: dict[str, Any]) -> None:
        nodes = sorted(data["nodes"], key=lambda node: node["id"])  # positions follow ids
        self.ids: list[str] = [node["id"] for node in nodes]
        at = {node_id: i for i, node_id in enumerate(self.ids)}
        count = len(self.ids)
        self.neighbours: list[set[int]] = [set() for _ in range(count)]
        self.links: list[set[int]] = [set() for _ in range(count)]
        self.embeds: list[set[int]] = [set() for _ in range(count)]
        for edge in data["edges"]:
            source, target = at[edge["source"]], at[edge["target"]]
            self.neighbours[source].add(target)
            self.neighbours[target].add(source)
            (self.embeds if edge["type"] == "embed" else self.links)[source].add(target)
        # Most-linked first, then by id: each node's neighbours are kept as their places in
        # this order (`ranked`), so the most-linked come first without a key.
        self.order = sorted(range(count), key=lambda i: (-len(self.neighbours[i]), self.ids[i]))
        self.rank = [0] * count
        for position, i in enumerate(self.order):
            self.rank[i] = position
        rank = self.rank
        self.ranked = [sorted([rank[n] for n in linked]) for linked in self.neighbours]
        base = data["base"]
        # A node's row is `[id, title, degree, depth]` (+ its url when it is not the base
        # path + id): the text before and after the depth, encoded once for every file.
        self.row_head: list[str] = []
        self.row_tail: list[str] = []
        for node, linked in zip(nodes, self.neighbours, strict=True):
            self.row_head.append(f"[{_text(node['id'])},{_text(node['title'])},{len(linked)},")
            url = node["url"]
            self.row_tail.append("]" if url == base + node["id"][1:] else f",{_text(url)}]")


def neighbourhood_texts(
    data: dict[str, Any],
    depth: int,
    caps: tuple[int, int, int],
    centers: Container[str] | None = None,
) -> Iterator[tuple[str, str]]:
    """(centre id, JSON text of its neighbourhood) for each node of `data` (of `centers`
    only, when given), in id order.

    `caps`: (nodes per file, direct links kept, second-step candidates per free place); see
    `trellis.emit.graph.neighbourhoods` for what is kept. A file depends on the whole graph,
    never on which centres are asked for: the processes of a build each make a share.
    """
    node_cap, first_cap, candidates = caps
    graph = GraphIndex(data)
    order, ranked, links, embeds = graph.order, graph.ranked, graph.links, graph.embeds
    # Each node's row with each depth, and each `[source,target]` pair of positions: made
    # once, joined by every file (the builtins below run in C, not per element in Python).
    heads_tails = list(zip(graph.row_head, graph.row_tail, strict=True))
    rows = [[f"{head}{level}{tail}" for head, tail in heads_tails] for level in range(3)]
    most = max(node_cap, first_cap + 1)  # nodes a file can hold
    pairs = [[f"[{source},{target}]" for target in range(most)] for source in range(most)]
    embedding = {node for node, targets in enumerate(embeds) if targets}
    opening = f',"depth":{depth},"base":{_text(data["base"])},"nodes":['
    ids = graph.ids
    chosen: Iterable[int] = range(len(ids))
    if centers is not None:
        chosen = [i for i, node_id in enumerate(ids) if node_id in centers]
    for center in chosen:
        distance = {center: 0}
        distance.update(dict.fromkeys(map(order.__getitem__, ranked[center][:first_cap]), 1))
        if depth >= 2 and node_cap > len(distance):
            excluded = set(ranked[center])  # every direct link, kept or left out by the cap
            excluded.add(graph.rank[center])
            lists = [ranked[node] for node in distance if node != center]
            room = node_cap - len(distance)
            counts, chosen = _most_linked(lists, excluded, candidates * room)
            best = sorted([(-counts[place], place) for place in chosen])[:room]
            distance.update(dict.fromkeys([order[place] for _, place in best], 2))
        kept = sorted(distance)  # by id, as the global file
        members = set(kept)
        index = dict(zip(kept, range(len(kept)), strict=True))
        link_rows = _edges(kept, links, members, index, pairs)
        embed_rows = _edges(sorted(members & embedding), embeds, members, index, pairs)
        yield (
            graph.ids[center],
            "".join(
                (
                    '{"version":2,"center":',
                    _text(graph.ids[center]),
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
    targets_of: list[set[int]],
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
    lists: list[list[int]], excluded: set[int], wanted: int
) -> tuple[Counter[int], list[int]]:
    """The first `wanted` places (most-linked first) in the union of `lists` (each sorted,
    no repeats) that are not `excluded`, and how many lists hold each.

    Why prefixes: a hub's neighbours can link to most of the garden, and only the first
    places matter. Each list is cut after `wanted + len(excluded)` places, which changes
    nothing: a cut list keeps at least `wanted` places not excluded, all at or before its
    last place kept, so the places chosen lie at or before the earliest such last place,
    where every list is whole; so no earlier place is missing and every count is exact.
    """
    limit = wanted + len(excluded)
    counts: Counter[int] = Counter()
    for places in lists:
        counts.update(places[:limit] if len(places) > limit else places)
    return counts, sorted(counts.keys() - excluded)[:wanted]
