"""The graph views' data: `_trellis/graph.json` for the global graph page, and one small
neighbourhood file per note for the local graph beside it.

Built from the `PublicSite` and its `LinkGraph` only, so a private note can be neither a node
nor the end of an edge. Notes with `dg-hide-in-graph` (or `dg-hide`) are left out together
with every edge touching them. The neighbourhoods are cut from the global data (never from
the vault), so they are bounded by the same filter.

Why a file per note: a 634-note garden's whole graph is hundreds of kB, and every note page
used to download it to draw a dozen nodes. A page now fetches only its neighbourhood: the
notes within `LOCAL_DEPTH` steps (the deepest the local graph shows), at most `NODE_CAP` of
them, and the edges among them. Why the cap: hubs make a two-step neighbourhood most of the
garden (at 10,000 generated notes the uncapped files were 1.2 GB); see `neighbourhoods`.

Global format (`version` 1)::

    {"version": 1, "base": "/base/",
     "nodes": [{"id": "/a/b/", "url": "/base/a/b/", "title": "B", "tags": ["x"]}, ...],
     "edges": [{"source": "/a/b/", "target": "/c/", "type": "link"}, ...]}

Neighbourhood format (`version` 2, at `local_graph_file(note.url)`), compact because there
is one per note::

    {"version": 2, "center": "/a/b/", "depth": 2, "base": "/base/",
     "nodes": [["/a/b/", "B", 7, 0], ["/ä/", "Ä", 3, 1, "/base/%C3%A4/"], ...],
     "links": [[0, 1], ...], "embeds": [[1, 0], ...]}

`id` is the note's site path (what `<body data-url>` holds on its page), `url` the link to
it with the base path, percent-encoded (in a neighbourhood given only when it is not `base`
+ `id` without its slash); `degree` counts a node's distinct neighbours in the whole graph
(the local graph labels by it), `depth` its distance from the centre. A neighbourhood's node
row is `[id, title, degree, depth]` (+ `url`), sorted by id; its links and embeds are
`[source, target]` positions in that list. Edges are directed, deduplicated per (source,
target, type), without self-links, in a stable order so builds are reproducible.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass, field
from typing import Any

from trellis.emit.graph_local import GraphIndex, neighbourhood_texts
from trellis.emit.graph_text import GraphText, data_rows, graph_text, site_row_stream, site_rows
from trellis.emit.pages import page_digest
from trellis.emit.writer import OutputWriter
from trellis.public.graph import LinkGraph
from trellis.public.site import PublicSite
from trellis.public.urls import local_graph_file

GRAPH_PATH = "_trellis/graph.json"
GRAPH_VERSION = 1
LOCAL_VERSION = 2  # 2: capped, compact rows (version 1 held whole neighbourhoods)
LOCAL_DEPTH = 2  # the local graph's depth buttons go to 2
NODE_CAP = 120  # nodes in a neighbourhood file, the centre included
FIRST_STEP_CAP = 100  # direct links kept, at most; the rest of the cap is for the second step
CANDIDATES = 4  # second-step notes counted per free place (bounds the work for hubs)
CAPS = (NODE_CAP, FIRST_STEP_CAP, CANDIDATES)
# What the local graph files' key holds besides the graph: files of another format or caps
# are not taken over.
LOCAL_KEY = [LOCAL_VERSION, LOCAL_DEPTH, NODE_CAP, FIRST_STEP_CAP, CANDIDATES]


def graph_data(site: PublicSite, graph: LinkGraph) -> dict[str, Any]:
    """Nodes and edges as plain data (the dict that `emit_graph` writes as JSON)."""
    base, nodes, edges = site_rows(site, graph)
    return {
        "version": GRAPH_VERSION,
        "base": base,
        "nodes": [
            {"id": i, "url": url, "title": title, "tags": tags} for i, url, title, tags in nodes
        ],
        "edges": [{"source": s, "target": t, "type": kind} for s, t, kind in edges],
    }


def site_graph_text(site: PublicSite, graph: LinkGraph) -> GraphText:
    """`_trellis/graph.json` and the local graph files' key, without the graph data."""
    return graph_text(GRAPH_VERSION, LOCAL_KEY, *site_row_stream(site, graph))


def neighbourhoods(data: dict[str, Any], depth: int = LOCAL_DEPTH) -> Iterator[dict[str, Any]]:
    """For each node of `data` (as `graph_data` returns it), its bounded neighbourhood.

    Kept, at most `NODE_CAP` nodes: the centre; its direct links, all of them up to
    `FIRST_STEP_CAP` (beyond that the most-linked ones); with `depth` 2, the notes two steps
    away that link with the most kept direct links (ties: the most-linked in the whole
    graph), filling the rest, counted among the first `CANDIDATES` per free place in that
    order; then the edges among the kept nodes only. A hub's whole two-step neighbourhood
    is most of the garden, and no reader can follow a thousand dots in a sidebar; at 10,000
    notes it made every file hundreds of kB.

    The files are made as text by `trellis.emit.graph_local` (this reads them back, for
    tools and tests that want the data).
    """
    for _, text in neighbourhood_texts(GraphIndex.of_data(data), depth, CAPS):
        yield json.loads(text)


