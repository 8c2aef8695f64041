"""The graph views' data: `_trellis/graph.json` for the global graph page, and one small
neighbourhood file per note for the local graph beside it.

Built from the `PublicSite` and its `LinkGraph` only, so a private note can be neither a node
nor the end of an edge. Notes with `dg-hide-in-graph` (or `dg-hide`) are left out together
with every edge touching them. The neighbourhoods are cut from the global data (never from
the vault), so they are bounded by the same filter.

Why a file per note: a 634-note garden's whole graph is hundreds of kB, and every note page
used to download it to draw a dozen nodes. A page now fetches only the notes within
`LOCAL_DEPTH` steps of it (the deepest the local graph shows) and the edges among them.

Global format (`version` 1)::

    {"version": 1,
     "nodes": [{"id": "/a/b/", "url": "/base/a/b/", "title": "B", "tags": ["x"]}, ...],
     "edges": [{"source": "/a/b/", "target": "/c/", "type": "link"}, ...]}

Neighbourhood format (`version` 1, at `local_graph_file(note.url)`)::

    {"version": 1, "center": "/a/b/", "depth": 2,
     "nodes": [{"id": ..., "url": ..., "title": ..., "degree": 7, "depth": 1}, ...],
     "edges": [...as above, only between these nodes...]}

`id` is the note's site path (what `<body data-url>` holds on its page), `url` the link to
it with the base path, percent-encoded; `degree` counts a node's distinct neighbours in the
whole graph (the local graph labels by it), `depth` its distance from the centre. Edges are
directed, deduplicated per (source, target, type), without self-links, in a stable order so
builds are reproducible.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from trellis.emit.pages import page_digest
from trellis.emit.writer import OutputWriter
from trellis.public.graph import LinkGraph
from trellis.public.site import PublicSite, PublishedNote
from trellis.public.urls import local_graph_file

GRAPH_PATH = "_trellis/graph.json"
GRAPH_VERSION = 1
LOCAL_DEPTH = 2  # the local graph's depth buttons go to 2


def graph_data(site: PublicSite, graph: LinkGraph) -> dict[str, Any]:
    """Nodes and edges as plain data (the dict that `emit_graph` writes as JSON)."""
    shown: list[PublishedNote] = [n for n in site.notes if not n.display.hide_in_graph]
    visible = {id(n) for n in shown}
    nodes = [
        {"id": n.url, "url": site.href(n.url), "title": n.title, "tags": n.tags}
        for n in sorted(shown, key=lambda n: n.url)
    ]
    edges: set[tuple[str, str, str]] = set()
    for note in shown:
        for edge in graph.outgoing.get(note, []):
            target = edge.target
            if target is note or id(target) not in visible:
                continue
            edges.add((note.url, target.url, "embed" if edge.embed else "link"))
    return {
        "version": GRAPH_VERSION,
        "nodes": nodes,
        "edges": [{"source": s, "target": t, "type": kind} for s, t, kind in sorted(edges)],
    }


def neighbourhoods(data: dict[str, Any], depth: int = LOCAL_DEPTH) -> Iterator[dict[str, Any]]:
    """For each node of `data` (as `graph_data` returns it), the part within `depth` steps."""
    by_id = {node["id"]: node for node in data["nodes"]}
    neighbours: dict[str, set[str]] = {node_id: set() for node_id in by_id}
    leaving: dict[str, list[dict[str, str]]] = {node_id: [] for node_id in by_id}
    for edge in data["edges"]:  # sorted by source, so each list is too
        neighbours[edge["source"]].add(edge["target"])
        neighbours[edge["target"]].add(edge["source"])
        leaving[edge["source"]].append(edge)
    for center in by_id:
        distance = {center: 0}
        frontier = [center]
        for step in range(1, depth + 1):
            reached = {other for node_id in frontier for other in neighbours[node_id]}
            frontier = sorted(reached - distance.keys())
            distance.update(dict.fromkeys(frontier, step))
        kept = sorted(distance)  # the global order: nodes and edges sorted by id
        yield {
            "version": GRAPH_VERSION,
            "center": center,
            "depth": depth,
            "nodes": [
                {
                    "id": node_id,
                    "url": by_id[node_id]["url"],
                    "title": by_id[node_id]["title"],
                    "degree": len(neighbours[node_id]),
                    "depth": distance[node_id],
                }
                for node_id in kept
            ],
            "edges": [e for node_id in kept for e in leaving[node_id] if e["target"] in distance],
        }


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class GraphFiles:
    """What a build wrote for the local graphs: the digest of the data they are made from
    and each neighbourhood file (output path -> hash of its bytes), kept in the build cache
    for the next build."""

    data: str = ""
    files: dict[str, str] = field(default_factory=dict)


def emit_graph(data: dict[str, Any], writer: OutputWriter) -> int:
    """Write the global graph file (`graph_data`; its nodes carry tags); the file count."""
    writer.write_text(GRAPH_PATH, _json(data))
    return 1


def emit_local_graphs(
    data: dict[str, Any], writer: OutputWriter, last: GraphFiles | None = None
) -> tuple[int, GraphFiles]:
    """Write every note's neighbourhood; the file count, and what was written for the next
    build.

    The nodes carry no tags, so a save that changes only tags leaves these files alone (the
    planner sees it from the reads each emitter declares). Every neighbourhood is a function
    of the graph data without tags: when that is the last build's (`last`), the files of the
    last output are taken over (each checked against the hash recorded, as pages are)
    instead of made again; at 10,000 notes they are a gigabyte of JSON. Any file that fails
    its check is made.
    """
    untagged = {
        "nodes": [{k: v for k, v in node.items() if k != "tags"} for node in data["nodes"]],
        "edges": data["edges"],
    }
    data_digest = hashlib.blake2b(_json(untagged).encode("utf-8"), digest_size=16).hexdigest()
    files: dict[str, str] = {}
    missing: set[str] = set()
    wanted = [local_graph_file(node["id"]) for node in data["nodes"]]
    if last is not None and last.data == data_digest and writer.previous is not None:
        for path in wanted:
            recorded = last.files.get(path, "")
            if recorded and writer.reuse(path, writer.previous, recorded):
                files[path] = recorded
            else:
                missing.add(path)
    else:
        missing.update(wanted)
    if missing:
        for part in neighbourhoods(data):
            path = local_graph_file(part["center"])
            if path in missing:
                made = _json(part).encode("utf-8")
                writer.write_bytes(path, made)
                files[path] = page_digest(made)
    return len(wanted), GraphFiles(data_digest, files)
