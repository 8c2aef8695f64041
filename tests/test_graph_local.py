"""The neighbourhood files' text equals the rules of `trellis.emit.graph.neighbourhoods`
written plainly (`reference` below: one dict per file, `json.dumps`), on random graphs.

Why: `trellis.emit.graph_local` makes the files fast (index arrays, rows encoded once, the
second step counted over cut prefixes of the ranked lists); the golden site test covers
small gardens only. Small caps make every path run here: the first step cut, the second
step's candidate bound, prefixes cut short and doubled for hubs.
"""

from __future__ import annotations

import heapq
import json
import random
from itertools import groupby
from typing import Any

import pytest

from trellis.emit.graph import CAPS, LOCAL_DEPTH
from trellis.emit.graph_local import GraphIndex, neighbourhood_texts


def reference(data: dict[str, Any], depth: int, caps: tuple[int, int, int]) -> list[str]:
    """Each neighbourhood as the emitter wrote it before it was made fast."""
    node_cap, first_cap, candidates = caps
    nodes = sorted(data["nodes"], key=lambda node: node["id"])
    ids = [node["id"] for node in nodes]
    at = {node_id: i for i, node_id in enumerate(ids)}
    neighbours: list[set[int]] = [set() for _ in ids]
    leaving: list[dict[int, list[str]]] = [{} for _ in ids]
    for edge in data["edges"]:
        source, target = at[edge["source"]], at[edge["target"]]
        neighbours[source].add(target)
        neighbours[target].add(source)
        leaving[source].setdefault(target, []).append(edge["type"])
    order = sorted(range(len(ids)), key=lambda i: (-len(neighbours[i]), ids[i]))
    rank = {node: place for place, node in enumerate(order)}
    ranked = [sorted(rank[n] for n in linked) for linked in neighbours]
    files = []
    for center in range(len(ids)):
        distance = {center: 0}
        distance.update({order[r]: 1 for r in ranked[center][:first_cap]})
        room = node_cap - len(distance)
        if depth >= 2 and room > 0:
            counts = []
            first = [ranked[node] for node in distance if node != center]
            for place, copies in groupby(heapq.merge(*first)):
                node = order[place]
                if node in distance or node in neighbours[center]:
                    continue
                counts.append((-len(list(copies)), place, node))
                if len(counts) >= candidates * room:
                    break
            distance.update({node: 2 for _, _, node in heapq.nsmallest(room, counts)})
        kept = sorted(distance)
        index = {node: i for i, node in enumerate(kept)}
        found: dict[str, list[list[int]]] = {"link": [], "embed": []}
        for position, source in enumerate(kept):
            for target, kinds in sorted(leaving[source].items()):
                for kind in kinds if target in index else ():
                    found[kind].append([position, index[target]])
        rows = []
        for node in kept:
            item = nodes[node]
            row = [item["id"], item["title"], len(neighbours[node]), distance[node]]
            if item["url"] != data["base"] + item["id"][1:]:
                row.append(item["url"])
            rows.append(row)
        part = {
            "version": 2,
            "center": ids[center],
            "depth": depth,
            "base": data["base"],
            "nodes": rows,
            "links": found["link"],
            "embeds": found["embed"],
        }
        files.append(json.dumps(part, ensure_ascii=False, separators=(",", ":")))
    return files


def random_graph(seed: int, count: int, hubs: int, hub_degree: int) -> dict[str, Any]:
    """Notes with a few links each (some embeds, some both), plus hubs linked both ways."""
    rng = random.Random(seed)
    ids = [f"/n{i}/" if i % 7 else f'/ä "{i}"/' for i in range(count)]
    nodes = [
        {"id": node_id, "url": "/b" + node_id if i % 5 else "/b/x/", "title": f'T "{i}" <b>\\'}
        for i, node_id in enumerate(ids)
    ]
    edges = set()
    for i in range(count):
        for _ in range(rng.randint(0, 4)):
            j = rng.randrange(count)
            if j != i:
                edges.add((ids[i], ids[j], rng.choice(["link", "link", "embed"])))
    for hub in range(hubs):
        for j in rng.sample(range(hubs, count), hub_degree):
            edges.add((ids[j], ids[hub], "link") if j % 2 else (ids[hub], ids[j], "link"))
    return {
        "base": "/b/",
        "nodes": nodes,
        "edges": [{"source": s, "target": t, "type": k} for s, t, k in sorted(edges)],
    }


@pytest.mark.parametrize(
    ("seed", "caps", "depth"),
    [
        (0, (12, 5, 2), 2),  # small caps: cut first steps, bounded candidates, cut prefixes
        (1, (12, 5, 2), 1),
        (2, (30, 10, 4), 2),
        (3, (8, 7, 1), 2),  # the first step fills all but one place
        (4, CAPS, LOCAL_DEPTH),
    ],
)
def test_the_files_are_the_rules_written_plainly(
    seed: int, caps: tuple[int, int, int], depth: int
) -> None:
    data = random_graph(seed, 400, hubs=3, hub_degree=150 + 40 * seed)
    made = list(neighbourhood_texts(GraphIndex.of_data(data), depth, caps))
    assert [center for center, _ in made] == sorted(node["id"] for node in data["nodes"])
    assert [text for _, text in made] == reference(data, depth, caps)


def test_an_empty_graph_has_no_files() -> None:
    empty = GraphIndex.of_data({"base": "/", "nodes": [], "edges": []})
    assert list(neighbourhood_texts(empty, 2, CAPS)) == []