@dataclass(frozen=True)
class GraphFiles:
    """What a build wrote for the local graphs: the digest of the data they are made from
    and each neighbourhood file (output path -> hash of its bytes), kept in the build cache
    for the next build."""

    data: str = ""
    files: dict[str, str] = field(default_factory=dict)
    # The hash of `graph.json`'s bytes, when a build recorded it (taken over when the graph
    # is the last build's: `trellis.build.reach.Reach.graph_same`).
    whole: str = ""


def emit_local_graphs(
    data: dict[str, Any],
    writer: OutputWriter,
    last: GraphFiles | None = None,
    made: dict[str, str] | None = None,
) -> tuple[int, GraphFiles]:
    """Write every note's neighbourhood from the graph data; see `emit_local_graph_files`."""
    key = graph_text(GRAPH_VERSION, LOCAL_KEY, *data_rows(data)).local_key
    ids = [node["id"] for node in data["nodes"]]
    return emit_local_graph_files(key, ids, lambda: GraphIndex.of_data(data), writer, last, made)


def emit_local_graph_files(
    key: str,
    ids: list[str],
    index: Callable[[], GraphIndex],
    writer: OutputWriter,
    last: GraphFiles | None = None,
    made: dict[str, str] | None = None,
) -> tuple[int, GraphFiles]:
    """Write the neighbourhood of every node (`ids`); the file count, and what was written
    for the next build.

    The nodes carry no tags, so a save that changes only tags leaves these files alone (the
    planner sees it from the reads each emitter declares). Every neighbourhood is a function
    of the graph without tags, whose digest is `key` (`GraphText.local_key`): when that is
    the last build's (`last`), the files of the last output are taken over (each checked
    against the hash recorded, as pages are) instead of made again (at 10,000 notes, 9,000
    files). Any file that fails its check is made from `index()`. `made`: the files this
    build's processes already wrote (`write_local_graphs`, output path -> hash), beside
    their pages.
    """
    files: dict[str, str] = dict(made or {})
    missing: set[str] = set()
    wanted = {local_graph_file(node_id): node_id for node_id in ids}
    previous = writer.previous
    kept = last.files if last is not None and last.data == key else {}
    for path, center in wanted.items():
        if path in files:
            continue
        recorded = kept.get(path, "")
        if recorded and previous is not None and writer.reuse(path, previous, recorded):
            files[path] = recorded
        else:
            missing.add(center)
    if missing:
        files.update(write_local_graphs(index(), writer, missing))
    return len(wanted), GraphFiles(key, files)


def local_graphs_made_here(last: GraphFiles | None, writer: OutputWriter) -> bool:
    """Whether a build makes every neighbourhood file anew whatever its graph: no last
    output to take any over from (a cold build). Then the processes rendering pages each
    make a share of them (`write_local_graphs`), and `emit_local_graphs` only records them."""
    return last is None or writer.previous is None


def local_graph_index(site: PublicSite, graph: LinkGraph) -> GraphIndex:
    """`GraphIndex.of_data(graph_data(site, graph))`, made without the data: a process that
    only writes neighbourhood files (each share of a cold build) holds no dict per node or
    edge (the same nodes, edges and order: `test_graph_local` checks both ways agree)."""
    shown = sorted(
        (note for note in site.notes if not note.display.hide_in_graph), key=lambda n: n.url
    )
    at = {id(note): position for position, note in enumerate(shown)}
    edges = (
        (source, target, edge.embed)
        for source, note in enumerate(shown)
        for edge in graph.outgoing.get(note, [])
        if (target := at.get(id(edge.target), source)) != source
    )
    nodes = [(note.url, note.title, site.href(note.url)) for note in shown]
    return GraphIndex(nodes, site.href("/"), edges)


def write_local_graphs(
    graph: GraphIndex, writer: OutputWriter, centers: Container[str] | None = None
) -> dict[str, str]:
    """Make and write the neighbourhood files of `centers` (node ids; None: every node);
    output path -> hash of the bytes written."""
    files: dict[str, str] = {}
    for center, text in neighbourhood_texts(graph, LOCAL_DEPTH, CAPS, centers):
        path = local_graph_file(center)
        made = text.encode("utf-8")
        writer.write_bytes(path, made)
        files[path] = page_digest(made)
    return files
